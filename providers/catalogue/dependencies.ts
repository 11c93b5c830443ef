/**
 * Table 3-2 (§3.4.2 step 3) as data, once: which resource of the NetMgr failover group depends on which.
 * Roles are the floating IP, the disk (shared or mirror), the script resource, and one role per NetMgr
 * service. The procedures apply it to clp.conf (providers/expresscluster/dependencies.ts); the lab builds
 * and runs its clusters by it.
 */
import { MANAGER_SERVICES, instantiate, type ServiceSpec } from "./versions";

export type ServiceRole =
  | "wfdb"
  | "nvalertdb"
  | "nvsflowdb"
  | "perfDb"
  | "ftBase"
  | "baseManager"
  | "operationsManager"
  | "rmApi"
  | "topologyAdapter"
  | "perfManager";
export type Role = "fip" | "disk" | "script" | ServiceRole;

/** The service behind each service role, by its key-name pattern in the catalogue. */
const SERVICE_KEYS: Readonly<Record<ServiceRole, string>> = {
  wfdb: "Wfdb_wfdb{n}",
  nvalertdb: "Wfdb_nvalertdb{n}",
  nvsflowdb: "Wfdb_nvsflowdb{n}",
  perfDb: "NvPROPerfDB",
  ftBase: "FTBase",
  baseManager: "NvPROBaseMgr",
  operationsManager: "UMFOperationsManager_{n}",
  rmApi: "NvPRORMAPI",
  topologyAdapter: "NvPROTopologyAdapter",
  perfManager: "NvPROPerfMgr",
};

export const SERVICE_ROLES = Object.keys(SERVICE_KEYS) as ServiceRole[];

export function serviceSpecOf(role: ServiceRole): ServiceSpec {
  const spec = MANAGER_SERVICES.find((s) => s.name === SERVICE_KEYS[role]);
  if (!spec)
    throw new Error(`the service catalogue has no service "${SERVICE_KEYS[role]}" (Table 3-2 role ${role})`);
  return spec;
}

/** Table 3-2: each resource (left) and the resources it depends on (right), in the table's order. */
export const TABLE_3_2: Readonly<Record<Exclude<Role, "fip" | "disk">, readonly Role[]>> = {
  script: ["fip", "disk"],
  wfdb: ["script"],
  nvalertdb: ["script"],
  nvsflowdb: ["script"],
  perfDb: ["script"],
  ftBase: ["fip", "disk"],
  baseManager: ["script", "wfdb", "nvalertdb", "nvsflowdb", "perfDb"],
  operationsManager: ["ftBase", "baseManager"],
  rmApi: ["operationsManager"],
  topologyAdapter: ["baseManager"],
  perfManager: ["baseManager"],
};

/** The Table 3-2 role of a catalogue service. */
export function roleOfService(spec: ServiceSpec): ServiceRole | undefined {
  return SERVICE_ROLES.find((role) => SERVICE_KEYS[role] === spec.name);
}

/** Placeholders for the non-service resources in `serviceDependencies`. */
export const FIP = "@fip";
export const DISK = "@disk";
export const SCRIPT = "@script";

const TOKENS: Readonly<Record<"fip" | "disk" | "script", string>> = { fip: FIP, disk: DISK, script: SCRIPT };

/** The Table 3-2 dependencies of a service, as instantiated display names and @-tokens. */
export function serviceDependencies(spec: ServiceSpec, n = 1): string[] {
  const role = roleOfService(spec);
  if (!role) return [];
  return TABLE_3_2[role].map((dep) =>
    dep === "fip" || dep === "disk" || dep === "script"
      ? TOKENS[dep]
      : instantiate(serviceSpecOf(dep).displayName, n),
  );
}

/** The service spec whose display name pattern matches `displayName`, if it is a NetMgr service. */
export function serviceSpecByDisplayName(displayName: string, n = 1): ServiceSpec | undefined {
  return MANAGER_SERVICES.find(
    (s) => instantiate(s.displayName, n).toLowerCase() === displayName.toLowerCase(),
  );
}
