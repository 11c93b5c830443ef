/**
 * Installer media staged by the chain (the double hop, docs/real-cluster.md): a remoting session cannot read
 * a share on a third machine, so Setup.exe runs from a copy on the node. When a media has `stageFrom` (a
 * folder on the controller), the MediaStaging step copies it to the media's `path` on every node and console
 * through the target (Target.stageMediaTo), verified by SHA-256, and the failback removes the copies it made.
 *
 * What the step created is known from the node, not guessed: before a copy into a folder that is absent, a
 * marker is written under the chain's work folder, so a run that stops half way and runs again still knows
 * the folder is its own. A folder that was there before the step is used only when it is already identical
 * to the source, and never replaced or removed.
 *
 * The controller side (the source folders) is read with node:fs: the provider process runs on the controller.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { mediaPath, type MediaItem } from "../catalogue/media";
import { MEDIA_KEYS, type Media, type MediaKey } from "../config/stack";
import { manifestDigest, type StagedMedia } from "../hosts/target";
import type { HostOps, TreeEntry } from "../hosts/types";
import { IncompleteStep, StepError, WORK_DIR, type Env } from "./env";
import { readJson } from "./files";
import { parentFolder, winJoin, withoutTrailingSeparator } from "../hosts/winpath";

export type MediaPair = Record<MediaKey, Media>;

/** Where Setup.exe runs from: §3.1 step 1 on the nodes, §3.6 step 1 on the consoles, §2.1 item 7 for a failback. */
export const STAGING_SECTIONS = "§2.1 item 7, §3.1 step 1, §3.6 step 1";

/** One media folder on one host, as the step left it. */
export const StagedCopy = z.object({
  media: z.enum(MEDIA_KEYS),
  host: z.string(),
  /** The controller folder (`stageFrom`). */
  source: z.string(),
  /** The node folder (the media's `path`). */
  destination: z.string(),
  /** The destination was there before the step: used as it is, kept by the failback. */
  existedBefore: z.boolean(),
  /** Folders above the destination that the step created, deepest first (the failback removes them when empty). */
  createdFolders: z.array(z.string()),
  /** The verified copy; null when the step stopped before verifying it. */
  copy: z
    .object({
      files: z.number().int().nonnegative(),
      bytes: z.number().nonnegative(),
      manifestSha256: z.string(),
    })
    .nullable(),
});
export type StagedCopy = z.infer<typeof StagedCopy>;

/** The marker of a destination this chain created (JSON: destination and the parent folders it created). */
const Marker = z.object({ destination: z.string(), createdFolders: z.array(z.string()) });

export function markerFile(chain: string, media: MediaKey): string {
  return winJoin(WORK_DIR, chain, `media-staged-${media}.json`);
}

export function stagedKeys(media: MediaPair): MediaKey[] {
  return MEDIA_KEYS.filter((k) => media[k].stageFrom !== undefined);
}

/** The folders above `destination` that do not exist yet, deepest first. */
async function missingParents(host: HostOps, destination: string): Promise<string[]> {
  const out: string[] = [];
  for (let p = parentFolder(destination); p !== undefined; p = parentFolder(p)) {
    // A drive root is never the step's to create or remove.
    if (/^[A-Za-z]:\\$/.test(p) || (await host.stat(p)) !== null) break;
    out.push(p);
  }
  return out;
}

async function readMarker(
  host: HostOps,
  file: string,
  destination: string,
): Promise<z.infer<typeof Marker> | undefined> {
  const marker = await readJson(host, file, Marker);
  return marker?.destination.toLowerCase() === destination.toLowerCase() ? marker : undefined;
}

/* ---------------------------------------------------------------------------------------------- */
/* Forward: stage every media with stageFrom onto every host                                        */
/* ---------------------------------------------------------------------------------------------- */

/**
 * Stage each media that has `stageFrom` onto every host (hosts in parallel, each host's media in order).
 * Idempotent: an identical copy is kept (the transport compares manifests), a copy this chain made that
 * differs is replaced, a folder that was there before must already be identical. A failure after something
 * was created is an IncompleteStep whose partial result lists what is on the nodes, for the failback.
 */
