/**
 * §2.1 and §2.2: everything the guide asks a person to confirm before the window, checked on the live
 * cluster, each problem one message that says what is wrong and how to fix it. Nothing is changed.
 */
import { mediaPath, type MediaItem } from "../catalogue/media";
import { compareVersions, needsStarSteps, normalizeVersion, versionSpec } from "../catalogue/versions";
import type { FirewallPort, Media, MediaKey } from "../config/stack";
import type { HostOps } from "../hosts/types";
import { groupOf, placement, reachableCluster, pullClpConf } from "./cluster";
import { readText, seconds, type Env } from "./env";
import { checkStagingSources, checkStagingSpace, relativeToMedia, stagingBytes } from "./media";
import { firewallProblems } from "./firewall";
import { local, type NetMgrPaths } from "./paths";
import { netmgrServices, serviceSummary } from "./services";
import { findIniValue, parseIni } from "./text";

export interface PreflightInputs {
  cluster: { group: string; active: string; standby: string; hosts: string[] };
  paths: NetMgrPaths;
  db: {
    mode: "internal" | "sqlserver";
    sflow: boolean;
    sqlInstance: string;
    sflowInstance: string;
    cmdb: Record<string, string | undefined>;
  };
  versions: { fromVersion: string; toVersion: string };
  media: { newMedia: Media; oldMedia: Media };
  consoles: string[];
  /** §2.2.1: the ports Windows Firewall must let in on both nodes (check false: another firewall manages them). */
  firewall: { check: boolean; ports: FirewallPort[] };
  sqlPasswordSet: boolean;
}

export interface Baseline {
  managerVersions: Record<string, string>;
  viewVersions: Record<string, string>;
  activeHost: string;
  services: Record<string, Record<string, string>>;
  /** Table 2-1/2-2/2-3 parameters without the password. */
  dbParameters: Record<string, string>;
  sqlServer: Record<string, string>;
}

/** §2.1 item 3: ≥ 1 GB on the system drive for the installer's work area. */
export const TEMP_FREE_BYTES = 1024 ** 3;
/** §2.1 item 2 refers to "System Requirements" (not in the guide). UNCONFIRMED: 2 GiB on the install drive. */
export const INSTALL_FREE_BYTES = 2 * 1024 ** 3;

/**
 * §2.1 item 4: characters added to JIS in JIS X 0213:2004 break the installer when they are in %TEMP%/%TMP%.
 * These are the ten characters added in 2004.
 */
export const JIS2004_ADDED = ["俱", "剝", "𠮟", "吞", "噓", "妍", "屛", "幷", "瘦", "繫"];

export const TABLE_2_1 = [
  "CMDB_USER",
  "DATABASE_PORT",
  "CMDB_PASSWD",
  "SERVER_NAME",
  "DATABASE_NAME",
  "DATABASE_PATH",
] as const;
export const TABLE_2_2 = ["DATABASE_NAME", "SERVER_NAME", "DATABASE_DRIVER"] as const;
export const TABLE_2_3 = ["DATABASE_NAME", "SERVER_NAME"] as const;

