/**
 * The guard rails of a failback, with the real pulumi CLI: a complete update refuses to be failed back
 * unless deliberately allowed; finalize makes it permanent (destroy only forgets the stack); a failback
 * refuses a backup that is missing or changed, before it changes anything; `destroy --preview-only` shows
 * the failback plan in order.
 */
import { readLabState, snapshot, updateLabState } from "../../providers/lab";
import { INVARIANT_EXCLUDES, invariantDifferences } from "../support/labChain";
import { laterSource } from "./config";
import { LabProject, changes, expectOk, netmgrResources } from "./pulumi";

describe("failback guard rails with the real pulumi CLI", () => {
  const projects: LabProject[] = [];
  afterAll(() => projects.forEach((p) => p.dispose()));

  async function completed(): Promise<LabProject> {
    const project = await LabProject.create({ config: laterSource });
    projects.push(project);
    expectOk(await project.up(), "up");
    return project;
  }

  it("refuses to fail back a complete update, and shows the failback plan in reverse order", async () => {
    const project = await completed();
    const plan = await project.cli(["destroy", "--stack", project.stack, "--preview-only"], {
      eventLog: true,
    });
    expectOk(plan, "destroy --preview-only");
    const deletes = plan.events.flatMap((e) =>
      e.resourcePreEvent?.metadata.op === "delete" && e.resourcePreEvent.metadata.type.includes("netmgr:")
        ? [e.resourcePreEvent.metadata.urn.split("::").pop()!]
        : [],
    );
    const created = [...netmgrResources((await project.state()).resources).keys()];
    expect(deletes).toEqual([...created].reverse());

    const before = await snapshot(project.labDir, INVARIANT_EXCLUDES);
    const refused = await project.destroy();
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/the rolling update completed/);
    expect(refused.stdout).toMatch(/pulumi config set finalize true/);
    expect(refused.stdout).toMatch(/allowFailbackAfterComplete/);
    expect(invariantDifferences(before, await snapshot(project.labDir, INVARIANT_EXCLUDES))).toEqual([]);
    expect(netmgrResources((await project.state()).resources).size).toBe(created.length);
  });

  it("finalize makes the update permanent: destroy forgets the stack and leaves the cluster alone", async () => {
    const project = await completed();
    expectOk(
      await project.cli(["config", "set", "--stack", project.stack, "netmgr:finalize", "true"]),
      "config set",
    );
    const before = await snapshot(project.labDir, INVARIANT_EXCLUDES);
    // destroy does not run the program: its providers get the config of the last up. An up (which changes
    // nothing on the cluster) records the new setting first.
    const up = await project.up();
    expectOk(up, "up after the config change");
    expect(changes(up.events).create ?? 0).toBe(0);
    const destroy = await project.destroy();
    expectOk(destroy, "destroy");
    expect(destroy.stdout).toMatch(/the update is finalized/);
    expect(netmgrResources((await project.state()).resources).size).toBe(0);
    expect(invariantDifferences(before, await snapshot(project.labDir, INVARIANT_EXCLUDES))).toEqual([]);
    expect((await readLabState(project.labDir)).hosts.host1!.manager?.version).toBe("9.1");
  });

  it("refuses a failback whose backup no longer matches its manifest, before changing anything", async () => {
    const project = await completed();
    expectOk(
      await project.cli([
        "config",
        "set",
        "--stack",
        project.stack,
        "netmgr:allowFailbackAfterComplete",
        "true",
      ]),
      "config set",
    );
    // Someone edits a file inside the SysMonMgr backup on host2 after it was taken.
    await updateLabState(project.labDir, "test: tamper with a backup", (s) => {
      const volume = Object.values(s.volumes).find((v) =>
        Object.values(v.entries).some((e) => /manager\\backup\\001\\.+\.ini$/i.test(e.name)),
      )!;
      const entry = Object.values(volume.entries).find((e) =>
        /manager\\backup\\001\\.+\.ini$/i.test(e.name),
      )!;
      entry.data = Buffer.from("changed after the backup").toString("base64");
    });
    const before = await snapshot(project.labDir, INVARIANT_EXCLUDES);
    expectOk(await project.up(), "up after the config change");
    const refused = await project.destroy();
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/backup 001 .* does not match its manifest; refusing to restore from it/);
    // The first step of the failback refused: nothing of the cluster changed.
    expect(invariantDifferences(before, await snapshot(project.labDir, INVARIANT_EXCLUDES))).toEqual([]);
  });
});