export async function stageAll(
  env: Env,
  chain: string,
  media: MediaPair,
  hosts: readonly string[],
): Promise<StagedCopy[]> {
  const target = env.target;
  if (!target.stageMediaTo) {
    throw new StepError(
      "MediaStaging",
      undefined,
      `the ${target.kind} target cannot copy media to its hosts: remove netmgr:newMedia.stageFrom and ` +
        `netmgr:oldMedia.stageFrom, or set netmgr:target powershell`,
      STAGING_SECTIONS,
    );
  }
  const stage = target.stageMediaTo.bind(target);
  const keys = stagedKeys(media);
  // Every host stages the same sources: each is hashed on the controller once.
  const sourceManifests = new Map<string, Promise<readonly TreeEntry[]>>();
  const perHost = await Promise.all(
    hosts.map(async (name) => {
      const records: StagedCopy[] = [];
      try {
        const host = target.host(name);
        for (const key of keys) {
          const m = media[key];
          const source = m.stageFrom as string;
          const destination = withoutTrailingSeparator(m.path);
          const marker = markerFile(chain, key);
          const ours = await readMarker(host, marker, destination);
          let origin: Pick<StagedCopy, "existedBefore" | "createdFolders">;
          if (ours) origin = { existedBefore: false, createdFolders: ours.createdFolders };
          else if ((await host.stat(destination)) === null) {
            const createdFolders = await missingParents(host, destination);
            // Before the copy: a run that stops half way still knows the folder is this chain's.
            await host.writeFile(marker, Buffer.from(JSON.stringify({ destination, createdFolders })));
            origin = { existedBefore: false, createdFolders };
          } else origin = { existedBefore: true, createdFolders: [] };
          const record: StagedCopy = { media: key, host: name, source, destination, ...origin, copy: null };
          records.push(record);
          const staged: StagedMedia = await stage(source, name, destination, {
            replace: !record.existedBefore,
            onProgress: (line) => env.progress.say(line, name),
            sourceManifests,
          });
          record.copy = { files: staged.files, bytes: staged.bytes, manifestSha256: staged.manifestSha256 };
          if (record.existedBefore)
            env.progress.say(
              `${destination} was there before the update and already holds ${source}: used as it is, kept by a failback`,
              name,
            );
        }
        return { records };
      } catch (e) {
        return { records, error: e as Error };
      }
    }),
  );
  const staged = perHost.flatMap((h) => h.records);
  const errors = perHost.flatMap((h) => (h.error ? [h.error] : []));
  if (errors.length === 0) return staged;
  const failure =
    errors.length === 1 ? (errors[0] as Error) : new Error(errors.map((e) => e.message).join("\n"));
  // Nothing created: nothing for a failback to undo.
  if (staged.every((r) => r.existedBefore)) throw failure;
  throw new IncompleteStep(failure, { staged, observed: { problems: [] } });
}

/* ---------------------------------------------------------------------------------------------- */
/* Read: are the copies still what was staged?                                                      */
/* ---------------------------------------------------------------------------------------------- */

/** One line per staged copy that is gone or no longer matches what was staged; [] when all are intact. */
export async function stagedProblems(env: Env, staged: readonly StagedCopy[]): Promise<string[]> {
  const problems: string[] = [];
  for (const r of staged) {
    if (r.copy === null) continue;
    const host = env.target.host(r.host);
    if ((await host.stat(r.destination)) !== "dir") {
      problems.push(`${r.host}:${r.destination} (${r.media}) is gone`);
      continue;
    }
    if (manifestDigest(await host.hashTree(r.destination)) !== r.copy.manifestSha256)
      problems.push(`${r.host}:${r.destination} (${r.media}) no longer matches ${r.source} as staged`);
  }
  return problems;
}

/* ---------------------------------------------------------------------------------------------- */
/* Undo: remove what the step created                                                               */
/* ---------------------------------------------------------------------------------------------- */

/**
 * Remove the copies this step created (newest first, so a parent folder shared by both media is empty when
 * its turn comes), the parent folders it created when they are empty, and the markers. A destination that
 * was there before the step is kept.
 */
export async function removeStaged(env: Env, chain: string, staged: readonly StagedCopy[]): Promise<void> {
  for (const r of [...staged].reverse()) {
    const host = env.target.host(r.host);
    if (r.existedBefore) {
      env.progress.say(`keeping ${r.destination} (${r.media}): it was there before the update`, r.host);
      continue;
    }
    env.progress.say(
      `removing ${r.destination} (${r.media}, staged by this update from ${r.source})`,
      r.host,
    );
    await host.remove(r.destination);
    for (const folder of r.createdFolders) {
      if ((await host.stat(folder)) !== "dir") continue;
      if ((await host.list(folder)).length > 0) {
        env.progress.say(`keeping ${folder}: it holds other files now`, r.host);
        break;
      }
      await host.remove(folder);
    }
    await host.remove(markerFile(chain, r.media));
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* Pre-flight: the source folders on the controller                                                 */
/* ---------------------------------------------------------------------------------------------- */

/** `nodePath` inside the media folder, as `\`-separated segments below it; undefined when outside. */
export function relativeToMedia(media: Media, nodePath: string): string[] | undefined {
  const root = withoutTrailingSeparator(media.path).toLowerCase();
  const p = withoutTrailingSeparator(nodePath);
  if (!p.toLowerCase().startsWith(`${root}\\`)) return undefined;
  return p
    .slice(root.length + 1)
    .split("\\")
    .filter((s) => s.length > 0);
}

/**
 * A path below a controller folder, matched case-insensitively segment by segment (Windows media copied to a
 * Linux controller may have another case than the catalogue writes); undefined when absent.
 */
export function findOnController(root: string, segments: readonly string[]): string | undefined {
  let current = root;
  for (const segment of segments) {
    const exact = path.join(current, segment);
    if (fs.existsSync(exact)) {
      current = exact;
      continue;
    }
    let names: string[];
    try {
      names = fs.readdirSync(current);
    } catch {
      return undefined;
    }
    const match = names.find((n) => n.toLowerCase() === segment.toLowerCase());
    if (match === undefined) return undefined;
    current = path.join(current, match);
  }
  return current;
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Total size of the files below a controller folder. */
export function controllerBytes(root: string): number {
  let sum = 0;
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) sum += fs.statSync(full).size;
    }
  };
  walk(root);
  return sum;
}

