/**
 * Small lookups over the lab state shared by every module: hosts, the NetMgr paths of the spec, and whether
 * a host can reach the shared disk right now.
 */
import type { LabHostState, LabState } from "./state";
import { parseWinPath } from "./paths";

export const SHARED_VOLUME = "shared";
export const CLUSTER_BIN = "C:\\Program Files\\EXPRESSCLUSTER\\bin";
export const SYSTEM32 = "C:\\Windows\\System32";
/** UNCONFIRMED: the port the monitoring terminal connects to on the Manager (see docs/lab.md). */
export const SQL_PORT = 1433;

export class LabError extends Error {
  override name = "LabError";
}

export function hostOf(s: LabState, name: string): LabHostState {
  const h = s.hosts[name.toLowerCase()];
  if (!h)
    throw new LabError(
      `no host named "${name}" in the lab (hosts: ${Object.values(s.hosts)
        .map((x) => x.name)
        .join(", ")})`,
    );
  return h;
}

export function findHost(s: LabState, name: string): LabHostState | undefined {
  return s.hosts[name.toLowerCase()];
}

export function nodes(s: LabState): LabHostState[] {
  return Object.values(s.hosts).filter((h) => h.role === "node");
}

export function otherNode(s: LabState, name: string): LabHostState {
  const other = nodes(s).find((h) => h.name.toLowerCase() !== name.toLowerCase());
  if (!other) throw new LabError("the cluster has one node only");
  return other;
}

export function sameHost(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

export const installPath = (s: LabState): string => s.spec.installPath;
export const sharePath = (s: LabState): string => s.spec.sharePath;
export const shareDrive = (s: LabState): string => parseWinPath(s.spec.sharePath).drive;
export const managerDir = (s: LabState): string => `${s.spec.installPath}\\Manager`;
export const sharedSg = (s: LabState): string => `${s.spec.sharePath}\\Manager\\sg`;
export const localSg = (s: LabState): string => `${s.spec.installPath}\\Manager\\sg`;
export const dbBase = (s: LabState): string => `${sharedSg(s)}\\database`;
export const sqlDataDir = (s: LabState): string => `${shareDrive(s)}\\MSSQL\\Data`;

/** The shared disk is reachable from `host` only where the disk resource is online (and not blocked by a fault). */
export function sharedReachable(s: LabState, host: string): boolean {
  return sameHost(s.cluster.diskOwner, host) && !sameHost(s.cluster.diskBlocked, host);
}

/** Virtual time as NetMgr's logs print it (the lab's clock runs in UTC). */
export function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
