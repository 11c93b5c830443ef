/**
 * A killed pulumi (SIGKILL, mid-step) leaves pending operations in the state. scripts/recover-interrupted
 * clears them; because every create is idempotent, `pulumi up` then finishes the update, and (after
 * `--finish`) `pulumi destroy` fails back to exactly the state before the update. Kills land mid-step: the
 * lab runs at a time scale that makes each step take real seconds, and the kill follows a progress line of
 * the step it interrupts.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { readLabState, snapshot } from "../../providers/lab";
import { INVARIANT_EXCLUDES, invariantDifferences } from "../support/labChain";
import { completedUpdateProblems, monitorNoRecovery } from "../support/labChecks";
import { MEDIA } from "./config";
import { LabProject, REPO, changes, expectOk } from "./pulumi";

const run = promisify(execFile);
const CONFIG = { fromVersion: "8.0", ...MEDIA, lab: { timeScale: 300 } };

/** Run `pulumi <args>` and SIGKILL its whole process group as soon as `when` appears in its output. */
async function killWhen(project: LabProject, args: string[], when: RegExp): Promise<string> {
  const child = project.spawn(args, { detached: true });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`never saw ${when} in:\n${out.slice(-3000)}`)),
      5 * 60_000,
    );
    const watch = (d: Buffer) => {
      out += d.toString();
      if (when.test(out) && child.pid) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    };
    child.stdout?.on("data", watch);
    child.stderr?.on("data", watch);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

async function recover(project: LabProject, finish = false): Promise<string> {
  const { stdout } = await run(
    join(REPO, "scripts/recover-interrupted"),
    ["--stack", project.stack, ...(finish ? ["--finish"] : [])],
    {
      cwd: project.dir,
      env: project.env,
      maxBuffer: 64 << 20,
    },
  );
  return stdout;
}

async function pendingCount(project: LabProject): Promise<number> {
  return (await project.state()).pending_operations?.length ?? 0;
}

describe("interrupted runs converge", () => {
  const projects: LabProject[] = [];
  afterAll(() => projects.forEach((p) => p.dispose()));

  it("pulumi up finishes the update after kills in the middle of six different steps", async () => {
    const project = await LabProject.create({ config: CONFIG });
    projects.push(project);
    expectOk(await project.preview(), "preview");
    const monitorBefore = await monitorNoRecovery(project.labDir);
    const up = ["up", "--stack", project.stack, "--yes", "--skip-preview"];
    const killPoints = [
      /\[4\/14 ManagerInstall host2\] Install Manager/,
      /\[5\/14 ActiveBackup host1\] SysMonMgr -backup/,
      /\[6\/14 DatabaseSchema host1\] WfdbCmdSetup\.bat/,
      /\[9\/14 ClusterResourceDependencies host1\] adding/,
      /\[10\/14 FailoverGroupMove host2\] waiting for/,
      /\[12\/14 ManagerInstall host1\] Install Manager/,
    ];
    for (const point of killPoints) {
      await killWhen(project, up, point);
      expect(await pendingCount(project)).toBeGreaterThan(0);
      expect(await recover(project)).toMatch(/Pending operations left by the interrupted run/);
      expect(await pendingCount(project)).toBe(0);
    }
    expectOk(await project.up(), "up after the kills");
    expect(
      await completedUpdateProblems(project.labDir, {
        toVersion: "9.0",
        activeHost: "host1",
        db: "internal",
        monitorNoRecoveryBefore: monitorBefore,
        extraDowntime: true,
      }),
    ).toEqual([]);
    const again = await project.up();
    expectOk(again, "second up");
    expect(changes(again.events)).toEqual({ same: expect.any(Number) });
  });

  it("pulumi destroy fails back exactly after a kill mid-update and a kill mid-failback", async () => {
    const project = await LabProject.create({ config: { ...CONFIG, allowFailbackAfterComplete: true } });
    projects.push(project);
    expectOk(await project.preview(), "preview");
    const before = await snapshot(project.labDir, INVARIANT_EXCLUDES);
    // Killed during the first start of the new Manager on the shared disk (§3.5).
    await killWhen(
      project,
      ["up", "--stack", project.stack, "--yes", "--skip-preview"],
      /\[10\/14 FailoverGroupMove host2\] waiting for/,
    );
    expect(await recover(project, true)).toMatch(/Finishing the interrupted step 10-move-to-host2/);
    expect((await readLabState(project.labDir)).cluster.group.current).toBe("host2");
    // Killed again during the failback, while the shared disk is being restored (§4.2.1).
    await killWhen(
      project,
      ["destroy", "--stack", project.stack, "--yes", "--skip-preview"],
      /\[10\/14 FailoverGroupMove host2\] SysMonMgr -restore/,
    );
    await recover(project);
    expectOk(await project.destroy(), "destroy after the kills");
    expect((await project.state()).resources.filter((r) => r.type.includes("netmgr:"))).toEqual([]);
    expect(invariantDifferences(before, await snapshot(project.labDir, INVARIANT_EXCLUDES))).toEqual([]);
  });
});
