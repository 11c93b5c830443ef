/**
 * The T-SQL the product runs (DESIGN §7, guide §2.4.1 step 4, §4.2.4), as constant text: database names,
 * paths and backup-set numbers travel ONLY as parameters (`@db`, `@file`, `@position`). BACKUP and RESTORE
 * accept variables for the database and the device (their documented syntax: `{ database_name |
 * @database_name_var }`, `DISK = { 'device' | @device_var }`, `FILE = { n | @n }`), so nothing is spliced in.
 * None of these may run inside a transaction (BACKUP/RESTORE are not allowed in one).
 */
import { z } from "zod";

export const SQL = {
  /** Pre-flight: both hosts' instances must be the same grade (§2.1). InstanceName is NULL for the default instance. */
  instanceInfo:
    "SELECT CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition, " +
    "CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version, " +
    "CAST(SERVERPROPERTY('InstanceName') AS nvarchar(128)) AS instanceName",
  databases: "SELECT name FROM sys.databases ORDER BY name",
  databaseExists: "SELECT COUNT(*) AS n FROM sys.databases WHERE name = @db",
  /**
   * §2.4.1 step 4, with a checksum over every page and the file overwritten (INIT) so it holds this one set.
   * COPY_ONLY: an out-of-band backup that does not reset the differential base of the operator's own backups.
   */
  backup: "BACKUP DATABASE @db TO DISK = @file WITH CHECKSUM, INIT, COPY_ONLY, STATS = 10",
  headerOnly: "RESTORE HEADERONLY FROM DISK = @file",
  /** The set is complete and readable, and its page checksums are right (not a full consistency check). */
  verifyOnlyChecksum: "RESTORE VERIFYONLY FROM DISK = @file WITH FILE = @position, CHECKSUM, STATS = 10",
  /** For a set written without checksums (e.g. by the guide's own BACKUP example), CHECKSUM would be refused. */
  verifyOnly: "RESTORE VERIFYONLY FROM DISK = @file WITH FILE = @position, STATS = 10",
  /** §4.2.4 step 5. */
  restore: "RESTORE DATABASE @db FROM DISK = @file WITH FILE = @position, REPLACE, STATS = 10",
  /** §4.2.4 step 3 (the guide's DEACT.sql). */
  detach: "EXEC sp_detach_db @dbname = @db",
} as const;

export class SqlInputError extends Error {
  override name = "SqlInputError";
}

/** A database name is a sysname: at most 128 characters, and (QUOTENAME's rule) no NUL. */
export function checkDatabaseName(name: string): string {
  if (name.length === 0 || name.length > 128 || name.includes("\0")) {
    throw new SqlInputError(
      `not a SQL Server database name: ${JSON.stringify(name)} (1 to 128 characters, no NUL)`,
    );
  }
  return name;
}

/** A backup file path as the SQL Server service sees it (a path on that host, or a UNC path). */
export function checkBackupPath(path: string): string {
  if (path.trim().length === 0 || path.length > 4000 || path.includes("\0")) {
    throw new SqlInputError(`not a backup file path: ${JSON.stringify(path)}`);
  }
  return path;
}

/** "" (the default instance) or an instance name (at most 16 characters). */
export function checkInstanceName(instance: string): string {
  if (instance.length > 16 || /[\\/\0:]/.test(instance)) {
    throw new SqlInputError(`not a SQL Server instance name: ${JSON.stringify(instance)}`);
  }
  return instance;
}

export const InstanceRow = z.object({
  edition: z.string(),
  version: z.string(),
  instanceName: z.string().nullable(),
});

const numeric = z.union([z.number(), z.string(), z.bigint()]).transform((v) => Number(v));

/** The columns of a RESTORE HEADERONLY row the product uses. */
export const HeaderRow = z.object({
  /** 1 = database (full), 2 = log, 4 = file, 5 = differential database, … */
  BackupType: numeric,
  Position: numeric,
  DatabaseName: z.string(),
  BackupFinishDate: z.date(),
  BackupSize: numeric,
  HasBackupChecksums: z.union([z.boolean(), z.number()]).transform(Boolean).optional(),
  IsCopyOnly: z.union([z.boolean(), z.number()]).transform(Boolean).optional(),
});
export type HeaderRow = z.infer<typeof HeaderRow>;

export const BACKUP_TYPE_DATABASE = 1;

/**
 * The backup set to verify or restore: the last full database backup in the file (of `database` when given).
 * A file written by `backup` holds exactly one; one appended to by hand (the guide's NOINIT) may hold more.
 */
export function pickBackupSet(rows: readonly HeaderRow[], database?: string): HeaderRow {
  const full = rows.filter(
    (r) =>
      r.BackupType === BACKUP_TYPE_DATABASE &&
      (database === undefined || r.DatabaseName.toLowerCase() === database.toLowerCase()),
  );
  const last = full.reduce<HeaderRow | undefined>(
    (a, r) => (a === undefined || r.Position > a.Position ? r : a),
    undefined,
  );
  if (!last) {
    const held =
      rows.map((r) => `${r.DatabaseName} (type ${r.BackupType}, set ${r.Position})`).join(", ") ||
      "no backup sets";
    throw new SqlInputError(
      `the file holds no full database backup${database ? ` of ${database}` : ""}; it holds: ${held}`,
    );
  }
  return last;
}

/**
 * `datetime` has no zone: tedious reads it as UTC, so the UTC fields are the server's wall-clock time. Written
 * without a zone designator, as the server's local time it is.
 */
export function wallClock(d: Date): string {
  return d.toISOString().replace(/Z$/, "");
}
