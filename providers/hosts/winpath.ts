/**
 * Windows paths as text, the same on every side of the seam (procedures, transports, the lab, config
 * checks): `\`-separated, case-insensitive, drive-rooted (`C:\`) or UNC (`\\server\share`).
 */

/** `C:\a\b\` -> `C:\a\b`. */
export function withoutTrailingSeparator(path: string): string {
  return path.replace(/\\+$/, "");
}

export function winJoin(...parts: string[]): string {
  return parts
    .filter((p) => p.length > 0)
    .map((p, i) => (i === 0 ? withoutTrailingSeparator(p) : p.replace(/^\\+|\\+$/g, "")))
    .join("\\");
}

/** The last component of a Windows path ("C:\\a\\b.ini" -> "b.ini"). */
export function leafName(path: string): string {
  return withoutTrailingSeparator(path).split("\\").pop() ?? path;
}

/** The parent folder (`C:\a\b` -> `C:\a`, `C:\a` -> `C:\`); undefined for a drive or share root. */
export function parentFolder(path: string): string | undefined {
  const trimmed = withoutTrailingSeparator(path);
  const root = /^([A-Za-z]:|\\\\[^\\]+\\[^\\]+)/.exec(trimmed)?.[0];
  if (root === undefined || trimmed.length <= root.length) return undefined;
  const cut = trimmed.lastIndexOf("\\");
  return cut <= root.length ? `${root}\\` : trimmed.slice(0, cut);
}

/** `inner` is `outer` or a path below it (case-insensitive, as NTFS compares). */
export function isWithin(inner: string, outer: string): boolean {
  const a = withoutTrailingSeparator(inner).toLowerCase();
  const b = withoutTrailingSeparator(outer).toLowerCase();
  return a === b || a.startsWith(`${b}\\`);
}
