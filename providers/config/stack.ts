/**
 * The stack configuration: every `netmgr:*` key, validated with zod before anything is registered or touched.
 * `index.ts` validates it for the program; the providers re-read the parts they need (target, secrets) from
 * the config that `configure` hands them, through the same schema, so both sides agree on every default.
 *
 * Keys are flat (`netmgr:fromVersion`), objects where values belong together (`netmgr:webConsole`).
 * Pulumi.yaml declares every key with its type, default and secrecy; docs/configuration.md explains each one.
 */
import { z } from "zod";
import { KNOWN_VERSIONS, compareVersions, normalizeVersion } from "../catalogue/versions";
import { requiredInboundPorts } from "../catalogue/unconfirmed";
import { isWithin } from "../hosts/winpath";
import { WORK_DIR } from "../procedures/env";

export const PROJECT = "netmgr";

const windowsPath = z
  .string()
  .regex(/^([A-Za-z]:\\|\\\\)/, "must be an absolute Windows path such as C:\\Program Files (x86)\\NEC");

const version = z
  .string()
  .transform(normalizeVersion)
  .refine((v) => KNOWN_VERSIONS.includes(v), {
    message: `must be one of the known NetMgr versions: ${KNOWN_VERSIONS.join(", ")}`,
  });

/**
 * Installation media: a folder on each node and console and its layout (§3.1 step 1 Tip). The folder is copied
 * there beforehand by the operator, or by the chain's MediaStaging step from `stageFrom` on the controller.
 */
export const Media = z.object({
  path: windowsPath,
  /**
   * A folder on the controller (a local path, or a UNC share on a Windows controller) holding the media: the
   * chain copies it to `path` on every node and console through the remoting session (the double hop), and
   * the failback removes the copies it made. Real nodes only (target powershell).
   */
  stageFrom: z.string().min(1, "must name a folder on the controller").optional(),
  /** `plain`: the NetMgr DVD (`\NvPRO\Windows\...`); `masterscope`: MasterScope Media (`\Windows\...`). */
  layout: z.enum(["plain", "masterscope"]).default("plain"),
  /** Update modules applied on top of this version (§2.1 item 7, §4.2.5 step 2): installer paths in order. */
  updateModules: z.array(windowsPath).default([]),
});
export type Media = z.infer<typeof Media>;

/** Table 2-4: the IMS component parameters for the Web Console (§2.2.3, §3.3). */
export const WebConsole = z.object({
  enabled: z.boolean().default(false),
  managerId: z
    .string()
    .regex(/^[A-Za-z0-9]+$/, "InstanceID must be single-byte alphanumeric characters (Table 2-4)")
    .default("1"),
  imsAddress: z.ipv4({ message: "MessageQueueIP must be an IPv4 address (Table 2-4)" }).default("127.0.0.1"),
  port: z.number().int().min(1).max(65535).default(28110),
  sendEvent: z.union([z.literal(0), z.literal(1)]).default(1),
  /** §3.8: the WebAPI port the Manager answers on once "Use Web API Function" is checked. UNCONFIRMED default. */
  webApiPort: z.number().int().min(1).max(65535).default(12080),
});
export type WebConsole = z.infer<typeof WebConsole>;

/** §2.2.1: the ports Windows Firewall must let in on both nodes after the update. */
export const FirewallPort = z.object({
  port: z.number().int().min(1).max(65535),
  protocol: z
    .string()
    .transform((p) => p.toUpperCase())
    .pipe(z.enum(["TCP", "UDP"], { message: "protocol must be tcp or udp" }))
    .default("TCP"),
  /** What uses it (shown in the message when it is not let in). */
  purpose: z.string().default("listed by the setup guide's Firewall Settings"),
});
export type FirewallPort = z.infer<typeof FirewallPort>;

export const Firewall = z.object({
  /** false: another firewall manages the nodes; the pre-flight then does not look at Windows Firewall. */
  check: z.boolean().default(true),
  /** Ports beyond the ones the chain knows (console connection, WebAPI), from the setup guide's list. */
  ports: z.array(FirewallPort).default([]),
});
export type Firewall = z.infer<typeof Firewall>;

/** §2.2.1: every port the nodes must let in for this stack: the chain's own, then netmgr:firewall.ports. */
export function inboundPorts(c: { webConsole: WebConsole; firewall: Firewall }): FirewallPort[] {
  return [
    ...requiredInboundPorts({ webConsole: c.webConsole.enabled, webApiPort: c.webConsole.webApiPort }),
    ...c.firewall.ports,
  ];
}

