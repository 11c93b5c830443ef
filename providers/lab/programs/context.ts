/** What an emulated program gets: the lab state, where it runs, and its arguments. */
import type { LabState } from "../state";
import type { RunResult } from "../../hosts/types";

export interface ProgramContext {
  s: LabState;
  host: string;
  /** Absolute working directory. */
  cwd: string;
  /** The program file that was resolved. */
  path: string;
  /** The version in the program's marker (the NetMgr version of the media or installation it came from). */
  version: string | undefined;
  /** Argument values (secrets revealed: the lab is the transport). */
  args: string[];
  /** The same arguments as the timeline shows them (secrets as "[secret]"). */
  shown: string[];
}

export type Emulator = (ctx: ProgramContext) => RunResult;

export const ok = (output: string): RunResult => ({ exitCode: 0, output });
export const failed = (exitCode: number, output: string): RunResult => ({ exitCode, output });

/** Join output lines with CRLF, as a Windows console program writes them. */
export function lines(...ls: string[]): string {
  return ls.map((l) => `${l}\r\n`).join("");
}
