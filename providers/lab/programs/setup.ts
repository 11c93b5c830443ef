/**
 * Setup.exe of the NetMgr media, with the unattended command line assumed in
 * providers/catalogue/unconfirmed.ts (UNCONFIRMED: the guide shows only the GUI, §3.1 / §3.6):
 *
 *   Setup.exe /S /FUNCTION=Manager /UPDATEDATA=YES|NO /LOG=<file>
 *   Setup.exe /S /FUNCTION=View /LOG=<file>
 *   Setup.exe /S /UNINSTALL /FUNCTION=Manager|View /LOG=<file>
 *
 * The result log holds "Failed : N" like the Finish screen (§3.1 step 6); exit 0 when N = 0, 1 otherwise,
 * 2 for a command line the installer does not accept. The installer registers the Manager services as Auto
 * and starts FTBase, so §3.1 step 7 (set them Manual, stop them) is a real step here.
 */
import type { LabState } from "../state";
import { failed, lines, ok, type Emulator, type ProgramContext } from "./context";
import { compareVersions } from "../../catalogue/versions";
import { VIEW_PROCESS } from "../../catalogue/unconfirmed";
import { hostOf, managerDir, stamp } from "../world";
import { freeBytes, resolve, statPath, writeBytes, removePath, LabFsError } from "../fs";
import { enc } from "../texts";
import { spend } from "../engine";
import { fire, armed } from "../faults";
import { record } from "../timeline";
import {
  installManagerFiles,
  installViewFiles,
  registerManagerServices,
  setManager,
  setView,
  viewDir,
} from "../install";
import { netmgrServices, startService } from "../services";
import { updateDataPath } from "../manager";
import { normalizePath } from "../paths";

export const MANAGER_INSTALL_MS = 15 * 60_000;
export const VIEW_INSTALL_MS = 5 * 60_000;
export const UNINSTALL_MS = 5 * 60_000;
/** §2.1 item 3: about 1 GB of work area on the system drive. */
const WORK_AREA = 1024 ** 3;
/** The ten characters JIS X 0213:2004 added (§2.1 item 4: TEMP must not contain them). */
const JIS2004_ADDED = ["𠮟", "俱", "剝", "吞", "噓", "姸", "屛", "幷", "瘦", "繫"];

interface SetupArgs {
  silent: boolean;
  uninstall: boolean;
  fn?: "Manager" | "View";
  updateData?: boolean;
  log?: string;
}

function usage(problem: string): ReturnType<Emulator> {
  return failed(
    2,
    lines(
      `Setup: ${problem}`,
      "Usage: Setup.exe /S /FUNCTION=Manager /UPDATEDATA=YES|NO /LOG=<file>",
      "       Setup.exe /S /FUNCTION=View /LOG=<file>",
      "       Setup.exe /S /UNINSTALL /FUNCTION=Manager|View /LOG=<file>",
    ),
  );
}

function parse(args: readonly string[]): SetupArgs | string {
  const out: SetupArgs = { silent: false, uninstall: false };
  for (const a of args) {
    const m = /^\/([A-Za-z]+)(?:=(.*))?$/.exec(a);
    if (!m) return `unexpected argument "${a}"`;
    const key = (m[1] ?? "").toUpperCase();
    const value = m[2];
    switch (key) {
      case "S":
        if (value !== undefined) return "/S takes no value";
        out.silent = true;
        break;
      case "UNINSTALL":
        if (value !== undefined) return "/UNINSTALL takes no value";
        out.uninstall = true;
        break;
      case "FUNCTION":
        if (value?.toLowerCase() === "manager") out.fn = "Manager";
        else if (value?.toLowerCase() === "view") out.fn = "View";
        else return `/FUNCTION must be Manager or View, not "${value ?? ""}"`;
        break;
      case "UPDATEDATA":
        if (value?.toUpperCase() === "YES") out.updateData = true;
        else if (value?.toUpperCase() === "NO") out.updateData = false;
        else return `/UPDATEDATA must be YES or NO, not "${value ?? ""}"`;
        break;
      case "LOG":
        if (!value) return "/LOG needs a file name";
        out.log = value;
        break;
      default:
        return `unknown switch /${m[1]}`;
    }
  }
  if (!out.silent) return "the lab runs the installer unattended only: /S is required";
  if (!out.fn) return "/FUNCTION is required";
  if (!out.log) return "/LOG is required";
  if (out.fn === "Manager" && !out.uninstall && out.updateData === undefined)
    return "/UPDATEDATA=YES|NO is required for the Manager";
  if ((out.fn === "View" || out.uninstall) && out.updateData !== undefined)
    return "/UPDATEDATA applies to installing the Manager only";
  return out;
}

function writeLog(
  ctx: ProgramContext,
  path: string,
  a: SetupArgs,
  version: string,
  problems: string[],
  succeeded: number,
): void {
  const s = ctx.s;
  const text = [
    "MasterScope Network Manager Setup",
    `Date : ${stamp(s.now)}`,
    `Operation : ${a.uninstall ? "Uninstall" : "Install"}`,
    `Function : ${a.fn}`,
    `Version : ${version}`,
    ...(a.fn === "Manager" && !a.uninstall
      ? [`Update data area at startup : ${a.updateData ? "Yes" : "No"}`]
      : []),
    ...problems.map((p) => `Error : ${p}`),
    `Succeeded : ${succeeded}`,
    `Failed : ${problems.length}`,
    "",
  ].join("\n");
  try {
    writeBytes(s, ctx.host, path, enc(s, text));
  } catch {
    // The log cannot be written (e.g. its drive is full): the exit code still tells.
  }
}

