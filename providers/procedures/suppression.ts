/**
 * §2.3: suppress failovers caused by error detection for the duration of the update, and lift that again.
 * The guide's example (EXPRESSCLUSTER X 3.1): activity retry threshold 0, failover threshold 0, and
 * "suppress recovery operation in the event of a monitor resource error" ON.
 *
 * The original settings are recorded in the step's outputs AND in a file on the nodes before anything is
 * changed, so a create that dies half way, when run again, still knows the true originals.
 */
import { z } from "zod";
import type { ClpConf } from "../expresscluster/clpconf";
import type { ClusterConfigFiles, ClusterOps } from "../expresscluster/cluster";
import { pullClpConf, reachableCluster } from "./cluster";
import { WORK_DIR, seconds, type Env } from "./env";
import { readJson } from "./files";
import { winJoin } from "./paths";

export const RecoveryRecord = z.object({
  monitorRecoverySuppressed: z.boolean(),
  /** The raw `rm/errordetect/norecovery` value, null when clp.conf does not have one (product default). */
  monitorNoRecovery: z.string().nullable(),
  resources: z.array(
    z.object({
      type: z.string(),
      name: z.string(),
      actRetry: z.number().int().optional(),
      actFailover: z.number().int().optional(),
    }),
  ),
});
export type RecoveryRecord = z.infer<typeof RecoveryRecord>;

const recordFile = (chain: string) => winJoin(WORK_DIR, chain, "recovery-settings-before-update.json");

/** What the cluster's recovery settings are now, for the group's resources. */
export function recordRecovery(conf: ClpConf, group: string): RecoveryRecord {
  return {
    monitorRecoverySuppressed: conf.monitorRecoverySuppressed(),
    monitorNoRecovery: conf.monitorNoRecovery() ?? null,
    resources: conf.groupResourceViews(group).map((r) => ({
      type: r.type,
      name: r.name,
      ...(r.actRetry !== undefined ? { actRetry: r.actRetry } : {}),
      ...(r.actFailover !== undefined ? { actFailover: r.actFailover } : {}),
    })),
  };
}

export function isSuppressed(r: RecoveryRecord): boolean {
  return r.monitorRecoverySuppressed && r.resources.every((x) => x.actRetry === 0 && x.actFailover === 0);
}

export function suppress(conf: ClpConf, group: string): void {
  for (const r of conf.groupResources(group)) conf.setRecovery(r, 0, 0);
  conf.setMonitorRecoverySuppressed(true);
}

/**
 * Put back exactly what was recorded: explicit values, or the product default where none was written.
 * Resources added since the record (the §3.4.2 service resources) lose the suppression they were given.
 */
export function restore(conf: ClpConf, group: string, record: RecoveryRecord): void {
  for (const r of record.resources) conf.restoreRecovery(r, r);
  for (const r of conf.groupResources(group)) {
    if (!record.resources.some((x) => x.type === r.type && x.name === r.name)) conf.restoreRecovery(r, {});
  }
  conf.setParam(["rm", "errordetect", "norecovery"], record.monitorNoRecovery ?? undefined);
}

/** Step 2 forward: record (once), suppress, apply. Returns the originals. */
export async function suppressFailover(
  env: Env,
  chain: string,
  group: string,
  hosts: readonly string[],
): Promise<RecoveryRecord> {
  const RECORD_FILE = recordFile(chain);
  const { ops, via } = await reachableCluster(env, hosts);
  const { files, conf } = await pullClpConf(ops);
  const current = recordRecovery(conf, group);
  const node = env.target.host(via);
  const recorded = isSuppressed(current) ? await readJson(node, RECORD_FILE, RecoveryRecord) : undefined;
  if (recorded) {
    // Suppressed already: an earlier run of this step got this far. Its record holds the originals.
    env.progress.say("failover suppression is already in place; using the settings recorded before it", via);
    return recorded;
  }
  for (const h of hosts) {
    await env.target.host(h).writeFile(RECORD_FILE, Buffer.from(JSON.stringify(current, null, 2)));
  }
  suppress(conf, group);
  env.progress.say(
    "setting activity retry and failover thresholds to 0 and suppressing recovery on monitor errors (§2.3)",
    via,
  );
  await applySettings(env, ops, files, conf, group);
  return current;
}

/** Restore recorded settings and apply (step 15 forward, step 2 undo). */
export async function restoreRecovery(
  env: Env,
  group: string,
  hosts: readonly string[],
  record: RecoveryRecord,
): Promise<void> {
  const { ops, via } = await reachableCluster(env, hosts);
  const { files, conf } = await pullClpConf(ops);
  const before = conf.toString();
  restore(conf, group, record);
  if (conf.toString() === before) {
    env.progress.say("the recovery settings are already as recorded", via);
    return;
  }
  env.progress.say("restoring the recovery settings recorded before the update (§2.3)", via);
  await applySettings(env, ops, files, conf, group);
}

/** Suppress again without recording (step 15 undo: the failback runs suppressed, §2.3). */
export async function resuppress(env: Env, group: string, hosts: readonly string[]): Promise<void> {
  const { ops, via } = await reachableCluster(env, hosts);
  const { files, conf } = await pullClpConf(ops);
  if (isSuppressed(recordRecovery(conf, group))) return;
  suppress(conf, group);
  env.progress.say("suppressing failover again for the failback (§2.3)", via);
  await applySettings(env, ops, files, conf, group);
}

/** The recovery settings now (read/refresh). */
export async function observeRecovery(
  env: Env,
  group: string,
  hosts: readonly string[],
): Promise<RecoveryRecord> {
  const { ops } = await reachableCluster(env, hosts);
  const { conf } = await pullClpConf(ops);
  return recordRecovery(conf, group);
}

export async function forgetRecord(env: Env, chain: string, hosts: readonly string[]): Promise<void> {
  for (const h of hosts) await env.target.host(h).remove(recordFile(chain));
}

/** Are the settings as recorded? Resources added since must be back at the product default. */
export function matchesRecord(now: RecoveryRecord, record: RecoveryRecord): string[] {
  const drift: string[] = [];
  if (now.monitorNoRecovery !== record.monitorNoRecovery) {
    drift.push(
      `suppress recovery on monitor errors is ${now.monitorNoRecovery ?? "default"}, was ${record.monitorNoRecovery ?? "default"} before the update`,
    );
  }
  for (const r of now.resources) {
    const was = record.resources.find((x) => x.type === r.type && x.name === r.name) ?? {
      actRetry: undefined,
      actFailover: undefined,
    };
    if (r.actRetry !== was.actRetry || r.actFailover !== was.actFailover) {
      drift.push(
        `${r.type} ${r.name}: activity retry/failover ${r.actRetry ?? "default"}/${r.actFailover ?? "default"}, was ${was.actRetry ?? "default"}/${was.actFailover ?? "default"}`,
      );
    }
  }
  return drift;
}

/** True when recovery on monitor errors is suppressed now (resources added during the update follow it). */
export function suppressionInEffect(conf: ClpConf): boolean {
  return conf.monitorRecoverySuppressed();
}

/** Apply a settings-only change of clp.conf (the apply sequence for recovery settings, docs/expresscluster.md). */
function applySettings(
  env: Env,
  ops: ClusterOps,
  files: ClusterConfigFiles,
  conf: ClpConf,
  group: string,
): Promise<void> {
  return ops.applyConfig(
    { ...files, clpConf: conf.toString() },
    "settings",
    group,
    seconds(env.deadlines.groupMoveSeconds),
  );
}
