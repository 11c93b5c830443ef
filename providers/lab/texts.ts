/**
 * Text files as NetMgr writes them: CRLF lines in the configured encoding (CP932 by default, UNCONFIRMED,
 * see providers/catalogue/unconfirmed.ts), and the marker line that tells the lab which emulator runs a
 * program file.
 */
import iconv from "iconv-lite";
import type { LabState } from "./state";

export type FileEncoding = "cp932" | "utf8" | "latin1";

export function encodeText(text: string, encoding: FileEncoding): Buffer {
  const crlf = text.replace(/\r?\n/g, "\r\n");
  return encoding === "utf8"
    ? Buffer.from(crlf, "utf8")
    : iconv.encode(crlf, encoding === "cp932" ? "cp932" : "latin1");
}

export function decodeText(data: Buffer, encoding: FileEncoding): string {
  return encoding === "utf8"
    ? data.toString("utf8")
    : iconv.decode(data, encoding === "cp932" ? "cp932" : "latin1");
}

export const enc = (s: LabState, text: string): Buffer => encodeText(text, s.spec.fileEncoding);
export const dec = (s: LabState, data: Buffer): string => decodeText(data, s.spec.fileEncoding);

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

/** Set `key=value` in an INI text (adding it at the end of `section`, or of the file). */
export function iniSet(text: string, key: string, value: string, section?: string): string {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => new RegExp(`^\\s*${key}\\s*=`, "i").test(l));
  if (i >= 0) {
    lines[i] = `${key}=${value}`;
    return lines.join("\n");
  }
  if (section) {
    const s = lines.findIndex((l) => l.trim().toLowerCase() === `[${section.toLowerCase()}]`);
    if (s >= 0) {
      let j = s + 1;
      while (j < lines.length && !/^\s*\[/.test(lines[j] ?? "") && (lines[j] ?? "").trim() !== "") j++;
      lines.splice(j, 0, `${key}=${value}`);
      return lines.join("\n");
    }
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
