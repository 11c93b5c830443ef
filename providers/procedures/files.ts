/**
 * Keeping a copy of a file before a step overwrites it, and putting it back exactly for the undo. The copy
 * lives on the node that held the file (under the chain's work folder); only its hash goes into the outputs,
 * so no file content (which may include credentials) reaches the Pulumi state.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { HostError, type HostOps } from "../hosts/types";
import type { Target } from "../hosts/target";
import { StepError } from "./env";
import { leafName, winJoin } from "./paths";

export const SavedFile = z.object({
  path: z.string(),
  /** The node the copy was saved on. */
  savedOn: z.string(),
  /** Where the copy is, or null when the file did not exist. */
  savedAs: z.string().nullable(),
  sha256: z.string().nullable(),
});
export type SavedFile = z.infer<typeof SavedFile>;

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Keep a copy of `path` (or the fact that it did not exist) in `dir` on the same node. */
export async function saveCopy(host: HostOps, path: string, dir: string): Promise<SavedFile> {
  if ((await host.stat(path)) !== "file") return { path, savedOn: host.host, savedAs: null, sha256: null };
  const savedAs = winJoin(dir, leafName(path));
  // A copy from an earlier, interrupted run of the same step is the true original: keep it.
  if ((await host.stat(savedAs)) === "file") {
    const earlier = await host.readFile(savedAs);
    return { path, savedOn: host.host, savedAs, sha256: sha256(earlier) };
  }
  const bytes = await host.readFile(path);
  await host.writeFile(savedAs, bytes);
  return { path, savedOn: host.host, savedAs, sha256: sha256(bytes) };
}

/** Put saved files back through `onto` (or remove those that did not exist); refuse a copy that changed. */
export async function restoreSavedFiles(
  target: Target,
  onto: HostOps,
  saved: readonly SavedFile[],
): Promise<void> {
  for (const s of saved) {
    if (s.savedAs === null) {
      await onto.remove(s.path);
      continue;
    }
    const bytes = await target.host(s.savedOn).readFile(s.savedAs);
    if (sha256(bytes) !== s.sha256) {
      throw new StepError(
        "Failback",
        s.savedOn,
        `the saved copy ${s.savedAs} of ${s.path} has changed since it was taken; refusing to restore it`,
        "§2.4",
      );
    }
    await onto.writeFile(s.path, bytes);
  }
}

/**
 * A JSON record the chain left on a node: undefined when the file is absent; anything else that is not such a
 * record is an error naming the file (a record is never guessed past).
 */
export async function readJson<S extends z.ZodType>(
  host: HostOps,
  file: string,
  schema: S,
): Promise<z.infer<S> | undefined> {
  if ((await host.stat(file)) !== "file") return undefined;
  const text = (await host.readFile(file)).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${host.host}: ${file} is not JSON; it is not a record this tool wrote: move it aside`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `${host.host}: ${file} is not a record of the expected shape (${parsed.error.issues[0]?.message ?? "invalid"}): ` +
        `move it aside, or fail back with the release that wrote it`,
    );
  return parsed.data;
}

/**
 * A fact a step must know about the cluster as it was before the step's first attempt (where the group ran,
 * the configuration before an edit). The first attempt writes it to every reachable node; a later attempt of
 * the same chain (after a failure or a killed run) reads it back instead of observing a state the step itself
 * already changed.
 */
export async function rememberOnce<S extends z.ZodType>(
  target: Target,
  hosts: readonly string[],
  file: string,
  schema: S,
  compute: () => Promise<z.infer<S>>,
): Promise<z.infer<S>> {
  for (const h of hosts) {
    let recorded: z.infer<S> | undefined;
    try {
      recorded = await readJson(target.host(h), file, schema);
    } catch (e) {
      // An unreachable node: another one may hold the record. A record of another shape is an error.
      if (!(e instanceof HostError)) throw e;
    }
    if (recorded !== undefined) return recorded;
  }
  const value = await compute();
  let written = 0;
  for (const h of hosts) {
    try {
      await target.host(h).writeFile(file, Buffer.from(JSON.stringify(value)));
      written++;
    } catch {
      // recorded on the nodes that answer
    }
  }
  if (written === 0) throw new Error(`could not record ${file} on any of ${hosts.join(", ")}`);
  return value;
}

/** Forget a `rememberOnce` record (a completed undo: a new attempt must observe afresh). */
export async function forgetOnce(target: Target, hosts: readonly string[], file: string): Promise<void> {
  for (const h of hosts) {
    try {
      await target.host(h).remove(file);
    } catch {
      // an unreachable node keeps a stale record; a later attempt of this chain still reads the same facts
    }
  }
}
