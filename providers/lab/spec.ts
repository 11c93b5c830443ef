/**
 * The lab's creation spec: what simulated cluster to build when the lab folder holds none yet. Everything
 * here mirrors a stack-config key (providers/config/stack.ts), so a lab built from a stack's config looks
 * like the cluster that config describes.
 */
import { z } from "zod";
import { FaultSpec, inboundPorts, type StackConfig } from "../config/stack";
import { requiredInboundPorts } from "../catalogue/unconfirmed";
import { KNOWN_VERSIONS, compareVersions, normalizeVersion } from "../catalogue/versions";

const windowsPath = z
  .string()
  .regex(/^[A-Za-z]:\\/, "must be an absolute Windows path such as D:\\media\\NetMgr-9.0");

const version = z
  .string()
  .transform(normalizeVersion)
  .refine((v) => KNOWN_VERSIONS.includes(v), { message: `must be one of ${KNOWN_VERSIONS.join(", ")}` });

export const LabMedia = z.object({
  path: windowsPath,
  layout: z.enum(["plain", "masterscope"]).default("plain"),
});
export type LabMedia = z.infer<typeof LabMedia>;

export const LabSpec = z
  .object({
    hosts: z.tuple([z.string().min(1), z.string().min(1)]).default(["host1", "host2"]),
    /** The host the failover group is active on at creation (host1 in the guide). */
    activeHost: z.string().optional(),
    groupName: z.string().min(1).default("failover"),
    clusterName: z.string().min(1).default("cluster"),
    clusterVersion: z.enum(["3", "4", "5"]).default("4"),
    fromVersion: version,
    toVersion: version.default("9.0"),
    db: z.enum(["internal", "sqlserver"]).default("internal"),
    sflowDb: z.boolean().default(false),
    /** The Web Console (IMS component) is in use (§2.2.3). */
    webConsole: z.boolean().default(false),
    /** Monitoring terminals: extra hosts with only the View function. */
    consoles: z.array(z.string().min(1)).default([]),
    installPath: windowsPath.default("C:\\Program Files (x86)\\NEC\\UMF\\Operations"),
    sharePath: windowsPath.default("X:\\MasterScope\\Operations"),
    fileEncoding: z.enum(["cp932", "utf8", "latin1"]).default("cp932"),
    sqlInstance: z.string().default(""),
    sflowInstance: z.string().default("SFLOW"),
    /** The shared disk resource type: a shared disk (`sd`) or a mirror disk (`md`). */
    diskType: z.enum(["sd", "md"]).default("sd"),
    /** The floating IP address of the failover group. */
    floatingIp: z.ipv4().default("192.168.10.100"),
    newMedia: LabMedia.optional(),
    oldMedia: LabMedia.optional(),
    /** §2.2.1 done: the ports the nodes' Windows Firewall lets in at creation (the console port, the WebAPI). */
    inboundPorts: z
      .array(z.object({ port: z.number().int().min(1).max(65535), protocol: z.enum(["TCP", "UDP"]) }))
      .default(
        requiredInboundPorts({ webConsole: true, webApiPort: 12080 }).map(({ port, protocol }) => ({
          port,
          protocol,
        })),
      ),
    faults: z.array(FaultSpec).default([]),
  })
  .superRefine((s, ctx) => {
    if (s.hosts[0].toLowerCase() === s.hosts[1].toLowerCase()) {
      ctx.addIssue({ code: "custom", path: ["hosts"], message: "the two hosts must differ" });
    }
    const active = s.activeHost ?? s.hosts[0];
    if (!s.hosts.some((h) => h.toLowerCase() === active.toLowerCase())) {
      ctx.addIssue({ code: "custom", path: ["activeHost"], message: `must be one of ${s.hosts.join(", ")}` });
    }
    if (compareVersions(s.toVersion, s.fromVersion) <= 0) {
      ctx.addIssue({ code: "custom", path: ["toVersion"], message: "must be later than fromVersion" });
    }
    if (s.sflowDb && s.db !== "sqlserver") {
      ctx.addIssue({
        code: "custom",
        path: ["sflowDb"],
        message: "the sFlow DB exists only with db=sqlserver",
      });
    }
    for (const c of s.consoles) {
      if (s.hosts.some((h) => h.toLowerCase() === c.toLowerCase())) {
        ctx.addIssue({ code: "custom", path: ["consoles"], message: `${c} is a cluster node` });
      }
    }
  })
  .transform((s) => ({
    ...s,
    activeHost:
      s.hosts.find((h) => h.toLowerCase() === (s.activeHost ?? s.hosts[0]).toLowerCase()) ?? s.hosts[0],
    newMedia: s.newMedia ?? { path: `D:\\media\\NetMgr-${s.toVersion}`, layout: "plain" as const },
    oldMedia: s.oldMedia ?? { path: `D:\\media\\NetMgr-${s.fromVersion}`, layout: "plain" as const },
  }));
export type LabSpecInput = z.input<typeof LabSpec>;
export type LabSpec = z.output<typeof LabSpec>;

/** The lab spec a stack's configuration describes (the lab then looks like the cluster the config names). */
export function labSpecFromStackConfig(c: StackConfig): LabSpec {
  return LabSpec.parse({
    hosts: c.hosts,
    activeHost: c.activeHost,
    groupName: c.groupName,
    clusterVersion: c.clusterVersion,
    fromVersion: c.fromVersion,
    toVersion: c.toVersion,
    db: c.db,
    sflowDb: c.sflowDb,
    webConsole: c.webConsole.enabled,
    consoles: c.consoles,
    installPath: c.installPath,
    sharePath: c.sharePath,
    fileEncoding: c.fileEncoding,
    sqlInstance: c.sqlInstance,
    sflowInstance: c.sflowInstance,
    newMedia: { path: c.newMedia.path, layout: c.newMedia.layout },
    oldMedia: { path: c.oldMedia.path, layout: c.oldMedia.layout },
    inboundPorts: inboundPorts(c).map(({ port, protocol }) => ({ port, protocol })),
    faults: c.lab.faults,
  } satisfies LabSpecInput);
}