export async function preflight(
  env: Env,
  p: PreflightInputs,
): Promise<{ problems: string[]; baseline: Baseline }> {
  const problems: string[] = [];
  const baseline: Baseline = {
    managerVersions: {},
    viewVersions: {},
    activeHost: "",
    services: {},
    dbParameters: {},
    sqlServer: {},
  };
  const nodes = p.cluster.hosts;
  const star = needsStarSteps(p.versions.fromVersion);

  // §1.1: a rolling update needs a 9.0+ target and a 1:1 cluster whose group runs where config says.
  if (!versionSpec(p.versions.toVersion).rollingUpdateTarget) {
    problems.push(
      `netmgr:toVersion ${p.versions.toVersion}: a rolling update needs a target of 9.0 or later (§1.1)`,
    );
  }
  try {
    const { ops, status } = await reachableCluster(env, nodes);
    const group = groupOf(status, p.cluster.group);
    baseline.activeHost = group.current ?? "";
    if (group.state !== "Online") {
      problems.push(
        `the failover group "${p.cluster.group}" is ${group.state}, not Online: start it on ${p.cluster.active} before the update (§1.2)`,
      );
    } else if (group.current?.toLowerCase() !== p.cluster.active.toLowerCase()) {
      problems.push(
        `the failover group "${p.cluster.group}" is active on ${group.current}, but netmgr:activeHost is ${p.cluster.active}: ` +
          `set it with: pulumi config set activeHost ${group.current}`,
      );
    }
    const { conf } = await pullClpConf(ops);
    const servers = conf.servers();
    if (servers.length !== 2) {
      problems.push(
        `the cluster has ${servers.length} servers (${servers.join(", ")}); the rolling update supports a 1:1 cluster only (§1.1)`,
      );
    }
    for (const h of nodes) {
      if (!servers.some((s) => s.toLowerCase() === h.toLowerCase())) {
        problems.push(
          `netmgr:hosts names ${h}, which is not a server of the cluster (${servers.join(", ")})`,
        );
      }
    }
  } catch (e) {
    problems.push(`the cluster status could not be read: ${(e as Error).message}`);
  }

  // Media with stageFrom: the controller's folder now, the copies on the hosts after the MediaStaging step.
  problems.push(...checkStagingSources(p.media, requiredMedia(star)));
  const staging = stagingBytes(p.media);
  for (const name of nodes) {
    const host = env.target.host(name);
    try {
      problems.push(...(await checkNode(env, host, p, baseline)));
      problems.push(...(await checkStagingSpace(host, p.media, staging)));
    } catch (e) {
      problems.push(prefixed(name, (e as Error).message));
    }
  }
  for (const name of p.consoles) {
    const host = env.target.host(name);
    try {
      problems.push(...(await checkConsole(host, p, baseline)));
      problems.push(...(await checkStagingSpace(host, p.media, staging)));
    } catch (e) {
      problems.push(prefixed(name, (e as Error).message));
    }
  }

  try {
    problems.push(...(await readDbParameters(env, p, baseline)));
  } catch (e) {
    problems.push(
      `${p.cluster.active}: the DB parameters could not be read (§2.2.2): ${(e as Error).message}`,
    );
  }
  if (p.db.mode === "sqlserver") problems.push(...(await checkSqlServer(env, p, baseline)));
  return { problems, baseline };
}

async function checkNode(env: Env, host: HostOps, p: PreflightInputs, baseline: Baseline): Promise<string[]> {
  const problems: string[] = [];
  const n = host.host;
  const e = await host.environment();
  if (!e.isAdmin) problems.push(`${n}: the remoting user is not a member of Administrators (§2.1 item 1)`);
  problems.push(...checkTemp(n, e.temp, e.tmp, e.tempWritable));
  const systemFree = await host.freeSpace(`${e.systemDrive}\\`);
  if (systemFree < TEMP_FREE_BYTES) {
    problems.push(
      `${n}: ${e.systemDrive} has ${gib(systemFree)} free; the installer needs 1 GB there for its work area (§2.1 item 3)`,
    );
  }
  const installFree = await host.freeSpace(p.paths.installPath);
  if (installFree < INSTALL_FREE_BYTES) {
    problems.push(
      `${n}: the install drive has ${gib(installFree)} free; keep at least ${gib(INSTALL_FREE_BYTES)} (§2.1 item 2)`,
    );
  }
  if (p.firewall.check) problems.push(...firewallProblems(n, await host.firewall(), p.firewall.ports));
  const L = local(p.paths);
  if ((await host.stat(L.updateData)) !== null) {
    problems.push(
      `${n}: ${L.updateData} exists and would make the installer fail (§3.1 Caution): move it elsewhere or delete it`,
    );
  }
  // §2.1 item 5: room for the §2.4 backups (a copy of the local sg tree, and SysMonMgr's on the active host).
  const sgBytes = (await host.hashTree(L.sg)).reduce((sum, f) => sum + f.size, 0);
  if (installFree < sgBytes * 2) {
    problems.push(
      `${n}: ${gib(installFree)} free is not enough for the backups of ${L.sg} (${gib(sgBytes)}, §2.1 item 5)`,
    );
  }

  const products = await host.installedProducts();
  const spec = versionSpec(p.versions.fromVersion);
  const manager = products.find((x) => x.displayName === spec.managerProductName);
  if (!manager) {
    problems.push(
      `${n}: NetMgr's Manager function is not installed ("${spec.managerProductName}" not in the Uninstall registry)`,
    );
  } else {
    baseline.managerVersions[n] = normalizeVersion(manager.version);
    if (compareVersions(manager.version, p.versions.fromVersion) !== 0) {
      problems.push(
        `${n}: the Manager is version ${normalizeVersion(manager.version)}, but netmgr:fromVersion is ${p.versions.fromVersion}: ` +
          `set netmgr:fromVersion to the installed version`,
      );
    }
  }
  const services = await netmgrServices(host);
  baseline.services[n] = serviceSummary(services);
  const hasWfdb = services.some((s) => s.spec.internalDbOnly);
  if (p.db.mode === "internal" && !hasWfdb) {
    problems.push(
      `${n}: no Wfdb_* services, so the DBs are external: set netmgr:db to sqlserver (§3.1 step 7 *2)`,
    );
  }
  if (p.db.mode === "sqlserver" && hasWfdb) {
    problems.push(
      `${n}: Wfdb_* services exist, so the DBs are internal: set netmgr:db to internal (§3.1 step 7 *2)`,
    );
  }
  problems.push(...(await checkMedia(host, p, needsStarSteps(p.versions.fromVersion))));
  return problems;
}

