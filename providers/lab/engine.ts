/**
 * The virtual clock's engine: operations spend virtual time, and the processes that take time (the Manager's
 * start and shared-disk update) are pending events that fire, in order, as the clock passes them.
 */
import type { LabState, PendingEvent } from "./state";
import { handleManagerEvent, updateServing } from "./manager";
import { checkUnintendedFailover } from "./cluster";

export function schedule(s: LabState, delayMs: number, host: string, runId: number, step: string): void {
  s.seq += 1;
  s.pending.push({ at: s.now + delayMs, seq: s.seq, host, runId, step });
}

function nextDue(s: LabState, until: number): number {
  let best = -1;
  let b: PendingEvent | undefined;
  s.pending.forEach((e, i) => {
    if (e.at > until) return;
    if (!b || e.at < b.at || (e.at === b.at && e.seq < b.seq)) {
      best = i;
      b = e;
    }
  });
  return best;
}

/** Advance the clock by `ms`, firing every pending event that falls due on the way. */
export function spend(s: LabState, ms: number): void {
  const target = s.now + Math.max(0, ms);
  for (;;) {
    const i = nextDue(s, target);
    if (i < 0) break;
    const [e] = s.pending.splice(i, 1);
    if (!e) break;
    if (e.at > s.now) s.now = e.at;
    handleManagerEvent(s, e.host, e.runId, e.step);
    updateServing(s);
  }
  if (target > s.now) s.now = target;
  updateServing(s);
}

/** After every lab operation: bring derived state up to date and let the cluster react. */
export function settle(s: LabState): void {
  updateServing(s);
  checkUnintendedFailover(s);
  updateServing(s);
}
