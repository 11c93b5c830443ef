/**
 * %NVP_INSTALL_PATH%\Manager\bin\WfdbCtlStart.bat / WfdbCtlStop.bat (start and stop the internal CMDB
 * outside the cluster, §4.2.1 step 4a/4c), NvPRORestoreDataC.bat (make the CMDB consistent with the shared
 * data, §4.2.1 step 4b, §4.2.4 step 6), and the monitoring terminal SysMonSvc.exe (§3.7).
 */
import { failed, lines, ok, type Emulator } from "./context";
import { hostOf, sharedReachable } from "../world";
import { MANAGER_CONSOLE_PORT, VIEW_PROCESS } from "../../catalogue/unconfirmed";
import { spend } from "../engine";
import { isRunning, startService, stopService, ServiceError, OPS_MANAGER } from "../services";
import { dbContentPath, readDb, serializeDb } from "../db";
import { writeBytes } from "../fs";
import { readSgInfo } from "../manager";
import { compareVersions } from "../../catalogue/versions";
import { probe } from "../network";

export const RESTORE_DATA_MS = 2 * 60_000;

export const wfdbCtlStart: Emulator = (ctx) => {
  const { s, host } = ctx;
  if (s.spec.db !== "internal")
    return failed(1, lines("WfdbCtlStart: the internal database is not used in this environment."));
  spend(s, 10_000);
  try {
    startService(s, host, "Wfdb_wfdb1", "WfdbCtlStart.bat");
    return ok(lines("waiting for server to start.... done", "server started"));
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    return failed(
      1,
      lines(
        "waiting for server to start.... stopped waiting",
        `pg_ctl: could not start server: ${e.message}`,
      ),
    );
  }
};

export const wfdbCtlStop: Emulator = (ctx) => {
  const { s, host } = ctx;
  if (s.spec.db !== "internal")
    return failed(1, lines("WfdbCtlStop: the internal database is not used in this environment."));
  spend(s, 10_000);
  if (!isRunning(s, host, "Wfdb_wfdb1"))
    return failed(1, lines("pg_ctl: PID file does not exist", "Is server running?"));
  stopService(s, host, "Wfdb_wfdb1", "WfdbCtlStop.bat");
  return ok(lines("waiting for server to shut down.... done", "server stopped"));
};

export const restoreDataC: Emulator = (ctx) => {
  const { s, host } = ctx;
  if (ctx.args.length > 0) return failed(1, lines("Usage: NvPRORestoreDataC.bat"));
  const cmdbUp =
    s.spec.db === "internal"
      ? isRunning(s, host, "Wfdb_wfdb1")
      : hostOf(s, host).sql.some(
          (i) => i.databases.some((d) => d.name.toLowerCase() === "wfdb") && isRunning(s, host, i.service),
        );
  if (!cmdbUp || !sharedReachable(s, host)) {
    return failed(
      1,
      lines(
        "NvPRORestoreDataC: cannot connect to the configuration management database (CMDB): start it first (§4.2.1 step 4a).",
      ),
    );
  }
  if (isRunning(s, host, "NvPROBaseMgr") || isRunning(s, host, OPS_MANAGER)) {
    return failed(1, lines("NvPRORestoreDataC: stop the Network Manager services first."));
  }
  const info = readSgInfo(s, host);
  const cmdb = readDb(s, "cmdb");
  if (!info || !cmdb)
    return failed(1, lines("NvPRORestoreDataC: the shared data or the CMDB was not found."));
  spend(s, RESTORE_DATA_MS);
  writeBytes(s, host, dbContentPath(s, "cmdb"), serializeDb({ ...cmdb, consistentWith: info.generation }));
  return ok(
    lines("NvPRORestoreDataC: checking the CMDB against the shared data...", "NvPRORestoreDataC: completed."),
  );
};

/**
 * The monitoring terminal: started from the desktop in the guide (§3.7). In the lab running it connects to
 * the Manager through the floating IP and reports the result; exit 1 when it cannot log in.
 */
export const sysMonSvc: Emulator = (ctx) => {
  const { s, host } = ctx;
  const h = hostOf(s, host);
  if (!h.view) return failed(1, lines("SysMonSvc: the View function is not installed."));
  if (!h.processes.some((p) => p.toLowerCase() === VIEW_PROCESS.toLowerCase()))
    h.processes.push(VIEW_PROCESS);
  spend(s, 20_000);
  const target = probe(s, host, s.spec.floatingIp, MANAGER_CONSOLE_PORT);
  if (!target)
    return failed(
      1,
      lines(
        `SysMonSvc: cannot connect to the manager (${s.spec.floatingIp}:${MANAGER_CONSOLE_PORT}): confirm the Manager services (§3.7 step 2).`,
      ),
    );
  const manager = hostOf(s, target).manager?.version ?? "?";
  if (compareVersions(h.view.version, manager) !== 0) {
    return failed(
      1,
      lines(
        `SysMonSvc: the monitoring terminal (${h.view.version}) does not match the manager (${manager}): update it (§3.6).`,
      ),
    );
  }
  return ok(
    lines(
      `SysMonSvc: logged in to the manager on ${target} (${s.spec.floatingIp}:${MANAGER_CONSOLE_PORT}, version ${manager}).`,
    ),
  );
};