export function checkTemp(n: string, temp: string | null, tmp: string | null, writable: boolean): string[] {
  const problems: string[] = [];
  const value = tmp ?? temp;
  if (!value) {
    problems.push(`${n}: neither %TMP% nor %TEMP% is defined; the installer needs one (§2.1 item 3)`);
    return problems;
  }
  if (!writable) problems.push(`${n}: %TEMP% (${value}) is not writable (§2.1 item 3)`);
  for (const v of [temp, tmp]) {
    const bad = v ? JIS2004_ADDED.filter((c) => v.includes(c)) : [];
    if (bad.length > 0) {
      problems.push(
        `${n}: %TEMP%/%TMP% (${v}) contains ${bad.join(" ")}, characters added in JIS2004; the installer may fail: use a plain ASCII folder (§2.1 item 4)`,
      );
    }
  }
  return problems;
}

/** What the chain runs from each media: §3.1, §3.2, §2.4.1 (and the ★ steps) from the new, §4.2.5 from the old. */
export function requiredMedia(star: boolean): Record<MediaKey, MediaItem[]> {
  return {
    newMedia: ["setup", "sqlRupdate", "sgbackupList", ...(star ? (["imsIni", "adapterBin"] as const) : [])],
    oldMedia: ["setup"],
  };
}

/** A media with stageFrom is checked on the controller (checkStagingSources): the hosts get it later. */
const staged = (m: Media): boolean => m.stageFrom !== undefined;

async function checkMedia(host: HostOps, p: PreflightInputs, star: boolean): Promise<string[]> {
  const problems: string[] = [];
  const required = requiredMedia(star);
  if (!staged(p.media.newMedia)) {
    for (const item of required.newMedia) {
      const path = mediaPath(p.media.newMedia, item);
      if ((await host.stat(path)) === null) {
        problems.push(
          `${host.host}: the new media has no ${path} (netmgr:newMedia: path and layout ${p.media.newMedia.layout})`,
        );
      }
    }
  }
  // §2.1 item 7: the old media and its update modules are needed for a failback.
  const oldSetup = mediaPath(p.media.oldMedia, "setup");
  if (!staged(p.media.oldMedia) && (await host.stat(oldSetup)) === null) {
    problems.push(
      `${host.host}: the old version's media is missing (${oldSetup}); a failback needs it (§2.1 item 7, netmgr:oldMedia)`,
    );
  }
  for (const module of p.media.oldMedia.updateModules) {
    // A module inside a staged old media is checked in its stageFrom folder.
    if (staged(p.media.oldMedia) && relativeToMedia(p.media.oldMedia, module) !== undefined) continue;
    if ((await host.stat(module)) === null)
      problems.push(`${host.host}: update module ${module} is missing (§2.1 item 7)`);
  }
  return problems;
}

async function checkConsole(host: HostOps, p: PreflightInputs, baseline: Baseline): Promise<string[]> {
  const problems: string[] = [];
  const spec = versionSpec(p.versions.fromVersion);
  const view = (await host.installedProducts()).find((x) => x.displayName === spec.viewProductName);
  if (!view)
    problems.push(
      `${host.host}: the View function (monitoring terminal) is not installed; remove it from netmgr:consoles`,
    );
  else baseline.viewVersions[host.host] = normalizeVersion(view.version);
  if (!staged(p.media.newMedia) && (await host.stat(mediaPath(p.media.newMedia, "setup"))) === null) {
    problems.push(`${host.host}: the new media is missing (${mediaPath(p.media.newMedia, "setup")})`);
  }
  if (!staged(p.media.oldMedia) && (await host.stat(mediaPath(p.media.oldMedia, "setup"))) === null) {
    problems.push(
      `${host.host}: the old media is missing (${mediaPath(p.media.oldMedia, "setup")}); a failback needs it`,
    );
  }
  return problems;
}

