/**
 * What an installation of NetMgr leaves on a host, shared by the lab's creation and its Setup.exe emulator:
 * program files (runnable in the lab through their markers), the per-host configuration under
 * %NVP_INSTALL_PATH%\Manager\sg (WFDB.INI and NvPROBaseMgr.ini with the Table 2-1/2-2/2-3 parameters,
 * sgbackup_comm.lst), the services (§3.1 step 7) and the Uninstall registry entry.
 */
import type { LabState } from "./state";
import { managerServices, versionSpec } from "../catalogue/versions";
import { mediaPath, type MediaLayout } from "../catalogue/media";
import { hostOf, localSg, managerDir } from "./world";
import { mkdirp, removePath, statPath, writeBytes } from "./fs";
import { batContent, enc, exeContent, jaComment } from "./texts";
import { record } from "./timeline";

export const CMDB_PORT = "12630";
export const ALERTDB_PORT = "12631";

export const sgbackupListPath = (s: LabState): string =>
  `${localSg(s)}\\NvPRO\\NvPRORemoteCmd\\sys_cmd\\sgbackup_comm.lst`;
export const wfdbIniPath = (s: LabState): string => `${localSg(s)}\\wfdbmgr\\WFDB.INI`;
export const baseMgrIniPath = (s: LabState): string => `${localSg(s)}\\NvPRO\\NvPROBaseMgr.ini`;
export const adapterIniPath = (s: LabState): string => `${localSg(s)}\\NvPRO\\NvPROAdapter.ini`;
export const viewDir = (s: LabState): string => `${s.spec.installPath}\\View`;

/** The backup targets of SysMonMgr -backup as installed: the host's own configuration only (§2.4.1 step 1). */
export const ORIGINAL_BACKUP_LIST = ["%NVP_INSTALL_PATH%\\Manager\\sg"];
/** The media's list for the rolling update adds the shared disk's data and the CMDB. */
export const ROLLING_UPDATE_BACKUP_LIST = [
  "%NVP_INSTALL_PATH%\\Manager\\sg",
  "%NVP_SHARE_PATH%\\Manager\\sg",
  "CMDB",
];

export function backupListText(targets: readonly string[], title: string): string {
  return `; sgbackup_comm.lst: ${title}\n; one backup target per line\n${targets.join("\n")}\n`;
}

export function productVersion(v: string): string {
  return `${v}.0`;
}

export function wfdbIniText(s: LabState, version: string): string {
  const i = s.spec;
  const head = `${jaComment(s, "構成管理データベース (CMDB) 設定")}[WFDB]\n`;
  if (i.db === "internal") {
    return (
      head +
      `CMDB_USER=wfdb\nCMDB_PASSWD=${s.secrets.cmdbPassword}\nDATABASE_PORT=${CMDB_PORT}\nSERVER_NAME=127.0.0.1\n` +
      `DATABASE_NAME=wfdb\nDATABASE_PATH=${i.sharePath}\\Manager\nDATABASE_VERSION=${version}\n`
    );
  }
  const inst = i.sqlInstance ? `SQL_INSTANCE_NAME=${i.sqlInstance}\n` : "";
  return `${head}DATABASE_NAME=wfdb\nSERVER_NAME=localhost\n${inst}DATABASE_DRIVER=SQL Server\nDATABASE_VERSION=${version}\n`;
}

export function baseMgrIniText(s: LabState, version: string): string {
  const i = s.spec;
  const head = `${jaComment(s, "障害管理データベース設定")}[DATABASE]\n`;
  if (i.db === "internal") {
    return `${head}DATABASE_TYPE=INTERNAL\nDATABASE_NAME=nvalertdb\nDATABASE_PORT=${ALERTDB_PORT}\nDATABASE_VERSION=${version}\n`;
  }
  const inst = i.sqlInstance ? `SQL_INSTANCE_NAME=${i.sqlInstance}\n` : "";
  return `${head}DATABASE_NAME=nvprodb\nSERVER_NAME=localhost\n${inst}DATABASE_VERSION=${version}\n`;
}

function writeIfMissing(s: LabState, host: string, path: string, data: Buffer): void {
  if (statPath(s, host, path) !== "file") writeBytes(s, host, path, data);
}

