/**
 * §3.4.2 step 2: the script resource's start.bat deletes the NvPRO Performance Database's `postmaster.pid`
 * before the services start, in BOTH the normal-start (`:NORMAL`) and the failover (`:FAILOVER`) section:
 *
 *     set NVP_DB_BASE_PATH=X:\MasterScope\Operations\Manager\sg\database
 *     …
 *     :NORMAL
 *     rem Check Disk
 *     IF "%CLP_DISK%" == "FAILURE" GOTO ERROR_DISK
 *     del %NVP_DB_BASE_PATH%\wfdb\dbms1\data\postmaster.pid 2>NUL
 *     del %NVP_DB_BASE_PATH%\NvPROPerfDB\postmaster.pid 2>NUL      <- added
 *
 * Pure functions on the file's text (the caller decodes and encodes its bytes). Everything not added is kept
 * byte for byte, line endings included, and removing what was added gives the original text back. §4.2.2
 * step 1 Tip says the line may stay on failback; `removePerfDbPidDeletion` exists for an exact undo.
 */

/** The line the guide adds (§3.4.2 step 2). */
export const PERFDB_PID_LINE = "del %NVP_DB_BASE_PATH%\\NvPROPerfDB\\postmaster.pid 2>NUL";
/** The same when NVP_DB_BASE_PATH holds a space (cmd would split the unquoted path). */
export const PERFDB_PID_LINE_QUOTED = 'del "%NVP_DB_BASE_PATH%\\NvPROPerfDB\\postmaster.pid" 2>NUL';

export type StartBatSection = "NORMAL" | "FAILOVER";
export const START_BAT_SECTIONS: readonly StartBatSection[] = ["NORMAL", "FAILOVER"];

/** Which parts of the edit are in the file (`status`) or were added by an edit (`added`). */
export interface PerfDbPidParts {
  normal: boolean;
  failover: boolean;
  /** The `set NVP_DB_BASE_PATH=…` line. */
  baseVariable: boolean;
}

export interface PerfDbPidEdit {
  text: string;
  /** What this edit added; all false when the file already had everything (idempotent). */
  added: PerfDbPidParts;
}

export class StartBatError extends Error {
  override name = "StartBatError";
}

/** Where the pulled configuration keeps a script resource's start.bat. */
export function startBatPath(group: string, scriptResource: string): string {
  return `scripts\\${group}\\${scriptResource}\\start.bat`;
}

/** Is the deletion present in each section, and is NVP_DB_BASE_PATH set? */
export function perfDbPidDeletionStatus(text: string): PerfDbPidParts {
  const lines = splitLines(text);
  return {
    normal: findPerfDbLine(lines, section(lines, "NORMAL")) !== undefined,
    failover: findPerfDbLine(lines, section(lines, "FAILOVER")) !== undefined,
    baseVariable: lines.some((l) => SET_BASE.test(l.body)),
  };
}

/**
 * Add the deletion where it is missing: after the section's last existing `postmaster.pid` deletion, else
 * after its `%CLP_DISK%` check (the guide's "Check Disk"), else right after the label. `sharePath` is
 * %NVP_SHARE_PATH% (e.g. `X:\MasterScope\Operations`), used only when NVP_DB_BASE_PATH is not set yet.
 */
export function addPerfDbPidDeletion(text: string, sharePath: string): PerfDbPidEdit {
  const lines = splitLines(text);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const added: PerfDbPidParts = { normal: false, failover: false, baseVariable: false };

  let base = baseValue(lines);
  if (base === undefined) {
    base = `${checkSharePath(sharePath)}\\Manager\\sg\\database`;
    insertBefore(lines, setLineIndex(lines), `set NVP_DB_BASE_PATH=${base}`, eol);
    added.baseVariable = true;
  }
  const line = base.includes(" ") ? PERFDB_PID_LINE_QUOTED : PERFDB_PID_LINE;

  for (const name of START_BAT_SECTIONS) {
    const range = section(lines, name);
    if (findPerfDbLine(lines, range) !== undefined) continue;
    insertAfter(lines, anchorIndex(lines, range), line, eol);
    if (name === "NORMAL") added.normal = true;
    else added.failover = true;
  }
  return { text: joinLines(lines), added };
}

/** Remove what `addPerfDbPidDeletion` added (by default: the deletion in both sections, not the set line). */
export function removePerfDbPidDeletion(
  text: string,
  added: PerfDbPidParts = { normal: true, failover: true, baseVariable: false },
): string {
  const lines = splitLines(text);
  // FAILOVER usually follows NORMAL; remove bottom-up so earlier indices stay valid.
  const targets: number[] = [];
  if (added.normal) pushDefined(targets, findPerfDbLine(lines, section(lines, "NORMAL")));
  if (added.failover) pushDefined(targets, findPerfDbLine(lines, section(lines, "FAILOVER")));
  if (added.baseVariable) {
    const i = lines.findIndex((l) => SET_BASE.test(l.body));
    if (i >= 0) targets.push(i);
  }
  for (const i of [...new Set(targets)].sort((a, b) => b - a)) removeAt(lines, i);
  return joinLines(lines);
}

// ---- the file as lines ------------------------------------------------------------------------------

