/**
 * NetMgr versions as data: which services, files and guide steps each version has. Procedures and the lab
 * both read this table; nothing else in the code branches on version numbers.
 *
 * Sources: the guide's §3.1 step 7 service list, §3.4 ("new services added in version 9.0 ... required if the
 * original version is 8.0 or lower"), §3.3 (NvPROIms.ini, same condition), §4.2.1 (extra deletions when the old
 * version is earlier than 8.0). The guide's rule "required if 8.0 or lower" implies that releases after 8.0
 * already ship the three adapter services and NvPROIms.ini; the catalogue's 8.1 is that release (an assumption
 * recorded in docs/versions.md).
 */

export type DbMode = "internal" | "sqlserver";

/** One NetMgr service as the guide names it. `{n}` stands for the service number (§3.1 footnote *1). */
export interface ServiceSpec {
  /** Display name pattern, e.g. "MasterScope UMF Operations Manager_{n}". */
  displayName: string;
  /** Service key name pattern as the Services registry holds it. */
  name: string;
  /** Internal-DB-only services do not exist with SQL Server (§3.1 footnote *2). */
  internalDbOnly: boolean;
  /** Registered by adapter-setup.bat (§3.4.1) rather than by the installer, on sources up to 8.0. */
  adapter: boolean;
}

/** The Manager services in start order (§3.1 step 7 lists them in this order; §4.2.1 stops them in reverse). */
export const MANAGER_SERVICES: readonly ServiceSpec[] = [
  { displayName: "Wfdb_wfdb{n}", name: "Wfdb_wfdb{n}", internalDbOnly: true, adapter: false },
  { displayName: "Wfdb_nvalertdb{n}", name: "Wfdb_nvalertdb{n}", internalDbOnly: true, adapter: false },
  { displayName: "Wfdb_nvsflowdb{n}", name: "Wfdb_nvsflowdb{n}", internalDbOnly: true, adapter: false },
  { displayName: "NvPRO Performance Database", name: "NvPROPerfDB", internalDbOnly: false, adapter: true },
  { displayName: "FTBase service", name: "FTBase", internalDbOnly: false, adapter: false },
  { displayName: "NvPRO Base Manager", name: "NvPROBaseMgr", internalDbOnly: false, adapter: false },
  {
    displayName: "MasterScope UMF Operations Manager_{n}",
    name: "UMFOperationsManager_{n}",
    internalDbOnly: false,
    adapter: false,
  },
  {
    displayName: "NvPRO ResourceManagerAPI Service",
    name: "NvPRORMAPI",
    internalDbOnly: false,
    adapter: false,
  },
  {
    displayName: "NvPRO Topology Adapter",
    name: "NvPROTopologyAdapter",
    internalDbOnly: false,
    adapter: true,
  },
  {
    displayName: "NvPRO Performance Manager",
    name: "NvPROPerfMgr",
    internalDbOnly: false,
    adapter: true,
  },
];

/** The three services of §3.4 (registered by adapter-setup.bat, clustered per Table 3-2). */
export const ADAPTER_SERVICES = MANAGER_SERVICES.filter((s) => s.adapter);

/** The service whose survival for three minutes proves the first start of an upgraded Manager (§3.5 step 1). */
export const OPERATIONS_MANAGER: ServiceSpec = required(
  MANAGER_SERVICES.find((s) => s.displayName.startsWith("MasterScope UMF")),
);

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the service catalogue is missing an entry the guide names");
  return value;
}

export interface VersionSpec {
  version: string;
  /** Display name of the Manager function in the Uninstall registry keys. */
  managerProductName: string;
  viewProductName: string;
  /** Ships the three adapter services and NvPROIms.ini (true from 8.1, see the module comment). */
  hasAdapterServices: boolean;
  /** May be the target of a rolling update (§1.1: 9.0 or later). */
  rollingUpdateTarget: boolean;
}

const spec = (version: string, hasAdapterServices: boolean, rollingUpdateTarget: boolean): VersionSpec => ({
  version,
  managerProductName: "MasterScope Network Manager (Manager)",
  viewProductName: "MasterScope Network Manager (View)",
  hasAdapterServices,
  rollingUpdateTarget,
});

export const VERSIONS: readonly VersionSpec[] = [
  spec("6.1", false, false),
  spec("7.0", false, false),
  spec("7.1", false, false),
  spec("8.0", false, false),
  spec("8.1", true, false),
  spec("9.0", true, true),
  spec("9.1", true, true),
];

export const KNOWN_VERSIONS = VERSIONS.map((v) => v.version);

export function versionSpec(version: string): VersionSpec {
  const found = VERSIONS.find((v) => v.version === normalizeVersion(version));
  if (!found) {
    throw new Error(`unknown NetMgr version "${version}"; known versions: ${KNOWN_VERSIONS.join(", ")}`);
  }
  return found;
}

/** "9.0.0" and "9.00" are 9.0: installers report longer forms than the guide uses. */
export function normalizeVersion(version: string): string {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  return m ? `${Number(m[1])}.${Number(m[2])}` : version.trim();
}

export function compareVersions(a: string, b: string): number {
  const pa = normalizeVersion(a).split(".").map(Number);
  const pb = normalizeVersion(b).split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The ★ steps of the chain (§3.3 Web Console configuration, §3.4 new services) are required when the
 * source is 8.0 or lower.
 */
export function needsStarSteps(fromVersion: string): boolean {
  return !versionSpec(fromVersion).hasAdapterServices;
}

/** §4.2.1: the extra folders/file deleted on failback when the old version is earlier than 8.0. */
export function needsPre80ExtraDeletions(fromVersion: string): boolean {
  return compareVersions(fromVersion, "8.0") < 0;
}

/** The services a Manager of `version` has with `db`, in start order, for service number `n`. */
export function managerServices(version: string, db: DbMode, n = 1): { name: string; displayName: string }[] {
  const v = versionSpec(version);
  return MANAGER_SERVICES.filter((s) => !(s.internalDbOnly && db === "sqlserver"))
    .filter((s) => !s.adapter || v.hasAdapterServices)
    .map((s) => ({ name: instantiate(s.name, n), displayName: instantiate(s.displayName, n) }));
}

export function instantiate(pattern: string, n: number): string {
  return pattern.replace("{n}", String(n));
}

/** True when `displayName` is an instance of the pattern (any service number). */
export function matchesService(spec: ServiceSpec, displayName: string): boolean {
  const [before = "", after] = spec.displayName.split("{n}");
  if (after === undefined) return displayName === spec.displayName;
  if (!displayName.startsWith(before) || !displayName.endsWith(after)) return false;
  return /^\d+$/.test(displayName.slice(before.length, displayName.length - after.length));
}
