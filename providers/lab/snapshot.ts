/**
 * The failback invariant's check (DESIGN §2): a normalized copy of what an operator would call "the
 * cluster's state" and a readable comparison of two of them. Excluded: logs (*.log and anything under a
 * Manager\log folder), backups (Manager\backup\..., *.bak, and any configured backup root), lock files
 * (postmaster.pid), the clock, the timeline, pending processes and faults.
 */
import type { LabState } from "./state";
import { DbContent } from "./db";
import { SHARED_VOLUME, shareDrive } from "./world";
import { sha256 } from "./fs";
import { isUnder } from "./paths";
import { productsOf } from "./create";

export interface SnapshotOptions {
  /** More folders to leave out (e.g. where the standby's Manager\sg backup of §2.4.2 was copied). */
  excludeRoots?: readonly string[];
}

export interface DbSummary {
  schema: string;
  rows: number;
  records: string;
  consistentWith: string;
  writtenBy: string;
}

export interface HostSnapshot {
  files: Record<string, string>;
  services: Record<string, string>;
  products: string[];
  processes: string[];
  sql: Record<string, string[]>;
  manager: string;
  view: string;
}

export interface LabSnapshot {
  format: 1;
  hosts: Record<string, HostSnapshot>;
  /** Files on the shared disk. */
  shared: Record<string, string>;
  databases: Record<string, DbSummary>;
  cluster: {
    conf: string;
    effectiveConf: string;
    scripts: Record<string, string>;
    group: string;
    suspended: boolean;
  };
}

const ALWAYS_EXCLUDED = [
  /\.log$/i,
  /\\manager\\log(\\|$)/i,
  /\\manager\\backup(\\|$)/i,
  /\.bak$/i,
  /\\postmaster\.pid$/i,
];

function excluded(path: string, roots: readonly string[]): boolean {
  return ALWAYS_EXCLUDED.some((r) => r.test(path)) || roots.some((r) => isUnder(path, r));
}

function dbSummary(data: Buffer): DbSummary | undefined {
  try {
    const c = DbContent.parse(JSON.parse(data.toString("utf8")));
    return {
      schema: c.schema,
      rows: c.rows,
      records: sha256(Buffer.from(JSON.stringify(c.records))).slice(0, 16),
      consistentWith: c.consistentWith ?? "",
      writtenBy: c.writtenBy,
    };
  } catch {
    return undefined;
  }
}

function volumeFiles(
  s: LabState,
  volumeId: string,
  drive: string,
  roots: readonly string[],
  dbs: Record<string, DbSummary>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const v = s.volumes[volumeId];
  if (!v) return out;
  for (const e of Object.values(v.entries)) {
    if (e.dir) continue;
    const full = `${drive}${e.name}`;
    if (excluded(full, roots)) continue;
    const data = Buffer.from(e.data ?? "", "base64");
    const db = /\.(mdf|dat)$/i.test(full) ? dbSummary(data) : undefined;
    if (db) dbs[full] = db;
    else out[full] = sha256(data);
  }
  return out;
}

export function snapshotOf(s: LabState, options: SnapshotOptions = {}): LabSnapshot {
  const roots = options.excludeRoots ?? [];
  const databases: Record<string, DbSummary> = {};
  const hosts: Record<string, HostSnapshot> = {};
  for (const h of Object.values(s.hosts)) {
    const files: Record<string, string> = {};
    for (const [drive, id] of Object.entries(h.drives))
      Object.assign(files, volumeFiles(s, id, drive, roots, databases));
    hosts[h.name] = {
      files,
      services: Object.fromEntries(h.services.map((x) => [x.name, `${x.startType}/${x.state}`])),
      products: productsOf(h, s.spec).map((p) => `${p.displayName} ${p.version}`),
      processes: [...h.processes].sort(),
      sql: Object.fromEntries(
        h.sql.map((i) => [i.instance || "MSSQLSERVER", i.databases.map((d) => d.name).sort()]),
      ),
      manager: h.manager?.version ?? "",
      view: h.view?.version ?? "",
    };
  }
  const shared = volumeFiles(s, SHARED_VOLUME, shareDrive(s), roots, databases);
  const scripts = Object.fromEntries(
    Object.entries(s.cluster.scripts).map(([k, v]) => [k.toLowerCase(), sha256(Buffer.from(v, "base64"))]),
  );
  const g = s.cluster.group;
  return {
    format: 1,
    hosts,
    shared,
    databases,
    cluster: {
      conf: s.cluster.conf,
      effectiveConf: s.cluster.effective,
      scripts,
      group: `${g.state}${g.current ? ` on ${g.current}` : ""}`,
      suspended: s.cluster.suspended,
    },
  };
}

