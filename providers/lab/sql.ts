/**
 * SqlOps on the lab's SQL Server instances (§2.4.1 step 4, §4.2.4). A database's data lives in its .mdf on
 * the shared disk, so it can be used only on the host the disk is online on. BACKUP writes a file on the
 * host's filesystem holding the database's contents and a checksum; VERIFY checks it; RESTORE puts the
 * contents back (re-attaching the database if it was detached); detach removes it from the instance.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { SqlBackupInfo, SqlDatabaseRef, SqlInstanceInfo, SqlOps } from "../hosts/target";
import type { LabSession } from "./session";
import type { LabState, SqlInstance } from "./state";
import { LabError, hostOf, sqlDataDir, stamp } from "./world";
import { LabFsError, readBytes, statPath, writeBytes } from "./fs";
import { DbContent, serializeDb } from "./db";
import { isRunning } from "./services";
import { spend } from "./engine";
import { fire } from "./faults";
import { record } from "./timeline";
import { normalizePath } from "./paths";

export const SQL_BACKUP_MS = 2 * 60_000;
export const SQL_RESTORE_MS = 3 * 60_000;
export const SQL_VERIFY_MS = 30_000;

const BackupFile = z.object({
  lab: z.literal("netmgr-lab-sql-backup"),
  database: z.string(),
  finishedAt: z.string(),
  content: DbContent,
  checksum: z.string(),
});

/** A backup file as BACKUP DATABASE writes it (also SysMonMgr's CMDB.bak, §4.2.4 step 5). */
export function sqlBackupBytes(database: string, content: DbContent, finishedAtMs: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      lab: "netmgr-lab-sql-backup",
      database,
      finishedAt: new Date(finishedAtMs).toISOString(),
      content,
      checksum: checksum(content),
    }),
    "utf8",
  );
}

