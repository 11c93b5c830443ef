/**
 * StandbyBackup (§2.4.2): a verified copy of a node's `%NVP_INSTALL_PATH%\Manager\sg` before that node is
 * updated. Used twice: for the first standby (the guide's step 2) and for the second host before its own
 * update (its §4.2.5 undo needs it too). Delete keeps the backup: backups are never removed by a failback.
 */
import { z } from "zod";
import { TreeBackup, backupStandby, verifyTreeBackup } from "../procedures/backup";
import { ChainStepBase, PathsInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({ host: z.string(), paths: PathsInput });
const Result = z.object({ backup: TreeBackup, observed: z.object({ intact: z.boolean() }) });

export const StandbyBackup: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "StandbyBackup",
  inputs: Inputs,
  result: Result,
  id: (i) => `sg-backup:${i.host}`,
  async create(i, ctx) {
    const backup = await backupStandby(envOf(ctx), i.chain, i.host, i.paths);
    return { backup, observed: { intact: true } };
  },
  async read(i, r, ctx) {
    const intact = await verifyTreeBackup(ctx.target.host(i.host), r.backup).then(
      () => true,
      () => false,
    );
    return { ...r, observed: { intact } };
  },
  async delete(i, r, ctx) {
    ctx.progress.say(`keeping the backup ${r.backup.path} (backups are never removed by a failback)`, i.host);
  },
};
