/**
 * SysMonMgr.exe -backup | -restore [-S] -latest|<nnn> | -listbackup (§2.4.1 step 2, §4.2.1 step 3,
 * §4.2.4 step 5). Backups are numbered folders %NVP_INSTALL_PATH%\Manager\backup\nnn\ on the host that took
 * them, holding what sgbackup_comm.lst lists: the host's sg (sg\), the shared disk's sg (share\sg\, only with
 * the rolling-update list from the media) and the CMDB (sg\wfdbmgr\CMDB.bak). A restore overwrites files
 * from the backup and leaves other files alone, which is why §4.2.1 step 2 deletes folders first; `-S`
 * restores the shared disk's data, without it the host's own sg. The restore marks the CMDB unverified
 * until NvPRORestoreDataC.bat runs (§4.2.1 step 4).
 */
import type { LabState } from "../state";
import { failed, lines, ok, type Emulator, type ProgramContext } from "./context";
import {
  hostOf,
  localSg,
  managerDir,
  sharedReachable,
  sharedSg,
  stamp,
  installPath,
  sharePath,
} from "../world";
import { freeBytes, listDir, readBytes, resolve, statPath, treeFiles, writeBytes } from "../fs";
import { dec, enc, iniValues } from "../texts";
import { spend } from "../engine";
import { fire } from "../faults";
import { isRunning, netmgrServices } from "../services";
import { dbContentPath, readDb, readSharedBytes, serializeDb } from "../db";
import { sgbackupListPath } from "../install";
import { sqlBackupBytes } from "../sql";
import { normalizePath, samePath } from "../paths";

export const BACKUP_MS = 10 * 60_000;
export const RESTORE_MS = 10 * 60_000;

const backupRoot = (s: LabState): string => `${managerDir(s)}\\backup`;

type Target = { kind: "local" } | { kind: "shared" } | { kind: "cmdb" } | { kind: "other"; path: string };

function expandTarget(s: LabState, line: string): Target {
  if (line.toUpperCase() === "CMDB") return { kind: "cmdb" };
  const p = line.replace(/%NVP_INSTALL_PATH%/gi, installPath(s)).replace(/%NVP_SHARE_PATH%/gi, sharePath(s));
  if (samePath(p, localSg(s))) return { kind: "local" };
  if (samePath(p, sharedSg(s))) return { kind: "shared" };
  return { kind: "other", path: normalizePath(p) };
}

function backupIds(s: LabState, host: string): string[] {
  if (statPath(s, host, backupRoot(s)) !== "dir") return [];
  return listDir(s, host, backupRoot(s))
    .filter((e) => e.kind === "dir" && /^\d{3}$/.test(e.name))
    .map((e) => e.name)
    .sort();
}

function backup(ctx: ProgramContext): ReturnType<Emulator> {
  const { s, host } = ctx;
  const listPath = sgbackupListPath(s);
  if (statPath(s, host, listPath) !== "file")
    return failed(1, lines(`SysMonMgr: the backup definition file ${listPath} was not found.`));
  const targets = dec(s, readBytes(s, host, listPath))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith(";"))
    .map((l) => expandTarget(s, l));
  spend(s, 30_000);
  if (fire(s, "backup-fails", host, "SysMonMgr -backup")) {
    spend(s, 60_000);
    return failed(
      1,
      lines(
        "SysMonMgr: backup start",
        "SysMonMgr: failed to back up the data (error 0x80070005: access is denied).",
        "SysMonMgr: backup failed",
      ),
    );
  }
  const files: { path: string; data: Buffer }[] = [];
  const names: string[] = [];
  for (const t of targets) {
    if (t.kind === "local") {
      names.push("LOCAL_SG");
      for (const f of treeFiles(s, host, localSg(s))) files.push({ path: `sg\\${f.path}`, data: f.data });
    } else if (t.kind === "shared") {
      if (!sharedReachable(s, host)) {
        return failed(
          1,
          lines(
            "SysMonMgr: backup start",
            `SysMonMgr: cannot access ${sharedSg(s)} (the shared disk is not online on this host).`,
            "SysMonMgr: backup failed",
          ),
        );
      }
      names.push("SHARED_SG");
      // Lock files of running databases are not data.
      for (const f of treeFiles(s, host, sharedSg(s)))
        if (!/postmaster\.pid$/i.test(f.path)) files.push({ path: `share\\sg\\${f.path}`, data: f.data });
    } else if (t.kind === "cmdb") {
      const running =
        s.spec.db === "internal"
          ? isRunning(s, host, "Wfdb_wfdb1")
          : hostOf(s, host).sql.some((i) => isRunning(s, host, i.service));
      const cmdb = sharedReachable(s, host) ? readDb(s, "cmdb") : undefined;
      if (!running || !cmdb)
        return failed(
          1,
          lines(
            "SysMonMgr: backup start",
            "SysMonMgr: cannot connect to the configuration management database (CMDB).",
            "SysMonMgr: backup failed",
          ),
        );
      names.push("CMDB");
      files.push({ path: "sg\\wfdbmgr\\CMDB.bak", data: sqlBackupBytes("wfdb", cmdb, s.now) });
    } else {
      if (statPath(s, host, t.path) === null) continue;
      names.push(t.path);
      for (const f of treeFiles(s, host, t.path))
        files.push({ path: `other\\${t.path.replace(":", "")}\\${f.path}`, data: f.data });
    }
  }
  const ids = backupIds(s, host);
  const id = String(Number(ids[ids.length - 1] ?? "0") + 1).padStart(3, "0");
  const dir = `${backupRoot(s)}\\${id}`;
  const size = files.reduce((n, f) => n + f.data.length, 0);
  const vol = resolve(s, host, backupRoot(s)).volume;
  if (size > freeBytes(vol) || fire(s, "disk-full", host, "SysMonMgr -backup")) {
    return failed(
      1,
      lines(
        "SysMonMgr: backup start",
        `SysMonMgr: There is not enough space on the disk (${dir}).`,
        "SysMonMgr: backup failed",
      ),
    );
  }
  spend(s, BACKUP_MS);
  for (const f of files) writeBytes(s, host, `${dir}\\${f.path}`, f.data);
  const version = hostOf(s, host).manager?.version ?? "";
  writeBytes(
    s,
    host,
    `${dir}\\backup.inf`,
    enc(s, `[BACKUP]\nID=${id}\nDATE=${stamp(s.now)}\nVERSION=${version}\nTARGETS=${names.join(",")}\n`),
  );
  return ok(
    lines(
      "SysMonMgr: backup start",
      ...names.map((n) => `Backup target : ${n}`),
      `Backup ID : ${id}`,
      "SysMonMgr: backup completed",
    ),
  );
}

