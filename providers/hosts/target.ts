/**
 * A target is everything the procedures can reach: the cluster's nodes (and monitoring terminals), the SQL
 * Server instances, and a clock. The lab and the PowerShell transport each build one from the provider's
 * settings (stack config, see `providers/config/settings.ts`).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { HostOps, TreeEntry } from "./types";

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
  /** Release connections (connection pools hold logins made with the SQL password). */
  close?(): Promise<void>;
}

/** An installer media folder copied from the controller to a node, verified against the source. */
export interface StagedMedia {
  /** The node folder that holds the copy. */
  destination: string;
  files: number;
  bytes: number;
  /** `manifestDigest` of the copy (equal to the source's: the copy is verified). */
  manifestSha256: string;
  /** false when an identical copy was already there and was kept. */
  copied: boolean;
}

export interface StageMediaOptions {
  /**
   * When the destination exists and differs from the source: replace it (the default; e.g. a copy that an
   * interrupted run left half done), or refuse and leave it untouched.
   */
  replace?: boolean;
  /** One line per event of the copy ("staging <source> to <node>:<destination> (N files)"). */
  onProgress?: (line: string) => void;
  /**
   * One map for all the copies of one staging pass: each source is then hashed on the controller once, not
   * once per node. Left out, the source is hashed for this copy.
   */
  sourceManifests?: Map<string, Promise<readonly TreeEntry[]>>;
}

/**
 * One SHA-256 over a folder's manifest (sorted "path size sha256" lines, paths compared case-insensitively, as
 * NTFS does): what a backup or a staged copy records, and what a later look at the folder is compared with.
 */
export function manifestDigest(entries: readonly TreeEntry[]): string {
  const lines = entries
    .map((e) => `${e.path.toLowerCase()} ${e.size} ${e.sha256.toLowerCase()}`)
    .sort()
    .join("\n");
  return createHash("sha256").update(lines, "utf8").digest("hex");
}

export interface Target {
  readonly kind: "lab" | "powershell";
  /** A cluster node or monitoring terminal by its configured name. */
  host(name: string): HostOps;
  readonly sql: SqlOps;
  readonly clock: Clock;
  /**
   * Optional: copy an installer media folder from the controller (a local path, or a UNC share on a Windows
   * controller) to `destination` on `node`, through the target's own channel, and verify the copy (the double
   * hop: a node cannot read a share itself). An identical copy already there is kept. Targets whose nodes
   * already hold the media (the lab) do not offer it.
   */
  stageMediaTo?(
    source: string,
    node: string,
    destination: string,
    options?: StageMediaOptions,
  ): Promise<StagedMedia>;
  /** Release sessions and locks. */
  close(): Promise<void>;
}
