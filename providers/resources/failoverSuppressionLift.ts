/**
 * The last step, FailoverSuppressionLift (Table 1-1 step 15, §2.3): put back the recovery settings step 2
 * recorded. Its delete suppresses again, because a failback must run suppressed; step 2's delete restores the
 * originals at the very end.
 *
 * This is also the guard rail of a complete update: destroying it means failing back an update that finished,
 * losing everything NetMgr wrote since the backups, so its delete refuses unless deliberately allowed.
 */
import { z } from "zod";
import { StepError } from "../procedures/env";
import {
  RecoveryRecord,
  matchesRecord,
  observeRecovery,
  restoreRecovery,
  resuppress,
} from "../procedures/suppression";
import { ActiveBackupRecord, TreeBackup } from "../procedures/backup";
import { ChainStepBase, ClusterInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({
  cluster: ClusterInput,
  suppression: RecoveryRecord,
  /** Verified before a failback of the complete update changes anything. */
  activeBackup: ActiveBackupRecord,
  standbyBackups: z.array(TreeBackup),
});
const Result = z.object({ observed: RecoveryRecord });

export const FailoverSuppressionLift: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "FailoverSuppressionLift",
  inputs: Inputs,
  result: Result,
  id: (i) => `suppression-lift:${i.cluster.group}`,
  async create(i, ctx) {
    const env = envOf(ctx);
    await restoreRecovery(env, i.cluster.group, i.cluster.hosts, i.suppression);
    return { observed: await observeRecovery(env, i.cluster.group, i.cluster.hosts) };
  },
  async read(i, _r, ctx) {
    return { observed: await observeRecovery(envOf(ctx), i.cluster.group, i.cluster.hosts) };
  },
  drift: (i, r) => matchesRecord(r.observed, i.suppression),
  refuseDelete(_i, ctx) {
    if (!ctx.settings.allowFailbackAfterComplete) {
      throw new StepError(
        "Failback of a complete update",
        undefined,
        "the rolling update completed. Failing it back restores the data of the backups taken before the update: " +
          "everything NetMgr recorded since then (alerts, configuration changes) would be lost. To keep the update, " +
          "make it permanent: pulumi config set finalize true, then pulumi destroy forgets the stack without touching " +
          "the cluster. To fail back anyway, deliberately: pulumi config set allowFailbackAfterComplete true, then pulumi destroy.",
        "README: Failback",
      );
    }
  },
  async delete(i, _r, ctx) {
    await resuppress(envOf(ctx), i.cluster.group, i.cluster.hosts);
  },
};
