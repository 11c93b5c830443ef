/**
 * Table 3-2 (§3.4.2 step 3) as data: what each NetMgr cluster resource depends on. Keys and service entries
 * are the display-name patterns of MANAGER_SERVICES (`{n}` = the service number); "@fip", "@disk" and
 * "@script" stand for the floating IP, the disk (shared or mirror) and the script resource.
 */
import { MANAGER_SERVICES, instantiate, type ServiceSpec } from "./versions";

export const FIP = "@fip";
export const DISK = "@disk";
export const SCRIPT = "@script";

export const RESOURCE_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  [SCRIPT]: [FIP, DISK],
  "Wfdb_wfdb{n}": [SCRIPT],
  "Wfdb_nvalertdb{n}": [SCRIPT],
  "Wfdb_nvsflowdb{n}": [SCRIPT],
  "NvPRO Performance Database": [SCRIPT],
  "FTBase service": [FIP, DISK],
  "NvPRO Base Manager": [SCRIPT, "Wfdb_wfdb{n}", "Wfdb_nvalertdb{n}", "Wfdb_nvsflowdb{n}", "NvPRO Performance Database"],
  "MasterScope UMF Operations Manager_{n}": ["FTBase service", "NvPRO Base Manager"],
  "NvPRO ResourceManagerAPI Service": ["MasterScope UMF Operations Manager_{n}"],
  "NvPRO Topology Adapter": ["NvPRO Base Manager"],
  "NvPRO Performance Manager": ["NvPRO Base Manager"],
};

/** The Table 3-2 dependencies of a service, as instantiated display names and @-tokens. */
export function serviceDependencies(spec: ServiceSpec, n = 1): string[] {
  return (RESOURCE_DEPENDENCIES[spec.displayName] ?? []).map((d) => (d.startsWith("@") ? d : instantiate(d, n)));
}

/** The service spec whose display name pattern matches `displayName`, if it is a NetMgr service. */
export function serviceSpecByDisplayName(displayName: string, n = 1): ServiceSpec | undefined {
  return MANAGER_SERVICES.find((s) => instantiate(s.displayName, n).toLowerCase() === displayName.toLowerCase());
}
