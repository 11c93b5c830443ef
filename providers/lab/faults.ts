/**
 * Injected faults (names in providers/config/stack.ts FAULT_NAMES). A fault fires at the place in the lab
 * that models it (see docs/lab.md "Faults"); a one-shot fault is removed when it fires, a sticky one stays
 * until cleared. A fault bound to a host fires only for operations on that host.
 */
import type { FaultName, FaultSpec } from "../config/stack";
import type { LabState } from "./state";
import { record } from "./timeline";

function matches(f: FaultSpec, name: FaultName, host: string | undefined): boolean {
  return (
    f.fault === name &&
    (f.host === undefined || (host !== undefined && f.host.toLowerCase() === host.toLowerCase()))
  );
}

/** Is the fault armed for this host (without firing it)? */
export function armed(s: LabState, name: FaultName, host?: string): boolean {
  return s.faults.some((f) => matches(f, name, host));
}

/** Fire the fault if armed: records it, removes a one-shot fault, and returns true. */
export function fire(s: LabState, name: FaultName, host: string | undefined, what: string): boolean {
  const i = s.faults.findIndex((f) => matches(f, name, host));
  const f = s.faults[i];
  if (!f) return false;
  if (!f.sticky) s.faults.splice(i, 1);
  record(
    s,
    "fault",
    `fault ${name} fired${host ? ` on ${host}` : ""}: ${what}${f.sticky ? " (sticky)" : ""}`,
    {
      ...(host ? { host } : {}),
      name,
    },
  );
  return true;
}

export function addFault(s: LabState, f: FaultSpec): void {
  s.faults.push(f);
  record(
    s,
    "fault",
    `fault ${f.fault} armed${f.host ? ` for ${f.host}` : ""}${f.sticky ? " (sticky)" : " (one-shot)"}`,
    {
      name: f.fault,
    },
  );
}

export function clearFaults(s: LabState, name?: FaultName): number {
  const before = s.faults.length;
  s.faults = s.faults.filter((f) => name !== undefined && f.fault !== name);
  const n = before - s.faults.length;
  if (n > 0) record(s, "fault", `cleared ${n} fault${n === 1 ? "" : "s"}${name ? ` (${name})` : ""}`);
  return n;
}
