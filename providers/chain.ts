/**
 * The chain: the guide's Table 1-1 / 1-2 as an ordered list of resources (DESIGN §2). Pure: the program
 * registers these as Pulumi resources with a dependsOn chain; tests drive them in-process in the same order.
 *
 * Departures from the DESIGN table, each for the failback invariant (after deleting step k the cluster is as
 * before creating step k):
 * - A §2.4.2 backup of the second host's local sg is taken before that host is updated ("backup-<host>"
 *   twice): its §4.2.5 undo needs it, and the guide only backs up the first standby.
 * - The §3.5 moves are one resource kind used twice; each delete returns the group to where it was before
 *   (online on a host, or stopped after a §3.4.2 apply).
 * - With `stageFrom` (real nodes), a MediaStaging step after the pre-flight copies the media to every host: the
 *   guide assumes the media is at hand on each host; a remoting session cannot read it from a share.
 */
import { needsStarSteps } from "./catalogue/versions";
import { inboundPorts, rolesOf, type StackConfig } from "./config/stack";

/** A reference to an output of an earlier step, resolved by the program (Outputs) or the test driver. */
export interface Ref {
  $ref: string;
  key: string;
}

export type InputValue = unknown;

export interface ChainStep {
  /** Pulumi resource name; the number keeps `pulumi stack` listings in chain order. */
  name: string;
  kind: string;
  title: string;
  /** The host the step acts on, for the plan (several for cluster-wide steps). */
  hosts: string[];
  /** The guide sections the step implements. */
  sections: string;
  inputs: Record<string, InputValue>;
}

export interface SkippedStep {
  kind: string;
  sections: string;
  reason: string;
}

export interface ChainPlan {
  steps: ChainStep[];
  skipped: SkippedStep[];
}

export const ref = (step: string, key: string): Ref => ({ $ref: step, key });

export function isRef(value: unknown): value is Ref {
  return typeof value === "object" && value !== null && "$ref" in value && "key" in value;
}

