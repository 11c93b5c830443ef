/**
 * Facts the guide does not give and public material does not confirm. Each is a sensible default in ONE
 * place, used by the procedures and emulated by the lab, so a test run on a real cluster can correct it
 * (docs/unconfirmed.md lists them and how to check each one).
 */
import type { FirewallPort } from "../config/stack";

export type NetMgrFunction = "Manager" | "View";

/**
 * UNCONFIRMED: the unattended command line of NetMgr's Setup.exe (the guide shows only the GUI of §3.1/§3.6).
 * Assumed: `/S` silent, `/FUNCTION=<Manager|View>`, `/UPDATEDATA=<YES|NO>` ("Update data area at startup",
 * Manager only), `/LOG=<file>` result log holding a "Failed : N" line like the Finish screen.
 */
export function installerArgs(
  fn: NetMgrFunction,
  updateDataAtStartup: boolean | undefined,
  logFile: string,
): string[] {
  const args = ["/S", `/FUNCTION=${fn}`];
  if (fn === "Manager") args.push(`/UPDATEDATA=${updateDataAtStartup ? "YES" : "NO"}`);
  args.push(`/LOG=${logFile}`);
  return args;
}

/** UNCONFIRMED: the unattended uninstall (§4.2.5 step 1, §4.2.3 step 3). */
export function uninstallerArgs(fn: NetMgrFunction, logFile: string): string[] {
  return ["/S", "/UNINSTALL", `/FUNCTION=${fn}`, `/LOG=${logFile}`];
}

/** UNCONFIRMED: the installer result log's failure count, as the Finish screen shows "Failed" (§3.1 step 6). */
export const INSTALLER_FAILED_LINE = /^\s*Failed\s*[:=]\s*(\d+)\s*$/im;

/**
 * UNCONFIRMED: the exact text of RupInstCmd.log's final ExitCode line (§3.5 step 2 says only "the ExitCode
 * value recorded at the end of the log file"). Matched case-insensitively; the last match wins.
 */
export const RUPINST_EXIT_CODE = /ExitCode\s*[:=]\s*(-?\d+)/gi;

/** §3.5 step 3: the NvpLog.log records (quoted by the guide). */
export const NVPLOG_INIT_START = "BaseMgr Initialization start";
export const NVPLOG_INIT_END = "BaseMgr Initialization end";

/**
 * UNCONFIRMED: where the §3.8 "Use Web API Function" option is stored once checked in the console GUI.
 * Assumed an INI on the shared disk: %NVP_SHARE_PATH%\Manager\sg\NvPRO\NvPROWebAPI.ini, [WEBAPI] Use=1, Port=n.
 */
export const WEBAPI_INI = {
  relativeToShare: "Manager\\sg\\NvPRO\\NvPROWebAPI.ini",
  section: "WEBAPI",
} as const;

/** UNCONFIRMED: SysMonMgr -backup's "backup id" line ("Backup ID : 005"); ids are 3-digit (§4.2.4 step 5). */
export const SYSMONMGR_BACKUP_ID = /Backup\s*ID\s*[:=]\s*(\d{3})/i;

/**
 * UNCONFIRMED: the TCP port a monitoring terminal (View) connects to on the Manager (§3.7 checks the connection
 * through the console GUI). Used to check, from each console, that the Manager answers after an update.
 */
export const MANAGER_CONSOLE_PORT = 12520;

/**
 * UNCONFIRMED: the inbound ports the updated Manager needs (§2.2.1 refers to "Firewall Settings" of the NetMgr
 * setup guide, which is not at hand): the monitoring terminals' connection (§3.7) and, with the Web Console,
 * the WebAPI (§3.8). Ports the setup guide lists beyond these go to netmgr:firewall.ports.
 */
export function requiredInboundPorts(c: { webConsole: boolean; webApiPort: number }): FirewallPort[] {
  return [
    {
      port: MANAGER_CONSOLE_PORT,
      protocol: "TCP",
      purpose: "the monitoring terminals' connection to the Manager, §3.7",
    },
    ...(c.webConsole
      ? [{ port: c.webApiPort, protocol: "TCP" as const, purpose: "the WebAPI the Web Console calls, §3.8" }]
      : []),
  ];
}

/** UNCONFIRMED: update modules (§2.1 item 7) are applied by running them with this silent switch. */
export const UPDATE_MODULE_ARGS = ["/S"];

/** The monitoring terminal's process that must be stopped before the View is overwritten (§3.6 Caution). */
export const VIEW_PROCESS = "SysMonSvc";
