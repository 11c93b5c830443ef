/**
 * Progress lines for people (DESIGN §8: a dynamic provider's console output reaches the CLI as info lines).
 * Every line says which step, which host, what is happening, and for waits the elapsed time against the
 * deadline, e.g.
 *   [10/15 FailoverGroupMove host2] waiting for RupInstCmd.log ExitCode (shared-disk update, §3.5): 2m10s / 15m
 */
import type { Clock } from "../hosts/target";

export interface Progress {
  /** A line about the step as a whole or about `host`. */
  say(message: string, host?: string): void;
  /** Elapsed time since the step started, on the target's clock. */
  elapsedMs(): number;
}

export type ProgressSink = (line: string) => void;

export function stepProgress(label: string, clock: Clock, sink: ProgressSink): Progress {
  const started = clock.now();
  return {
    say: (message, host) => sink(`[${label}${host ? ` ${host}` : ""}] ${message}`),
    elapsedMs: () => clock.now() - started,
  };
}

/** "1h02m", "2m10s", "45s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}
