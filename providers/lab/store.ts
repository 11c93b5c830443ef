/**
 * The lab folder on disk: `state.json` (the whole simulated cluster), `clock.json` (the virtual time, small so
 * that `Clock.now()` can read it synchronously) and `lab.lock` (proper-lockfile). Every change is
 * lock → load → apply → save, so separate processes (the Pulumi dynamic-provider host, tests, the lab CLI)
 * see one cluster and never interleave half-applied operations.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { readFile, rename, writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import * as lockfile from "proper-lockfile";
import { LabState, STATE_FORMAT } from "./state";

export const STATE_FILE = "state.json";
export const CLOCK_FILE = "clock.json";
const LOCK_FILE = "lab.lock";

/** The lock every writer of a lab folder takes (async here, sync in target.ts): one file, one staleness. */
export function lockOptions(dir: string): { lockfilePath: string; realpath: false; stale: number } {
  return { lockfilePath: join(dir, LOCK_FILE), realpath: false, stale: 30_000 };
}

export class LabNotFoundError extends Error {
  override name = "LabNotFoundError";
  constructor(readonly dir: string) {
    super(`no lab cluster in ${dir}: create one (netmgr-lab create --dir ${dir} ...) or open it with a spec`);
  }
}

export function labExists(dir: string): boolean {
  return existsSync(join(dir, STATE_FILE));
}

async function acquire(dir: string): Promise<() => Promise<void>> {
  mkdirSync(dir, { recursive: true });
  return lockfile.lock(dir, {
    ...lockOptions(dir),
    retries: { retries: 2000, factor: 1.2, minTimeout: 2, maxTimeout: 50, randomize: true },
    // A compromised lock (e.g. the process was paused for longer than `stale`) must not crash the host process.
    onCompromised: () => undefined,
  });
}

export async function loadState(dir: string): Promise<LabState> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), "utf8");
  } catch {
    throw new LabNotFoundError(dir);
  }
  const raw: unknown = JSON.parse(text);
  const format = (raw as { format?: unknown }).format;
  if (format !== STATE_FORMAT) {
    throw new Error(
      `${dir}: lab state format ${String(format)} is not ${STATE_FORMAT}; recreate it (netmgr-lab reset)`,
    );
  }
  const parsed = LabState.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${dir}: the lab state is damaged: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

export async function saveState(dir: string, state: LabState): Promise<void> {
  await writeAtomic(join(dir, STATE_FILE), JSON.stringify(state));
  await writeAtomic(join(dir, CLOCK_FILE), JSON.stringify({ now: state.now }));
}

/**
 * Run `fn` on the state under the lock and save what it leaves. `create` builds the state when the folder
 * holds none (under the same lock, so two processes opening a new lab build it once).
 */
export async function withState<T>(
  dir: string,
  fn: (state: LabState) => T | Promise<T>,
  options: { create?: () => LabState; readOnly?: boolean } = {},
): Promise<T> {
  return serialized(dir, () => locked(dir, fn, options));
}

/**
 * One lab operation at a time per process and folder. proper-lockfile is not re-entrant, and concurrent
 * waiters of one process (a refresh reads every step in parallel) can both judge a dead holder's lock stale
 * and remove each other's fresh lock; queueing them in-process leaves one waiter per process.
 */
const queues = new Map<string, Promise<unknown>>();

function serialized<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(dir) ?? Promise.resolve();
  const next = previous.then(work, work);
  queues.set(
    dir,
    next.catch(() => undefined),
  );
  return next;
}

async function locked<T>(
  dir: string,
  fn: (state: LabState) => T | Promise<T>,
  options: { create?: () => LabState; readOnly?: boolean },
): Promise<T> {
  const release = await acquire(dir);
  try {
    let state: LabState;
    if (!labExists(dir)) {
      if (!options.create) throw new LabNotFoundError(dir);
      state = options.create();
      await saveState(dir, state);
    } else {
      state = await loadState(dir);
    }
    const result = await fn(state);
    if (!options.readOnly) await saveState(dir, state);
    return result;
  } finally {
    await release();
  }
}

/** The virtual time, read without the lock (clock.json is replaced atomically). */
export function readClock(dir: string): number {
  try {
    const v = JSON.parse(readFileSync(join(dir, CLOCK_FILE), "utf8")) as { now?: unknown };
    if (typeof v.now === "number") return v.now;
  } catch {
    // fall through
  }
  throw new LabNotFoundError(dir);
}

export async function removeLab(dir: string): Promise<void> {
  const release = await acquire(dir);
  try {
    await rm(join(dir, STATE_FILE), { force: true });
    await rm(join(dir, CLOCK_FILE), { force: true });
  } finally {
    await release();
  }
}
