/**
 * Database contents, modelled just enough to prove nothing is lost: a schema version, a row count and the
 * last records. Internal databases (PostgreSQL-based) keep theirs in their data folder on the shared disk;
 * SQL Server databases in their .mdf on the shared disk (X:\MSSQL\Data by default, Table 4-1). So a database
 * is reachable exactly where the shared disk is, and backups, restores and snapshots see it as files.
 */
import { z } from "zod";
import type { LabState } from "./state";
import { dbBase, sqlDataDir } from "./world";
import { keyOf, parseWinPath } from "./paths";
import { SHARED_VOLUME } from "./world";

export const DbContent = z.object({
  lab: z.literal("netmgr-lab-db"),
  engine: z.enum(["postgres", "mssql"]),
  database: z.string(),
  /** The NetMgr version whose schema the database has. */
  schema: z.string(),
  rows: z.number(),
  records: z.array(z.string()),
  /** The shared-data generation this CMDB is consistent with (§4.2.1 step 4). */
  consistentWith: z.string().optional(),
  /** The version of the last Manager that wrote to it. */
  writtenBy: z.string(),
});
export type DbContent = z.infer<typeof DbContent>;

export type DbRole = "cmdb" | "alert" | "sflow" | "perf";

/** The database name for a role in the configured DB mode. */
export function dbName(s: LabState, role: DbRole): string {
  if (role === "perf") return "NvPROPerfDB";
  if (s.spec.db === "internal") return { cmdb: "wfdb", alert: "nvalertdb", sflow: "nvsflowdb" }[role];
  return { cmdb: "wfdb", alert: "nvprodb", sflow: "sflowdb" }[role];
}

/** Folder of an internal database on the shared disk (its postmaster.pid lives here, §3.4.2 step 2). */
export function internalDataDir(s: LabState, name: string): string {
  return name === "NvPROPerfDB" ? `${dbBase(s)}\\NvPROPerfDB` : `${dbBase(s)}\\${name}\\dbms1\\data`;
}

export function dbContentPath(s: LabState, role: DbRole): string {
  const name = dbName(s, role);
  if (role === "perf" || s.spec.db === "internal") return `${internalDataDir(s, name)}\\base\\netmgr.dat`;
  return `${sqlDataDir(s)}\\${name}.mdf`;
}

export function pidPath(s: LabState, name: string): string {
  return `${internalDataDir(s, name)}\\postmaster.pid`;
}

/** Roles that exist in this lab. */
export function dbRoles(s: LabState): DbRole[] {
  const roles: DbRole[] = ["cmdb", "alert"];
  if (s.spec.db === "internal" || s.spec.sflowDb) roles.push("sflow");
  return roles;
}

// Direct access to the shared volume for the lab's own bookkeeping (callers have checked reachability).

function sharedKey(s: LabState, path: string): string {
  return keyOf(parseWinPath(path).rest);
}

export function readSharedBytes(s: LabState, path: string): Buffer | undefined {
  const e = s.volumes[SHARED_VOLUME]?.entries[sharedKey(s, path)];
  return e && !e.dir ? Buffer.from(e.data ?? "", "base64") : undefined;
}

export function readDbFile(s: LabState, path: string): DbContent | undefined {
  const data = readSharedBytes(s, path);
  if (!data) return undefined;
  const parsed = DbContent.safeParse(JSON.parse(data.toString("utf8")));
  return parsed.success ? parsed.data : undefined;
}

export function readDb(s: LabState, role: DbRole): DbContent | undefined {
  return readDbFile(s, dbContentPath(s, role));
}

export function newDb(
  engine: "postgres" | "mssql",
  database: string,
  version: string,
  rows: number,
): DbContent {
  return { lab: "netmgr-lab-db", engine, database, schema: version, rows, records: [], writtenBy: version };
}

export function serializeDb(c: DbContent): Buffer {
  return Buffer.from(`${JSON.stringify(c, null, 1)}\n`, "utf8");
}
