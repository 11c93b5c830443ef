/**
 * Installer media to a node (the double hop, "Making the second hop in PowerShell Remoting"): inside a remoting session the node has no
 * credentials for a third machine (an SSH key logon has none at all), so Setup.exe cannot read the media from
 * a share. The controller pushes the folder through the session with `Copy-Item -ToSession` into
 * `<stagingDir>\<name>` and the installer then runs from that local path.
 *
 * Resumable and verified: the SHA-256 manifest of the source (computed on the controller) is compared with the
 * node's copy before copying (an identical copy is kept, so a re-run does not copy gigabytes again) and after
 * (Copy-Item -ToSession has known failure reports, PowerShell/PowerShell#14646, #4952).
 *
 * The destination is `<stagingDir>\<name>`, or any node folder the caller names (the chain's MediaStaging
 * stages to the media's `path`). A caller that must not replace a folder it did not create says so
 * (`replace: false`): a different folder there is then an error, left untouched.
 */
import { manifestDigest, type StagedMedia } from "../hosts/target";
import { parentFolder, winJoin, withoutTrailingSeparator } from "../hosts/winpath";
import type { TreeEntry } from "../hosts/types";
import { hostError } from "./errors";
import type { PowerShellHostOps } from "./host-ops";

export interface StageOptions {
  /** Folder name under the staging folder; default: the last segment of the source path. */
  name?: string;
  /** Deadline of the copy itself (ms). */
  timeoutMs?: number;
}

export interface StageFolderOptions {
  /** Deadline of the copy itself (ms). */
  timeoutMs?: number;
  /**
   * When the destination exists and differs from the source: replace it (the default: a partial or older copy
   * of earlier staging), or refuse and leave it untouched (a folder someone else put there).
   */
  replace?: boolean;
  /** The source's manifest when the caller has it already (one source staged to many nodes is hashed once). */
  sourceManifest?: Promise<readonly TreeEntry[]>;
}

const INVALID_NAME = /[<>:"/\\|?*]/;

/** The last segment of a controller path (`/mnt/media/NetMgr90`, `\\srv\share\NetMgr90\`, `D:\NetMgr90`). */
export function mediaName(source: string): string {
  const segments = source.split(/[\\/]+/).filter((s) => s.length > 0);
  const name = segments[segments.length - 1] ?? "";
  return /^[A-Za-z]:$/.test(name) ? "" : name;
}

export function checkMediaName(name: string): string | undefined {
  if (name.length === 0)
    return "the media folder needs a name (the source path ends in a drive or a separator only)";
  if (name === "." || name === "..") return `"${name}" is not a folder name`;
  if (INVALID_NAME.test(name))
    return `"${name}" contains a character Windows does not allow in a folder name`;
  return undefined;
}

/** Differences between two manifests, by path (case-insensitive, as NTFS compares them). */
export function manifestDifferences(expected: readonly TreeEntry[], actual: readonly TreeEntry[]): string[] {
  const key = (p: string): string => p.toLowerCase();
  const have = new Map(actual.map((e) => [key(e.path), e]));
  const out: string[] = [];
  for (const e of expected) {
    const a = have.get(key(e.path));
    if (!a) out.push(`missing ${e.path}`);
    else if (a.size !== e.size || a.sha256.toLowerCase() !== e.sha256.toLowerCase())
      out.push(`differs ${e.path}`);
    have.delete(key(e.path));
  }
  for (const extra of have.values()) out.push(`extra ${extra.path}`);
  return out;
}

/** Stage into `<stagingDir>\<name>`; returns the node path to give Setup.exe. */
export async function stageMedia(
  ops: PowerShellHostOps,
  source: string,
  stagingDir: string,
  options: StageOptions,
  log: (line: string) => void,
): Promise<string> {
  const name = options.name ?? mediaName(source);
  const problem = checkMediaName(name);
  if (problem) throw hostError(ops.host, `stageMedia ${source}`, problem, "failed", []);
  const timeout = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  const destination = winJoin(stagingDir, name);
  return (await copyVerified(ops, source, destination, stagingDir, timeout, log)).destination;
}

/**
 * Stage a media folder into `destination` (a node folder below a drive or share root; its parents are created
 * when missing) and say what was done: the node path, its size and manifest digest, whether it copied.
 */
export async function stageMediaFolder(
  ops: PowerShellHostOps,
  source: string,
  destinationPath: string,
  options: StageFolderOptions,
  log: (line: string) => void,
): Promise<StagedMedia> {
  const destination = withoutTrailingSeparator(destinationPath);
  const parent = parentFolder(destination);
  if (parent === undefined)
    throw hostError(
      ops.host,
      `stageMedia ${source}`,
      `the destination must be a folder below a drive or share root, got "${destinationPath}"`,
      "failed",
      [],
    );
  return copyVerified(ops, source, destination, parent, options, log);
}

/** The copy itself: kept when identical, else (unless refused) replaced, created under `parent`, verified. */
async function copyVerified(
  ops: PowerShellHostOps,
  source: string,
  destination: string,
  parent: string,
  options: StageFolderOptions,
  log: (line: string) => void,
): Promise<StagedMedia> {
  const operation = `stageMedia ${source}`;
  const where = `${ops.host}:${destination}`;

  const expected = await (options.sourceManifest ?? ops.controllerManifest(source));
  const staged = (copied: boolean): StagedMedia => ({
    destination,
    files: expected.length,
    bytes: expected.reduce((sum, e) => sum + e.size, 0),
    manifestSha256: manifestDigest(expected),
    copied,
  });
  const present = await ops.stat(destination);
  if (present !== null) {
    const differences =
      present === "dir"
        ? manifestDifferences(expected, await ops.hashTree(destination))
        : [`${destination} is a file`];
    if (differences.length === 0) {
      log(`${where} already holds ${source} (${expected.length} files verified)`);
      return staged(false);
    }
    if (options.replace === false) {
      throw hostError(
        ops.host,
        operation,
        `${destination} exists and differs from ${source} (${summary(differences)}); it is left as it is: ` +
          `remove it, or stage to another folder`,
        "failed",
        [],
      );
    }
    const what = present === "dir" ? `${differences.length} files differ` : "it is a file";
    log(`${where} is not a copy of ${source} (${what}), copying again`);
  }
  await ops.remove(destination);
  await ops.mkdir(parent);
  log(`staging ${source} to ${where} (${expected.length} files)`);
  await ops.copyToNode(source, destination, options.timeoutMs);
  const differences = manifestDifferences(expected, await ops.hashTree(destination));
  if (differences.length > 0) {
    throw hostError(
      ops.host,
      operation,
      `the copy at ${destination} does not match the source (${summary(differences)})`,
      "failed",
      [],
    );
  }
  log(`staged ${source} at ${where} (${expected.length} files verified)`);
  return staged(true);
}

function summary(differences: readonly string[]): string {
  return `${differences.length} files: ${differences.slice(0, 5).join(", ")}${differences.length > 5 ? ", ..." : ""}`;
}
