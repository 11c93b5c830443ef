/**
 * EXPRESSCLUSTER X operations the guide needs, as one interface. The implementation drives the real
 * commands (`clpstat`, `clpgrp`, `clpcl`, `clpcfctrl`) through `HostOps.run` on a cluster node, so the lab,
 * which emulates those commands, checks the very command lines a real node would run.
 */
import { z } from "zod";

export const ResourceStatus = z.object({ name: z.string(), state: z.string() });

export const GroupStatus = z.object({
  name: z.string(),
  /** "Online", "Offline", "Online Pending", "Offline Pending", "Online Failure", "Offline Failure", "Unknown" */
  state: z.string(),
  /** The server the group is active on; null when offline ("None"). */
  current: z.string().nullable(),
  resources: z.array(ResourceStatus),
});
export type GroupStatus = z.infer<typeof GroupStatus>;

export const ClusterStatus = z.object({
  cluster: z.string(),
  servers: z.array(z.object({ name: z.string(), state: z.string(), local: z.boolean() })),
  groups: z.array(GroupStatus),
  monitors: z.array(z.object({ name: z.string(), state: z.string() })),
});
export type ClusterStatus = z.infer<typeof ClusterStatus>;

/** What `clpcfctrl --pull -x <dir>` leaves in <dir>: clp.conf and the scripts tree (`scripts\<group>\<rsc>\start.bat`). */
export interface ClusterConfigFiles {
  clpConf: string;
  /** Relative paths with `\` separators, e.g. `scripts\failover\script\start.bat`. */
  scripts: Record<string, Buffer>;
}

/**
 * What an edit changed, which decides how it is applied (docs/expresscluster.md "Applying a change"):
 * - `resources`: group resources added or removed (§3.4.2 step 5: the group stops, the cluster is suspended
 *   and resumed);
 * - `settings`: recovery thresholds or cluster-wide switches (suspend, push, resume).
 */
export type ConfigChange = "resources" | "settings";

/**
 * Every `deadlineMs` is a time budget in milliseconds counted from the call (stack config `deadlines.*` in
 * seconds × 1000), not a point in time. Waits poll `clpstat --long` until every resource of the group is in
 * the expected state; when the budget runs out the error names the group, its last state and the resources
 * not there yet. Implementation: cli.ts; command forms: commands.ts; apply sequences: apply.ts.
 */
export interface ClusterOps {
  /** `clpstat --long` */
  status(): Promise<ClusterStatus>;
  /**
   * `clpgrp -m <group> -a <toHost>`, then poll `clpstat` until the group is Online on `toHost` or the deadline
   * passes. A stopped group is started there instead (`clpgrp -s <group> -h <toHost>`); a group already Online
   * there is left alone.
   */
  moveGroup(group: string, toHost: string, deadlineMs: number): Promise<void>;
  /** `clpgrp -s <group> -h <onHost>`, then poll until Online. Refuses a group active on another host. */
  startGroup(group: string, onHost: string, deadlineMs: number): Promise<void>;
  /** `clpgrp -t <group>`, then poll until Offline (nothing to do when it is already Offline). */
  stopGroup(group: string, deadlineMs: number): Promise<void>;
  /** `clpcl --suspend` */
  suspend(): Promise<void>;
  /** `clpcl --resume` */
  resume(): Promise<void>;
  /**
   * `clpcfctrl --pull -x <dir>` into an emptied work folder, and read back what it wrote (clp.conf decoded in
   * its declared encoding).
   */
  pullConfig(): Promise<ClusterConfigFiles>;
  /**
   * Write the files into an emptied work folder (clp.conf re-encoded in its declared encoding) and apply them
   * with the sequence `change` needs (see ConfigChange). A failure after `clpcl --suspend` resumes the cluster
   * before the error is thrown; the error says where the cluster and the group stand.
   */
  applyConfig(
    files: ClusterConfigFiles,
    change: ConfigChange,
    group: string,
    deadlineMs: number,
  ): Promise<void>;
}