interface Line {
  body: string;
  /** "\r\n", "\n", "\r", or "" for a last line without one. */
  eol: string;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /\r\n|\n|\r/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({ body: text.slice(at, m.index), eol: m[0] });
    at = m.index + m[0].length;
  }
  if (at < text.length) lines.push({ body: text.slice(at), eol: "" });
  return lines;
}

function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.body + l.eol).join("");
}

function insertAfter(lines: Line[], index: number, body: string, eol: string): void {
  const prev = lines[index];
  if (!prev) throw new RangeError(`no line ${index}`);
  if (prev.eol === "") {
    prev.eol = eol;
    lines.splice(index + 1, 0, { body, eol: "" });
  } else {
    lines.splice(index + 1, 0, { body, eol: prev.eol });
  }
}

function insertBefore(lines: Line[], index: number, body: string, eol: string): void {
  if (index >= lines.length) {
    if (lines.length === 0) lines.push({ body, eol: "" });
    else insertAfter(lines, lines.length - 1, body, eol);
    return;
  }
  lines.splice(index, 0, { body, eol });
}

/** Exact inverse of insertAfter/insertBefore. */
function removeAt(lines: Line[], index: number): void {
  const line = lines[index];
  const prev = lines[index - 1];
  if (line?.eol === "" && prev) prev.eol = "";
  lines.splice(index, 1);
}

function pushDefined(out: number[], i: number | undefined): void {
  if (i !== undefined) out.push(i);
}

// ---- what the lines mean ----------------------------------------------------------------------------

/** A label line (`:NORMAL`); `::` starts a comment, not a label. */
const LABEL = /^\s*:([^\s:]\S*)/;
const DISPATCH = /%CLP_EVENT%"?\s*==\s*"?[^"\s]*"?\s+GOTO\s+:?(\S+)/i;
/** The labels that start a section of the product's start.bat template (plus the CLP_EVENT dispatch targets). */
const TEMPLATE_LABELS = ["NORMAL", "RECOVER", "FAILOVER", "ERROR_DISK", "NO_CLP", "NO_ARM", "EXIT"];
const SET_BASE = /^\s*set\s+"?NVP_DB_BASE_PATH=/i;
const SET_BASE_VALUE = /^\s*set\s+"?NVP_DB_BASE_PATH=([^"]*)"?\s*$/i;
const PID_DELETE = /^\s*del\s.*postmaster\.pid/i;
const PERFDB_PID_DELETE = /^\s*del\s.*NvPROPerfDB[\\/]+postmaster\.pid/i;
const CLP_DISK = /%CLP_DISK%/i;

interface Range {
  /** The label line. */
  start: number;
  /** The next section's label line (exclusive). */
  end: number;
}

function bodyAt(lines: readonly Line[], i: number): string {
  return lines[i]?.body ?? "";
}

function labelOf(body: string): string | undefined {
  return LABEL.exec(body)?.[1]?.toUpperCase();
}

function section(lines: readonly Line[], name: StartBatSection): Range {
  const start = lines.findIndex((l) => labelOf(l.body) === name);
  if (start < 0)
    throw new StartBatError(`start.bat has no :${name} section (§3.4.2 step 2 edits :NORMAL and :FAILOVER)`);
  const sectionLabels = new Set(TEMPLATE_LABELS);
  for (const l of lines) {
    const target = DISPATCH.exec(l.body)?.[1];
    if (target) sectionLabels.add(target.toUpperCase());
  }
  let end = start + 1;
  while (end < lines.length && !sectionLabels.has(labelOf(bodyAt(lines, end)) ?? "")) end++;
  return { start, end };
}

function findPerfDbLine(lines: readonly Line[], r: Range): number | undefined {
  for (let i = r.end - 1; i > r.start; i--) if (PERFDB_PID_DELETE.test(bodyAt(lines, i))) return i;
  return undefined;
}

function anchorIndex(lines: readonly Line[], r: Range): number {
  for (let i = r.end - 1; i > r.start; i--) if (PID_DELETE.test(bodyAt(lines, i))) return i;
  for (let i = r.start + 1; i < r.end; i++) if (CLP_DISK.test(bodyAt(lines, i))) return i;
  return r.start;
}

function baseValue(lines: readonly Line[]): string | undefined {
  for (const l of lines) {
    const m = SET_BASE_VALUE.exec(l.body);
    if (m) return (m[1] ?? "").trim();
    if (SET_BASE.test(l.body)) return "";
  }
  return undefined;
}

/** Before the CLP_EVENT dispatch, so every event sees the variable; else before the first command. */
function setLineIndex(lines: readonly Line[]): number {
  const dispatch = lines.findIndex((l) => /%CLP_EVENT%/i.test(l.body));
  if (dispatch >= 0) return dispatch;
  const first = lines.findIndex((l) => !/^\s*(@?echo\b.*|rem\b.*|::.*)?$/i.test(l.body));
  return first >= 0 ? first : lines.length;
}

function checkSharePath(sharePath: string): string {
  const p = sharePath.replace(/\\+$/, "");
  if (!/^([A-Za-z]:|\\\\[^\\]+\\[^\\]+)(\\|$)/.test(p) || /[%&|<>^"\r\n]/.test(p)) {
    throw new StartBatError(`not a usable NVP_SHARE_PATH for start.bat: "${sharePath}"`);
  }
  return p;
}
