/**
 * The files and folders the guide names, from %NVP_INSTALL_PATH% (per node) and %NVP_SHARE_PATH% (shared disk).
 */
import { PRE80_EXTRA_DELETIONS, SHARED_DISK_UPDATE_FOLDERS } from "../catalogue/sharedDisk";

export interface NetMgrPaths {
  installPath: string;
  sharePath: string;
}

export { leafName, winJoin } from "../hosts/winpath";
import { winJoin } from "../hosts/winpath";

/** Paths under %NVP_INSTALL_PATH% (local to each node). */
export function local(p: NetMgrPaths) {
  const manager = winJoin(p.installPath, "Manager");
  return {
    manager,
    /** §2.4.2: the standby's configuration data */
    sg: winJoin(manager, "sg"),
    bin: winJoin(manager, "bin"),
    log: winJoin(manager, "log"),
    /** §3.1 Caution: must not exist when the installer runs */
    updateData: winJoin(manager, "UpdateData"),
    /** §3.5 step 2 */
    rupInstLog: winJoin(manager, "log", "RupInstCmd.log"),
    /** §3.5 step 3 */
    nvpLog: winJoin(manager, "log", "NvpLog.log"),
    /** §2.2.2 Table 2-1/2-2 */
    wfdbIni: winJoin(manager, "sg", "wfdbmgr", "WFDB.INI"),
    /** §2.2.2 Table 2-3 */
    baseMgrIni: winJoin(manager, "sg", "NvPRO", "NvPROBaseMgr.ini"),
    /** §2.4.1 step 1 */
    sgbackupList: winJoin(manager, "sg", "NvPRO", "NvPRORemoteCmd", "sys_cmd", "sgbackup_comm.lst"),
    sysMonMgr: winJoin(manager, "bin", "SysMonMgr.exe"),
    /** §4.2.4 step 5: SysMonMgr backups, `backup\nnn\` */
    backups: winJoin(manager, "backup"),
    /** §3.2 step 1 destination */
    sqlRupdate: winJoin(manager, "sql_rupdate"),
    /** §3.4.1 step 2 / §4.2.2 step 3 */
    adapterDir: winJoin(manager, "bin", "NvPRO"),
    /** §4.2.2 step 4 */
    adapterIni: winJoin(manager, "sg", "NvPRO", "NvPROAdapter.ini"),
    /** §4.2.1 step 4 */
    wfdbCtlStart: winJoin(manager, "bin", "WfdbCtlStart.bat"),
    wfdbCtlStop: winJoin(manager, "bin", "WfdbCtlStop.bat"),
    restoreDataC: winJoin(manager, "bin", "NvPRORestoreDataC.bat"),
  };
}

/** Paths under %NVP_SHARE_PATH% (the shared disk, reachable only from the node the group is active on). */
export function shared(p: NetMgrPaths) {
  const sg = winJoin(p.sharePath, "Manager", "sg");
  return {
    sg,
    /** §3.3 step 1 destination */
    imsIni: winJoin(sg, "NvPRO", "NvPROIms.ini"),
    database: winJoin(sg, "database"),
  };
}

/** §4.2.1 step 2: folders the shared-disk update adds, deleted before restoring the backup. */
export function sharedDiskUpdateFolders(p: NetMgrPaths): string[] {
  return SHARED_DISK_UPDATE_FOLDERS.map((f) => winJoin(shared(p).sg, f));
}

/** §4.2.1 step 2, old version earlier than 8.0: the extra folders and file. */
export function pre80ExtraDeletions(p: NetMgrPaths): string[] {
  return PRE80_EXTRA_DELETIONS.map((f) => winJoin(shared(p).sg, f));
}
