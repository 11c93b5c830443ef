/**
 * ManagerInstall (§3.1): overwrite install of the Manager function on the standby — "Update data area at
 * startup" YES on the first host (its first start updates the shared disk, §3.5), NO on the second — then every
 * NetMgr service Manual and stopped. Refuses to touch the host the group is active on. Delete is §4.2.5:
 * uninstall, the old version with the same parameters and update modules, services not automatic, the §2.4.2
 * backup restored.
 */
import { z } from "zod";
import { TreeBackup } from "../procedures/backup";
import {
  failBackManager,
  installManager,
  managerDrift,
  observeManager,
  repairManager,
  type ManagerStep,
} from "../procedures/manager";
import { ChainStepBase, ClusterInput, DbInput, MediaInput, PathsInput, VersionsInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({
  host: z.string(),
  updateDataAtStartup: z.boolean(),
  cluster: ClusterInput,
  paths: PathsInput,
  db: DbInput,
  versions: VersionsInput,
  media: MediaInput,
  standbyBackup: TreeBackup,
});
type Inputs = z.infer<typeof Inputs>;

const Result = z.object({
  versionBefore: z.string(),
  movedUpdateData: z.string().nullable(),
  observed: z
    .object({ version: z.string().nullable(), startTypes: z.record(z.string(), z.string()) })
    .default({ version: null, startTypes: {} }),
});

function step(i: Inputs): ManagerStep {
  return {
    chain: i.chain,
    host: i.host,
    hosts: i.cluster.hosts,
    group: i.cluster.group,
    updateDataAtStartup: i.updateDataAtStartup,
    paths: i.paths,
    fromVersion: i.versions.fromVersion,
    toVersion: i.versions.toVersion,
    newMedia: i.media.newMedia,
    oldMedia: i.media.oldMedia,
    backup: i.standbyBackup,
  };
}

export const ManagerInstall: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "ManagerInstall",
  inputs: Inputs,
  result: Result,
  id: (i) => `manager:${i.host}`,
  create: (i, ctx) => installManager(envOf(ctx), step(i)),
  async read(i, r, ctx) {
    return {
      ...r,
      observed: await observeManager(envOf(ctx), { host: i.host, toVersion: i.versions.toVersion }),
    };
  },
  drift: (i, r) => managerDrift(i.versions.toVersion, r.observed),
  repair: (i, r, ctx) => repairManager(envOf(ctx), step(i), r),
  delete: (i, r, ctx) => failBackManager(envOf(ctx), step(i), r),
};
