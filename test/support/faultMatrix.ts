/**
 * The fault matrix (failback issue): every lab fault at every step where it can occur. For each case the
 * roll forward must fail at that step with a message that names the step, the host and the § to read; from
 * the failed state, (a) the failback (destroy) returns the lab to its state before the update, and (b) with
 * the fault cleared, rolling forward again completes. unintended-failover is the exception that proves §2.3:
 * once suppression is in place it is absorbed and the update completes without noticing.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChainStep } from "../../providers/chain";
import { FAULT_NAMES, parseStackConfig, type FaultName } from "../../providers/config/stack";
import { expressClusterCli } from "../../providers/expresscluster/cli";
import {
  openLabTarget,
  clearLabFaults,
  createLabCluster,
  injectFault,
  labSpecFromStackConfig,
  readTimeline,
  snapshot,
} from "../../providers/lab";
import { ChainDriver } from "./chainDriver";
import { completedUpdateProblems, monitorNoRecovery } from "./labChecks";
import {
  INVARIANT_EXCLUDES,
  MEDIA,
  invariantDifferences,
  quietProgress,
  rollForwardPlayingGui,
} from "./labChain";

export interface FaultCase {
  name: string;
  fault: FaultName;
  stepKey: string;
  /** The host the fault is bound to (undefined: whichever host the group is on). */
  host: string | undefined;
  /**
   * What must happen:
   * - `fails-here`: the roll forward stops at this very step;
   * - `fails-here-or-later`: at this step or at the first later one that needs the host (a cluster-wide step
   *   reaches EXPRESSCLUSTER through the other node, by design), or the update completes without it;
   * - `absorbed`: the update completes; the chain's own precaution (§2.3 suppression) absorbs the fault.
   */
  expect: "fails-here" | "fails-here-or-later" | "absorbed";
  /** Resuming needs the failback first (§4.2: a failed shared-disk update cannot be resumed). */
  resumeAfterFailback: boolean;
  /** Resuming needs the group moved back first (an unintended failover moved it before suppression). */
  resumeMovesGroupBack: boolean;
  config: Record<string, unknown>;
}

export const INTERNAL = {
  ...MEDIA,
  fromVersion: "8.0",
  webConsole: { enabled: true, managerId: "nvpro01", imsAddress: "192.168.1.200" },
  consoles: ["console1"],
};
export const EXTERNAL = {
  ...MEDIA,
  fromVersion: "8.0",
  db: "sqlserver",
  sflowDb: true,
  sqlPassword: "lab-sa",
};

/** The host a step acts on first: where a host-bound fault is aimed. */
function primaryHost(step: ChainStep): string {
  const i = step.inputs as Record<string, unknown> & { cluster?: { standby: string; active: string } };
  if (typeof i.host === "string") return i.host;
  if (typeof i.to === "string") return i.to;
  return i.cluster?.active ?? "host1";
}

/** Where each fault can occur, by step. */
function applies(fault: FaultName, step: ChainStep): boolean {
  const k = step.kind;
  switch (fault) {
    case "installer-fails":
      return k === "ManagerInstall" || k === "MonitoringTerminal";
    case "shared-disk-unreachable":
    case "rupinst-exit-nonzero":
    case "operations-manager-stops":
      return k === "FailoverGroupMove" && step.inputs.firstStartOfUpgrade === true;
    case "db-script-error":
      return k === "DatabaseSchema";
    case "disk-full":
      return ["StandbyBackup", "ManagerInstall", "ActiveBackup", "MonitoringTerminal"].includes(k);
    case "backup-fails":
      return k === "ActiveBackup";
    case "host-unreachable":
    case "unintended-failover":
      return true;
  }
}

export function faultCases(): FaultCase[] {
  const cases: FaultCase[] = [];
  const add = (
    config: Record<string, unknown>,
    label: string,
    only?: (f: FaultName, s: ChainStep) => boolean,
  ) => {
    const plan = new ChainDriver({ ...config, lab: { dir: "/nonexistent" } }).plan;
    for (const fault of FAULT_NAMES) {
      for (const step of plan.steps) {
        if (!applies(fault, step) || (only && !only(fault, step))) continue;
        const key = step.inputs.key as string;
        const beforeSuppression = key === "preflight" || key === "suppression";
        cases.push({
          name: `${label}: ${fault} at ${step.name}`,
          fault,
          stepKey: key,
          host: fault === "unintended-failover" ? undefined : primaryHost(step),
          expect:
            fault === "unintended-failover"
              ? beforeSuppression
                ? "fails-here-or-later"
                : "absorbed"
              : fault === "host-unreachable"
                ? "fails-here-or-later"
                : "fails-here",
          resumeAfterFailback: fault === "rupinst-exit-nonzero" || fault === "operations-manager-stops",
          resumeMovesGroupBack: fault === "unintended-failover",
          config,
        });
      }
    }
  };
  add(INTERNAL, "internal DBs");
  add(
    EXTERNAL,
    "SQL Server",
    (f, s) =>
      ["db-script-error", "backup-fails", "disk-full", "host-unreachable"].includes(f) &&
      ["ActiveBackup", "DatabaseSchema"].includes(s.kind),
  );
  return cases;
}

export interface CaseOutcome {
  failedAt?: string;
  message?: string;
  /** Plan keys in order, to judge "here or later". */
  order: string[];
  failbackDifferences: string[];
  resumeProblems: string[];
}

