/**
 * What answers on the lab's network (HostOps.probeTcp): the Manager port on the host where the Manager is
 * serving, the WebAPI port there once §3.8 enabled it, SQL Server's port on hosts with a running default
 * instance. The floating IP leads to the host the fip resource is online on.
 */
import type { LabState } from "./state";
import { SQL_PORT, findHost, hostOf, sharedReachable } from "./world";
import { isServing } from "./manager";
import { isRunning } from "./services";
import { readBytes, statPath } from "./fs";
import { dec, iniValues } from "./texts";
import { MANAGER_CONSOLE_PORT, WEBAPI_INI } from "../catalogue/unconfirmed";

export function webApiIniPath(s: LabState): string {
  return `${s.spec.sharePath}\\${WEBAPI_INI.relativeToShare}`;
}

/** The WebAPI settings of §3.8 as stored on the shared disk (UNCONFIRMED location), read via the disk owner. */
export function webApiSettings(s: LabState, host: string): { use: boolean; port: number } | undefined {
  if (!sharedReachable(s, host)) return undefined;
  const p = webApiIniPath(s);
  if (statPath(s, host, p) !== "file") return undefined;
  const v = iniValues(dec(s, readBytes(s, host, p)));
  return { use: v.USE === "1", port: Number(v.PORT ?? "0") };
}

/** The host that answers on `address:port`, or undefined. */
export function probe(s: LabState, _from: string, address: string, port: number): string | undefined {
  const a = address.toLowerCase();
  let target: string | undefined;
  if (a === s.spec.floatingIp) target = s.cluster.fipOwner ?? undefined;
  else
    target =
      Object.values(s.hosts).find((h) => h.name.toLowerCase() === a || h.address === a)?.name ??
      findHost(s, a)?.name;
  if (!target) return undefined;
  const h = hostOf(s, target);
  if (h.role !== "node") return undefined;
  if (port === MANAGER_CONSOLE_PORT) return isServing(s, target) ? target : undefined;
  const t = target;
  if (port === SQL_PORT)
    return h.sql.some((i) => i.instance === "" && isRunning(s, t, i.service)) ? t : undefined;
  const web = webApiSettings(s, target);
  if (web?.use && web.port === port && isServing(s, target)) return target;
  return undefined;
}
