import { describePlan, isRef, planChain } from "../../providers/chain";
import { parseStackConfig } from "../../providers/config/stack";

function config(values: Record<string, unknown>) {
  const all: Record<string, unknown> = {
    fromVersion: "8.0",
    newMedia: { path: "D:\\media\\NetMgr-9.0" },
    oldMedia: { path: "D:\\media\\NetMgr-8.0" },
    ...values,
  };
  return parseStackConfig((k) =>
    all[k] === undefined
      ? undefined
      : typeof all[k] === "string"
        ? (all[k] as string)
        : JSON.stringify(all[k]),
  );
}

describe("the chain (Table 1-1 / 1-2 as resources)", () => {
  it("follows the guide's order for an 8.0 source, the standby first", () => {
    const plan = planChain(config({ webConsole: { enabled: true }, consoles: ["console1", "console2"] }));
    expect(plan.steps.map((s) => s.name)).toEqual([
      "01-preflight",
      "02-suppression",
      "03-backup-host2",
      "04-install-host2",
      "05-backup-host1-data",
      "06-database-schema",
      "07-web-console-config",
      "08-service-registration",
      "09-cluster-resources",
      "10-move-to-host2",
      "11-console-console1",
      "12-console-console2",
      "13-backup-host1",
      "14-install-host1",
      "15-move-to-host1",
      "16-web-api",
      "17-suppression-lift",
    ]);
    expect(plan.skipped).toEqual([]);
    const install2 = plan.steps.find((s) => s.name === "04-install-host2")!;
    expect(install2.inputs.updateDataAtStartup).toBe(true);
    expect(plan.steps.find((s) => s.name === "14-install-host1")!.inputs.updateDataAtStartup).toBe(false);
  });

  it("skips the ★ steps for sources later than 8.0, and §3.8 without the Web Console, saying why", () => {
    const plan = planChain(config({ fromVersion: "8.1" }));
    expect(plan.steps.map((s) => s.kind)).not.toContain("WebConsoleConfig");
    expect(plan.steps.map((s) => s.kind)).not.toContain("ClusterResourceDependencies");
    expect(plan.skipped.map((s) => s.kind)).toEqual([
      "WebConsoleConfig",
      "ServiceRegistration",
      "ClusterResourceDependencies",
      "WebApi",
    ]);
    expect(plan.skipped[0]!.reason).toMatch(/8\.1 is later than 8\.0/);
    expect(plan.skipped[3]!.reason).toMatch(/Web Console is not used/);
  });

  it("updates the configured standby first when host2 is active", () => {
    const plan = planChain(config({ activeHost: "host2" }));
    expect(plan.steps[2]!.name).toBe("03-backup-host1");
    expect(plan.steps[3]!.name).toBe("04-install-host1");
  });

  it("wires the undo's data through references to earlier outputs only", () => {
    const plan = planChain(config({}));
    const names = plan.steps.map((s) => s.inputs.key);
    plan.steps.forEach((s, index) => {
      for (const value of Object.values(s.inputs)) {
        if (isRef(value)) expect(names.indexOf(value.$ref)).toBeLessThan(index);
      }
    });
    const move = plan.steps.find((s) => s.kind === "FailoverGroupMove")!;
    expect(move.inputs.activeBackup).toEqual({ $ref: "backup-host1-data", key: "backup" });
  });

  it("describes the plan with hosts and sections", () => {
    const c = config({});
    const lines = describePlan(planChain(c), c);
    expect(lines[0]).toMatch(
      /8\.0 -> 9\.0 \(internal DBs, Table 1-1\).*host1 is active now, host2 is updated first/,
    );
    expect(lines.some((l) => /04-install-host2\s+ManagerInstall\s+host2\s+§3\.1/.test(l))).toBe(true);
  });

  it("stages the media right after the pre-flight, only when a media has stageFrom", () => {
    expect(planChain(config({ target: "powershell" })).steps.map((s) => s.kind)).not.toContain(
      "MediaStaging",
    );
    const plan = planChain(
      config({
        target: "powershell",
        consoles: ["console1"],
        newMedia: { path: "C:\\NetMgrRollingUpdate\\NetMgr-9.0", stageFrom: "/srv/media/NetMgr-9.0" },
      }),
    );
    expect(plan.steps.slice(0, 3).map((s) => s.name)).toEqual([
      "01-preflight",
      "02-media-staging",
      "03-suppression",
    ]);
    const staging = plan.steps[1]!;
    expect(staging.kind).toBe("MediaStaging");
    expect(staging.hosts).toEqual(["host1", "host2", "console1"]);
    expect(staging.inputs).toMatchObject({
      hosts: ["host1", "host2", "console1"],
      chain: { $ref: "preflight", key: "chainId" },
      media: {
        newMedia: { path: "C:\\NetMgrRollingUpdate\\NetMgr-9.0", stageFrom: "/srv/media/NetMgr-9.0" },
        oldMedia: { path: "D:\\media\\NetMgr-8.0" },
      },
    });
    // The old media alone is staged too (a failback reinstalls from it).
    const old = planChain(
      config({
        target: "powershell",
        oldMedia: { path: "C:\\NetMgrRollingUpdate\\NetMgr-8.0", stageFrom: "/srv/media/NetMgr-8.0" },
      }),
    );
    expect(old.steps[1]!.kind).toBe("MediaStaging");
    expect(old.steps[old.steps.length - 1]!.title).toMatch(/^step 15\/15 /);
  });

  it("refuses stageFrom on the lab, so the lab's chain never stages", () => {
    expect(() =>
      config({
        newMedia: { path: "C:\\NetMgrRollingUpdate\\NetMgr-9.0", stageFrom: "/srv/media/NetMgr-9.0" },
      }),
    ).toThrow(/netmgr:newMedia\.stageFrom: the chain stages media only onto real nodes/);
  });
});
