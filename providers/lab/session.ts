/**
 * One lab operation, the way every HostOps / SqlOps / Clock call of the lab runs: lock the lab folder, load
 * the state (creating it from the spec the first time), check the host-unreachable fault, spend the
 * operation's virtual time, apply, let the cluster settle, save, unlock; then, with a time scale, sleep the
 * real time the operation took. Errors become HostError after the state is saved (what happened, happened).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { HostError } from "../hosts/types";
import type { LabSpec } from "./spec";
import type { LabState } from "./state";
import { withState } from "./store";
import { buildLabState } from "./create";
import { findHost } from "./world";
import { fire } from "./faults";
import { spend, settle } from "./engine";
import { record } from "./timeline";
import { LabFsError } from "./fs";
import { ServiceError } from "./services";
import { LabError } from "./world";
import { PathError } from "./paths";
import { ClpConfError } from "../expresscluster/clpconf";

/** Errors that describe what the simulated host did (as opposed to a bug in the lab). */
export function isLabError(e: unknown): e is Error {
  return (
    e instanceof LabFsError ||
    e instanceof ServiceError ||
    e instanceof LabError ||
    e instanceof PathError ||
    e instanceof ClpConfError
  );
}

export interface SessionOptions {
  dir: string;
  spec?: LabSpec;
  /** 0: virtual time only; n > 0: sleep 1/n of each operation's virtual duration in real time. */
  timeScale: number;
}

export interface ActOptions {
  /** Virtual time the operation itself takes (before its effects). */
  durationMs?: number;
  /** Timeline text for a state-changing operation (read-only operations are not recorded). */
  record?: string;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class LabSession {
  constructor(readonly options: SessionOptions) {}

  async act<T>(
    host: string | undefined,
    operation: string,
    fn: (s: LabState) => T,
    opts: ActOptions = {},
  ): Promise<T> {
    const { dir, spec } = this.options;
    let spent = 0;
    const outcome = await withState<Outcome<T>>(
      dir,
      (s) => {
        const start = s.now;
        try {
          if (host !== undefined) {
            const h = findHost(s, host);
            if (!h)
              return {
                ok: false,
                error: new HostError(host, operation, `no host named "${host}" in the lab`, "failed"),
              };
            if (fire(s, "host-unreachable", h.name, operation)) {
              spend(s, 20_000);
              return {
                ok: false,
                error: new HostError(
                  h.name,
                  operation,
                  "the host does not answer (connection timed out)",
                  "unreachable",
                ),
              };
            }
          }
          if (opts.durationMs) spend(s, opts.durationMs);
          const value = fn(s);
          if (opts.record) record(s, "op", opts.record, host ? { host } : {});
          settle(s);
          return { ok: true, value };
        } catch (error) {
          settle(s);
          return { ok: false, error };
        } finally {
          spent = s.now - start;
        }
      },
      spec ? { create: () => buildLabState(spec) } : {},
    );
    if (this.options.timeScale > 0 && spent > 0) await sleep(Math.round(spent / this.options.timeScale));
    if (!outcome.ok) {
      const e = outcome.error;
      if (e instanceof HostError) throw e;
      if (isLabError(e)) throw new HostError(host ?? "lab", operation, e.message, "failed");
      throw e;
    }
    return outcome.value;
  }
}