/**
 * The pre-flight's look at each `stageFrom` (instead of the node path, which is staged later): the folder
 * exists on the controller and holds what the chain runs from it (`required` per media, e.g. Setup.exe at
 * the layout's place), and the update modules listed inside a staged old media. One message per problem,
 * each naming the key and the fix.
 */
export function checkStagingSources(
  media: MediaPair,
  required: Record<MediaKey, readonly MediaItem[]>,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const problems: string[] = [];
  for (const key of stagedKeys(media)) {
    const m = media[key];
    const source = m.stageFrom as string;
    if (!isFolder(source)) {
      const unc =
        /^(\\\\|\/\/)/.test(source) && platform !== "win32"
          ? "; a UNC share can be read only from a Windows controller: mount the share on this controller and give the mount point"
          : "";
      problems.push(
        `netmgr:${key}.stageFrom: ${source} is not a folder on the controller (where pulumi runs)${unc}: ` +
          `set ${key}.stageFrom to the media's top folder`,
      );
      continue;
    }
    for (const item of required[key]) {
      const rel = relativeToMedia(m, mediaPath(m, item)) ?? [];
      if (findOnController(source, rel) === undefined) {
        problems.push(
          `netmgr:${key}.stageFrom: ${source} has no ${rel.join("\\")} (layout ${m.layout}): point ${key}.stageFrom ` +
            `at the media's top folder, or set ${key}.layout`,
        );
      }
    }
    for (const module of m.updateModules) {
      const rel = relativeToMedia(m, module);
      if (rel !== undefined && findOnController(source, rel) === undefined) {
        problems.push(
          `netmgr:${key}.stageFrom: ${source} has no ${rel.join("\\")}, the update module ${module} ` +
            `(§2.1 item 7): add it to the media folder or fix ${key}.updateModules`,
        );
      }
    }
  }
  return problems;
}

/** Bytes each staged media needs on a host (controller folders that cannot be read are left out). */
export function stagingBytes(media: MediaPair): Partial<Record<MediaKey, number>> {
  const out: Partial<Record<MediaKey, number>> = {};
  for (const key of stagedKeys(media)) {
    const source = media[key].stageFrom as string;
    try {
      if (isFolder(source)) out[key] = controllerBytes(source);
    } catch {
      // checkStagingSources reports an unreadable source
    }
  }
  return out;
}

/** Room on the host's drives for the media copies that are not there yet. */
export async function checkStagingSpace(
  host: HostOps,
  media: MediaPair,
  bytes: Partial<Record<MediaKey, number>>,
): Promise<string[]> {
  const needs = new Map<string, { bytes: number; keys: MediaKey[] }>();
  for (const key of stagedKeys(media)) {
    const size = bytes[key];
    const destination = withoutTrailingSeparator(media[key].path);
    if (size === undefined || (await host.stat(destination)) !== null) continue;
    const drive = destination.slice(0, 2).toUpperCase();
    const need = needs.get(drive) ?? { bytes: 0, keys: [] };
    need.bytes += size;
    need.keys.push(key);
    needs.set(drive, need);
  }
  const problems: string[] = [];
  for (const [drive, need] of needs) {
    const free = await host.freeSpace(`${drive}\\`);
    if (free < need.bytes) {
      problems.push(
        `${host.host}: ${drive} has ${gib(free)} free, and staging ${need.keys.join(" and ")} there needs ${gib(need.bytes)}: ` +
          `free space, or set ${need.keys.map((k) => `${k}.path`).join(" / ")} on another drive`,
      );
    }
  }
  return problems;
}

function gib(n: number): string {
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}
