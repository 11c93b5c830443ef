/**
 * The lab's timeline: what happened when, in virtual time. Secrets never reach it: program arguments arrive
 * already redacted ("[secret]") and every recorded text is scrubbed of the lab's own secret values, in case a
 * caller passed one as plain text (which is also flagged as a warning).
 */
import type { LabState, TimelineEvent, TimelineKind } from "./state";

export function record(
  s: LabState,
  kind: TimelineKind,
  text: string,
  extra: { host?: string; name?: string; value?: string; durationMs?: number } = {},
): void {
  s.seq += 1;
  const event: TimelineEvent = { seq: s.seq, at: s.now, kind, text: scrubLab(s, text) };
  if (extra.host !== undefined) event.host = extra.host;
  if (extra.name !== undefined) event.name = extra.name;
  if (extra.value !== undefined) event.value = scrubLab(s, extra.value);
  if (extra.durationMs !== undefined) event.durationMs = extra.durationMs;
  s.timeline.push(event);
}

export function containsLabSecret(s: LabState, text: string): boolean {
  return [s.secrets.cmdbPassword, s.secrets.saPassword].some((v) => v.length > 0 && text.includes(v));
}

export function scrubLab(s: LabState, text: string): string {
  let out = text;
  for (const v of [s.secrets.cmdbPassword, s.secrets.saPassword]) if (v) out = out.split(v).join("[secret]");
  return out;
}

export interface DowntimeInterval {
  from: number;
  to: number;
  ms: number;
}

export interface Downtime {
  /** Total milliseconds in [from, to] during which no host was serving. */
  totalMs: number;
  intervals: DowntimeInterval[];
  from: number;
  to: number;
}

/**
 * Downtime from the "serving" events (see docs/lab.md): the intervals within [from, to] in which the set of
 * serving hosts is empty. Events before `from` establish the initial set.
 */
export function computeDowntime(timeline: readonly TimelineEvent[], from: number, to: number): Downtime {
  const serving = new Set<string>();
  const intervals: DowntimeInterval[] = [];
  let downSince: number | null = null;
  const apply = (e: TimelineEvent): void => {
    const h = (e.host ?? "").toLowerCase();
    if (e.value === "up") serving.add(h);
    else serving.delete(h);
  };
  const events = timeline.filter((e) => e.kind === "serving").sort((a, b) => a.at - b.at || a.seq - b.seq);
  const before = events.filter((e) => e.at <= from);
  before.forEach(apply);
  if (serving.size === 0) downSince = from;
  for (const e of events.slice(before.length)) {
    if (e.at > to) break;
    const wasDown = serving.size === 0;
    apply(e);
    if (!wasDown && serving.size === 0) downSince = e.at;
    if (wasDown && serving.size > 0 && downSince !== null) {
      if (e.at > downSince) intervals.push({ from: downSince, to: e.at, ms: e.at - downSince });
      downSince = null;
    }
  }
  if (serving.size === 0 && downSince !== null && to > downSince)
    intervals.push({ from: downSince, to, ms: to - downSince });
  return { totalMs: intervals.reduce((n, x) => n + x.ms, 0), intervals, from, to };
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s`
    : `${m}m${String(sec).padStart(2, "0")}s`;
}
