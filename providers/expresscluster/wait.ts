/**
 * Judging a failover group against the state a wait expects, from one `clpstat --long` (pure; the polling
 * loop is in cli.ts). No single EXPRESSCLUSTER command waits for "every resource Online", so the wait is: the
 * group line is Online, its `current` is the destination, and every resource line under it is Online
 * (Offline for a stop).
 */
import type { ClusterStatus, GroupStatus } from "./cluster";

export type GroupGoal = { state: "Online"; server: string } | { state: "Offline" };

export interface GroupProgress {
  done: boolean;
  /** Resources already in the goal state, of `total`. */
  ready: number;
  total: number;
  /** What the group looks like, e.g. "Online Pending on nm-host2", "Offline", "absent from clpstat". */
  observed: string;
  /** Resources not yet in the goal state, with the state they are in. */
  pending: { name: string; state: string }[];
}

export function sameServer(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

export function findGroup(status: ClusterStatus, group: string): GroupStatus | undefined {
  return (
    status.groups.find((g) => g.name === group) ??
    status.groups.find((g) => g.name.toLowerCase() === group.toLowerCase())
  );
}

export function groupProgress(status: ClusterStatus, group: string, goal: GroupGoal): GroupProgress {
  const g = findGroup(status, group);
  if (!g) return { done: false, ready: 0, total: 0, observed: "absent from clpstat", pending: [] };
  const pending = g.resources.filter((r) => r.state !== goal.state);
  const total = g.resources.length;
  const observed = g.current === null ? g.state : `${g.state} on ${g.current}`;
  const placed = goal.state === "Online" ? sameServer(g.current, goal.server) : true;
  return {
    done: g.state === goal.state && placed && pending.length === 0,
    ready: total - pending.length,
    total,
    observed,
    pending: pending.map((r) => ({ name: r.name, state: r.state })),
  };
}

export function describeGoal(group: string, goal: GroupGoal): string {
  return goal.state === "Online"
    ? `group ${group} to be Online on ${goal.server}`
    : `group ${group} to be Offline`;
}

/** "45s", "1m20s", "15m", "1h05m" */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  return s === 0 ? `${m}m` : `${m}m${s}s`;
}

/** "waiting for group failover to be Online on host2: 3/11 resources online, 1m20s / 15m" */
export function progressLine(
  group: string,
  goal: GroupGoal,
  p: GroupProgress,
  elapsedMs: number,
  budgetMs: number,
): string {
  const counts =
    p.total === 0 && p.observed === "absent from clpstat"
      ? "not in clpstat output"
      : `${p.ready}/${p.total} resources ${goal.state.toLowerCase()}`;
  return `waiting for ${describeGoal(group, goal)}: ${counts}, ${formatDuration(elapsedMs)} / ${formatDuration(budgetMs)}`;
}

/** The error when the deadline passes: the group, its last observed state and the resources not there yet. */
export function timeoutMessage(
  group: string,
  goal: GroupGoal,
  last: GroupProgress | undefined,
  lastError: string | undefined,
  budgetMs: number,
): string {
  const head = `timed out after ${formatDuration(budgetMs)} waiting for ${describeGoal(group, goal)}`;
  if (!last) return `${head}; clpstat never answered${lastError ? `: ${lastError}` : ""}`;
  const pending = last.pending.map((r) => `${r.name} (${r.state})`).join(", ");
  const parts = [`${head}; last observed: ${last.observed}`];
  parts.push(
    pending ? `resources not yet ${goal.state}: ${pending}` : `all ${last.total} resources ${goal.state}`,
  );
  if (lastError) parts.push(`last clpstat error: ${lastError}`);
  return parts.join("; ");
}
