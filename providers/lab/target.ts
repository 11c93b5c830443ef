/**
 * The lab as a Target (providers/hosts/target.ts): hosts, SQL Server and a virtual clock over one lab folder.
 * Opening creates the simulated cluster from the spec when the folder holds none yet (under the lab's lock,
 * so concurrent openers build it once).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as lockfile from "proper-lockfile";
import type { Clock, Target } from "../hosts/target";
import type { HostOps } from "../hosts/types";
import type { FaultSpec } from "../config/stack";
import { LabSpec, type LabSpecInput } from "./spec";
import { LabSession } from "./session";
import { LabHost } from "./host";
import { LabSql } from "./sql";
import { CLOCK_FILE, STATE_FILE, labExists, lockOptions, readClock } from "./store";
import { buildLabState } from "./create";
import { spend } from "./engine";

export interface LabTargetOptions {
  /** Absolute path of the lab folder. */
  dir: string;
  /** Used only when the folder holds no cluster yet. */
  spec?: LabSpecInput | LabSpec;
  /** 0 (default): waits are instant; n: one lab second takes 1/n real seconds. */
  timeScale?: number;
  /** Faults armed when the cluster is created (with the spec's own); ignored for an existing lab, like the spec. */
  faults?: readonly FaultSpec[];
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Build the lab synchronously if the folder has none (so that `clock.now()` works right after opening). */
export function ensureLabSync(dir: string, spec: LabSpec): void {
  if (labExists(dir)) return;
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    let release: (() => void) | undefined;
    try {
      release = lockfile.lockSync(dir, lockOptions(dir));
    } catch (e) {
      if ((e as { code?: string }).code !== "ELOCKED" || attempt > 3000) throw e;
      sleepSync(10);
      continue;
    }
    try {
      if (!existsSync(join(dir, STATE_FILE))) {
        const state = buildLabState(spec);
        const write = (file: string, text: string): void => {
          const tmp = `${join(dir, file)}.${process.pid}.tmp`;
          writeFileSync(tmp, text);
          renameSync(tmp, join(dir, file));
        };
        write(STATE_FILE, JSON.stringify(state));
        write(CLOCK_FILE, JSON.stringify({ now: state.now }));
      }
    } finally {
      release();
    }
    return;
  }
}

class LabClock implements Clock {
  constructor(private readonly session: LabSession) {}

  now(): number {
    return readClock(this.session.options.dir);
  }

  async sleep(ms: number): Promise<void> {
    await this.session.act(undefined, `sleep ${ms}`, (s) => spend(s, ms));
  }
}

export class LabTarget implements Target {
  readonly kind = "lab" as const;
  readonly sql: LabSql;
  readonly clock: Clock;
  private readonly session: LabSession;
  private readonly hosts = new Map<string, LabHost>();

  constructor(options: LabTargetOptions) {
    const parsed = options.spec ? LabSpec.parse(options.spec) : undefined;
    const spec = parsed ? { ...parsed, faults: [...parsed.faults, ...(options.faults ?? [])] } : undefined;
    if (spec) ensureLabSync(options.dir, spec);
    else if (!labExists(options.dir))
      throw new Error(`no lab cluster in ${options.dir} and no spec to create one`);
    this.session = new LabSession({
      dir: options.dir,
      ...(spec ? { spec } : {}),
      timeScale: options.timeScale ?? 0,
    });
    this.sql = new LabSql(this.session);
    this.clock = new LabClock(this.session);
  }

  host(name: string): HostOps {
    const key = name.toLowerCase();
    let h = this.hosts.get(key);
    if (!h) {
      h = new LabHost(this.session, name);
      this.hosts.set(key, h);
    }
    return h;
  }

  /** Nothing to release: the lab holds its lock only during each operation. */
  async close(): Promise<void> {}
}
