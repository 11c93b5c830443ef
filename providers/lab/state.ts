/**
 * The lab's state: one JSON document in the lab folder, validated with zod on every load. Everything the
 * simulated cluster is (filesystems, services, the failover group, SQL Server instances, the clock, the
 * timeline, pending processes and faults) lives here, so any process that opens the folder sees one cluster.
 */
import { z } from "zod";
import { FirewallState, ServiceState, StartType } from "../hosts/types";
import { FaultSpec } from "../config/stack";
import { LabSpec } from "./spec";

export const STATE_FORMAT = 1;

export const Entry = z.object({
  /** Path below the drive root in its original case, e.g. `\Program Files (x86)\NEC`. */
  name: z.string(),
  dir: z.boolean(),
  /** File content, base64. */
  data: z.string().optional(),
  /** Virtual time of the last write. */
  mtime: z.number(),
});
export type Entry = z.infer<typeof Entry>;

export const Volume = z.object({
  label: z.string(),
  capacity: z.number(),
  /** Bytes in use by everything the lab does not model file by file (the OS, other software). */
  baseUsed: z.number(),
  /** Keyed by the lower-cased path below the root. */
  entries: z.record(z.string(), Entry),
});
export type Volume = z.infer<typeof Volume>;

export const LabService = z.object({
  name: z.string(),
  displayName: z.string(),
  startType: StartType,
  state: ServiceState,
});
export type LabService = z.infer<typeof LabService>;

export const SqlDatabase = z.object({ name: z.string(), mdf: z.string(), ldf: z.string() });
export type SqlDatabase = z.infer<typeof SqlDatabase>;

export const SqlInstance = z.object({
  /** "" = the default instance (MSSQLSERVER). */
  instance: z.string(),
  edition: z.string(),
  version: z.string(),
  /** The Windows service of the instance (MSSQLSERVER, MSSQL$SFLOW). */
  service: z.string(),
  databases: z.array(SqlDatabase),
});
export type SqlInstance = z.infer<typeof SqlInstance>;

/** The Manager's own life cycle on a host (see manager.ts). */
export const ManagerPhase = z.enum(["stopped", "starting", "updating", "initializing", "serving", "failed"]);
export type ManagerPhase = z.infer<typeof ManagerPhase>;

export const LabHostState = z.object({
  name: z.string(),
  role: z.enum(["node", "console"]),
  address: z.string(),
  admin: z.boolean(),
  env: z.record(z.string(), z.string()),
  /** Drive letter ("C:") to volume id. The shared disk is not listed: it is reached through the cluster. */
  drives: z.record(z.string(), z.string()),
  services: z.array(LabService),
  manager: z.object({ version: z.string() }).nullable(),
  view: z.object({ version: z.string() }).nullable(),
  processes: z.array(z.string()),
  mgr: z.object({ runId: z.number(), phase: ManagerPhase, since: z.number() }),
  sql: z.array(SqlInstance),
  /** Windows Firewall (§2.2.1); absent in labs created before it was modelled (then: off). */
  firewall: FirewallState.optional(),
});
export type LabHostState = z.infer<typeof LabHostState>;

export const GroupRuntime = z.object({
  /** Online, Offline, Online Failure, Offline Failure. */
  state: z.string(),
  current: z.string().nullable(),
  resources: z.record(z.string(), z.string()),
});
export type GroupRuntime = z.infer<typeof GroupRuntime>;

export const ClusterState = z.object({
  /** The configuration distributed by the last push (what `clpcfctrl --pull` returns). */
  conf: z.string(),
  scripts: z.record(z.string(), z.string()),
  /** The configuration the cluster runs on (a push made while suspended becomes effective at resume). */
  effective: z.string(),
  effectiveScripts: z.record(z.string(), z.string()),
  suspended: z.boolean(),
  /** Settings pushed while not suspended wait for a suspend/resume cycle. */
  pendingSettings: z.boolean(),
  group: GroupRuntime,
  /** The host the disk resource is online on (the shared disk is reachable only from there). */
  diskOwner: z.string().nullable(),
  /** A host that owns the disk resource but cannot reach the disk (fault shared-disk-unreachable, §4.1). */
  diskBlocked: z.string().nullable(),
  fipOwner: z.string().nullable(),
  /** Failovers made by monitors since the last manual group operation (bounded by the monitors' thresholds). */
  monitorFailovers: z.number(),
});
export type ClusterState = z.infer<typeof ClusterState>;

export const PendingEvent = z.object({
  at: z.number(),
  seq: z.number(),
  host: z.string(),
  runId: z.number(),
  step: z.string(),
});
export type PendingEvent = z.infer<typeof PendingEvent>;

export const TimelineKind = z.enum([
  "service",
  "group",
  "command",
  "op",
  "serving",
  "fault",
  "cluster",
  "manager",
  "clock",
  "note",
  "warning",
]);
export type TimelineKind = z.infer<typeof TimelineKind>;

export const TimelineEvent = z.object({
  seq: z.number(),
  at: z.number(),
  kind: TimelineKind,
  host: z.string().optional(),
  text: z.string(),
  /** For service events: the service name and "up"/"down"; for serving events: "up"/"down"; for commands: exit code. */
  name: z.string().optional(),
  value: z.string().optional(),
  durationMs: z.number().optional(),
});
export type TimelineEvent = z.infer<typeof TimelineEvent>;

export const LabState = z.object({
  format: z.literal(STATE_FORMAT),
  spec: LabSpec,
  /** Virtual time at which the cluster was ready (downtime is counted from here). */
  createdAt: z.number(),
  now: z.number(),
  seq: z.number(),
  secrets: z.object({ cmdbPassword: z.string(), saPassword: z.string() }),
  volumes: z.record(z.string(), Volume),
  /** Keyed by the lower-cased host name. */
  hosts: z.record(z.string(), LabHostState),
  cluster: ClusterState,
  pending: z.array(PendingEvent),
  timeline: z.array(TimelineEvent),
  faults: z.array(FaultSpec),
  /** Hosts whose Manager is serving (see docs/lab.md "Downtime"). */
  serving: z.array(z.string()),
});
export type LabState = z.infer<typeof LabState>;
