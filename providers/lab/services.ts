/**
 * Windows services on the lab's hosts, with what NetMgr's services need to start (§3.1 step 7, Table 3-2):
 * a NetMgr service starts only when the services it depends on that exist on the host are running and the
 * shared disk is reachable; an internal database refuses to start over a stale postmaster.pid (which is why
 * start.bat deletes them, §3.4.2 step 2). Starting NvPRO Base Manager starts the Manager itself (manager.ts).
 */
import type { LabService, LabState } from "./state";
import { serviceDependencies, serviceSpecByDisplayName } from "../catalogue/dependencies";
import { OPERATIONS_MANAGER, instantiate, type ServiceSpec } from "../catalogue/versions";
import { hostOf, sharedReachable } from "./world";
import { record } from "./timeline";
import { spend } from "./engine";
import { internalDataDir, pidPath } from "./db";
import { removePath, statPath, writeBytes } from "./fs";
import { onBaseMgrStarted, onBaseMgrStopped } from "./manager";

export const SERVICE_START_MS = 5_000;
export const SERVICE_STOP_MS = 3_000;
export const BASE_MANAGER = "NvPRO Base Manager";
export const OPS_MANAGER = instantiate(OPERATIONS_MANAGER.displayName, 1);

export class ServiceError extends Error {
  override name = "ServiceError";
}

export function findService(s: LabState, host: string, name: string): LabService | undefined {
  const n = name.toLowerCase();
  return hostOf(s, host).services.find(
    (x) => x.name.toLowerCase() === n || x.displayName.toLowerCase() === n,
  );
}

export function netmgrSpec(svc: LabService): ServiceSpec | undefined {
  return serviceSpecByDisplayName(svc.displayName);
}

export function isRunning(s: LabState, host: string, name: string): boolean {
  return findService(s, host, name)?.state === "Running";
}

function setState(
  s: LabState,
  host: string,
  svc: LabService,
  state: "Running" | "Stopped",
  why: string,
): void {
  if (svc.state === state) return;
  svc.state = state;
  record(
    s,
    "service",
    `${host}: ${svc.displayName} ${state === "Running" ? "started" : "stopped"}${why ? ` (${why})` : ""}`,
    {
      host,
      name: svc.displayName,
      value: state === "Running" ? "up" : "down",
    },
  );
}

/** Internal PostgreSQL-based databases: the service's data folder name, if the service is one. */
function internalDbOf(svc: LabService): string | undefined {
  const m = /^Wfdb_(wfdb|nvalertdb|nvsflowdb)\d+$/i.exec(svc.name);
  if (m?.[1]) return m[1].toLowerCase();
  if (svc.displayName === "NvPRO Performance Database") return "NvPROPerfDB";
  return undefined;
}

/** Why `svc` cannot start on `host` now, or undefined when it can. */
export function startBlocker(s: LabState, host: string, svc: LabService): string | undefined {
  if (svc.startType === "Disabled") return `the service ${svc.name} is disabled`;
  const spec = netmgrSpec(svc);
  if (!spec) return undefined;
  if (!hostOf(s, host).manager)
    return `the NetMgr Manager function is not installed (the service binary is missing)`;
  for (const dep of serviceDependencies(spec)) {
    // Services after the script resource read the shared disk; FTBase (floating IP and disk only) does not.
    if (dep === "@fip" || dep === "@disk") continue;
    if (dep === "@script") {
      if (!sharedReachable(s, host)) return `the shared disk is not reachable from ${host}`;
      continue;
    }
    const d = findService(s, host, dep);
    if (d && d.state !== "Running") return `the service it depends on, ${d.displayName}, is not running`;
  }
  const db = internalDbOf(svc);
  if (db) {
    if (statPath(s, host, internalDataDir(s, db)) !== "dir")
      return `the database folder ${internalDataDir(s, db)} does not exist`;
    if (statPath(s, host, pidPath(s, db)) === "file") {
      return `${pidPath(s, db)} exists (a postmaster did not shut down cleanly); delete it before starting`;
    }
  }
  return undefined;
}

/** `Start-Service`: throws ServiceError with the reason when the service cannot start. */
export function startService(s: LabState, host: string, name: string, why = ""): void {
  const svc = findService(s, host, name);
  if (!svc) throw new ServiceError(`Cannot find any service with service name '${name}'.`);
  if (svc.state === "Running") return;
  spend(s, SERVICE_START_MS);
  const blocker = startBlocker(s, host, svc);
  if (blocker) {
    record(s, "service", `${host}: ${svc.displayName} failed to start: ${blocker}`, {
      host,
      name: svc.displayName,
      value: "failed",
    });
    throw new ServiceError(`Service '${svc.displayName} (${svc.name})' cannot be started: ${blocker}.`);
  }
  const db = internalDbOf(svc);
  if (db) writeBytes(s, host, pidPath(s, db), Buffer.from("4321\r\n", "latin1"));
  setState(s, host, svc, "Running", why);
  if (svc.displayName === BASE_MANAGER) onBaseMgrStarted(s, host);
}

/**
 * `Stop-Service`. `clean: false` is a crash (the process is killed, e.g. the host fails): an internal
 * database then leaves its postmaster.pid behind.
 */
export function stopService(s: LabState, host: string, name: string, why = "", clean = true): void {
  const svc = findService(s, host, name);
  if (!svc) throw new ServiceError(`Cannot find any service with service name '${name}'.`);
  if (svc.state === "Stopped") return;
  if (clean) spend(s, SERVICE_STOP_MS);
  const db = internalDbOf(svc);
  if (db && clean) removePath(s, host, pidPath(s, db));
  setState(s, host, svc, "Stopped", why);
  if (svc.displayName === BASE_MANAGER) onBaseMgrStopped(s, host);
}

/** Stop services without time passing (used when a failing Manager's processes exit). */
export function markStopped(
  s: LabState,
  host: string,
  displayNames: readonly string[],
  why: string,
): string[] {
  const stopped: string[] = [];
  for (const d of displayNames) {
    const svc = findService(s, host, d);
    if (svc && svc.state === "Running") {
      setState(s, host, svc, "Stopped", why);
      stopped.push(svc.name);
      if (svc.displayName === BASE_MANAGER) onBaseMgrStopped(s, host);
    }
  }
  return stopped;
}

export function netmgrServices(s: LabState, host: string): LabService[] {
  return hostOf(s, host).services.filter((x) => netmgrSpec(x) !== undefined);
}
