/**
 * FailoverGroupMove (§3.5; Table 1-1 step 12 for the move back). The first move starts the upgraded Manager
 * on the shared disk and is gated on §3.5's three checks; its delete is §4.2.1 then §4.2.3. The move back
 * checks the services; its delete moves the group back again. Moves are transitions, not lasting effects:
 * only the final move reports drift (the group not on its original host).
 */
import { z } from "zod";
import { ActiveBackupRecord } from "../procedures/backup";
import { groupOf, placement, reachableCluster } from "../procedures/cluster";
import { failBackMove, moveGroup, type MoveStep } from "../procedures/move";
import { ChainStepBase, ClusterInput, DbInput, PathsInput, VersionsInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({
  cluster: ClusterInput,
  from: z.string(),
  to: z.string(),
  firstStartOfUpgrade: z.boolean(),
  paths: PathsInput,
  db: DbInput,
  versions: VersionsInput,
  activeBackup: ActiveBackupRecord,
});
type Inputs = z.infer<typeof Inputs>;

const Evidence = z.object({
  rupInstExitCode: z.number().nullable(),
  nvpLogStart: z.boolean(),
  nvpLogEnd: z.boolean(),
  operationsManagerUpFor: z.number(),
});
const Result = z.object({
  groupBefore: z.string().nullable(),
  evidence: Evidence.nullable(),
  observed: z.object({ groupOn: z.string().nullable() }).default({ groupOn: null }),
});

function step(i: Inputs): MoveStep {
  return {
    chain: i.chain,
    group: i.cluster.group,
    hosts: i.cluster.hosts,
    from: i.from,
    to: i.to,
    firstStartOfUpgrade: i.firstStartOfUpgrade,
    paths: i.paths,
    db: { mode: i.db.mode, sqlInstance: i.db.sqlInstance },
    fromVersion: i.versions.fromVersion,
    backup: i.activeBackup,
  };
}

async function groupOn(
  ctx: Parameters<StepDefinition<typeof Inputs, typeof Result>["create"]>[1],
  i: Inputs,
) {
  const { status } = await reachableCluster(envOf(ctx), i.cluster.hosts);
  return placement(groupOf(status, i.cluster.group));
}

export const FailoverGroupMove: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "FailoverGroupMove",
  inputs: Inputs,
  result: Result,
  id: (i) => `move:${i.cluster.group}:${i.to}`,
  async create(i, ctx) {
    const r = await moveGroup(envOf(ctx), step(i));
    return { ...r, observed: { groupOn: await groupOn(ctx, i) } };
  },
  async read(i, r, ctx) {
    // Only the final move's placement is a lasting effect of the chain.
    return i.firstStartOfUpgrade ? r : { ...r, observed: { groupOn: await groupOn(ctx, i) } };
  },
  drift: (i, r) =>
    !i.firstStartOfUpgrade && r.observed.groupOn?.toLowerCase() !== i.to.toLowerCase()
      ? [`the group is ${r.observed.groupOn ? `on ${r.observed.groupOn}` : "stopped"}, not on ${i.to}`]
      : [],
  delete: (i, r, ctx) => failBackMove(envOf(ctx), step(i), r),
};
