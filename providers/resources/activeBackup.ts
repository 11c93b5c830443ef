/**
 * ActiveBackup (§2.4.1): SysMonMgr backup of the active host with the rolling-update backup list (its
 * configuration, the shared disk's data and the CMDB), copied and verified on the other host, plus — with
 * SQL Server — BACKUP of the fault DB and sFlow DB with checksum and verification. Delete keeps them all.
 */
import { z } from "zod";
import { ActiveBackupRecord, backupActive, verifyActiveBackup } from "../procedures/backup";
import { ChainStepBase, ClusterInput, DbInput, MediaInput, PathsInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";
import { faultDbName, sflowDbName } from "../procedures/database";

const Inputs = ChainStepBase.extend({
  host: z.string(),
  copyTo: z.string(),
  cluster: ClusterInput,
  paths: PathsInput,
  db: DbInput,
  media: MediaInput,
});
const Result = z.object({ backup: ActiveBackupRecord, observed: z.object({ intact: z.boolean() }) });

export const ActiveBackup: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "ActiveBackup",
  inputs: Inputs,
  result: Result,
  id: (i) => `data-backup:${i.host}`,
  async create(i, ctx) {
    const env = envOf(ctx);
    const sql =
      i.db.mode === "sqlserver"
        ? [
            { host: i.host, instance: i.db.sqlInstance, database: await faultDbName(env, i.host, i.paths) },
            ...(i.db.sflow ? [{ host: i.host, instance: i.db.sflowInstance, database: sflowDbName() }] : []),
          ]
        : [];
    const backup = await backupActive(env, {
      chain: i.chain,
      host: i.host,
      copyTo: i.copyTo,
      paths: i.paths,
      media: i.media.newMedia,
      sql,
      sqlBackupDir: i.db.sqlBackupDir,
    });
    return { backup, observed: { intact: true } };
  },
  async read(_i, r, ctx) {
    const intact = await verifyActiveBackup(envOf(ctx), r.backup).then(
      () => true,
      () => false,
    );
    return { ...r, observed: { intact } };
  },
  async delete(i, r, ctx) {
    ctx.progress.say(
      `keeping backup ${r.backup.id} on ${r.backup.copies.map((c) => c.host).join(", ")} and the SQL backups`,
      i.host,
    );
  },
};