function info(s: LabState, host: string, id: string): Record<string, string> {
  const p = `${backupRoot(s)}\\${id}\\backup.inf`;
  return statPath(s, host, p) === "file" ? iniValues(dec(s, readBytes(s, host, p))) : {};
}

function listBackup(ctx: ProgramContext): ReturnType<Emulator> {
  const ids = backupIds(ctx.s, ctx.host);
  if (ids.length === 0) return ok(lines("No backup data."));
  return ok(
    lines(
      ...ids.map((id) => {
        const i = info(ctx.s, ctx.host, id);
        return `Backup ID : ${id}  Date : ${i.DATE ?? "?"}  Version : ${i.VERSION ?? "?"}  Targets : ${i.TARGETS ?? "?"}`;
      }),
    ),
  );
}

function restore(ctx: ProgramContext, shared: boolean, which: string): ReturnType<Emulator> {
  const { s, host } = ctx;
  const running = netmgrServices(s, host).filter((x) => x.state === "Running");
  if (running.length > 0) {
    return failed(
      1,
      lines(
        `SysMonMgr: stop the Network Manager services first (running: ${running.map((x) => x.displayName).join(", ")}).`,
      ),
    );
  }
  const ids = backupIds(s, host);
  const id = which === "-latest" ? ids[ids.length - 1] : ids.find((x) => x === which);
  if (!id) {
    return failed(
      1,
      lines(
        which === "-latest"
          ? `SysMonMgr: no backup data in ${backupRoot(s)}.`
          : `SysMonMgr: backup ${which} was not found in ${backupRoot(s)}.`,
      ),
    );
  }
  const dir = `${backupRoot(s)}\\${id}`;
  const part = shared ? `${dir}\\share\\sg` : `${dir}\\sg`;
  if (statPath(s, host, part) !== "dir") {
    return failed(
      1,
      lines(
        `SysMonMgr: backup ${id} holds no ${shared ? "shared disk data" : "local data"} (targets: ${info(s, host, id).TARGETS ?? "?"}).`,
      ),
    );
  }
  if (shared && !sharedReachable(s, host))
    return failed(
      1,
      lines(`SysMonMgr: cannot access ${sharedSg(s)} (the shared disk is not online on this host).`),
    );
  spend(s, RESTORE_MS);
  const dest = shared ? sharedSg(s) : localSg(s);
  for (const f of treeFiles(s, host, part)) {
    if (!shared && /^wfdbmgr\\CMDB\.bak$/i.test(f.path)) continue;
    writeBytes(s, host, `${dest}\\${f.path}`, f.data);
  }
  if (shared) {
    const cmdb = readDb(s, "cmdb");
    if (cmdb && readSharedBytes(s, dbContentPath(s, "cmdb")))
      writeBytes(s, host, dbContentPath(s, "cmdb"), serializeDb({ ...cmdb, consistentWith: "" }));
  }
  return ok(
    lines(
      "SysMonMgr: restore start",
      `Restore ID : ${id}`,
      `Restored to : ${dest}`,
      "SysMonMgr: restore completed",
    ),
  );
}

export const sysMonMgr: Emulator = (ctx) => {
  const a = ctx.args.map((x) => x.toLowerCase());
  const usage = failed(
    1,
    lines(
      "Usage: SysMonMgr.exe -backup",
      "       SysMonMgr.exe -restore [-S] -latest|<backup id>",
      "       SysMonMgr.exe -listbackup",
    ),
  );
  if (a.length === 1 && a[0] === "-backup") return backup(ctx);
  if (a.length === 1 && a[0] === "-listbackup") return listBackup(ctx);
  if (a[0] === "-restore") {
    const shared = a[1] === "-s";
    const rest = a.slice(shared ? 2 : 1);
    const which = rest[0];
    if (rest.length === 1 && which && (which === "-latest" || /^\d{3}$/.test(which)))
      return restore(ctx, shared, which);
  }
  return usage;
};