/** Deadlines of every wait, in seconds (customTimeouts do not reach dynamic providers). */
export const Deadlines = z.object({
  /** A group move, stop or start (clpgrp), until every resource is Online/Offline. */
  groupMoveSeconds: z.number().positive().default(900),
  /** §3.5: the shared-disk update and data read after the move ("roughly three minutes"). */
  sharedDiskUpdateSeconds: z.number().positive().default(900),
  /** §3.5 step 1: Operations Manager must not stop within this time. */
  operationsManagerWatchSeconds: z.number().positive().default(180),
  /** One installer run (§3.1, §3.6). The guide: an unattended installer fails after 30 minutes of no input. */
  installerSeconds: z.number().positive().default(3600),
  /** One service start or stop. */
  serviceSeconds: z.number().positive().default(300),
  /** A DB update script (§3.2). */
  dbScriptSeconds: z.number().positive().default(3600),
  /** SysMonMgr -backup / -restore, a SQL BACKUP or RESTORE. */
  backupSeconds: z.number().positive().default(7200),
  /** How often a wait polls. */
  pollSeconds: z.number().positive().default(10),
});
export type Deadlines = z.infer<typeof Deadlines>;

/** Names of the faults the lab can inject (see providers/lab/faults.ts for what each one does). */
export const FAULT_NAMES = [
  "installer-fails",
  "shared-disk-unreachable",
  "rupinst-exit-nonzero",
  "operations-manager-stops",
  "db-script-error",
  "host-unreachable",
  "disk-full",
  "unintended-failover",
  "backup-fails",
] as const;
export const FaultName = z.enum(FAULT_NAMES);
export type FaultName = z.infer<typeof FaultName>;

export const FaultSpec = z.object({
  fault: FaultName,
  /** Only on this host (default: whichever host the faulty operation runs on). */
  host: z.string().optional(),
  /** A one-shot fault clears itself after it fires once; a sticky one stays until cleared. */
  sticky: z.boolean().default(false),
});
export type FaultSpec = z.infer<typeof FaultSpec>;

export const Lab = z.object({
  /**
   * Folder of the simulated cluster's state, relative to the project folder. The provider process does not
   * know the stack's name, so every lab stack names its own folder (stacks/Pulumi.lab.yaml: `.lab/lab`).
   */
  dir: z.string().default(".lab/lab"),
  /** 0 = waits are instant (virtual time); 60 = one lab minute per real second, to watch a rehearsal. */
  timeScale: z.number().nonnegative().default(0),
  /** Faults injected when the lab is first created from this config (the lab CLI adds more later). */
  faults: z.array(FaultSpec).default([]),
});
export type Lab = z.infer<typeof Lab>;

/** How the controller reaches real nodes (issue: the PowerShell transport). */
export const Remoting = z.object({
  transport: z.enum(["ssh", "winrm"]).default("ssh"),
  /** Address per node name when the node name does not resolve from the controller. */
  addresses: z.record(z.string(), z.string()).default({}),
  user: z.string().optional(),
  /** SSH private key on the controller (SSH remoting has no password parameter). */
  keyFile: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** WinRM endpoint, e.g. "PowerShell.7". */
  configurationName: z.string().optional(),
  /** Local PowerShell executable on the controller. */
  pwsh: z.string().default("pwsh"),
  /** Folder on each node that installer media is copied to before running (double hop). */
  stagingDir: windowsPath.default("C:\\NetMgrRollingUpdate"),
});
export type Remoting = z.infer<typeof Remoting>;

/** The address the controller reaches `node` at: its entry in remoting.addresses (names compared as Windows does, case-insensitively), else the name. */
export function nodeAddress(remoting: Pick<Remoting, "addresses">, node: string): string {
  const entry = Object.entries(remoting.addresses).find(
    ([name]) => name.toLowerCase() === node.toLowerCase(),
  );
  return entry ? entry[1] : node;
}

/** Table 2-1 / 2-2: CMDB parameters, normally read from WFDB.INI; set here only to override. */
export const CmdbOverride = z
  .object({
    user: z.string(),
    port: z.string(),
    serverName: z.string(),
    databaseName: z.string(),
    databasePath: z.string(),
    instanceName: z.string(),
    databaseDriver: z.string(),
  })
  .partial();

