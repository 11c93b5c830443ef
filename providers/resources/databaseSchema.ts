/**
 * DatabaseSchema (§3.2): the DB update scripts run from the active host while the old Manager keeps serving;
 * logs judged (§3.2.1 step 3, Table 3-1); with SQL Server, WFDB.INI and NvPROBaseMgr.ini copied to the
 * standby. Delete puts the DBs back from the chain's backup (§4.2.4; internal DBs via the shared-disk
 * restore of §4.2.1) and the standby's INI files as they were.
 */
import { z } from "zod";
import { ActiveBackupRecord } from "../procedures/backup";
import { LogVerdict, restoreDatabases, updateDatabases } from "../procedures/database";
import { SavedFile, restoreSavedFiles } from "../procedures/files";
import { groupOf, reachableCluster } from "../procedures/cluster";
import { local } from "../procedures/paths";
import { ChainStepBase, ClusterInput, DbInput, MediaInput, PathsInput } from "./inputs";
import { envOf, recordingPartial } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({
  host: z.string(),
  standby: z.string(),
  cluster: ClusterInput,
  paths: PathsInput,
  db: DbInput,
  media: MediaInput,
  activeBackup: ActiveBackupRecord,
});
const Result = z.object({
  logs: z.array(LogVerdict),
  activeIniSaved: z.array(SavedFile),
  standbyIniSaved: z.array(SavedFile),
  createdScriptsFolder: z.boolean(),
  /** When the update ran, on the target's clock: a restore after this undoes it. */
  updatedAt: z.number(),
});

export const DatabaseSchema: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "DatabaseSchema",
  inputs: Inputs,
  result: Result,
  id: (i) => `database-schema:${i.host}`,
  async create(i, ctx) {
    const env = envOf(ctx);
    const updatedAt = env.target.clock.now();
    const r = await recordingPartial({ updatedAt }, () =>
      updateDatabases(env, i.chain, {
        host: i.host,
        standby: i.standby,
        paths: i.paths,
        db: i.db,
        media: i.media.newMedia,
      }),
    );
    return { ...r, updatedAt };
  },
  // The scripts' effect (schema version) is not observable through NetMgr's own files; the result stands.
  async read(_i, r) {
    return r;
  },
  async delete(i, r, ctx) {
    const env = envOf(ctx);
    const { status } = await reachableCluster(env, i.cluster.hosts);
    const g = groupOf(status, i.cluster.group);
    const activeHost = g.state === "Online" && g.current ? g.current : i.host;
    await restoreDatabases(env, i.chain, {
      activeHost,
      hosts: i.cluster.hosts,
      paths: i.paths,
      db: i.db,
      backup: i.activeBackup,
      updatedAt: r.updatedAt,
    });
    await restoreSavedFiles(ctx.target, ctx.target.host(i.host), r.activeIniSaved);
    await restoreSavedFiles(ctx.target, ctx.target.host(i.standby), r.standbyIniSaved);
    // §3.2 step 1 copied the scripts folder: gone again if it was not there before.
    if (r.createdScriptsFolder) await ctx.target.host(i.host).remove(local(i.paths).sqlRupdate);
  },
};
