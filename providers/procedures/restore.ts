/**
 * Putting the shared data back from the backup the chain took (§4.2.1 steps 3-4, §4.2.4), shared by the
 * failback of the DB update and of the first move. Always the chain's own backup: `SysMonMgr -restore -S
 * -latest` is the only restore form the guide documents, so the restore refuses unless the chain's backup IS
 * the latest on that host (someone may have taken another since).
 */
import { z } from "zod";
import type { HostOps } from "../hosts/types";
import { type ActiveBackupRecord, lastLines, listBackups, readSharedManifest } from "./backup";
import { StepError, WORK_DIR, seconds, type Env } from "./env";
import { readJson } from "./files";
import { leafName, local, shared, winJoin, type NetMgrPaths } from "./paths";

const Receipt = z.object({ id: z.string(), at: z.number() });

const receiptFile = (chain: string, id: string) => winJoin(WORK_DIR, chain, `restored-${id}.json`);

/**
 * §4.2.1 step 3 with the chain's backup `b` on `host` (NetMgr services must be stopped). The failback verified
 * `b` on every host before the step began (verifyBackupsFor).
 */
export async function restoreSharedData(
  env: Env,
  chain: string,
  host: HostOps,
  paths: NetMgrPaths,
  b: ActiveBackupRecord,
): Promise<void> {
  const ids = await listBackups(env, host, paths);
  const latest = [...ids].sort().pop();
  if (latest !== b.id) {
    throw new StepError(
      "Failback",
      host.host,
      `the chain's backup ${b.id} is not the latest on ${host.host} (latest: ${latest ?? "none"}), so SysMonMgr -restore -S -latest ` +
        `would restore another one. Move the newer backup folders out of ${local(paths).backups} and run pulumi destroy again`,
      "§4.2.1 step 3",
    );
  }
  const L = local(paths);
  env.progress.say(`SysMonMgr -restore -S -latest (backup ${b.id}, §4.2.1 step 3)`, host.host);
  const r = await host.run(L.sysMonMgr, ["-restore", "-S", "-latest"], {
    cwd: L.bin,
    timeoutMs: seconds(env.deadlines.backupSeconds),
  });
  if (r.exitCode !== 0) {
    throw new StepError(
      "SysMonMgr -restore",
      host.host,
      `exit code ${r.exitCode}`,
      "§4.2.1 step 3",
      lastLines(r.output),
    );
  }
  await setAsideNewFiles(env, chain, host, paths, b);
  await host.writeFile(
    receiptFile(chain, b.id),
    Buffer.from(JSON.stringify({ id: b.id, at: env.target.clock.now() })),
  );
}

/**
 * After the restore, the shared sg tree should be as it was at the backup. Files that did not exist then
 * (written by the new version, which SysMonMgr's restore does not remove) are moved into the chain's work
 * folder: the tree is as before, and nothing is lost. Files that still differ are reported.
 */
async function setAsideNewFiles(
  env: Env,
  chain: string,
  host: HostOps,
  paths: NetMgrPaths,
  b: ActiveBackupRecord,
): Promise<void> {
  const before = await readSharedManifest(host, chain, b);
  const known = new Map(before.map((e) => [e.path.toLowerCase(), e.sha256.toLowerCase()]));
  const sg = shared(paths).sg;
  const now = await host.hashTree(sg);
  const extra = now.filter((e) => !known.has(e.path.toLowerCase()));
  const aside = winJoin(WORK_DIR, chain, "written-after-backup");
  for (const e of extra) await host.move(winJoin(sg, e.path), winJoin(aside, e.path));
  if (extra.length > 0)
    env.progress.say(
      `moved ${extra.length} file(s) written after backup ${b.id} out of the shared disk into ${aside} (kept, not deleted)`,
      host.host,
    );
  const changed = now.filter(
    (e) => known.has(e.path.toLowerCase()) && known.get(e.path.toLowerCase()) !== e.sha256.toLowerCase(),
  );
  if (changed.length > 0) {
    env.progress.say(
      `after the restore ${changed.length} file(s) differ from the backup time (not covered by SysMonMgr's backup list): ${changed
        .slice(0, 5)
        .map((e) => e.path)
        .join(", ")}`,
      host.host,
    );
  }
}

/** Was the chain's backup restored (on any of `hosts`) after `since`? */
export async function restoredSince(
  env: Env,
  chain: string,
  hosts: readonly string[],
  id: string,
  since: number,
): Promise<boolean> {
  for (const h of hosts) {
    const host = env.target.host(h);
    const receipt = await readJson(host, receiptFile(chain, id), Receipt);
    if (receipt && receipt.at >= since) return true;
  }
  return false;
}

/** SQL Server's Windows service for an instance ("" = default instance). */
export function sqlServiceName(instance: string): string {
  return instance === "" || instance === "\\" ? "MSSQLSERVER" : `MSSQL$${instance}`;
}

/**
 * §4.2.1 step 4: make the CMDB consistent with the restored shared data — start the CMDB, run
 * NvPRORestoreDataC.bat, stop the CMDB (internal: WfdbCtlStart/Stop.bat; SQL Server: its instance service,
 * left as it was found).
 */
export async function cmdbConsistency(
  env: Env,
  host: HostOps,
  paths: NetMgrPaths,
  mode: "internal" | "sqlserver",
  sqlInstance: string,
): Promise<void> {
  const L = local(paths);
  const run = async (program: string) => {
    env.progress.say(`${leafName(program)} (§4.2.1 step 4)`, host.host);
    const r = await host.run(program, [], { cwd: L.bin, timeoutMs: seconds(env.deadlines.dbScriptSeconds) });
    if (r.exitCode !== 0) {
      throw new StepError(
        leafName(program),
        host.host,
        `exit code ${r.exitCode}`,
        "§4.2.1 step 4",
        lastLines(r.output),
      );
    }
  };
  if (mode === "internal") {
    await run(L.wfdbCtlStart);
    try {
      await run(L.restoreDataC);
    } finally {
      await run(L.wfdbCtlStop);
    }
    return;
  }
  const service = sqlServiceName(sqlInstance);
  const wasRunning =
    (await host.services()).find((s) => s.name.toLowerCase() === service.toLowerCase())?.state === "Running";
  if (!wasRunning) await host.startService(service);
  try {
    await run(L.restoreDataC);
  } finally {
    if (!wasRunning) await host.stopService(service);
  }
}