export const StackConfig = z
  .object({
    target: z.enum(["lab", "powershell"]).default("lab"),
    lab: Lab.default(Lab.parse({})),
    remoting: Remoting.default(Remoting.parse({})),

    /** EXPRESSCLUSTER failover group that runs NetMgr. */
    groupName: z.string().min(1).default("failover"),
    /** The two cluster nodes, as EXPRESSCLUSTER names them. */
    hosts: z
      .tuple([z.string().min(1), z.string().min(1)])
      .default(["host1", "host2"])
      .refine(([a, b]) => a.toLowerCase() !== b.toLowerCase(), "the two hosts must differ"),
    /** The host the group is active on now (host1 in the guide); the standby is updated first. */
    activeHost: z
      .string()
      .optional()
      .transform((v) => (v === "" ? undefined : v)),
    /** EXPRESSCLUSTER X major version: the clp.conf shape and command forms differ (3, 4, 5). */
    clusterVersion: z.enum(["3", "4", "5"]).default("4"),

    fromVersion: version,
    toVersion: version.default("9.0"),

    db: z.enum(["internal", "sqlserver"]).default("internal"),
    sflowDb: z.boolean().default(false),
    /** SQL Server instance of CMDB and fault DB ("" = default instance, §2.2.2 *1). */
    sqlInstance: z.string().default(""),
    /** SQL Server instance of the sFlow DB (§2.4.1 step 4 example: SFLOW). */
    sflowInstance: z.string().default("SFLOW"),
    /** Folder on the active host for the SQL Server BACKUP files (§2.4.1 step 4 example: C:\bak). */
    sqlBackupDir: windowsPath.default("C:\\bak"),
    sqlUser: z.string().default("sa"),
    cmdb: CmdbOverride.default({}),

    /** %NVP_INSTALL_PATH% on both hosts. */
    installPath: windowsPath.default("C:\\Program Files (x86)\\NEC\\UMF\\Operations"),
    /** %NVP_SHARE_PATH% on the shared disk. */
    sharePath: windowsPath.default("X:\\MasterScope\\Operations"),
    /** Character encoding of NetMgr's INI and log files. UNCONFIRMED: CP932 on Japanese Windows. */
    fileEncoding: z.enum(["cp932", "utf8", "latin1"]).default("cp932"),

    newMedia: Media,
    oldMedia: Media,

    webConsole: WebConsole.default(WebConsole.parse({})),
    /** Monitoring terminals (View function) to update, §3.6/§3.7. */
    consoles: z.array(z.string().min(1)).default([]),

    firewall: Firewall.default(Firewall.parse({})),
    deadlines: Deadlines.default(Deadlines.parse({})),

    /** Make the update permanent: destroy then forgets the stack instead of failing back (README: Finalize). */
    finalize: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    const active = c.activeHost ?? c.hosts[0];
    if (!c.hosts.some((h) => h.toLowerCase() === active.toLowerCase())) {
      ctx.addIssue({
        code: "custom",
        path: ["activeHost"],
        message: `must be one of netmgr:hosts (${c.hosts.join(", ")})`,
      });
    }
    if (compareVersions(c.toVersion, "9.0") < 0) {
      ctx.addIssue({
        code: "custom",
        path: ["toVersion"],
        message: "a rolling update needs a target of 9.0 or later (§1.1)",
      });
    }
    if (compareVersions(c.toVersion, c.fromVersion) <= 0) {
      ctx.addIssue({
        code: "custom",
        path: ["toVersion"],
        message: `must be later than netmgr:fromVersion (${c.fromVersion})`,
      });
    }
    for (const console of c.consoles) {
      if (c.hosts.some((h) => h.toLowerCase() === console.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          path: ["consoles"],
          message: `${console} is a cluster node, not a console`,
        });
      }
    }
    for (const issue of stagingProblems(c)) ctx.addIssue({ code: "custom", ...issue });
    if (c.sflowDb && c.db !== "sqlserver") {
      ctx.addIssue({
        code: "custom",
        path: ["sflowDb"],
        message:
          "the sFlow DB is an external (SQL Server) database: set netmgr:db to sqlserver or sflowDb to false",
      });
    }
  });

/** The two media keys: the new version's, and the current one's (for a failback). */
export const MEDIA_KEYS = ["newMedia", "oldMedia"] as const;
export type MediaKey = (typeof MEDIA_KEYS)[number];

/**
 * `stageFrom` (the chain copies the media to `path` and the failback removes that copy): real nodes only, and
 * a `path` the copy may occupy and a failback may remove — a folder of its own on the node's disk, apart from
 * NetMgr's folders, the chain's work folder and the other media.
 */