/** Run one case end to end; the caller asserts on the outcome. */
export async function runFaultCase(c: FaultCase): Promise<CaseOutcome> {
  const dir = mkdtempSync(join(tmpdir(), "netmgr-fault-"));
  const resumeDir = `${dir}-resume`;
  try {
    const config = { ...c.config, lab: { dir } };
    const spec = labSpecFromStackConfig(parseStackConfig((k) => raw(config, k)));
    await createLabCluster(dir, spec);
    const before = await snapshot(dir, INVARIANT_EXCLUDES);
    const monitorBefore = await monitorNoRecovery(dir);
    const driver = new ChainDriver(config);
    driver.beforeCreate = async (key) => {
      // Sticky, so that the fault stays until the operator clears it; an unintended failover is one event.
      if (key === c.stepKey)
        await injectFault(dir, { fault: c.fault, host: c.host, sticky: c.fault !== "unintended-failover" });
    };
    let failure: Error | undefined;
    const failedAt: string[] = [];
    driver.beforeCreate = ((inject) => async (key, step) => {
      failedAt.push(key);
      await inject?.(key, step);
    })(driver.beforeCreate);
    await rollForwardPlayingGui(driver, dir).catch((e: Error) => (failure = e));
    driver.beforeCreate = undefined;
    const outcome: CaseOutcome = {
      order: driver.plan.steps.map((s) => s.inputs.key as string),
      failbackDifferences: [],
      resumeProblems: [],
    };
    if (failure) {
      outcome.failedAt = failedAt[failedAt.length - 1];
      outcome.message = failure.message;
      await clearLabFaults(dir);
      // (b) from a copy of the failed state: rolling forward again completes.
      cpSync(dir, resumeDir, { recursive: true });
      const resume = driver.fork({ ...config, lab: { dir: resumeDir } });
      try {
        if (c.resumeAfterFailback) await resume.destroy();
        if (c.resumeMovesGroupBack) await moveGroupBack(resumeDir, "host1");
        await rollForwardPlayingGui(resume, resumeDir);
      } catch (e) {
        outcome.resumeProblems.push(`resume failed: ${(e as Error).message.split("\n")[0]}`);
      }
      if (outcome.resumeProblems.length === 0) {
        outcome.resumeProblems.push(
          ...(await completedUpdateProblems(resumeDir, {
            ...expectations(config, monitorBefore),
            extraDowntime: c.resumeMovesGroupBack || c.resumeAfterFailback,
          })),
        );
      }
      // (a) the failback from the failed state.
      driver.configure();
      await driver.destroy();
      outcome.failbackDifferences = invariantDifferences(before, await snapshot(dir, INVARIANT_EXCLUDES));
    } else {
      outcome.resumeProblems.push(
        ...(await completedUpdateProblems(dir, expectations(config, monitorBefore))),
      );
      const fired = (await readTimeline(dir)).some((e) => e.text.startsWith(`fault ${c.fault} fired`));
      if (!fired) outcome.resumeProblems.push(`the fault never fired`);
    }
    return outcome;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(resumeDir, { recursive: true, force: true });
  }
}

/** The operator moves the group back by hand (clpgrp -m through a node, as on a real cluster). */
async function moveGroupBack(dir: string, host: string): Promise<void> {
  const target = openLabTarget({ dir });
  try {
    const ops = expressClusterCli(target.host(host), { clock: target.clock, workDir: "C:\\Operator" });
    const status = await ops.status();
    if (status.groups[0]?.current?.toLowerCase() !== host) await ops.moveGroup("failover", host, 15 * 60_000);
  } finally {
    await target.close();
  }
}

function raw(config: Record<string, unknown>, key: string): string | undefined {
  const v = config[key];
  return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
}

function expectations(config: Record<string, unknown>, monitorBefore: string | undefined) {
  return {
    toVersion: "9.0",
    activeHost: "host1",
    db: (config.db as "internal" | "sqlserver" | undefined) ?? "internal",
    monitorNoRecoveryBefore: monitorBefore,
  };
}

/** The matrix's tests for one half of the cases (two files, so that jest runs the halves on two workers). */
export function describeFaultMatrix(half: 0 | 1): void {
  const cases = faultCases().filter((_, i) => i % 2 === half);
  describe(`fault matrix (half ${half + 1} of 2): every lab fault at every step where it can occur`, () => {
    let quiet: jest.SpyInstance;
    beforeAll(() => (quiet = quietProgress()));
    afterAll(() => quiet.mockRestore());

    it.each(cases)("$name", async (c) => {
      const o = await runFaultCase(c);
      if (c.expect === "absorbed" || (c.expect === "fails-here-or-later" && o.message === undefined)) {
        expect(o.message).toBeUndefined();
        expect(o.resumeProblems).toEqual([]);
        return;
      }
      if (c.expect === "fails-here") expect(o.failedAt).toBe(c.stepKey);
      else expect(o.order.indexOf(o.failedAt!)).toBeGreaterThanOrEqual(o.order.indexOf(c.stepKey));
      // The message names the step's guide section, and the host when the fault is bound to one.
      expect(o.message).toMatch(/§/);
      if (c.host) expect(o.message).toContain(c.host);
      expect(o.failbackDifferences).toEqual([]);
      expect(o.resumeProblems).toEqual([]);
    });
  });
}
