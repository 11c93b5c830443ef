/**
 * SqlOps over mssql (tedious) from the controller to each node's SQL Server instance (DESIGN §7).
 *
 * - One connection pool per (host, instance); a named instance is reached as `server: <address>` plus
 *   `options.instanceName` (needs the SQL Browser service), the default instance as `server` alone.
 * - Every statement is constant text from statements.ts; values are parameters.
 * - BACKUP, RESTORE and the reads of backup media run with `requestTimeout: 0`: tedious stops its request
 *   timer only at the first response packet, and a BACKUP's first STATS message can come later than any
 *   fixed timeout. Their `info` messages ("10 percent processed.") go to onProgress.
 * - Plain pool requests, never a Transaction: BACKUP and RESTORE are refused inside one.
 * - Every error names host, instance and operation, and passes through scrub() with the password.
 */
import type { config as MssqlConfig } from "mssql";
import { scrub, type Secret } from "../hosts/secret";
import { SqlBackupInfo, SqlInstanceInfo, type SqlOps } from "../hosts/target";
import {
  HeaderRow,
  InstanceRow,
  SQL,
  checkBackupPath,
  checkDatabaseName,
  checkInstanceName,
  pickBackupSet,
  wallClock,
} from "./statements";

// ---- the driver boundary: the parts of `mssql` this file uses ---------------------------------------

export interface DriverInfoMessage {
  message: string;
  number?: number;
}

export interface DriverRequest {
  input(name: string, type: unknown, value: unknown): unknown;
  on(event: "info", listener: (info: DriverInfoMessage) => void): unknown;
  query(command: string): Promise<{ recordset?: readonly unknown[] }>;
}

export interface DriverPool {
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  request(): DriverRequest;
  on(event: "error", listener: (err: Error) => void): unknown;
}

export interface MssqlDriver {
  ConnectionPool: new (config: MssqlConfig) => DriverPool;
  /** `new sql.Request(pool, { requestTimeout })`: the per-request override of mssql ≥ 12.7. */
  Request: new (parent: DriverPool, overrides: { requestTimeout: number }) => DriverRequest;
  NVarChar: (length: number) => unknown;
  Int: unknown;
}

/** The real module, loaded when first needed (the lab never loads tedious). */
export function loadMssql(): MssqlDriver {
  const m = require("mssql") as typeof import("mssql");
  return {
    ConnectionPool: m.ConnectionPool,
    // @types/mssql 12.3 does not declare Request's second constructor argument; mssql 12.7.14 has it.
    Request: m.Request as unknown as MssqlDriver["Request"],
    NVarChar: (length) => m.NVarChar(length),
    Int: m.Int,
  };
}

// ---- options and errors -----------------------------------------------------------------------------

export interface MssqlOptions {
  /** Address (name or IP) of each node's SQL Server, by node name. */
  servers: Record<string, string>;
  user: string;
  password: Secret;
  /** TLS (mssql's default: true). */
  encrypt?: boolean;
  /** Accept a self-signed server certificate (mssql's default: false). */
  trustServerCertificate?: boolean;
  connectTimeoutMs?: number;
  driver?: MssqlDriver;
}

export class SqlError extends Error {
  override name = "SqlError";
  constructor(
    readonly host: string,
    readonly instance: string,
    readonly operation: string,
    detail: string,
  ) {
    super(`SQL Server ${instanceLabel(host, instance)}: ${operation}: ${detail}`);
  }
}

export function instanceLabel(host: string, instance: string): string {
  return instance === "" ? `${host} (default instance)` : `${host}\\${instance}`;
}

/** mssql reports the last error and keeps the earlier ones (often the telling one) in `precedingErrors`. */
export function errorDetail(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const all = [...(((e as { precedingErrors?: unknown[] }).precedingErrors ?? []) as unknown[]), e];
  const texts = all
    .map((x) => (x instanceof Error ? x.message : String(x)))
    .filter((t, i, a) => t && a.indexOf(t) === i);
  const code = (e as { code?: unknown }).code;
  return `${typeof code === "string" ? `[${code}] ` : ""}${texts.join(" ")}`;
}

// ---- the operations ---------------------------------------------------------------------------------

