/**
 * Failback through the real pulumi CLI (the engine's ordering, state and error reporting): one case per lab
 * fault, and together the cases make every step's create fail or its delete run under the engine. Each
 * case: `pulumi up` stops at the expected step with a message naming it, the host and the § to read;
 * `pulumi destroy` then returns the lab to its state before the update.
 */
import type { FaultSpec } from "../../providers/config/stack";
import { clearLabFaults, snapshot } from "../../providers/lab";
import { INVARIANT_EXCLUDES, invariantDifferences } from "../support/labChain";
import { LabProject, expectOk, netmgrResources } from "./pulumi";
import { MEDIA } from "./config";

export interface CliFaultCase {
  name: string;
  faults: FaultSpec[];
  /** The resource whose create fails (the preview fails instead when it is the pre-flight). */
  failsAt: string;
  /** Text the failure must contain: the step, the host, the § and the evidence. */
  message: RegExp[];
}

const CONFIG = {
  fromVersion: "8.0",
  ...MEDIA,
  webConsole: { enabled: true, managerId: "nvpro01", imsAddress: "192.168.1.200" },
  consoles: ["console1"],
};

export const CASES: CliFaultCase[] = [
  {
    name: "disk full on the standby (the pre-flight refuses)",
    faults: [{ fault: "disk-full", host: "host2", sticky: true }],
    failsAt: "01-preflight",
    message: [/host2/, /free/, /§2\.1 item 2/],
  },
  {
    name: "the standby's installer fails",
    faults: [{ fault: "installer-fails", host: "host2", sticky: true }],
    failsAt: "04-install-host2",
    message: [/ManagerInstall|Install Manager 9\.0/, /host2/, /Failed 2/, /§3\.1/],
  },
  {
    name: "SysMonMgr -backup fails",
    faults: [{ fault: "backup-fails", sticky: true }],
    failsAt: "05-backup-host1-data",
    message: [/SysMonMgr -backup/, /host1/, /§2\.4\.1/],
  },
  {
    name: "a DB update script error",
    faults: [{ fault: "db-script-error", sticky: true }],
    failsAt: "06-database-schema",
    message: [/WfdbCmdSetup\.bat reported errors/, /host1/, /§3\.2\.1/],
  },
  {
    name: "the shared disk unreachable at the move",
    faults: [{ fault: "shared-disk-unreachable", sticky: true }],
    failsAt: "10-move-to-host2",
    message: [/host2/, /RupInstCmd\.log/, /§4\.1/],
  },
  {
    name: "RupInstCmd.log ExitCode not 0",
    faults: [{ fault: "rupinst-exit-nonzero", sticky: true }],
    failsAt: "10-move-to-host2",
    message: [/ExitCode 2/, /host2/, /§4\.2/],
  },
  {
    name: "Operations Manager stops within 3 minutes",
    faults: [{ fault: "operations-manager-stops", sticky: true }],
    failsAt: "10-move-to-host2",
    message: [/Operations Manager stopped/, /host2/, /§3\.5 step 1/],
  },
  {
    name: "the console's installer fails",
    faults: [{ fault: "installer-fails", host: "console1", sticky: true }],
    failsAt: "11-console-console1",
    message: [/console1/, /§3\.6/],
  },
  {
    name: "the second host's installer fails (the deletes of steps 12 to 1 run)",
    faults: [{ fault: "installer-fails", host: "host1", sticky: true }],
    failsAt: "13-install-host1",
    message: [/host1/, /§3\.1/],
  },
  {
    name: "a console unreachable (the pre-flight refuses)",
    faults: [{ fault: "host-unreachable", host: "console1", sticky: true }],
    failsAt: "01-preflight",
    message: [/console1/, /does not answer/],
  },
  {
    name: "an unintended failover before suppression (the pre-flight sees it)",
    faults: [{ fault: "unintended-failover", sticky: false }],
    failsAt: "01-preflight",
    message: [/active on host2, but netmgr:activeHost is host1/],
  },
];

export function describeCliFailbacks(cases: CliFaultCase[]): void {
  describe("failback through the real pulumi CLI", () => {
    const projects: LabProject[] = [];
    afterAll(() => projects.forEach((p) => p.dispose()));

    it.each(cases)("$name", async (c) => {
      const project = await LabProject.create({ config: { ...CONFIG, lab: { faults: c.faults } } });
      projects.push(project);
      const preview = await project.preview();
      if (c.failsAt === "01-preflight") {
        // The pre-flight refuses, in the preview or at the latest in the up's own check, before anything
        // changes: one message per problem, and no step is created.
        const refusal = preview.code !== 0 ? preview : await project.up();
        expect(refusal.code).not.toBe(0);
        for (const m of c.message) expect(refusal.stdout + refusal.stderr).toMatch(m);
        expect(netmgrResources((await project.state()).resources).size).toBe(0);
        return;
      }
      expectOk(preview, "preview");
      const before = await snapshot(project.labDir, INVARIANT_EXCLUDES);
      const up = await project.up();
      expect(up.code).not.toBe(0);
      const failed = up.events.flatMap((e) =>
        e.resOpFailedEvent ? [e.resOpFailedEvent.metadata.urn.split("::").pop()] : [],
      );
      expect(failed).toEqual([c.failsAt]);
      for (const m of c.message) expect(up.stdout).toMatch(m);
      // The operator solves the cause (§4.1: the shared disk reachable again, ...), then fails back from
      // wherever the update stopped: the lab as before the update.
      await clearLabFaults(project.labDir);
      const destroy = await project.destroy();
      expectOk(destroy, "destroy");
      expect(netmgrResources((await project.state()).resources).size).toBe(0);
      expect(invariantDifferences(before, await snapshot(project.labDir, INVARIANT_EXCLUDES))).toEqual([]);
    });
  });
}
