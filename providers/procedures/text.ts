/**
 * NetMgr's INI and log files are in the Windows ANSI code page (CP932 on Japanese Windows; UNCONFIRMED, set by
 * netmgr:fileEncoding). Bytes cross the host seam; this is the one place that turns them into text and back.
 */
import iconv from "iconv-lite";
import * as ini from "ini";

export type FileEncoding = "cp932" | "utf8" | "latin1";

export function decode(bytes: Buffer, encoding: FileEncoding): string {
  return iconv.decode(bytes, encoding);
}

export function encode(text: string, encoding: FileEncoding): Buffer {
  return iconv.encode(text, encoding);
}

export type IniData = Record<string, Record<string, string>>;

/** Parse INI text; section and key names keep their case, values are strings. */
export function parseIni(text: string): IniData {
  const parsed = ini.parse(text) as Record<string, unknown>;
  const out: IniData = {};
  for (const [section, values] of Object.entries(parsed)) {
    if (values && typeof values === "object") {
      out[section] = Object.fromEntries(
        Object.entries(values as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      );
    }
  }
  return out;
}

/** Find a key in any section, case-insensitively (WFDB.INI's section names differ between versions). */
export function findIniValue(data: IniData, key: string): string | undefined {
  for (const values of Object.values(data)) {
    for (const [k, v] of Object.entries(values)) if (k.toLowerCase() === key.toLowerCase()) return v;
  }
  return undefined;
}

/**
 * Set `key=value` in `section` of INI text, editing only that line (comments, order and other keys stay as they
 * are); adds the key (and section) when missing. CRLF is kept when the file uses it.
 */
export function setIniValue(text: string, section: string, key: string, value: string): string {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text.split(/\r?\n/);
  let inSection = false;
  let sectionEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const header = /^\s*\[(.+?)\]\s*$/.exec(line);
    if (header) {
      if (inSection) break;
      inSection = (header[1] ?? "").toLowerCase() === section.toLowerCase();
      if (inSection) sectionEnd = i + 1;
      continue;
    }
    if (!inSection) continue;
    const kv = /^(\s*)([^=;#\s][^=]*?)(\s*)=/.exec(line);
    if (kv && (kv[2] ?? "").toLowerCase() === key.toLowerCase()) {
      lines[i] = `${kv[1]}${kv[2]}${kv[3]}=${value}`;
      return lines.join(eol);
    }
    if (line.trim() !== "") sectionEnd = i + 1;
  }
  if (sectionEnd === -1) {
    const body = lines.length > 0 && lines[lines.length - 1] === "" ? lines.slice(0, -1) : lines;
    return [...body, `[${section}]`, `${key}=${value}`, ""].join(eol);
  }
  lines.splice(sectionEnd, 0, `${key}=${value}`);
  return lines.join(eol);
}
