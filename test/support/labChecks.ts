/**
 * What a finished rolling update looks like on the lab (the "done when" of the roll forward): both hosts on
 * the target version, the group back on its original host, every NetMgr service Manual, Table 3-2 in the
 * cluster configuration, suppression lifted, and downtime only at the two switches.
 */
import { MANAGER_SERVICES, matchesService } from "../../providers/catalogue/versions";
import { ClpConf } from "../../providers/expresscluster/clpconf";
import { dependencyDrift } from "../../providers/expresscluster/dependencies";
import { labDowntime, readLabState, type LabState } from "../../providers/lab";

export interface Expectations {
  toVersion: string;
  activeHost: string;
  group?: string;
  db: "internal" | "sqlserver";
  /** The recovery settings before the update (clp.conf values the lift must restore). */
  monitorNoRecoveryBefore: string | undefined;
  /** Downtime beyond the two switches is expected (an unintended failover happened on the way). */
  extraDowntime?: boolean;
}

export async function completedUpdateProblems(dir: string, e: Expectations): Promise<string[]> {
  const s = await readLabState(dir);
  const problems: string[] = [];
  for (const h of Object.values(s.hosts).filter((x) => x.role === "node")) {
    if (h.manager?.version !== e.toVersion)
      problems.push(`${h.name}: Manager ${h.manager?.version ?? "none"}, expected ${e.toVersion}`);
    for (const svc of h.services.filter((x) =>
      MANAGER_SERVICES.some((spec) => matchesService(spec, x.displayName)),
    )) {
      if (svc.startType !== "Manual")
        problems.push(`${h.name}: ${svc.displayName} is ${svc.startType}, expected Manual (§3.1 step 7)`);
    }
  }
  for (const c of Object.values(s.hosts).filter((x) => x.role === "console")) {
    if (c.view?.version !== e.toVersion)
      problems.push(`${c.name}: View ${c.view?.version ?? "none"}, expected ${e.toVersion}`);
  }
  const group = e.group ?? "failover";
  if (
    s.cluster.group.state !== "Online" ||
    s.cluster.group.current?.toLowerCase() !== e.activeHost.toLowerCase()
  ) {
    problems.push(
      `group ${group} is ${s.cluster.group.state} on ${s.cluster.group.current ?? "none"}, expected Online on ${e.activeHost}`,
    );
  }
  const conf = ClpConf.parse(s.cluster.conf);
  const drift = dependencyDrift(conf.groupResourceViews(group), { db: e.db, adapterServices: true });
  for (const d of drift.drift)
    problems.push(`Table 3-2: ${d.name} missing [${d.missing.join(", ")}] extra [${d.extra.join(", ")}]`);
  for (const u of drift.unresolved) problems.push(`Table 3-2: ${u.resource} has no ${u.needs} resource`);
  if (conf.monitorNoRecovery() !== e.monitorNoRecoveryBefore) {
    problems.push(
      `rm/errordetect/norecovery is ${conf.monitorNoRecovery()}, was ${e.monitorNoRecoveryBefore} before the update`,
    );
  }
  for (const r of conf.groupResourceViews(group)) {
    if (r.actRetry === 0 && r.actFailover === 0)
      problems.push(`${r.name} still has failover suppressed (act 0/0)`);
  }
  const down = await labDowntime(dir);
  if (down.intervals.length !== 2 && !e.extraDowntime)
    problems.push(`expected downtime only at the two switches, got ${down.intervals.length} interval(s)`);
  return problems;
}

export async function monitorNoRecovery(dir: string): Promise<string | undefined> {
  const s: LabState = await readLabState(dir);
  return ClpConf.parse(s.cluster.conf).monitorNoRecovery();
}
