/**
 * The virtual Windows filesystem: per-host volumes (C:, the media drive) plus the shared disk, which a node
 * reaches only while the failover group's disk resource is online on it (like a real shared or mirror disk).
 * Paths are case-insensitive; contents are bytes (base64 in the state).
 */
import { createHash } from "node:crypto";
import type { DirEntry, FileKind, TreeEntry } from "../hosts/types";
import type { Entry, LabState, Volume } from "./state";
import { formatWinPath, keyOf, parseWinPath, type WinPath } from "./paths";
import { SHARED_VOLUME, hostOf, shareDrive, sharedReachable } from "./world";

export class LabFsError extends Error {
  override name = "LabFsError";
  constructor(
    message: string,
    readonly code: "notfound" | "nodrive" | "exists" | "notdir" | "isdir" | "diskfull" | "invalid",
  ) {
    super(message);
  }
}

export interface Resolved {
  volume: Volume;
  volumeId: string;
  path: WinPath;
  /** Display form, e.g. `C:\Program Files`. */
  full: string;
}

export function resolve(s: LabState, host: string, path: string, cwd?: string): Resolved {
  let p: WinPath;
  try {
    p = parseWinPath(path, cwd);
  } catch (e) {
    throw new LabFsError((e as Error).message, "invalid");
  }
  const h = hostOf(s, host);
  let volumeId = h.drives[p.drive];
  if (!volumeId && h.role === "node" && p.drive === shareDrive(s)) {
    // The shared disk: only from the host the disk resource is online on.
    if (!sharedReachable(s, host)) {
      throw new LabFsError(
        `Cannot find drive. A drive with the name '${p.drive.slice(0, 1)}' does not exist.`,
        "nodrive",
      );
    }
    volumeId = SHARED_VOLUME;
  }
  const volume = volumeId ? s.volumes[volumeId] : undefined;
  if (!volumeId || !volume) {
    throw new LabFsError(
      `Cannot find drive. A drive with the name '${p.drive.slice(0, 1)}' does not exist.`,
      "nodrive",
    );
  }
  return { volume, volumeId, path: p, full: formatWinPath(p) };
}

export function entryOf(r: Resolved): Entry | "root" | undefined {
  if (r.path.rest === "") return "root";
  return r.volume.entries[keyOf(r.path.rest)];
}

export function statPath(s: LabState, host: string, path: string, cwd?: string): FileKind | null {
  let r: Resolved;
  try {
    r = resolve(s, host, path, cwd);
  } catch (e) {
    if (e instanceof LabFsError && e.code === "nodrive") return null;
    throw e;
  }
  const e = entryOf(r);
  if (!e) return null;
  return e === "root" || e.dir ? "dir" : "file";
}

export function readBytes(s: LabState, host: string, path: string, cwd?: string): Buffer {
  const r = resolve(s, host, path, cwd);
  const e = entryOf(r);
  if (!e) throw new LabFsError(`Could not find file '${r.full}'.`, "notfound");
  if (e === "root" || e.dir) throw new LabFsError(`Access to the path '${r.full}' is denied.`, "isdir");
  return Buffer.from(e.data ?? "", "base64");
}

export function readText(s: LabState, host: string, path: string): string | undefined {
  try {
    return readBytes(s, host, path).toString("latin1");
  } catch {
    return undefined;
  }
}

function parentKeys(rest: string): string[] {
  const parts = rest.split("\\").filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`\\${parts.slice(0, i).join("\\")}`);
  return out;
}

function ensureDirs(s: LabState, r: Resolved, rest: string): void {
  for (const p of [...parentKeys(rest), rest]) {
    if (p === "") continue;
    const k = keyOf(p);
    const e = r.volume.entries[k];
    if (e && !e.dir)
      throw new LabFsError(`A file with the name '${p}' already exists where a folder is needed.`, "notdir");
    if (!e) r.volume.entries[k] = { name: p, dir: true, mtime: s.now };
  }
}

export function mkdirp(s: LabState, host: string, path: string, cwd?: string): void {
  const r = resolve(s, host, path, cwd);
  ensureDirs(s, r, r.path.rest);
}

export function usedBytes(v: Volume): number {
  let used = v.baseUsed;
  for (const e of Object.values(v.entries)) if (e.data) used += Math.floor((e.data.length * 3) / 4);
  return used;
}

export function freeBytes(v: Volume): number {
  return Math.max(0, v.capacity - usedBytes(v));
}

export function writeBytes(s: LabState, host: string, path: string, content: Buffer, cwd?: string): void {
  const r = resolve(s, host, path, cwd);
  if (r.path.rest === "") throw new LabFsError(`Access to the path '${r.full}' is denied.`, "isdir");
  const existing = r.volume.entries[keyOf(r.path.rest)];
  if (existing?.dir) throw new LabFsError(`Access to the path '${r.full}' is denied.`, "isdir");
  if (content.length > freeBytes(r.volume)) {
    throw new LabFsError(`There is not enough space on the disk. : '${r.full}'`, "diskfull");
  }
  const parts = r.path.rest.split("\\");
  ensureDirs(s, r, parts.slice(0, -1).join("\\"));
  r.volume.entries[keyOf(r.path.rest)] = {
    name: existing?.name ?? r.path.rest,
    dir: false,
    data: content.toString("base64"),
    mtime: s.now,
  };
}

