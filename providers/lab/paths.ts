/**
 * Windows paths as the lab's virtual filesystem sees them: case-insensitive, `\`-separated, drive-rooted.
 * Pure string functions; the filesystem itself is in fs.ts.
 */

export interface WinPath {
  /** Upper-case drive with colon, e.g. "C:". */
  drive: string;
  /** Path below the drive root with a leading `\`, original case; "" for the root itself. */
  rest: string;
}

export class PathError extends Error {
  override name = "PathError";
}

/** Parse an absolute path, or a relative one against `cwd` (itself absolute). `/` is accepted as `\`. */
export function parseWinPath(path: string, cwd?: string): WinPath {
  const p = path.replace(/\//g, "\\");
  let drive: string;
  let rest: string;
  const abs = /^([A-Za-z]):(.*)$/.exec(p);
  if (abs) {
    drive = `${(abs[1] ?? "").toUpperCase()}:`;
    rest = abs[2] ?? "";
    if (rest !== "" && !rest.startsWith("\\")) {
      // "C:foo" is relative to the drive's current folder; the lab has none.
      if (!cwd) throw new PathError(`not an absolute path: ${path}`);
      const base = parseWinPath(cwd);
      if (base.drive !== drive) throw new PathError(`not an absolute path: ${path}`);
      rest = `${base.rest}\\${rest}`;
    }
  } else if (p.startsWith("\\\\")) {
    throw new PathError(`UNC paths are not modelled by the lab: ${path}`);
  } else {
    if (!cwd) throw new PathError(`not an absolute path: ${path}`);
    const base = parseWinPath(cwd);
    drive = base.drive;
    rest = p.startsWith("\\") ? p : `${base.rest}\\${p}`;
  }
  const parts: string[] = [];
  for (const seg of rest.split("\\")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      parts.pop();
      continue;
    }
    if (/[<>:"|?*]/.test(seg)) throw new PathError(`invalid character in path: ${path}`);
    // Windows drops trailing dots and spaces of a name.
    parts.push(seg.replace(/[. ]+$/, "") || seg);
  }
  return { drive, rest: parts.length ? `\\${parts.join("\\")}` : "" };
}

export function formatWinPath(p: WinPath): string {
  return p.rest === "" ? `${p.drive}\\` : `${p.drive}${p.rest}`;
}

/** Normalized absolute form of `path` (for messages and comparisons). */
export function normalizePath(path: string, cwd?: string): string {
  return formatWinPath(parseWinPath(path, cwd));
}

/** The case-insensitive key of a path below a drive root. */
export function keyOf(rest: string): string {
  return rest.toLowerCase();
}

export function samePath(a: string, b: string): boolean {
  return normalizePath(a).toLowerCase() === normalizePath(b).toLowerCase();
}

/** True when `path` is `root` or below it (case-insensitive). */
export function isUnder(path: string, root: string): boolean {
  const p = normalizePath(path).toLowerCase();
  const r = normalizePath(root).toLowerCase().replace(/\\$/, "");
  return p === r || p.startsWith(`${r}\\`);
}
