/**
 * Operations on a lab as a whole (the lab CLI and tests use them): create, reset, faults, the timeline and
 * downtime, snapshots, the §3.8 GUI action, and advancing the clock.
 */
import type { FaultName, FaultSpec } from "../config/stack";
import { LabSpec, type LabSpecInput } from "./spec";
import type { LabState, TimelineEvent } from "./state";
import { labExists, loadState, removeLab, withState } from "./store";
import { buildLabState } from "./create";
import { addFault, clearFaults } from "./faults";
import { computeDowntime, record, type Downtime } from "./timeline";
import { snapshotOf, type LabSnapshot, type SnapshotOptions } from "./snapshot";
import { renderStatus } from "./status";
import { spend, settle } from "./engine";
import { LabError, sharedReachable } from "./world";
import { writeBytes } from "./fs";
import { enc } from "./texts";
import { webApiIniPath } from "./network";
import { isServing } from "./manager";
import { WEBAPI_INI } from "../catalogue/unconfirmed";
import type { FirewallState } from "../hosts/types";
import { closePort, firewallOf, openPort } from "./firewall";

export async function createLabCluster(dir: string, spec: LabSpecInput | LabSpec): Promise<void> {
  const parsed = LabSpec.parse(spec);
  if (labExists(dir))
    throw new LabError(`${dir} already holds a lab cluster (reset it, or remove the folder)`);
  await withState(dir, () => undefined, { create: () => buildLabState(parsed) });
}

/** Build the cluster again from the spec it was created with (faults of the spec armed again). */
export async function resetLab(dir: string): Promise<void> {
  const spec = (await loadState(dir)).spec;
  await removeLab(dir);
  await withState(dir, () => undefined, { create: () => buildLabState(spec) });
}

export async function readLabState(dir: string): Promise<LabState> {
  return withState(dir, (s) => s, { readOnly: true });
}

/** Change the lab by hand (tests: e.g. undefine TEMP, drop admin rights). The change is recorded as a note. */
export async function updateLabState<T>(dir: string, why: string, fn: (s: LabState) => T): Promise<T> {
  return withState(dir, (s) => {
    const r = fn(s);
    record(s, "note", `changed by hand: ${why}`);
    settle(s);
    return r;
  });
}

export async function injectFault(dir: string, fault: FaultSpec): Promise<void> {
  await withState(dir, (s) => addFault(s, fault));
}

export async function clearLabFaults(dir: string, name?: FaultName): Promise<number> {
  return withState(dir, (s) => {
    const n = clearFaults(s, name);
    // A sticky shared-disk fault held the disk; without it the disk is reachable again.
    if (!s.faults.some((f) => f.fault === "shared-disk-unreachable")) s.cluster.diskBlocked = null;
    settle(s);
    return n;
  });
}

export async function listFaults(dir: string): Promise<FaultSpec[]> {
  return withState(dir, (s) => s.faults, { readOnly: true });
}

export async function readTimeline(dir: string): Promise<TimelineEvent[]> {
  return withState(dir, (s) => s.timeline, { readOnly: true });
}

/** Downtime between `from` (default: when the lab was ready) and `to` (default: now). */
export async function labDowntime(dir: string, from?: number, to?: number): Promise<Downtime> {
  return withState(dir, (s) => computeDowntime(s.timeline, from ?? s.createdAt, to ?? s.now), {
    readOnly: true,
  });
}

export async function snapshot(dir: string, options: SnapshotOptions = {}): Promise<LabSnapshot> {
  return withState(dir, (s) => snapshotOf(s, options), { readOnly: true });
}

export async function labStatus(dir: string): Promise<string> {
  return withState(dir, (s) => renderStatus(s), { readOnly: true });
}

export async function advanceClock(dir: string, ms: number): Promise<number> {
  return withState(dir, (s) => {
    spend(s, ms);
    settle(s);
    return s.now;
  });
}

/**
 * §3.8 is a GUI step (Setting > Option > Web Monitoring View > Use Web API Function). This simulates an
 * operator doing it in a monitoring terminal connected to the Manager: it writes the (UNCONFIRMED) WebAPI
 * setting on the shared disk.
 */
export async function enableWebApi(
  dir: string,
  options: { port?: number; https?: boolean } = {},
): Promise<string> {
  return withState(dir, (s) => {
    const host = s.cluster.group.current;
    if (!host || !sharedReachable(s, host) || !isServing(s, host)) {
      throw new LabError(
        "the monitoring terminal cannot connect to the Manager (no host is serving), so the option cannot be set",
      );
    }
    const port = options.port ?? 12080;
    writeBytes(
      s,
      host,
      webApiIniPath(s),
      enc(s, `[${WEBAPI_INI.section}]\nUse=1\nPort=${port}\nHTTPS=${options.https ? 1 : 0}\n`),
    );
    record(
      s,
      "op",
      `GUI (§3.8): Use Web API Function checked, port ${port}${options.https ? ", HTTPS" : ""}`,
      { host },
    );
    settle(s);
    return webApiIniPath(s);
  });
}

/** Windows Firewall of every lab host (§2.2.1). */
export async function labFirewalls(dir: string): Promise<Record<string, FirewallState>> {
  return withState(
    dir,
    (s) => Object.fromEntries(Object.values(s.hosts).map((h) => [h.name, firewallOf(s, h.name)])),
    { readOnly: true },
  );
}

/** Change what a lab host's Windows Firewall lets in, to rehearse §2.2.1 (`close`: out of every Allow rule). */
export async function setLabPort(
  dir: string,
  host: string,
  change: "open" | "close",
  port: number,
  protocol: "TCP" | "UDP" = "TCP",
): Promise<void> {
  await withState(dir, (s) => {
    if (change === "open") openPort(s, host, port, protocol);
    else closePort(s, host, port, protocol);
  });
}
