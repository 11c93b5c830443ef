/**
 * NetMgr's Windows services on a node, found by the guide's display names (catalogue MANAGER_SERVICES,
 * with any service number), and the service chores the guide repeats: §3.1 step 7 (Manual and stopped),
 * §4.2.1 step 1 (stop all, in reverse start order).
 */
import { MANAGER_SERVICES, matchesService, type ServiceSpec } from "../catalogue/versions";
import type { HostOps, ServiceInfo } from "../hosts/types";

export interface NetMgrService extends ServiceInfo {
  spec: ServiceSpec;
}

/** The NetMgr services registered on a node, in the guide's start order. */
export async function netmgrServices(host: HostOps): Promise<NetMgrService[]> {
  const all = await host.services();
  const out: NetMgrService[] = [];
  for (const spec of MANAGER_SERVICES) {
    for (const s of all) if (matchesService(spec, s.displayName)) out.push({ ...s, spec });
  }
  return out;
}

/** §3.1 step 7 / §3.4.1 step 4: every NetMgr service Manual and stopped (stopped in reverse start order). */
export async function makeManualAndStopped(
  host: HostOps,
  only?: (s: NetMgrService) => boolean,
): Promise<string[]> {
  const changed: string[] = [];
  const services = (await netmgrServices(host)).filter(only ?? (() => true));
  for (const s of [...services].reverse()) {
    if (s.state !== "Stopped") {
      await host.stopService(s.name);
      changed.push(`${s.displayName} stopped`);
    }
  }
  for (const s of services) {
    if (s.startType !== "Manual") {
      await host.setStartType(s.name, "Manual");
      changed.push(`${s.displayName} ${s.startType} -> Manual`);
    }
  }
  return changed;
}

/** §4.2.1 step 1 / §4.2.4 step 1: stop the NetMgr services, last started first. */
export async function stopAll(host: HostOps, only?: (s: NetMgrService) => boolean): Promise<void> {
  const services = (await netmgrServices(host)).filter(only ?? (() => true));
  for (const s of [...services].reverse()) if (s.state !== "Stopped") await host.stopService(s.name);
}

/** Start-type and state of each NetMgr service, by display name (for observed state and drift). */
export function serviceSummary(services: NetMgrService[]): Record<string, string> {
  return Object.fromEntries(services.map((s) => [s.displayName, `${s.startType}/${s.state}`]));
}