/** Every entry below `r` (not `r` itself), with its path relative to `r`. */
function below(r: Resolved): { rel: string; key: string; entry: Entry }[] {
  const prefix = r.path.rest === "" ? "\\" : `${keyOf(r.path.rest)}\\`;
  const out: { rel: string; key: string; entry: Entry }[] = [];
  for (const [k, e] of Object.entries(r.volume.entries)) {
    if (k.startsWith(prefix)) out.push({ rel: e.name.slice(prefix.length), key: k, entry: e });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

export function listDir(s: LabState, host: string, path: string): DirEntry[] {
  const r = resolve(s, host, path);
  const e = entryOf(r);
  if (!e) throw new LabFsError(`Cannot find path '${r.full}' because it does not exist.`, "notfound");
  if (e !== "root" && !e.dir) throw new LabFsError(`'${r.full}' is not a folder.`, "notdir");
  return below(r)
    .filter((x) => !x.rel.includes("\\"))
    .map((x) => ({
      name: x.rel,
      kind: x.entry.dir ? ("dir" as const) : ("file" as const),
      size: x.entry.dir ? 0 : Buffer.from(x.entry.data ?? "", "base64").length,
    }));
}

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex").toUpperCase();
}

/** The files of a tree, relative paths `\`-separated, in path order. */
export function treeFiles(s: LabState, host: string, dir: string): { path: string; data: Buffer }[] {
  const r = resolve(s, host, dir);
  const e = entryOf(r);
  if (!e) throw new LabFsError(`Cannot find path '${r.full}' because it does not exist.`, "notfound");
  if (e !== "root" && !e.dir)
    return [{ path: r.path.rest.split("\\").pop() ?? "", data: Buffer.from(e.data ?? "", "base64") }];
  return below(r)
    .filter((x) => !x.entry.dir)
    .map((x) => ({ path: x.rel, data: Buffer.from(x.entry.data ?? "", "base64") }));
}

export function hashTreeOf(s: LabState, host: string, dir: string): TreeEntry[] {
  return treeFiles(s, host, dir).map((f) => ({ path: f.path, size: f.data.length, sha256: sha256(f.data) }));
}

export function removePath(s: LabState, host: string, path: string, cwd?: string): boolean {
  let r: Resolved;
  try {
    r = resolve(s, host, path, cwd);
  } catch (e) {
    if (e instanceof LabFsError && e.code === "nodrive") return false;
    throw e;
  }
  if (r.path.rest === "") throw new LabFsError(`Refusing to remove the root of ${r.path.drive}`, "invalid");
  const e = entryOf(r);
  if (!e) return false;
  // Entries are a plain record keyed by path: deleting a key is how a file goes away.
  for (const x of below(r)) Reflect.deleteProperty(r.volume.entries, x.key);
  Reflect.deleteProperty(r.volume.entries, keyOf(r.path.rest));
  return true;
}

/** Copy a file or a folder tree; the destination is replaced (HostOps.copy). */
export function copyPath(s: LabState, host: string, from: string, to: string): void {
  const src = resolve(s, host, from);
  const e = entryOf(src);
  if (!e) throw new LabFsError(`Cannot find path '${src.full}' because it does not exist.`, "notfound");
  const files = e === "root" || e.dir ? below(src) : [];
  const dst = resolve(s, host, to);
  const dstKey = keyOf(dst.path.rest);
  const srcKey = keyOf(src.path.rest);
  if (dst.volumeId === src.volumeId && (dstKey === srcKey || dstKey.startsWith(`${srcKey}\\`))) {
    throw new LabFsError(`Cannot copy '${src.full}' into itself.`, "invalid");
  }
  const size =
    e === "root" || e.dir
      ? files.reduce((n, f) => n + (f.entry.data?.length ?? 0), 0)
      : (e.data?.length ?? 0);
  if ((size * 3) / 4 > freeBytes(dst.volume)) {
    throw new LabFsError(`There is not enough space on the disk. : '${dst.full}'`, "diskfull");
  }
  removePath(s, host, dst.full);
  if (e !== "root" && !e.dir) {
    writeBytes(s, host, dst.full, Buffer.from(e.data ?? "", "base64"));
    return;
  }
  ensureDirs(s, dst, dst.path.rest);
  for (const f of files) {
    const rest = `${dst.path.rest}\\${f.rel}`;
    if (f.entry.dir) ensureDirs(s, dst, rest);
    else dst.volume.entries[keyOf(rest)] = { name: rest, dir: false, data: f.entry.data ?? "", mtime: s.now };
  }
}

/** Rename (Move-Item -Force): a file replaces an existing file; a folder may not replace anything. */
export function movePath(s: LabState, host: string, from: string, to: string): void {
  const src = resolve(s, host, from);
  const e = entryOf(src);
  if (!e || e === "root")
    throw new LabFsError(`Cannot find path '${src.full}' because it does not exist.`, "notfound");
  const dst = resolve(s, host, to);
  const existing = entryOf(dst);
  if (existing && (existing === "root" || existing.dir || e.dir)) {
    throw new LabFsError(`Cannot create a file when that file already exists. : '${dst.full}'`, "exists");
  }
  copyPath(s, host, from, to);
  removePath(s, host, from);
}
