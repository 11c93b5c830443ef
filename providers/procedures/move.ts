/**
 * §3.5: move (or, after a §3.4.2 apply, start) the failover group on the upgraded host and confirm the first
 * start of the new Manager on the shared disk:
 *   1. MasterScope UMF Operations Manager must not stop within about three minutes;
 *   2. RupInstCmd.log's final ExitCode is 0 (missing log: §4.1; non-zero: §4.2);
 *   3. NvpLog.log records "BaseMgr Initialization start" and then "... end".
 * The undo is §4.2.1 (stop the services, delete the folders the update added, restore the chain's backup,
 * CMDB consistency) followed by §4.2.3 (the group back where it was).
 */
import { z } from "zod";
import { NVPLOG_INIT_END, NVPLOG_INIT_START, RUPINST_EXIT_CODE } from "../catalogue/unconfirmed";
import { needsPre80ExtraDeletions, OPERATIONS_MANAGER, matchesService } from "../catalogue/versions";
import type { ClusterOps } from "../expresscluster/cluster";
import type { HostOps } from "../hosts/types";
import { lastLines, type ActiveBackupRecord } from "./backup";
import { groupOf, placement, reachableCluster } from "./cluster";
import { IncompleteStep, StepError, WORK_DIR, readText, seconds, type Env } from "./env";
import { forgetOnce, rememberOnce } from "./files";
import { formatDuration } from "./progress";
import { local, pre80ExtraDeletions, sharedDiskUpdateFolders, winJoin, type NetMgrPaths } from "./paths";
import { cmdbConsistency, restoreSharedData } from "./restore";
import { netmgrServices, stopAll } from "./services";

export interface MoveStep {
  chain: string;
  group: string;
  hosts: readonly string[];
  from: string;
  to: string;
  /** The first start of the upgraded Manager: the §3.5 health gate applies. */
  firstStartOfUpgrade: boolean;
  paths: NetMgrPaths;
  db: { mode: "internal" | "sqlserver"; sqlInstance: string };
  fromVersion: string;
  backup: ActiveBackupRecord;
}

export interface HealthEvidence {
  rupInstExitCode: number | null;
  nvpLogStart: boolean;
  nvpLogEnd: boolean;
  operationsManagerUpFor: number;
}

export interface MoveResult {
  /** Where the group was before (null = stopped): where the failback returns it. */
  groupBefore: string | null;
  evidence: HealthEvidence | null;
}

