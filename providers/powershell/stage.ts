/**
 * Installer media to a node (the double hop, "Making the second hop in PowerShell Remoting"): inside a remoting session the node has no
 * credentials for a third machine (an SSH key logon has none at all), so Setup.exe cannot read the media from
 * a share. The controller pushes the folder through the session with `Copy-Item -ToSession` into
 * `<stagingDir>\<name>` and the installer then runs from that local path.
 *
 * Resumable and verified: the SHA-256 manifest of the source (computed on the controller) is compared with the
 * node's copy before copying (an identical copy is kept, so a re-run does not copy gigabytes again) and after
 * (Copy-Item -ToSession has known failure reports, PowerShell/PowerShell#14646, #4952).
 */
import type { TreeEntry } from "../hosts/types";
import { hostError } from "./errors";
import type { PowerShellHostOps } from "./host-ops";

export interface StageOptions {
  /** Folder name under the staging folder; default: the last segment of the source path. */
  name?: string;
  /** Deadline of the copy itself (ms). */
  timeoutMs?: number;
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

export async function stageMedia(
  ops: PowerShellHostOps,
  source: string,
  stagingDir: string,
  options: StageOptions,
  log: (line: string) => void,
): Promise<string> {
  const name = options.name ?? mediaName(source);
  const problem = checkMediaName(name);
  const operation = `stageMedia ${source}`;
  if (problem) throw hostError(ops.host, operation, problem, "failed", []);
  const destination = `${stagingDir.replace(/\\+$/, "")}\\${name}`;

  const expected = await ops.controllerManifest(source);
  if ((await ops.stat(destination)) === "dir") {
    const differences = manifestDifferences(expected, await ops.hashTree(destination));
    if (differences.length === 0) {
      log(`${ops.host}: media already staged at ${destination} (${expected.length} files verified)`);
      return destination;
    }
    log(`${ops.host}: ${destination} differs from ${source} (${differences.length} files), copying again`);
  }
  await ops.remove(destination);
  await ops.mkdir(stagingDir);
  log(`${ops.host}: copying ${source} to ${destination} (${expected.length} files)`);
  await ops.copyToNode(source, destination, options.timeoutMs);
  const differences = manifestDifferences(expected, await ops.hashTree(destination));
  if (differences.length > 0) {
    throw hostError(
      ops.host,
      operation,
      `the copy at ${destination} does not match the source ` +
        `(${differences.length} files: ${differences.slice(0, 5).join(", ")}${differences.length > 5 ? ", ..." : ""})`,
      "failed",
      [],
    );
  }
  log(`${ops.host}: media staged at ${destination} (${expected.length} files verified)`);
  return destination;
}
