/**
 * pulumi refresh reports the live effect of each step: nothing after a clean roll forward, drift when the lab
 * is changed behind the stack's back; the next pulumi up repairs it.
 */
import { ClpConf } from "../../providers/expresscluster/clpconf";
import { readLabState, updateLabState } from "../../providers/lab";
import { MEDIA } from "./config";
import { LabProject, changes, expectOk } from "./pulumi";

describe("refresh and drift with the real pulumi CLI", () => {
  let project: LabProject;
  afterAll(() => project?.dispose());

  it("reports a start type set back to Auto and a dependency removed, and up repairs both", async () => {
    project = await LabProject.create({ config: { fromVersion: "8.0", ...MEDIA } });
    expectOk(await project.up(), "up");
    const clean = await project.refresh();
    expectOk(clean, "refresh");
    expect(changes(clean.events)).toEqual({ same: expect.any(Number) });

    // Behind the stack's back: a new service set to start automatically on host2, and Table 3-2 broken.
    await updateLabState(project.labDir, "test: drift", (s) => {
      const svc = s.hosts.host2!.services.find((x) => x.displayName === "NvPRO Topology Adapter")!;
      svc.startType = "Auto";
      const conf = ClpConf.parse(s.cluster.conf);
      conf.setDepends({ type: "service", name: "service-NvPROTopologyAdapter" }, []);
      s.cluster.conf = conf.toString();
      s.cluster.effective = conf.toString();
    });

    const drifted = await project.refresh();
    expectOk(drifted, "refresh after drift");
    expect(changes(drifted.events).update).toBe(2);
    const updatedUrns = drifted.events.flatMap((e) =>
      e.resOutputsEvent?.metadata.op === "update" ? [e.resOutputsEvent.metadata.urn] : [],
    );
    expect(updatedUrns.map((u) => u.split("::").pop()).sort()).toEqual([
      "04-install-host2",
      "09-cluster-resources",
    ]);

    const preview = await project.preview();
    expectOk(preview, "preview after drift");
    expect(changes(preview.events).update).toBe(2);

    const repair = await project.up();
    expectOk(repair, "up (repair)");
    expect(repair.stdout).toMatch(/repairing drift: service "NvPRO Topology Adapter" start type is Auto/);
    const s = await readLabState(project.labDir);
    expect(s.hosts.host2!.services.find((x) => x.displayName === "NvPRO Topology Adapter")!.startType).toBe(
      "Manual",
    );
    expect(
      ClpConf.parse(s.cluster.conf).resource({ type: "service", name: "service-NvPROTopologyAdapter" })
        .depends,
    ).toEqual(["svc_NvPROBaseMgr"]);
    expect(s.cluster.group).toMatchObject({ state: "Online", current: "host1" });

    const after = await project.refresh();
    expectOk(after, "refresh after repair");
    expect(changes(after.events)).toEqual({ same: expect.any(Number) });
  });
});