function stagingProblems(c: {
  target: string;
  installPath: string;
  sharePath: string;
  newMedia: Media;
  oldMedia: Media;
}): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const key of MEDIA_KEYS) {
    const m = c[key];
    if (m.stageFrom === undefined) continue;
    if (c.target !== "powershell") {
      out.push({
        path: [key, "stageFrom"],
        message:
          `the chain stages media only onto real nodes (netmgr:target powershell); the lab has its media on every ` +
          `host already: remove ${key}.stageFrom (pulumi config rm --path '${key}.stageFrom') or set netmgr:target powershell`,
      });
    }
    const example = `${WORK_DIR}\\NetMgr-<version>`;
    if (!/^[A-Za-z]:\\[^\\]/.test(m.path)) {
      out.push({
        path: [key, "path"],
        message:
          `with ${key}.stageFrom set, the media is copied to this path: it must be a folder on the node's own disk ` +
          `below the drive root, not a share or a drive (e.g. ${example})`,
      });
      continue;
    }
    if (isWithin(WORK_DIR, m.path)) {
      out.push({
        path: [key, "path"],
        message:
          `with ${key}.stageFrom set, the failback removes the copy at this path, and ${m.path} holds the chain's ` +
          `work folder ${WORK_DIR} (records, backups): use a folder of its own, e.g. ${example}`,
      });
    }
    for (const [other, value] of [
      ["installPath", c.installPath],
      ["sharePath", c.sharePath],
    ] as const) {
      if (isWithin(m.path, value) || isWithin(value, m.path)) {
        out.push({
          path: [key, "path"],
          message: `with ${key}.stageFrom set, the copy must not overlap netmgr:${other} (${value}): use a folder of its own, e.g. ${example}`,
        });
      }
    }
    const otherKey = key === "newMedia" ? "oldMedia" : "newMedia";
    const otherPath = c[otherKey].path;
    if (isWithin(m.path, otherPath) || isWithin(otherPath, m.path)) {
      out.push({
        path: [key, "path"],
        message: `with ${key}.stageFrom set, the copy must not overlap netmgr:${otherKey}.path (${otherPath}): give each media a folder of its own`,
      });
    }
  }
  return out;
}
export type StackConfig = z.infer<typeof StackConfig>;

/** Keys whose values are JSON objects or arrays in Pulumi config (everything else is a string). */
const STRUCTURED_KEYS = new Set([
  "lab",
  "remoting",
  "hosts",
  "cmdb",
  "newMedia",
  "oldMedia",
  "webConsole",
  "consoles",
  "firewall",
  "deadlines",
]);
const BOOLEAN_KEYS = new Set(["sflowDb", "finalize"]);

/** Secret keys: read through configure in the provider, never resource inputs (see Pulumi.yaml). */
export const SECRET_KEYS = ["sqlPassword", "remotingPassword"] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/**
 * Parse raw Pulumi config values (`get("fromVersion")` → the string Pulumi stores) into a validated config.
 * Every problem names its key and how to fix it.
 */
export function parseStackConfig(get: (key: string) => string | undefined): StackConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of Object.keys(StackConfig.shape) as string[]) {
    const value = get(key);
    if (value === undefined) continue;
    if (STRUCTURED_KEYS.has(key) || BOOLEAN_KEYS.has(key)) {
      try {
        raw[key] = JSON.parse(value);
      } catch {
        problems.push(
          `${PROJECT}:${key}: is not valid JSON (${JSON.stringify(value)}); set it with pulumi config set --path`,
        );
      }
    } else {
      raw[key] = value;
    }
  }
  const parsed = StackConfig.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(describeIssue(issue));
    throw new ConfigError(problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = `${PROJECT}:${issue.path.map(String).join(".")}`;
  const fix =
    issue.code === "invalid_type" && issue.input === undefined
      ? ` Set it: pulumi config set ${issue.path.length > 1 ? "--path " : ""}'${issue.path.map(String).join(".")}' <value>`
      : "";
  return `${key}: ${issue.message}.${fix}`;
}

/** The active and standby host names as configured (case as written in netmgr:hosts). */
export function rolesOf(c: StackConfig): { active: string; standby: string } {
  const activeName = c.activeHost ?? c.hosts[0];
  // Validated: activeHost is one of the two hosts (case-insensitively).
  const [first, second] = c.hosts;
  return first.toLowerCase() === activeName.toLowerCase()
    ? { active: first, standby: second }
    : { active: second, standby: first };
}
