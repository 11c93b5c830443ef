/**
 * Running a program on a lab host (HostOps.run): the program is resolved from the host's filesystem like
 * cmd.exe does (the working folder, then PATH, trying PATHEXT), and the marker in the file names the
 * emulator. A program that is not there fails with 9009 "is not recognized", exactly like Windows, so a
 * script that was never copied from the media cannot run (§3.4.1 step 1).
 */
import type { RunResult } from "../../hosts/types";
import type { LabState } from "../state";
import { hostOf } from "../world";
import { readBytes, statPath } from "../fs";
import { PROGRAM_MARKER } from "../texts";
import { notRecognized, splitArgs } from "../batch";
import { winJoin } from "../../hosts/winpath";
import { normalizePath } from "../paths";
import type { Emulator, ProgramContext } from "./context";
import { hostname, net } from "./system";
import { setup } from "./setup";
import { nvproDbSetup, wfdbCmdSetupPostgres, wfdbCmdSetupSqlServer } from "./dbscripts";
import { sysMonMgr } from "./sysmonmgr";
import { adapterRemove, adapterSetup } from "./adapter";
import { restoreDataC, sysMonSvc, wfdbCtlStart, wfdbCtlStop } from "./cmdb";
import { clpstat } from "./clpstat";
import { clpgrp } from "./clpgrp";
import { clpcl } from "./clpcl";
import { clpcfctrl } from "./clpcfctrl";

const EMULATORS: Record<string, Emulator> = {
  net,
  hostname,
  setup,
  "wfdbcmdsetup-postgres": wfdbCmdSetupPostgres,
  "wfdbcmdsetup-sqlserver": wfdbCmdSetupSqlServer,
  nvprodbsetup: nvproDbSetup,
  sysmonmgr: sysMonMgr,
  "adapter-setup": adapterSetup,
  "adapter-remove": adapterRemove,
  nvprorestoredatac: restoreDataC,
  wfdbctlstart: wfdbCtlStart,
  wfdbctlstop: wfdbCtlStop,
  sysmonsvc: sysMonSvc,
  clpstat,
  clpgrp,
  clpcl,
  clpcfctrl,
  clplogcmd: () => ({ exitCode: 0, output: "" }),
};

export const EMULATOR_NAMES = Object.keys(EMULATORS);

/** Virtual time a program takes when its emulator does not say (a short command). */
export const DEFAULT_PROGRAM_MS = 1_000;

const PATHEXT = [".com", ".exe", ".bat", ".cmd"];

export interface Resolved {
  path: string;
  emulator: string;
  version: string | undefined;
}

/** Find the program file as cmd.exe would; undefined when there is none. */
export function resolveProgram(
  s: LabState,
  host: string,
  program: string,
  cwd: string,
): Resolved | "not-runnable" | undefined {
  const h = hostOf(s, host);
  const hasDir = /[\\/:]/.test(program);
  const dirs = hasDir ? [""] : [cwd, ...(h.env.PATH ?? "").split(";").filter(Boolean)];
  const hasExt = PATHEXT.some((e) => program.toLowerCase().endsWith(e));
  const names = hasExt ? [program] : PATHEXT.map((e) => `${program}${e}`);
  for (const dir of dirs) {
    for (const name of names) {
      let full: string;
      try {
        full = dir === "" ? normalizePath(name, cwd) : normalizePath(winJoin(dir, name));
      } catch {
        continue;
      }
      if (statPath(s, host, full) !== "file") continue;
      const m = PROGRAM_MARKER.exec(readBytes(s, host, full).toString("latin1"));
      if (!m) return "not-runnable";
      return { path: full, emulator: (m[1] ?? "").toLowerCase(), version: m[2] };
    }
  }
  return undefined;
}

export function runProgram(
  s: LabState,
  host: string,
  program: string,
  args: string[],
  shown: string[],
  cwd: string,
): RunResult {
  // cmd.exe /c <command line>: run the command it names (the PowerShell transport's form for .bat files).
  const base = program.toLowerCase().replace(/^.*\\/, "");
  if (base === "cmd" || base === "cmd.exe") {
    const i = args.findIndex((a) => /^\/[ck]$/i.test(a));
    if (i < 0) return { exitCode: 1, output: "The lab's cmd.exe runs only /c <command>.\r\n" };
    let rest = args.slice(i + 1);
    let restShown = shown.slice(i + 1);
    if (rest.length === 1) {
      rest = splitArgs(rest[0] ?? "");
      restShown = splitArgs(restShown[0] ?? "");
    }
    const [p, ...a] = rest;
    if (!p) return { exitCode: 0, output: "" };
    return runProgram(s, host, p, a, restShown.slice(1), cwd);
  }
  const resolved = resolveProgram(s, host, program, cwd);
  if (resolved === undefined) return { exitCode: 9009, output: notRecognized(program) };
  if (resolved === "not-runnable") {
    return { exitCode: 1, output: `The system cannot execute the specified program: ${program}\r\n` };
  }
  const emulator = EMULATORS[resolved.emulator];
  if (!emulator)
    return { exitCode: 1, output: `${resolved.path}: unknown lab program "${resolved.emulator}"\r\n` };
  const ctx: ProgramContext = { s, host, cwd, path: resolved.path, version: resolved.version, args, shown };
  return emulator(ctx);
}