function environmentProblems(s: LabState, host: string): string[] {
  const h = hostOf(s, host);
  const problems: string[] = [];
  if (!h.admin) problems.push("Administrator rights are required (§2.1 item 1)");
  const temp = h.env.TEMP ?? h.env.TMP;
  if (!temp) problems.push("neither %TEMP% nor %TMP% is defined (§2.1 item 3)");
  else {
    if (JIS2004_ADDED.some((c) => temp.includes(c)))
      problems.push(`%TEMP% (${temp}) contains a character added in JIS2004 (§2.1 item 4)`);
    else if (statPath(s, host, temp) !== "dir")
      problems.push(`the %TEMP% folder ${temp} does not exist or cannot be written (§2.1 item 3)`);
  }
  const sys = resolve(s, host, "C:\\");
  if (freeBytes(sys.volume) < WORK_AREA || armed(s, "disk-full", host)) {
    if (fire(s, "disk-full", host, "the installer's work area") || freeBytes(sys.volume) < WORK_AREA) {
      problems.push(
        "There is not enough space on the disk: the installer needs about 1 GB on the system drive (§2.1 item 3)",
      );
    }
  }
  return problems;
}

export const setup: Emulator = (ctx) => {
  const a = parse(ctx.args);
  if (typeof a === "string") return usage(a);
  const s = ctx.s;
  const host = ctx.host;
  const h = hostOf(s, host);
  const version = ctx.version ?? "";
  let logPath: string;
  try {
    logPath = normalizePath(a.log ?? "", ctx.cwd);
  } catch (e) {
    return usage((e as Error).message);
  }
  const problems: string[] = [];
  let succeeded = 0;

  if (a.uninstall) {
    spend(s, UNINSTALL_MS);
    if (a.fn === "Manager") {
      if (!h.manager) problems.push("the Manager function is not installed");
      else if (netmgrServices(s, host).some((x) => x.state === "Running")) {
        problems.push("Network Manager services are running: stop them first");
      } else {
        h.services = h.services.filter((x) => !netmgrServices(s, host).includes(x));
        removePath(s, host, `${managerDir(s)}\\bin`);
        setManager(s, host, null);
        succeeded = 1;
      }
    } else if (!h.view) problems.push("the View function is not installed");
    else if (h.processes.some((p) => p.toLowerCase() === VIEW_PROCESS.toLowerCase()))
      problems.push("the monitoring terminal (SysMonSvc.exe) is running (§3.6 Caution)");
    else {
      removePath(s, host, `${viewDir(s)}\\bin`);
      setView(s, host, null);
      succeeded = 1;
    }
  } else {
    problems.push(...environmentProblems(s, host));
    if (a.fn === "Manager") {
      if (h.role !== "node") problems.push("the lab installs the Manager function on cluster nodes only");
      if (statPath(s, host, updateDataPath(s)) === "dir") {
        problems.push(`${updateDataPath(s)} exists: move or delete it before installing (§3.1 Caution)`);
      }
      if (h.manager && compareVersions(h.manager.version, version) > 0) {
        problems.push(`a newer version (${h.manager.version}) of the Manager is installed`);
      }
      if (netmgrServices(s, host).some((x) => x.state === "Running")) {
        problems.push("files in use: Network Manager services are running on this host");
      }
    } else if (h.processes.some((p) => p.toLowerCase() === VIEW_PROCESS.toLowerCase())) {
      problems.push(
        "the monitoring terminal process SysMonSvc.exe is running: stop it before installing (§3.6 Caution)",
      );
    } else if (h.view && compareVersions(h.view.version, version) > 0) {
      problems.push(`a newer version (${h.view.version}) of the View is installed`);
    }
    if (problems.length === 0 && fire(s, "installer-fails", host, `Setup.exe (${a.fn} ${version})`)) {
      problems.push(
        "component installation failed (injected fault installer-fails)",
        "component registration failed",
      );
    }
    spend(s, problems.length > 0 ? 60_000 : a.fn === "Manager" ? MANAGER_INSTALL_MS : VIEW_INSTALL_MS);
    if (problems.length === 0) {
      try {
        if (a.fn === "Manager") {
          installManagerFiles(s, host, version);
          registerManagerServices(s, host, version, "Auto");
          if (a.updateData) {
            writeBytes(
              s,
              host,
              `${updateDataPath(s)}\\UpdateData.inf`,
              enc(s, `[UPDATE]\nVERSION=${version}\nCREATED=${stamp(s.now)}\n`),
            );
            writeBytes(
              s,
              host,
              `${updateDataPath(s)}\\sg\\update.dat`,
              enc(s, `shared data update to ${version}\n`),
            );
          }
          setManager(s, host, version);
          // The installer leaves FTBase running (§3.1 step 7: "If any services have already been started, stop those services").
          try {
            startService(s, host, "FTBase", "started by the installer");
          } catch {
            record(s, "note", `${host}: the installer could not start FTBase`, { host });
          }
        } else {
          installViewFiles(s, host, version);
          setView(s, host, version);
        }
        succeeded = 12;
      } catch (e) {
        if (!(e instanceof LabFsError)) throw e;
        problems.push(e.message);
      }
    }
  }
  writeLog(ctx, logPath, a, version, problems, succeeded);
  const summary = `${a.uninstall ? "Uninstall" : "Install"} of ${a.fn} ${version}: Succeeded : ${succeeded}, Failed : ${problems.length}`;
  return problems.length === 0
    ? ok(lines(summary))
    : failed(1, lines(...problems.map((p) => `Error: ${p}`), summary));
};