/** Program files and per-host configuration of a Manager of `version` (an overwrite keeps the configuration). */
export function installManagerFiles(s: LabState, host: string, version: string): void {
  const m = managerDir(s);
  const v = versionSpec(version);
  removePath(s, host, `${m}\\bin`);
  writeBytes(s, host, `${m}\\bin\\SysMonMgr.exe`, exeContent("sysmonmgr", version));
  writeBytes(
    s,
    host,
    `${m}\\bin\\WfdbCtlStart.bat`,
    batContent("wfdbctlstart", version, "rem Start the CMDB\r\n"),
  );
  writeBytes(
    s,
    host,
    `${m}\\bin\\WfdbCtlStop.bat`,
    batContent("wfdbctlstop", version, "rem Stop the CMDB\r\n"),
  );
  writeBytes(
    s,
    host,
    `${m}\\bin\\NvPRORestoreDataC.bat`,
    batContent("nvprorestoredatac", version, "rem CMDB consistency\r\n"),
  );
  writeBytes(
    s,
    host,
    `${m}\\bin\\dbms1\\bin\\postgres.exe`,
    Buffer.from(`MZ postgres for NetMgr ${version}\r\n`, "latin1"),
  );
  writeBytes(
    s,
    host,
    `${m}\\bin\\NvPRO\\NvPROBaseMgr.exe`,
    Buffer.from(`MZ NvPROBaseMgr ${version}\r\n`, "latin1"),
  );
  writeBytes(
    s,
    host,
    `${m}\\bin\\NvPRO\\NvPROResourceMgr.exe`,
    Buffer.from(`MZ NvPROResourceMgr ${version}\r\n`, "latin1"),
  );
  if (v.hasAdapterServices) {
    writeBytes(
      s,
      host,
      `${m}\\bin\\NvPRO\\adapter-setup.bat`,
      batContent("adapter-setup", version, "rem Register the adapter services\r\n"),
    );
    writeBytes(
      s,
      host,
      `${m}\\bin\\NvPRO\\adapter-remove.bat`,
      batContent("adapter-remove", version, "rem Remove the adapter services\r\n"),
    );
    writeIfMissing(s, host, adapterIniPath(s), enc(s, adapterIniText(version)));
  }
  mkdirp(s, host, `${m}\\log`);
  writeIfMissing(s, host, wfdbIniPath(s), enc(s, wfdbIniText(s, version)));
  writeIfMissing(s, host, baseMgrIniPath(s), enc(s, baseMgrIniText(s, version)));
  writeIfMissing(
    s,
    host,
    sgbackupListPath(s),
    enc(s, backupListText(ORIGINAL_BACKUP_LIST, "backup targets")),
  );
  writeIfMissing(
    s,
    host,
    `${localSg(s)}\\NvPRO\\NvPROManager.ini`,
    enc(s, `[MANAGER]\nINSTALL_PATH=${s.spec.installPath}\nSHARE_PATH=${s.spec.sharePath}\n`),
  );
}

export function adapterIniText(version: string): string {
  return `[ADAPTER]\nPerformanceDatabase=NvPROPerfDB\nTopologyAdapter=NvPROTopologyAdapter\nPerformanceManager=NvPROPerfMgr\nVERSION=${version}\n`;
}

/** Register (or re-register) the Manager services of `version` with `startType`; running ones keep running. */
export function registerManagerServices(
  s: LabState,
  host: string,
  version: string,
  startType: "Auto" | "Manual",
): void {
  const h = hostOf(s, host);
  for (const svc of managerServices(version, s.spec.db)) {
    const existing = h.services.find((x) => x.name.toLowerCase() === svc.name.toLowerCase());
    if (existing) existing.startType = startType;
    else h.services.push({ name: svc.name, displayName: svc.displayName, startType, state: "Stopped" });
  }
}

export function setManager(s: LabState, host: string, version: string | null): void {
  hostOf(s, host).manager = version === null ? null : { version };
  record(
    s,
    "note",
    `${host}: Manager function ${version === null ? "uninstalled" : `${version} installed`}`,
    { host },
  );
}

export function setView(s: LabState, host: string, version: string | null): void {
  hostOf(s, host).view = version === null ? null : { version };
  record(s, "note", `${host}: View function ${version === null ? "uninstalled" : `${version} installed`}`, {
    host,
  });
}

export function installViewFiles(s: LabState, host: string, version: string): void {
  removePath(s, host, `${viewDir(s)}\\bin`);
  writeBytes(s, host, `${viewDir(s)}\\bin\\SysMonSvc.exe`, exeContent("sysmonsvc", version));
}

/** Installation media of `version` as the guide lays it out (providers/catalogue/media.ts). */
export function createMedia(
  s: LabState,
  host: string,
  media: { path: string; layout: MediaLayout },
  version: string,
): void {
  const v = versionSpec(version);
  writeBytes(s, host, mediaPath(media, "setup"), exeContent("setup", version));
  if (!v.rollingUpdateTarget) return;
  const sql = mediaPath(media, "sqlRupdate");
  writeBytes(
    s,
    host,
    `${sql}\\postgres\\WfdbCmdSetup.bat`,
    batContent("wfdbcmdsetup-postgres", version, "rem CMDB update (internal)\r\n"),
  );
  writeBytes(
    s,
    host,
    `${sql}\\postgres\\wfdb_update.sql`,
    Buffer.from(`-- CMDB schema ${version}\r\n`, "latin1"),
  );
  writeBytes(
    s,
    host,
    `${sql}\\sqlserver\\WfdbCmdSetup.bat`,
    batContent("wfdbcmdsetup-sqlserver", version, "rem CMDB update (SQL Server)\r\n"),
  );
  writeBytes(
    s,
    host,
    `${sql}\\sqlserver\\NvPRODBSetup.bat`,
    batContent("nvprodbsetup", version, "rem Fault DB update (SQL Server)\r\n"),
  );
  writeBytes(
    s,
    host,
    `${sql}\\sqlserver\\wfdb_UP_TBL1.sql`,
    Buffer.from(`-- CMDB schema ${version}\r\n`, "latin1"),
  );
  writeBytes(
    s,
    host,
    mediaPath(media, "sgbackupList"),
    enc(s, backupListText(ROLLING_UPDATE_BACKUP_LIST, "backup targets for the rolling update")),
  );
  writeBytes(
    s,
    host,
    mediaPath(media, "imsIni"),
    enc(s, "[NOMS]\nInstanceID=1\nMessageQueueIP=127.0.0.1\nMessageQueuePort=28110\n[EVENT]\nsendEvent=1\n"),
  );
  const bin = mediaPath(media, "adapterBin");
  writeBytes(
    s,
    host,
    `${bin}\\NvPRO\\adapter-setup.bat`,
    batContent("adapter-setup", version, "rem Register the adapter services\r\n"),
  );
  writeBytes(
    s,
    host,
    `${bin}\\NvPRO\\adapter-remove.bat`,
    batContent("adapter-remove", version, "rem Remove the adapter services\r\n"),
  );
}
