/**
 * Step 2, FailoverSuppression (§2.3): record the recovery settings, then suppress failover on activity and
 * monitor errors so nothing moves the group during the update. Delete restores the recorded settings — the
 * very last act of a failback (the chain deletes it last).
 */
import { z } from "zod";
import {
  RecoveryRecord,
  forgetRecord,
  isSuppressed,
  observeRecovery,
  restoreRecovery,
  suppressFailover,
} from "../procedures/suppression";
import { ChainStepBase, ClusterInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({ cluster: ClusterInput });
const Result = z.object({
  /** The settings before the update (restored by step 15 and by this step's delete). */
  recorded: RecoveryRecord,
  observed: z.object({ suppressed: z.boolean() }),
});

export const FailoverSuppression: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "FailoverSuppression",
  inputs: Inputs,
  result: Result,
  cosmetic: ["title"],
  id: (i) => `suppression:${i.cluster.group}`,
  async create(i, ctx) {
    const recorded = await suppressFailover(envOf(ctx), i.chain, i.cluster.group, i.cluster.hosts);
    return { recorded, observed: { suppressed: true } };
  },
  async read(i, r, ctx) {
    const now = await observeRecovery(envOf(ctx), i.cluster.group, i.cluster.hosts);
    // Step 15 lifts suppression on purpose; drift is only suppression missing while the update is under way,
    // which the lift's own read reports. Here: observed as is.
    return { ...r, observed: { suppressed: isSuppressed(now) } };
  },
  async delete(i, r, ctx) {
    const env = envOf(ctx);
    await restoreRecovery(env, i.cluster.group, i.cluster.hosts, r.recorded);
    await forgetRecord(env, i.chain, i.cluster.hosts);
  },
};