/** §2.2.2: the DB setup parameters, from WFDB.INI and NvPROBaseMgr.ini on the active host (config overrides win). */
async function readDbParameters(env: Env, p: PreflightInputs, baseline: Baseline): Promise<string[]> {
  const problems: string[] = [];
  const host = env.target.host(p.cluster.active);
  const L = local(p.paths);
  const wfdb = await readText(env, host, L.wfdbIni);
  if (wfdb === undefined) return [`${host.host}: ${L.wfdbIni} is missing (§2.2.2)`];
  const data = parseIni(wfdb);
  const keys = p.db.mode === "internal" ? TABLE_2_1 : TABLE_2_2;
  for (const key of keys) {
    const value = findIniValue(data, key);
    if (value === undefined || value === "")
      problems.push(
        `${host.host}: ${L.wfdbIni} has no ${key} (Table ${p.db.mode === "internal" ? "2-1" : "2-2"})`,
      );
    else if (key !== "CMDB_PASSWD") baseline.dbParameters[`CMDB.${key}`] = value;
  }
  if (p.db.mode === "sqlserver") {
    baseline.dbParameters["CMDB.SQL_INSTANCE_NAME"] = findIniValue(data, "SQL_INSTANCE_NAME") ?? "\\";
    const base = await readText(env, host, L.baseMgrIni);
    if (base === undefined) return [...problems, `${host.host}: ${L.baseMgrIni} is missing (§2.2.2)`];
    const b = parseIni(base);
    for (const key of TABLE_2_3) {
      const value = findIniValue(b, key);
      if (!value) problems.push(`${host.host}: ${L.baseMgrIni} has no ${key} (Table 2-3)`);
      else baseline.dbParameters[`FaultDB.${key}`] = value;
    }
    baseline.dbParameters["FaultDB.SQL_INSTANCE_NAME"] = findIniValue(b, "SQL_INSTANCE_NAME") ?? "\\";
  }
  return problems;
}

/** Table 1-2 *3: the SQL Servers of both hosts must have the same grade. */
async function checkSqlServer(env: Env, p: PreflightInputs, baseline: Baseline): Promise<string[]> {
  const problems: string[] = [];
  if (!p.sqlPasswordSet) {
    problems.push(
      "netmgr:sqlPassword is not set; the SQL Server backups need it: pulumi config set --secret sqlPassword <password>",
    );
    return problems;
  }
  const instances = [p.db.sqlInstance, ...(p.db.sflow ? [p.db.sflowInstance] : [])];
  for (const instance of instances) {
    const infos = [];
    for (const h of p.cluster.hosts) {
      try {
        const info = await env.target.sql.instanceInfo(h, instance);
        baseline.sqlServer[`${h}/${instance || "MSSQLSERVER"}`] = `${info.edition} ${info.version}`;
        infos.push(info);
      } catch (e) {
        problems.push(
          `${h}: SQL Server instance ${instance || "(default)"} could not be queried: ${(e as Error).message}`,
        );
      }
    }
    const [a, b] = infos;
    if (a && b && a.edition !== b.edition) {
      problems.push(
        `SQL Server instance ${instance || "(default)"} differs between the hosts: ${a.host} has ${a.edition}, ` +
          `${b.host} has ${b.edition}; both must have the same grade (Table 1-2 *3)`,
      );
    }
  }
  return problems;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** Put the group back on the host the pre-flight found it on, if it is elsewhere or stopped. */
export async function returnToBaseline(
  env: Env,
  group: string,
  hosts: readonly string[],
  activeHost: string,
): Promise<void> {
  if (!activeHost) return;
  const { ops, via, status } = await reachableCluster(env, hosts);
  const now = placement(groupOf(status, group));
  if (now?.toLowerCase() === activeHost.toLowerCase()) return;
  const deadline = seconds(env.deadlines.groupMoveSeconds);
  env.progress.say(
    `the group is ${now ? `on ${now}` : "stopped"}; moving it back to ${activeHost}, where the update found it`,
    via,
  );
  if (now) await ops.moveGroup(group, activeHost, deadline);
  else await ops.startGroup(group, activeHost, deadline);
}

/** "host2: message", without doubling a host name the message already starts with. */
function prefixed(host: string, message: string): string {
  return message.toLowerCase().startsWith(`${host.toLowerCase()}:`) ? message : `${host}: ${message}`;
}
