/**
 * Text files as NetMgr writes them: CRLF lines in the configured encoding (CP932 by default, UNCONFIRMED,
 * see providers/catalogue/unconfirmed.ts), and the marker line that tells the lab which emulator runs a
 * program file.
 */
import { decode, encode, type FileEncoding } from "../procedures/text";
import type { LabState } from "./state";

/** A text file as NetMgr writes it: CRLF lines in the configured encoding. */
export function encodeText(text: string, encoding: FileEncoding): Buffer {
  return encode(text.replace(/\r?\n/g, "\r\n"), encoding);
}

export { decode as decodeText };

export const enc = (s: LabState, text: string): Buffer => encodeText(text, s.spec.fileEncoding);
export const dec = (s: LabState, data: Buffer): string => decode(data, s.spec.fileEncoding);

/** A Japanese comment line where the encoding can hold it, so that a reader assuming the wrong encoding shows. */
export function jaComment(s: LabState, text: string): string {
  return s.spec.fileEncoding === "latin1" ? "" : `; ${text}\n`;
}

/** Parse `key=value` lines of an INI (sections ignored: NetMgr keys are unique per file). */
export function iniValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^;#[=][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1]) out[m[1].toUpperCase()] = m[2] ?? "";
  }
  return out;
}

/** Set `key=value` in an INI text (NetMgr keys are unique per file), adding it at the end when absent. */
export function iniSet(text: string, key: string, value: string): string {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => new RegExp(`^\\s*${key}\\s*=`, "i").test(l));
  if (i >= 0) {
    lines[i] = `${key}=${value}`;
    return lines.join("\n");
  }
  return `${text.replace(/\n*$/, "\n")}${key}=${value}\n`;
}

/**
 * The marker that makes a file runnable in the lab: `lab-program: <emulator> [version]`. Batch files carry it
 * in a `rem` line, executables as their whole content.
 */
export const PROGRAM_MARKER = /lab-program:\s*([\w.-]+)(?:\s+([\w.]+))?/;

export function exeContent(emulator: string, version?: string): Buffer {
  return Buffer.from(`MZ lab-program: ${emulator}${version ? ` ${version}` : ""}\r\n`, "latin1");
}

export function batContent(emulator: string, version: string | undefined, body: string): Buffer {
  return Buffer.from(
    `@echo off\r\nrem lab-program: ${emulator}${version ? ` ${version}` : ""}\r\n${body.replace(/\r?\n/g, "\r\n")}`,
    "latin1",
  );
}