export function planChain(c: StackConfig): ChainPlan {
  const { active, standby } = rolesOf(c);
  const star = needsStarSteps(c.fromVersion);
  const cluster = {
    group: c.groupName,
    active,
    standby,
    clusterVersion: c.clusterVersion,
    hosts: [...c.hosts],
  };
  const paths = { installPath: c.installPath, sharePath: c.sharePath };
  const db = {
    mode: c.db,
    sflow: c.sflowDb,
    sqlInstance: c.sqlInstance,
    sflowInstance: c.sflowInstance,
    sqlBackupDir: c.sqlBackupDir,
    cmdb: c.cmdb,
  };
  const versions = { fromVersion: c.fromVersion, toVersion: c.toVersion };
  const media = { newMedia: c.newMedia, oldMedia: c.oldMedia };

  const raw: Omit<ChainStep, "name" | "title">[] = [];
  const skipped: SkippedStep[] = [];
  // Every step after the pre-flight carries the chain's id (made by the pre-flight), which tags what the steps
  // leave on the nodes (records, backup folders) so a later rolling update never mistakes them for its own.
  const add = (
    kind: string,
    key: string,
    hosts: string[],
    sections: string,
    inputs: Record<string, InputValue>,
  ) =>
    raw.push({
      kind,
      hosts,
      sections,
      inputs: { ...inputs, key, ...(kind === "Preflight" ? {} : { chain: ref("preflight", "chainId") }) },
    });

  add("Preflight", "preflight", [...c.hosts, ...c.consoles], "§2.1, §2.2", {
    cluster,
    paths,
    db,
    versions,
    media,
    consoles: c.consoles,
    webConsole: c.webConsole.enabled,
    firewall: {
      check: c.firewall.check,
      ports: inboundPorts(c),
    },
  });
  // The double hop (docs/real-cluster.md): media with `stageFrom` are copied from the controller to every host
  // before anything changes; the failback removes the copies last, after every step that reinstalls from them.
  if (c.newMedia.stageFrom !== undefined || c.oldMedia.stageFrom !== undefined) {
    const hosts = [...c.hosts, ...c.consoles];
    add("MediaStaging", "media-staging", hosts, "§2.1 item 7, §3.1 step 1, §3.6 step 1", { media, hosts });
  }
  add("FailoverSuppression", "suppression", [...c.hosts], "§2.3", { cluster });
  add("StandbyBackup", `backup-${standby}`, [standby], "§2.4.2", { host: standby, paths });
  add("ManagerInstall", `install-${standby}`, [standby], "§3.1 (undo §4.2.5)", {
    host: standby,
    updateDataAtStartup: true,
    cluster,
    paths,
    db,
    versions,
    media,
    standbyBackup: ref(`backup-${standby}`, "backup"),
  });
  add("ActiveBackup", `backup-${active}-data`, [active, standby], "§2.4.1", {
    host: active,
    copyTo: standby,
    cluster,
    paths,
    db,
    media,
  });
  add("DatabaseSchema", "database-schema", [active, standby], "§3.2 (undo §4.2.4)", {
    host: active,
    standby,
    cluster,
    paths,
    db,
    media,
    activeBackup: ref(`backup-${active}-data`, "backup"),
  });
  if (star) {
    add("WebConsoleConfig", "web-console-config", [active], "§3.3", {
      host: active,
      cluster,
      paths,
      media,
      webConsole: c.webConsole,
    });
    add("ServiceRegistration", "service-registration", [active], "§3.4.1 (undo §4.2.2 3-4, §4.2.3 1)", {
      host: active,
      cluster,
      paths,
      media,
    });
    add("ClusterResourceDependencies", "cluster-resources", [...c.hosts], "§3.4.2 (undo §4.2.2 1-2)", {
      cluster,
      paths,
      db,
    });
  } else {
    const reason = `the source version ${c.fromVersion} is later than 8.0: the guide requires this only from 8.0 or lower`;
    skipped.push({ kind: "WebConsoleConfig", sections: "§3.3", reason });
    skipped.push({ kind: "ServiceRegistration", sections: "§3.4.1", reason });
    skipped.push({ kind: "ClusterResourceDependencies", sections: "§3.4.2", reason });
  }
  add("FailoverGroupMove", `move-to-${standby}`, [active, standby], "§3.5 (undo §4.2.1, §4.2.3)", {
    cluster,
    from: active,
    to: standby,
    firstStartOfUpgrade: true,
    paths,
    db,
    versions,
    activeBackup: ref(`backup-${active}-data`, "backup"),
  });
  for (const console of c.consoles) {
    add("MonitoringTerminal", `console-${console}`, [console], "§3.6, §3.7 (undo §4.2.3 3)", {
      host: console,
      cluster,
      versions,
      media,
    });
  }
  add("StandbyBackup", `backup-${active}`, [active], "§2.4.2 (for the second host)", { host: active, paths });
  add("ManagerInstall", `install-${active}`, [active], "§3.1 (undo §4.2.5)", {
    host: active,
    updateDataAtStartup: false,
    cluster,
    paths,
    db,
    versions,
    media,
    standbyBackup: ref(`backup-${active}`, "backup"),
  });
  add("FailoverGroupMove", `move-to-${active}`, [standby, active], "Table 1-1 step 12, §3.7", {
    cluster,
    from: standby,
    to: active,
    firstStartOfUpgrade: false,
    paths,
    db,
    versions,
    activeBackup: ref(`backup-${active}-data`, "backup"),
  });
  if (c.webConsole.enabled) {
    add("WebApi", "web-api", [active], "§3.8", {
      host: active,
      cluster,
      paths,
      port: c.webConsole.webApiPort,
    });
  } else {
    skipped.push({
      kind: "WebApi",
      sections: "§3.8",
      reason: "the Web Console is not used (netmgr:webConsole.enabled is false)",
    });
  }
  add("FailoverSuppressionLift", "suppression-lift", [...c.hosts], "§2.3 (Table 1-1 step 15)", {
    cluster,
    suppression: ref("suppression", "recorded"),
    // The first step a complete failback deletes: it checks every backup before anything is changed.
    activeBackup: ref(`backup-${active}-data`, "backup"),
    standbyBackups: [ref(`backup-${standby}`, "backup"), ref(`backup-${active}`, "backup")],
  });

  const total = raw.length;
  const steps = raw.map((s, i) => {
    const n = String(i + 1).padStart(2, "0");
    const key = s.inputs.key as string;
    return {
      ...s,
      name: `${n}-${key}`,
      title: `step ${i + 1}/${total} ${s.kind} ${s.hosts.join(",")}`,
      inputs: { ...s.inputs, title: `${i + 1}/${total} ${s.kind}`, sections: s.sections },
    };
  });
  return { steps, skipped };
}

/** The plan as lines a person reads in `pulumi preview` (stack output `plan`). */
export function describePlan(plan: ChainPlan, c: StackConfig): string[] {
  const { active, standby } = rolesOf(c);
  const lines = [
    `Rolling update of NetMgr ${c.fromVersion} -> ${c.toVersion} (${c.db === "internal" ? "internal DBs, Table 1-1" : "SQL Server DBs, Table 1-2"}) ` +
      `on group "${c.groupName}": ${active} is active now, ${standby} is updated first.`,
  ];
  for (const s of plan.steps)
    lines.push(`${s.name.padEnd(32)} ${s.kind.padEnd(28)} ${s.hosts.join(", ").padEnd(20)} ${s.sections}`);
  for (const s of plan.skipped) lines.push(`skipped: ${s.kind} (${s.sections}): ${s.reason}`);
  return lines;
}