type Param = { name: string; kind: "sysname" | "path" | "int"; value: string | number };

interface Exec {
  host: string;
  instance: string;
  operation: string;
  sql: string;
  params?: readonly Param[];
  /** requestTimeout 0 (BACKUP, RESTORE, reading backup media). */
  long?: boolean;
  onProgress?: ((line: string) => void) | undefined;
}

export function mssqlOps(options: MssqlOptions): SqlOps & { close(): Promise<void> } {
  const driver = options.driver ?? loadMssql();
  const pools = new Map<string, Promise<DriverPool>>();
  const secrets = [options.password];

  const fail = (host: string, instance: string, operation: string, e: unknown): SqlError =>
    e instanceof SqlError ? e : new SqlError(host, instance, operation, scrub(errorDetail(e), secrets));

  const poolFor = (host: string, instance: string): Promise<DriverPool> => {
    const key = `${host}\0${instance.toUpperCase()}`;
    const existing = pools.get(key);
    if (existing) return existing;
    const address = options.servers[host];
    if (address === undefined) {
      const known = Object.keys(options.servers).join(", ") || "none";
      return Promise.reject(
        new SqlError(
          host,
          instance,
          "connect",
          `no SQL Server address is configured for host ${host} (configured: ${known})`,
        ),
      );
    }
    const config: MssqlConfig = {
      server: address,
      user: options.user,
      password: options.password.reveal(),
      database: "master",
      connectionTimeout: options.connectTimeoutMs ?? 15_000,
      options: {
        encrypt: options.encrypt ?? true,
        trustServerCertificate: options.trustServerCertificate ?? false,
        appName: "pulumi-netmgr",
        ...(instance === "" ? {} : { instanceName: instance }),
      },
    };
    const pool = new driver.ConnectionPool(config);
    // A broken idle connection is reported on the next request that needs one; never crash the process.
    pool.on("error", () => undefined);
    const ready = pool.connect().then(() => pool);
    pools.set(key, ready);
    // A failed connection is not cached: the next call tries again.
    ready.catch(() => {
      pools.delete(key);
      pool.close().catch(() => undefined);
    });
    return ready;
  };

  const exec = async (x: Exec): Promise<unknown[]> => {
    try {
      checkInstanceName(x.instance);
      const pool = await poolFor(x.host, x.instance);
      const request = x.long ? new driver.Request(pool, { requestTimeout: 0 }) : pool.request();
      for (const p of x.params ?? []) {
        const type = p.kind === "int" ? driver.Int : driver.NVarChar(p.kind === "sysname" ? 128 : 4000);
        request.input(p.name, type, p.value);
      }
      const onProgress = x.onProgress;
      if (onProgress) {
        const label = instanceLabel(x.host, x.instance);
        request.on("info", (m) => onProgress(scrub(`${label}: ${x.operation}: ${m.message}`, secrets)));
      }
      const result = await request.query(x.sql);
      return [...(result.recordset ?? [])];
    } catch (e) {
      throw fail(x.host, x.instance, x.operation, e);
    }
  };

  const headers = async (host: string, instance: string, file: string): Promise<HeaderRow[]> => {
    const operation = `RESTORE HEADERONLY FROM DISK '${file}'`;
    const rows = await exec({
      host,
      instance,
      operation,
      sql: SQL.headerOnly,
      params: [path(file)],
      long: true,
    });
    try {
      return rows.map((r) => HeaderRow.parse(r));
    } catch (e) {
      throw fail(host, instance, operation, e);
    }
  };

  const verifySet = async (
    host: string,
    instance: string,
    file: string,
    set: HeaderRow,
    onProgress?: (line: string) => void,
  ): Promise<void> => {
    const checksum = set.HasBackupChecksums !== false;
    await exec({
      host,
      instance,
      operation: `RESTORE VERIFYONLY FROM DISK '${file}' (set ${set.Position}${checksum ? ", CHECKSUM" : ""})`,
      sql: checksum ? SQL.verifyOnlyChecksum : SQL.verifyOnly,
      params: [path(file), int("position", set.Position)],
      long: true,
      onProgress,
    });
  };

  const info = (set: HeaderRow, file: string): SqlBackupInfo =>
    SqlBackupInfo.parse({
      database: set.DatabaseName,
      file,
      finishedAt: wallClock(set.BackupFinishDate),
      sizeBytes: set.BackupSize,
    });

  /** Validate names first, so that a bad one is an error that names the operation too. */
  const checked = <T>(host: string, instance: string, operation: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw fail(host, instance, operation, e);
    }
  };

  return {
    async instanceInfo(host, instance) {
      const operation = "SERVERPROPERTY('Edition'), SERVERPROPERTY('ProductVersion')";
      const rows = await exec({ host, instance, operation, sql: SQL.instanceInfo });
      const row = checked(host, instance, operation, () => InstanceRow.parse(rows[0]));
      const connected = row.instanceName ?? "";
      if (connected.toLowerCase() !== instance.toLowerCase()) {
        throw new SqlError(
          host,
          instance,
          operation,
          `the address ${options.servers[host]} answered as instance "${connected || "(default)"}", not "${instance || "(default)"}"`,
        );
      }
      return SqlInstanceInfo.parse({ host, instance, edition: row.edition, version: row.version });
    },

    async databases(host, instance) {
      const rows = await exec({
        host,
        instance,
        operation: "SELECT name FROM sys.databases",
        sql: SQL.databases,
      });
      return rows.map((r) => String((r as { name: unknown }).name));
    },

    async backup(db, file, onProgress) {
      const { host, instance, database } = db;
      const operation = `BACKUP DATABASE [${database}] TO DISK '${file}'`;
      checked(host, instance, operation, () => {
        checkDatabaseName(database);
        checkBackupPath(file);
      });
      await exec({
        host,
        instance,
        operation,
        sql: SQL.backup,
        params: [sysname("db", database), path(file)],
        long: true,
        onProgress,
      });
      return verifyFile(host, instance, file, database, onProgress);
    },

    async verify(host, instance, file) {
      checked(host, instance, `RESTORE HEADERONLY FROM DISK '${file}'`, () => checkBackupPath(file));
      return verifyFile(host, instance, file);
    },

    async restore(db, file, onProgress) {
      const { host, instance, database } = db;
      const operation = `RESTORE DATABASE [${database}] FROM DISK '${file}'`;
      checked(host, instance, operation, () => {
        checkDatabaseName(database);
        checkBackupPath(file);
      });
      const rows = await headers(host, instance, file);
      const set = checked(host, instance, operation, () => pickBackupSet(rows, database));
      await exec({
        host,
        instance,
        operation,
        sql: SQL.restore,
        params: [sysname("db", database), path(file), int("position", set.Position)],
        long: true,
        onProgress,
      });
    },

    async detach(db) {
      const { host, instance, database } = db;
      const operation = `sp_detach_db [${database}]`;
      checked(host, instance, operation, () => checkDatabaseName(database));
      const exists = await exec({
        host,
        instance,
        operation,
        sql: SQL.databaseExists,
        params: [sysname("db", database)],
      });
      // Already detached (a resumed failback): nothing to do.
      if (Number((exists[0] as { n?: unknown } | undefined)?.n ?? 0) === 0) return;
      await exec({ host, instance, operation, sql: SQL.detach, params: [sysname("db", database)] });
    },

    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.then((pool) => pool.close()).catch(() => undefined)));
    },
  };

  /** Read the backup set back (the last one, or the last of `database`) and verify it with its checksums. */
  async function verifyFile(
    host: string,
    instance: string,
    file: string,
    database?: string,
    onProgress?: (line: string) => void,
  ): Promise<SqlBackupInfo> {
    const rows = await headers(host, instance, file);
    const set = checked(host, instance, `RESTORE HEADERONLY FROM DISK '${file}'`, () =>
      pickBackupSet(rows, database),
    );
    await verifySet(host, instance, file, set, onProgress);
    return info(set, file);
  }
}

function sysname(name: string, value: string): Param {
  return { name, kind: "sysname", value };
}

function path(value: string): Param {
  return { name: "file", kind: "path", value };
}

function int(name: string, value: number): Param {
  return { name, kind: "int", value };
}
