/** zod schemas of the input groups the chain passes to its resources (providers/chain.ts builds them). */
import { z } from "zod";
import { CmdbOverride, Media } from "../config/stack";

export const ClusterInput = z.object({
  group: z.string(),
  /** The host that was active before the update (host1 in the guide). */
  active: z.string(),
  /** The host updated first (host2). */
  standby: z.string(),
  clusterVersion: z.enum(["3", "4", "5"]),
  hosts: z.tuple([z.string(), z.string()]),
});
export type ClusterInput = z.infer<typeof ClusterInput>;

export const PathsInput = z.object({ installPath: z.string(), sharePath: z.string() });

export const DbInput = z.object({
  mode: z.enum(["internal", "sqlserver"]),
  sflow: z.boolean(),
  sqlInstance: z.string(),
  sflowInstance: z.string(),
  sqlBackupDir: z.string(),
  cmdb: CmdbOverride,
});
export type DbInput = z.infer<typeof DbInput>;

export const VersionsInput = z.object({ fromVersion: z.string(), toVersion: z.string() });

export const MediaInput = z.object({ newMedia: Media, oldMedia: Media });

/**
 * Every step's inputs carry its plan key, and two labels that never change the cluster (the runtime ignores
 * them when diffing): its title ("10/16 FailoverGroupMove") and the guide sections it implements.
 */
export const StepBase = z.object({ key: z.string(), title: z.string(), sections: z.string() });
export const LABEL_KEYS = ["title", "sections"] as const;

/** Steps after the pre-flight also carry the chain id (tags records and backups on the nodes). */
export const ChainStepBase = StepBase.extend({ chain: z.string() });
