/**
 * A target is everything the procedures can reach: the cluster's nodes (and monitoring terminals), the SQL
 * Server instances, and a clock. The lab and the PowerShell transport each build one from the provider's
 * settings (stack config, see `providers/config/settings.ts`).
 */
import { z } from "zod";
import type { HostOps } from "./types";

/** Time as the cluster experiences it. The lab's clock is virtual: a wait advances it instantly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SqlInstanceInfo = z.object({
  host: z.string(),
  /** "" for the default instance (MSSQLSERVER), else the instance name, e.g. "SFLOW". */
  instance: z.string(),
  /** `SERVERPROPERTY('Edition')`, e.g. "Standard Edition (64-bit)". */
  edition: z.string(),
  /** `SERVERPROPERTY('ProductVersion')`, e.g. "15.0.2000.5". */
  version: z.string(),
});
export type SqlInstanceInfo = z.infer<typeof SqlInstanceInfo>;

export const SqlBackupInfo = z.object({
  database: z.string(),
  file: z.string(),
  /** `backup_finish_date` of the set, ISO 8601. */
  finishedAt: z.string(),
  sizeBytes: z.number().int().nonnegative(),
});
export type SqlBackupInfo = z.infer<typeof SqlBackupInfo>;

export interface SqlDatabaseRef {
  /** The node whose instance is addressed (the active host for everything the guide does). */
  host: string;
  instance: string;
  database: string;
}

/** SQL Server as the guide uses it (§2.4.1 step 4, §4.2.4). Progress of long operations goes to `onProgress`. */
export interface SqlOps {
  /** `SELECT SERVERPROPERTY('Edition'), SERVERPROPERTY('ProductVersion')` */
  instanceInfo(host: string, instance: string): Promise<SqlInstanceInfo>;
  /** `SELECT name FROM sys.databases` */
  databases(host: string, instance: string): Promise<string[]>;
  /** `BACKUP DATABASE @db TO DISK = @file WITH CHECKSUM, INIT`, then `RESTORE VERIFYONLY FROM DISK = @file WITH CHECKSUM`. */
  backup(db: SqlDatabaseRef, file: string, onProgress?: (line: string) => void): Promise<SqlBackupInfo>;
  /** `RESTORE HEADERONLY FROM DISK = @file` plus `RESTORE VERIFYONLY ... WITH CHECKSUM`: what the file holds, or an error. */
  verify(host: string, instance: string, file: string): Promise<SqlBackupInfo>;
  /** `RESTORE DATABASE @db FROM DISK = @file WITH REPLACE` */
  restore(db: SqlDatabaseRef, file: string, onProgress?: (line: string) => void): Promise<void>;
  /** `EXEC sp_detach_db @dbname = @db` */
  detach(db: SqlDatabaseRef): Promise<void>;
}

export interface Target {
  readonly kind: "lab" | "powershell";
  /** A cluster node or monitoring terminal by its configured name. */
  host(name: string): HostOps;
  readonly sql: SqlOps;
  readonly clock: Clock;
  /** Release sessions and locks. */
  close(): Promise<void>;
}