function checksum(content: DbContent): string {
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

function instanceOf(s: LabState, host: string, instance: string): SqlInstance {
  const inst = hostOf(s, host).sql.find((i) => i.instance.toLowerCase() === instance.toLowerCase());
  if (!inst) throw new LabError(`no SQL Server instance "${instance || "MSSQLSERVER"}" on ${host}`);
  if (!isRunning(s, host, inst.service))
    throw new LabError(`the SQL Server service ${inst.service} on ${host} is not running`);
  return inst;
}

function readContent(s: LabState, host: string, mdf: string, database: string): DbContent {
  if (statPath(s, host, mdf) !== "file") {
    throw new LabError(
      `Database '${database}' cannot be opened due to inaccessible files or insufficient memory or disk space (${mdf}).`,
    );
  }
  return DbContent.parse(JSON.parse(readBytes(s, host, mdf).toString("utf8")));
}

function readBackup(
  s: LabState,
  host: string,
  file: string,
): { database: string; finishedAt: string; content: DbContent; checksum: string; size: number } {
  if (statPath(s, host, file) !== "file")
    throw new LabError(
      `Cannot open backup device '${file}'. Operating system error 2(The system cannot find the file specified.).`,
    );
  const data = readBytes(s, host, file);
  let b;
  try {
    b = BackupFile.parse(JSON.parse(data.toString("utf8")));
  } catch {
    throw new LabError(
      `The media family on device '${file}' is incorrectly formed. SQL Server cannot process this media family.`,
    );
  }
  if (checksum(b.content) !== b.checksum)
    throw new LabError(`RESTORE VERIFYONLY: the backup set on '${file}' has a checksum error.`);
  return { ...b, size: data.length };
}

export class LabSql implements SqlOps {
  constructor(private readonly session: LabSession) {}

  instanceInfo(host: string, instance: string): Promise<SqlInstanceInfo> {
    return this.session.act(
      host,
      `sql instanceInfo ${instance}`,
      (s) => {
        const i = instanceOf(s, host, instance);
        return { host: hostOf(s, host).name, instance: i.instance, edition: i.edition, version: i.version };
      },
      { durationMs: 1_000 },
    );
  }

  databases(host: string, instance: string): Promise<string[]> {
    return this.session.act(
      host,
      `sql databases ${instance}`,
      (s) => [
        "master",
        "tempdb",
        "model",
        "msdb",
        ...instanceOf(s, host, instance).databases.map((d) => d.name),
      ],
      {
        durationMs: 1_000,
      },
    );
  }

  backup(db: SqlDatabaseRef, file: string, onProgress?: (line: string) => void): Promise<SqlBackupInfo> {
    return this.session
      .act(db.host, `sql backup ${db.database}`, (s) => {
        const inst = instanceOf(s, db.host, db.instance);
        const d = inst.databases.find((x) => x.name.toLowerCase() === db.database.toLowerCase());
        if (!d) throw new LabError(`Database '${db.database}' does not exist.`);
        const content = readContent(s, db.host, d.mdf, d.name);
        const path = normalizePath(file);
        if (statPath(s, db.host, path.replace(/\\[^\\]*$/, "")) !== "dir") {
          throw new LabError(
            `Cannot open backup device '${path}'. Operating system error 3(The system cannot find the path specified.).`,
          );
        }
        if (fire(s, "disk-full", db.host, `BACKUP DATABASE ${d.name}`)) {
          throw new LabFsError(
            `Write on "${path}" failed: 112(There is not enough space on the disk.)`,
            "diskfull",
          );
        }
        spend(s, SQL_BACKUP_MS);
        const finishedAt = new Date(s.now).toISOString();
        const data = sqlBackupBytes(d.name, content, s.now);
        writeBytes(s, db.host, path, data);
        record(s, "op", `${db.host}: BACKUP DATABASE [${d.name}] TO DISK = N'${path}' WITH CHECKSUM, INIT`, {
          host: db.host,
        });
        return { database: d.name, file: path, finishedAt, sizeBytes: data.length };
      })
      .then((info) => {
        for (const p of [10, 50, 100]) onProgress?.(`${p} percent processed.`);
        onProgress?.(`BACKUP DATABASE successfully processed (${info.database}).`);
        return info;
      });
  }

  verify(host: string, instance: string, file: string): Promise<SqlBackupInfo> {
    return this.session.act(host, `sql verify ${file}`, (s) => {
      instanceOf(s, host, instance);
      spend(s, SQL_VERIFY_MS);
      const b = readBackup(s, host, normalizePath(file));
      return { database: b.database, file: normalizePath(file), finishedAt: b.finishedAt, sizeBytes: b.size };
    });
  }

  restore(db: SqlDatabaseRef, file: string, onProgress?: (line: string) => void): Promise<void> {
    return this.session
      .act(db.host, `sql restore ${db.database}`, (s) => {
        const inst = instanceOf(s, db.host, db.instance);
        const b = readBackup(s, db.host, normalizePath(file));
        let d = inst.databases.find((x) => x.name.toLowerCase() === db.database.toLowerCase());
        if (!d) {
          d = {
            name: db.database,
            mdf: `${sqlDataDir(s)}\\${db.database}.mdf`,
            ldf: `${sqlDataDir(s)}\\${db.database}_log.ldf`,
          };
          inst.databases.push(d);
        }
        spend(s, SQL_RESTORE_MS);
        writeBytes(s, db.host, d.mdf, serializeDb({ ...b.content, database: d.name }));
        if (statPath(s, db.host, d.ldf) !== "file")
          writeBytes(s, db.host, d.ldf, Buffer.from(`log of ${d.name}\r\n`, "latin1"));
        record(
          s,
          "op",
          `${db.host}: RESTORE DATABASE [${d.name}] FROM DISK = N'${normalizePath(file)}' WITH REPLACE (backup of ${stamp(Date.parse(b.finishedAt))})`,
          {
            host: db.host,
          },
        );
      })
      .then(() => {
        onProgress?.("100 percent processed.");
        onProgress?.(`RESTORE DATABASE successfully processed (${db.database}).`);
      });
  }

  detach(db: SqlDatabaseRef): Promise<void> {
    return this.session.act(db.host, `sql detach ${db.database}`, (s) => {
      const inst = instanceOf(s, db.host, db.instance);
      const before = inst.databases.length;
      inst.databases = inst.databases.filter((x) => x.name.toLowerCase() !== db.database.toLowerCase());
      if (inst.databases.length === before)
        throw new LabError(`The database '${db.database}' does not exist. Supply a valid database name.`);
      spend(s, 10_000);
      record(s, "op", `${db.host}: sp_detach_db '${db.database}'`, { host: db.host });
    });
  }
}