function diffRecord(
  label: string,
  a: Record<string, string>,
  b: Record<string, string>,
  what: string,
  out: string[],
): void {
  for (const k of Object.keys(a).sort()) {
    if (!(k in b)) out.push(`${label}: ${what} ${k} removed`);
    else if (a[k] !== b[k])
      out.push(`${label}: ${what} ${k} changed${what === "file" ? "" : `: ${a[k]} -> ${b[k]}`}`);
  }
  for (const k of Object.keys(b).sort())
    if (!(k in a)) out.push(`${label}: ${what} ${k} added${what === "file" ? "" : `: ${b[k]}`}`);
}

function diffText(label: string, a: string, b: string, out: string[]): void {
  if (a === b) return;
  const la = a.split(/\r?\n/);
  const lb = b.split(/\r?\n/);
  const removed = la.filter((l) => !lb.includes(l));
  const added = lb.filter((l) => !la.includes(l));
  out.push(`${label} differs (${removed.length} lines removed, ${added.length} added)`);
  for (const l of removed.slice(0, 5)) out.push(`  - ${l.trim()}`);
  for (const l of added.slice(0, 5)) out.push(`  + ${l.trim()}`);
}

/** Human-readable differences from `a` to `b`; empty when they are equal. */
export function compareSnapshots(a: LabSnapshot, b: LabSnapshot): string[] {
  const out: string[] = [];
  const hostNames = [...new Set([...Object.keys(a.hosts), ...Object.keys(b.hosts)])].sort();
  for (const h of hostNames) {
    const x = a.hosts[h];
    const y = b.hosts[h];
    if (!x || !y) {
      out.push(`${h}: host ${x ? "removed" : "added"}`);
      continue;
    }
    if (x.manager !== y.manager)
      out.push(`${h}: Manager ${x.manager || "not installed"} -> ${y.manager || "not installed"}`);
    if (x.view !== y.view)
      out.push(`${h}: View ${x.view || "not installed"} -> ${y.view || "not installed"}`);
    diffRecord(h, x.services, y.services, "service", out);
    diffRecord(
      h,
      Object.fromEntries(x.products.map((p) => [p, "installed"])),
      Object.fromEntries(y.products.map((p) => [p, "installed"])),
      "product",
      out,
    );
    diffRecord(
      h,
      Object.fromEntries(x.processes.map((p) => [p, "running"])),
      Object.fromEntries(y.processes.map((p) => [p, "running"])),
      "process",
      out,
    );
    diffRecord(
      h,
      Object.fromEntries(Object.entries(x.sql).map(([k, v]) => [k, v.join(",")])),
      Object.fromEntries(Object.entries(y.sql).map(([k, v]) => [k, v.join(",")])),
      "SQL instance",
      out,
    );
    diffRecord(h, x.files, y.files, "file", out);
  }
  diffRecord("shared disk", a.shared, b.shared, "file", out);
  const dbNames = [...new Set([...Object.keys(a.databases), ...Object.keys(b.databases)])].sort();
  for (const d of dbNames) {
    const x = a.databases[d];
    const y = b.databases[d];
    if (!x || !y) {
      out.push(`database ${d} ${x ? "removed" : "added"}`);
      continue;
    }
    for (const k of Object.keys(x) as (keyof DbSummary)[]) {
      if (x[k] !== y[k])
        out.push(`database ${d}: ${k} ${String(x[k]) || "(none)"} -> ${String(y[k]) || "(none)"}`);
    }
  }
  if (a.cluster.group !== b.cluster.group)
    out.push(`cluster: group ${a.cluster.group} -> ${b.cluster.group}`);
  if (a.cluster.suspended !== b.cluster.suspended)
    out.push(`cluster: suspended ${a.cluster.suspended} -> ${b.cluster.suspended}`);
  diffText("cluster: clp.conf", a.cluster.conf, b.cluster.conf, out);
  if (a.cluster.effectiveConf !== b.cluster.effectiveConf && a.cluster.conf === b.cluster.conf)
    out.push("cluster: the configuration in effect differs (a push awaits suspend/resume)");
  diffRecord("cluster", a.cluster.scripts, b.cluster.scripts, "script", out);
  return out;
}
