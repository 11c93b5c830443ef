/**
 * Step 2, FailoverSuppression (§2.3): record the recovery settings, then suppress failover on activity and
 * monitor errors so nothing moves the group during the update. Delete restores the recorded settings — the
 * very last act of a failback (the chain deletes it last).
 */
import { z } from "zod";
import { RecoveryRecord, forgetRecord, restoreRecovery, suppressFailover } from "../procedures/suppression";
import { ChainStepBase, ClusterInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({ cluster: ClusterInput });
const Result = z.object({
  /** The settings before the update (restored by the lift and by this step's delete). */
  recorded: RecoveryRecord,
});

export const FailoverSuppression: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "FailoverSuppression",
  inputs: Inputs,
  result: Result,
  id: (i) => `suppression:${i.cluster.group}`,
  async create(i, ctx) {
    const recorded = await suppressFailover(envOf(ctx), i.chain, i.cluster.group, i.cluster.hosts);
    return { recorded };
  },
  // Suppression is a bracket, not a lasting effect: the lift ends it on purpose, and the lift's own read
  // reports whether the settings are back as recorded. The record itself is history.
  async read(_i, r) {
    return r;
  },
  async delete(i, r, ctx) {
    const env = envOf(ctx);
    await restoreRecovery(env, i.cluster.group, i.cluster.hosts, r.recorded);
    await forgetRecord(env, i.chain, i.cluster.hosts);
  },
};
