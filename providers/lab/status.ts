/** A readable picture of the lab for `netmgr-lab status`. */
import type { LabState } from "./state";
import { effectiveConf } from "./cluster";
import { stamp } from "./world";
import { netmgrSpec } from "./services";
import { formatDuration, computeDowntime } from "./timeline";
import { RECOVERY_DEFAULTS } from "../expresscluster/clpconf";

function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

export function renderStatus(s: LabState): string {
  const out: string[] = [];
  const g = s.cluster.group;
  const spec = s.spec;
  out.push(`Lab clock   ${stamp(s.now)} (UTC, virtual)   ready since ${stamp(s.createdAt)}`);
  out.push(
    `Update      NetMgr ${spec.fromVersion} -> ${spec.toVersion}, ${spec.db} databases${spec.sflowDb ? " + sFlow DB" : ""}${spec.webConsole ? ", Web Console" : ""}`,
  );
  out.push(
    `Group       ${spec.groupName}: ${g.state}${g.current ? ` on ${g.current}` : ""}   disk on ${s.cluster.diskOwner ?? "none"}${s.cluster.diskBlocked ? ` (blocked for ${s.cluster.diskBlocked})` : ""}`,
  );
  const conf = effectiveConf(s);
  const rsc = conf.groupResourceViews(spec.groupName);
  const thresholds = rsc.map(
    (r) =>
      `${r.name}=${r.actRetry ?? RECOVERY_DEFAULTS.actRetry}/${r.actFailover ?? RECOVERY_DEFAULTS.actFailover}`,
  );
  out.push(
    `Suppression monitor recovery ${conf.monitorRecoverySuppressed() ? "SUPPRESSED" : "on"}; activation recovery ${conf.param(["rc", "errordetect", "rscact", "norecovery"]) === "1" ? "SUPPRESSED" : "on"}; cluster ${s.cluster.suspended ? "SUSPENDED" : "running"}${s.cluster.pendingSettings ? "; pushed settings await suspend/resume" : ""}`,
  );
  out.push(`            act retry/failover: ${thresholds.join(" ")}`);
  out.push(
    `Serving     ${s.serving.length > 0 ? s.serving.join(", ") : "NOBODY"}   downtime so far ${formatDuration(computeDowntime(s.timeline, s.createdAt, s.now).totalMs)}`,
  );
  out.push(
    `Faults      ${s.faults.length > 0 ? s.faults.map((f) => `${f.fault}${f.host ? `@${f.host}` : ""}${f.sticky ? " (sticky)" : ""}`).join(", ") : "none"}`,
  );
  out.push("");
  out.push(
    ...table([
      ["HOST", "ROLE", "MANAGER", "VIEW", "MGR PHASE", "PROCESSES"],
      ...Object.values(s.hosts).map((h) => [
        h.name,
        h.role,
        h.manager?.version ?? "-",
        h.view?.version ?? "-",
        h.role === "node" ? h.mgr.phase : "-",
        h.processes.join(","),
      ]),
    ]),
  );
  out.push("");
  const rows: string[][] = [["HOST", "SERVICE", "NAME", "START TYPE", "STATE"]];
  for (const h of Object.values(s.hosts)) {
    for (const svc of h.services) {
      if (netmgrSpec(svc) || /^MSSQL/.test(svc.name))
        rows.push([h.name, svc.displayName, svc.name, svc.startType, svc.state]);
    }
  }
  if (rows.length > 1) out.push(...table(rows), "");
  out.push(
    ...table([
      ["RESOURCE", "TYPE", "STATE", "DEPENDS ON"],
      ...rsc.map((r) => [r.name, r.type, g.resources[r.name] ?? "Offline", r.depends.join(",")]),
    ]),
  );
  return `${out.join("\n")}\n`;
}