/** The last ExitCode recorded in RupInstCmd.log, or null when none yet. */
export function rupInstExitCode(log: string): number | null {
  const all = [...log.matchAll(RUPINST_EXIT_CODE)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : null;
}

export async function moveGroup(env: Env, s: MoveStep): Promise<MoveResult> {
  const { ops, via, status } = await reachableCluster(env, s.hosts);
  const now = placement(groupOf(status, s.group));
  // Where the group was, and what the logs held, before this step's first attempt: a resumed attempt finds
  // the group moved already and the logs written by its earlier start.
  const first = await rememberOnce(env.target, s.hosts, moveRecord(s), BeforeMove, async () => ({
    groupBefore: now,
    marks: await logMarks(env, env.target.host(s.to), s.paths),
  }));
  const { groupBefore, marks } = first;
  try {
    if (now?.toLowerCase() === s.to.toLowerCase()) {
      env.progress.say(`the group is already Online on ${s.to}`, via);
      if (s.firstStartOfUpgrade) await resumeFirstStart(env, s, ops, marks);
      const evidence = s.firstStartOfUpgrade
        ? await healthGate(env, s, env.target.clock.now(), marks)
        : await servicesUp(env, s);
      return { groupBefore, evidence };
    }
    const deadline = seconds(env.deadlines.groupMoveSeconds);
    const started = env.target.clock.now();
    try {
      if (now) {
        env.progress.say(`moving group ${s.group} from ${now} to ${s.to} (§3.5)`, via);
        await ops.moveGroup(s.group, s.to, deadline);
      } else {
        env.progress.say(`starting group ${s.group} on ${s.to} (§3.5, after the §3.4.2 apply)`, via);
        await ops.startGroup(s.group, s.to, deadline);
      }
    } catch (e) {
      // The evidence is what an operator needs to choose §4.1 or §4.2.
      const evidence = s.firstStartOfUpgrade
        ? await gather(env, env.target.host(s.to), s.paths, 0, marks)
        : undefined;
      throw new StepError(
        "FailoverGroupMove",
        s.to,
        `the group did not come Online on ${s.to}: ${(e as Error).message}`,
        s.firstStartOfUpgrade ? chapter4(evidence) : "§3.5",
        evidence ? describe(evidence) : [],
      );
    }
    const evidence = s.firstStartOfUpgrade
      ? await healthGate(env, s, started, marks)
      : await servicesUp(env, s);
    return { groupBefore, evidence };
  } catch (e) {
    // The group may have moved and the shared disk may be half updated: the step stays in the stack, so that
    // pulumi destroy runs its failback (§4.2.1, §4.2.3) and pulumi up resumes it.
    throw new IncompleteStep(e as Error, { groupBefore, evidence: null });
  }
}

/**
 * A resumed first start (the group is on the upgraded host already). §4.1: when RupInstCmd.log was never
 * written (the shared disk was not reachable), starting the NetMgr services again runs the update — done by
 * restarting the group there. §4.2: a non-zero ExitCode cannot be resumed; the guide's way is the failback.
 */
async function resumeFirstStart(env: Env, s: MoveStep, ops: ClusterOps, marks: LogMarks): Promise<void> {
  const host = env.target.host(s.to);
  const e = await gather(env, host, s.paths, 0, marks);
  if (e.rupInstExitCode !== null && e.rupInstExitCode !== 0) {
    throw new StepError(
      "FailoverGroupMove",
      s.to,
      `the shared-disk update failed earlier (RupInstCmd.log ExitCode ${e.rupInstExitCode}); it cannot be resumed. Fail back with pulumi destroy, solve the cause, then pulumi up`,
      "§4.2",
      describe(e),
    );
  }
  if (!(await operationsManagerRunning(host))) {
    env.progress.say(
      e.rupInstExitCode === null
        ? "RupInstCmd.log was never written: starting the NetMgr services on the upgraded host again runs the shared-disk update (§4.1)"
        : "the NetMgr services are not running: restarting them",
      s.to,
    );
    const deadline = seconds(env.deadlines.groupMoveSeconds);
    await ops.stopGroup(s.group, deadline);
    await ops.startGroup(s.group, s.to, deadline);
  }
}

/**
 * What the logs held before the move (their text), so that only what this start wrote is judged: a
 * RupInstCmd.log or NvpLog.log from an earlier attempt (before a failback) must not pass or fail this one.
 */
/** What RupInstCmd.log and NvpLog.log held before the move (§3.5 judges only what the move added). */
export const LogMarks = z.object({ rup: z.string().nullable(), nvp: z.string().nullable() });
export type LogMarks = z.infer<typeof LogMarks>;

/** Recorded before the move's first attempt (rememberOnce). */
const BeforeMove = z.object({ groupBefore: z.string().nullable(), marks: LogMarks });

async function logMarks(env: Env, host: HostOps, paths: NetMgrPaths): Promise<LogMarks> {
  const L = local(paths);
  return {
    rup: (await readText(env, host, L.rupInstLog)) ?? null,
    nvp: (await readText(env, host, L.nvpLog)) ?? null,
  };
}

/** The part of a log written since `before` (all of it when the file was rewritten); undefined if none. */
export function since(now: string | undefined, before: string | null): string | undefined {
  if (now === undefined) return undefined;
  if (before === null) return now;
  if (now === before) return undefined;
  return now.startsWith(before) ? now.slice(before.length) : now;
}

async function gather(
  env: Env,
  host: HostOps,
  paths: NetMgrPaths,
  upFor: number,
  marks: LogMarks = { rup: null, nvp: null },
): Promise<HealthEvidence & { rupTail: string[]; nvpTail: string[] }> {
  const L = local(paths);
  const rup = since(await readText(env, host, L.rupInstLog), marks.rup);
  const nvp = since(await readText(env, host, L.nvpLog), marks.nvp) ?? "";
  return {
    rupInstExitCode: rup === undefined ? null : rupInstExitCode(rup),
    nvpLogStart: nvp.includes(NVPLOG_INIT_START),
    nvpLogEnd: nvp.includes(NVPLOG_INIT_END),
    operationsManagerUpFor: upFor,
    rupTail: rup === undefined ? ["RupInstCmd.log was not written by this start"] : lastLines(rup, 5),
    nvpTail: lastLines(nvp, 5),
  };
}

function describe(e: HealthEvidence & { rupTail?: string[]; nvpTail?: string[] }): string[] {
  return [
    `RupInstCmd.log ExitCode: ${e.rupInstExitCode ?? "none"}`,
    ...(e.rupTail ?? []).map((l) => `  RupInstCmd.log| ${l}`),
    `NvpLog.log: "${NVPLOG_INIT_START}" ${e.nvpLogStart ? "seen" : "not seen"}, "${NVPLOG_INIT_END}" ${e.nvpLogEnd ? "seen" : "not seen"}`,
    ...(e.nvpTail ?? []).map((l) => `  NvpLog.log| ${l}`),
    `Operations Manager up for ${formatDuration(e.operationsManagerUpFor)}`,
  ];
}

/** Which part of chapter 4 the evidence points to. */
function chapter4(e: { rupInstExitCode: number | null } | undefined): string {
  if (!e || e.rupInstExitCode === null)
    return "§4.1 (RupInstCmd.log is not output); to fail back run pulumi destroy (§4.2.1-§4.2.5)";
  if (e.rupInstExitCode !== 0)
    return "§4.2 (the end code of RupInstCmd.log is not 0): fail back with pulumi destroy (§4.2.1-§4.2.5)";
  return "§3.5";
}

async function operationsManagerRunning(host: HostOps): Promise<boolean> {
  const services = await netmgrServices(host);
  return services.some((x) => matchesService(OPERATIONS_MANAGER, x.displayName) && x.state === "Running");
}

/** §3.5 "How to confirm the completion of the process", polled until all three hold or the deadline passes. */
async function healthGate(env: Env, s: MoveStep, onlineAt: number, marks: LogMarks): Promise<HealthEvidence> {
  const host = env.target.host(s.to);
  const clock = env.target.clock;
  const watchMs = seconds(env.deadlines.operationsManagerWatchSeconds);
  const deadline = seconds(env.deadlines.sharedDiskUpdateSeconds);
  for (;;) {
    const elapsed = clock.now() - onlineAt;
    const up = await operationsManagerRunning(host);
    const e = await gather(env, host, s.paths, elapsed, marks);
    if (!up) {
      throw new StepError(
        "FailoverGroupMove",
        s.to,
        `MasterScope UMF Operations Manager stopped ${formatDuration(elapsed)} after the group came Online (it must run for ${formatDuration(watchMs)}, §3.5 step 1)`,
        chapter4(e),
        describe(e),
      );
    }
    if (e.rupInstExitCode !== null && e.rupInstExitCode !== 0) {
      throw new StepError(
        "FailoverGroupMove",
        s.to,
        `the shared-disk update failed: RupInstCmd.log ExitCode ${e.rupInstExitCode}`,
        chapter4(e),
        describe(e),
      );
    }
    if (elapsed >= watchMs && e.rupInstExitCode === 0 && e.nvpLogEnd) return stripTails(e);
    if (elapsed >= deadline) {
      throw new StepError(
        "FailoverGroupMove",
        s.to,
        `the first start of the updated Manager did not complete within ${formatDuration(deadline)} (netmgr:deadlines.sharedDiskUpdateSeconds)`,
        chapter4(e),
        describe(e),
      );
    }
    const waiting = [
      e.rupInstExitCode === null ? "RupInstCmd.log ExitCode" : undefined,
      e.nvpLogEnd ? undefined : `NvpLog "${e.nvpLogStart ? NVPLOG_INIT_END : NVPLOG_INIT_START}"`,
      elapsed < watchMs ? `Operations Manager up ${formatDuration(watchMs)}` : undefined,
    ].filter(Boolean);
    env.progress.say(
      `waiting for ${waiting.join(", ")} (§3.5): ${formatDuration(elapsed)} / ${formatDuration(deadline)}`,
      s.to,
    );
    await clock.sleep(seconds(env.deadlines.pollSeconds));
  }
}

function stripTails(e: HealthEvidence): HealthEvidence {
  return {
    rupInstExitCode: e.rupInstExitCode,
    nvpLogStart: e.nvpLogStart,
    nvpLogEnd: e.nvpLogEnd,
    operationsManagerUpFor: e.operationsManagerUpFor,
  };
}

/** Table 1-1 step 12 / §3.7: after the move back, every NetMgr service runs and Operations Manager stays up. */
async function servicesUp(env: Env, s: MoveStep): Promise<HealthEvidence> {
  const host = env.target.host(s.to);
  const down = (await netmgrServices(host)).filter((x) => x.state !== "Running").map((x) => x.displayName);
  if (down.length > 0)
    throw new StepError(
      "FailoverGroupMove",
      s.to,
      `NetMgr services not running after the move: ${down.join(", ")}`,
      "§3.5, §3.7",
    );
  const e = await gather(env, host, s.paths, 0);
  return stripTails(e);
}

/** §4.2.1 then §4.2.3: the shared disk back to the chain's backup, and the group where it was. */
export async function failBackMove(env: Env, s: MoveStep, r: MoveResult): Promise<void> {
  const { ops, via, status } = await reachableCluster(env, s.hosts);
  const on = placement(groupOf(status, s.group));
  if (s.firstStartOfUpgrade) {
    await restoreSharedDisk(env, s, ops, on ?? s.to);
    // The NetMgr services were stopped for the restore: the group starts again where it belongs.
    await ops.stopGroup(s.group, seconds(env.deadlines.groupMoveSeconds));
    await returnGroup(env, s, ops, via, null, r.groupBefore);
  } else {
    await returnGroup(env, s, ops, via, on, r.groupBefore);
  }
  await forgetOnce(env.target, s.hosts, moveRecord(s));
}

const moveRecord = (s: MoveStep) => winJoin(WORK_DIR, s.chain, `before-move-to-${s.to}.json`);

async function restoreSharedDisk(env: Env, s: MoveStep, ops: ClusterOps, on: string): Promise<void> {
  // The shared disk is reachable where the group is; bring it up on the upgraded host if it is stopped.
  if (!placement(groupOf(await ops.status(), s.group))) await startForRestore(env, s, ops, on);
  const host = env.target.host(on);
  // §4.2.1 step 1
  env.progress.say("stopping the NetMgr services (§4.2.1 step 1)", on);
  await stopAll(host);
  // §4.2.1 step 2
  const folders = [
    ...sharedDiskUpdateFolders(s.paths),
    ...(needsPre80ExtraDeletions(s.fromVersion) ? pre80ExtraDeletions(s.paths) : []),
  ];
  env.progress.say(`deleting the ${folders.length} folders the shared-disk update added (§4.2.1 step 2)`, on);
  for (const f of folders) await host.remove(f);
  // §4.2.1 steps 3-4
  await restoreSharedData(env, s.chain, host, s.paths, s.backup);
  await cmdbConsistency(env, host, s.paths, s.db.mode, s.db.sqlInstance);
}

/** The group may be stopped (a failed start); the restore needs the disk, i.e. the group, on a host. */
async function startForRestore(env: Env, s: MoveStep, ops: ClusterOps, on: string): Promise<void> {
  env.progress.say(
    `starting the group on ${on} to reach the shared disk (its NetMgr services are stopped next)`,
    on,
  );
  try {
    await ops.startGroup(s.group, on, seconds(env.deadlines.groupMoveSeconds));
  } catch {
    // A service resource that cannot start leaves the group partly online; the disk is what matters.
  }
}

/** §4.2.3 step 1-2: the group back where it was before the move (or stopped, as after a §3.4.2 apply). */
async function returnGroup(
  env: Env,
  s: MoveStep,
  ops: ClusterOps,
  via: string,
  on: string | null,
  before: string | null,
): Promise<void> {
  const deadline = seconds(env.deadlines.groupMoveSeconds);
  if (before === null) {
    if (on !== null || (await ops.status()).groups.some((x) => x.name === s.group && x.state !== "Offline")) {
      env.progress.say(`stopping the group (it was stopped before this step)`, via);
      await ops.stopGroup(s.group, deadline);
    }
    return;
  }
  const now = placement(groupOf(await ops.status(), s.group));
  if (now?.toLowerCase() === before.toLowerCase()) return;
  env.progress.say(`moving the group back to ${before} (§4.2.3 step 1)`, via);
  if (now) await ops.moveGroup(s.group, before, deadline);
  else {
    await ops.stopGroup(s.group, deadline).catch(() => undefined);
    await ops.startGroup(s.group, before, deadline);
  }
  // §4.2.3 step 2
  const down = (await netmgrServices(env.target.host(before)))
    .filter((x) => x.state !== "Running")
    .map((x) => x.displayName);
  if (down.length > 0)
    throw new StepError(
      "Failback",
      before,
      `NetMgr services not running after switching back: ${down.join(", ")}`,
      "§4.2.3 step 2",
    );
}
