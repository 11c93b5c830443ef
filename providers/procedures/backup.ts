/**
 * §2.4: the backups every destructive step is preceded by, each verified and findable from saved outputs
 * alone. A backup records a manifest (SHA-256 of every file) so a failback can refuse a backup that is
 * missing or no longer matches.
 */
import { z } from "zod";
import { mediaPath } from "../catalogue/media";
import { SYSMONMGR_BACKUP_ID } from "../catalogue/unconfirmed";
import type { Media } from "../config/stack";
import { manifestDigest } from "../hosts/target";
import { TreeEntry, type HostOps } from "../hosts/types";
import { StepError, WORK_DIR, seconds, type Env } from "./env";
import { readJson } from "./files";
import { leafName, local, shared, winJoin, type NetMgrPaths } from "./paths";

export const TreeBackup = z.object({
  host: z.string(),
  /** The backup's folder; the copied tree is `<path>\<name of the source folder>`. */
  path: z.string(),
  source: z.string(),
  files: z.number().int(),
  bytes: z.number().int(),
  /** SHA-256 of the manifest (sorted "path size sha256" lines). */
  manifestSha256: z.string(),
});
export type TreeBackup = z.infer<typeof TreeBackup>;

/**
 * Copy the folder `source` to `<dest>\<leaf>` on the same node and verify the copy against the source.
 * Idempotent: a complete, matching copy already at `dest` is kept; a partial one is replaced.
 */
export async function backupTree(env: Env, host: HostOps, source: string, dest: string): Promise<TreeBackup> {
  const target = winJoin(dest, leafName(source));
  const sourceTree = await host.hashTree(source);
  const expected = manifestDigest(sourceTree);
  if ((await host.stat(target)) === "dir" && manifestDigest(await host.hashTree(target)) === expected) {
    env.progress.say(`backup of ${source} already taken at ${dest} (verified)`, host.host);
  } else {
    await host.remove(dest);
    env.progress.say(`copying ${source} to ${dest} (${sourceTree.length} files)`, host.host);
    await host.copy(source, target);
    const copied = manifestDigest(await host.hashTree(target));
    if (copied !== expected) {
      throw new StepError(
        "Backup",
        host.host,
        `the copy of ${source} at ${target} does not match its source`,
        "§2.4",
      );
    }
  }
  await host.writeFile(winJoin(dest, "manifest.json"), Buffer.from(JSON.stringify(sourceTree, null, 1)));
  return {
    host: host.host,
    path: dest,
    source,
    files: sourceTree.length,
    bytes: sourceTree.reduce((s, e) => s + e.size, 0),
    manifestSha256: expected,
  };
}

/** Refuse a failback whose backup is missing or changed (README: Failback guard rails). */
export async function verifyTreeBackup(host: HostOps, b: TreeBackup): Promise<void> {
  const target = winJoin(b.path, leafName(b.source));
  if ((await host.stat(target)) !== "dir") {
    throw new StepError(
      "Failback",
      host.host,
      `the backup ${target} is missing; the failback cannot restore from it`,
      "§2.4",
    );
  }
  const now = manifestDigest(await host.hashTree(target));
  if (now !== b.manifestSha256) {
    throw new StepError(
      "Failback",
      host.host,
      `the backup ${target} does not match the manifest recorded when it was taken (${b.manifestSha256.slice(0, 12)}… vs ${now.slice(0, 12)}…); refusing to restore from it`,
      "§2.4",
    );
  }
}

/**
 * Restore a tree backup over `source` (§4.2.5 step 3: overwrite, then make it writable). The failback verified
 * it before the step began (verifyBackupsFor); the restored tree is checked against its manifest here.
 */
export async function restoreTree(env: Env, host: HostOps, b: TreeBackup): Promise<void> {
  env.progress.say(`restoring ${b.source} from ${b.path} (§4.2.5 step 3)`, host.host);
  await host.remove(b.source);
  await host.copy(winJoin(b.path, leafName(b.source)), b.source);
  const restored = manifestDigest(await host.hashTree(b.source));
  if (restored !== b.manifestSha256) {
    throw new StepError(
      "Failback",
      host.host,
      `${b.source} does not match the backup after the restore`,
      "§4.2.5",
    );
  }
}

/** §2.4.2: the standby's configuration data, `%NVP_INSTALL_PATH%\Manager\sg`. */
export async function backupStandby(
  env: Env,
  chain: string,
  hostName: string,
  paths: NetMgrPaths,
): Promise<TreeBackup> {
  const host = env.target.host(hostName);
  return backupTree(env, host, local(paths).sg, winJoin(WORK_DIR, chain, `backup-${hostName}-sg`));
}

export const SqlBackup = z.object({
  database: z.string(),
  instance: z.string(),
  host: z.string(),
  file: z.string(),
  finishedAt: z.string(),
  sizeBytes: z.number().int(),
});

export const ActiveBackupRecord = z.object({
  /** SysMonMgr's 3-digit backup id. */
  id: z.string(),
  host: z.string(),
  /** `%NVP_INSTALL_PATH%\Manager\backup\<id>` on each host holding a verified copy. */
  copies: z.array(z.object({ host: z.string(), path: z.string() })),
  manifestSha256: z.string(),
  files: z.number().int(),
  sql: z.array(SqlBackup),
  /**
   * The shared disk's sg tree as it was at the backup (SHA-256 of its manifest, kept on both hosts): after a
   * restore, files the update created that the backup does not cover are moved aside, not left behind.
   */
  sharedManifestSha256: z.string(),
});
export type ActiveBackupRecord = z.infer<typeof ActiveBackupRecord>;

const activeRecord = (chain: string) => winJoin(WORK_DIR, chain, "active-backup.json");
export const sharedManifestFile = (chain: string) => winJoin(WORK_DIR, chain, "shared-sg-manifest.json");

/** The shared sg manifest recorded with the backup, verified against the hash in the outputs. */
export async function readSharedManifest(
  host: HostOps,
  chain: string,
  r: ActiveBackupRecord,
): Promise<TreeEntry[]> {
  const file = sharedManifestFile(chain);
  const entries = await readJson(host, file, z.array(TreeEntry));
  if (entries === undefined) {
    throw new StepError(
      "Failback",
      host.host,
      `the manifest of the shared disk taken with backup ${r.id} is missing (${file})`,
      "§2.4.1",
    );
  }
  if (manifestDigest(entries) !== r.sharedManifestSha256) {
    throw new StepError(
      "Failback",
      host.host,
      `the manifest ${file} does not match the one recorded with backup ${r.id}`,
      "§2.4.1",
    );
  }
  return entries;
}

/** The backup ids `SysMonMgr -listbackup` reports. */
export async function listBackups(env: Env, host: HostOps, paths: NetMgrPaths): Promise<string[]> {
  const L = local(paths);
  const r = await host.run(L.sysMonMgr, ["-listbackup"], {
    cwd: L.bin,
    timeoutMs: seconds(env.deadlines.serviceSeconds),
  });
  if (r.exitCode !== 0)
    throw new StepError(
      "SysMonMgr -listbackup",
      host.host,
      `exit code ${r.exitCode}: ${r.output.trim()}`,
      "§4.2.4 step 5",
    );
  return [...r.output.matchAll(/\b(\d{3})\b/g)].map((m) => m[1] ?? "");
}

/**
 * §2.4.1 steps 1-3: swap in the rolling-update sgbackup_comm.lst, `SysMonMgr -backup`, swap back (always).
 * Returns the new backup id.
 */
export async function sysMonMgrBackup(
  env: Env,
  host: HostOps,
  paths: NetMgrPaths,
  media: Media,
): Promise<string> {
  const L = local(paths);
  const org = `${L.sgbackupList}.org`;
  const before = new Set(await listBackups(env, host, paths));
  if ((await host.stat(org)) !== "file") await host.move(L.sgbackupList, org);
  try {
    await host.copy(mediaPath(media, "sgbackupList"), L.sgbackupList);
    env.progress.say(
      "SysMonMgr -backup with the rolling-update sgbackup_comm.lst (§2.4.1 steps 1-2)",
      host.host,
    );
    const r = await host.run(L.sysMonMgr, ["-backup"], {
      cwd: L.bin,
      timeoutMs: seconds(env.deadlines.backupSeconds),
    });
    if (r.exitCode !== 0) {
      throw new StepError(
        "SysMonMgr -backup",
        host.host,
        `exit code ${r.exitCode}`,
        "§2.4.1 step 2",
        lastLines(r.output),
      );
    }
    const fromOutput = SYSMONMGR_BACKUP_ID.exec(r.output)?.[1];
    const created = (await listBackups(env, host, paths)).filter((id) => !before.has(id));
    const id = fromOutput ?? created.sort().pop();
    if (!id)
      throw new StepError(
        "SysMonMgr -backup",
        host.host,
        "no new backup id appeared in -listbackup",
        "§2.4.1 step 2",
        lastLines(r.output),
      );
    return id;
  } finally {
    // §2.4.1 step 3: back to the original list, whatever happened.
    await host.remove(L.sgbackupList);
    await host.move(org, L.sgbackupList);
  }
}

export function lastLines(text: string, n = 8): string[] {
  return text.trimEnd().split(/\r?\n/).slice(-n);
}

export interface ActiveBackupInput {
  chain: string;
  host: string;
  copyTo: string;
  paths: NetMgrPaths;
  media: Media;
  sql: { host: string; instance: string; database: string }[];
  sqlBackupDir: string;
}

/**
 * §2.4.1: SysMonMgr backup of the active host (configuration, shared disk data, CMDB), copied and verified
 * on the other host too (the §4.2.1 restore runs there), plus the SQL Server backups of step 4.
 * Idempotent: the record left on the node names a complete earlier backup, which is reused.
 */
export async function backupActive(env: Env, i: ActiveBackupInput): Promise<ActiveBackupRecord> {
  const host = env.target.host(i.host);
  const L = local(i.paths);
  const existing = await readRecord(host, i.chain);
  if (existing && (await intact(env, existing))) {
    env.progress.say(
      `backup ${existing.id} already taken and verified on ${existing.copies.map((c) => c.host).join(", ")}`,
      i.host,
    );
    return existing;
  }
  const id = await sysMonMgrBackup(env, host, i.paths, i.media);
  const path = winJoin(L.backups, id);
  const tree = await host.hashTree(path);
  const manifestSha256 = manifestDigest(tree);
  await host.writeFile(
    winJoin(WORK_DIR, i.chain, `backup-${id}-manifest.json`),
    Buffer.from(JSON.stringify(tree, null, 1)),
  );
  const other = env.target.host(i.copyTo);
  env.progress.say(`copying backup ${id} to ${i.copyTo} (the §4.2.1 restore runs there)`, i.host);
  await copyTreeBetween(host, path, other, path, tree);
  if (manifestDigest(await other.hashTree(path)) !== manifestSha256) {
    throw new StepError(
      "Backup (active)",
      i.copyTo,
      `the copy of backup ${id} does not match the original`,
      "§2.4.1",
    );
  }
  const sql = [];
  // SQL Server writes the file itself and does not create folders (error 3 "cannot find the path").
  if (i.sql.length > 0) await host.mkdir(i.sqlBackupDir);
  for (const db of i.sql) {
    const file = winJoin(i.sqlBackupDir, `${db.database}.bak`);
    env.progress.say(
      `BACKUP DATABASE [${db.database}] WITH CHECKSUM to ${file}, then RESTORE VERIFYONLY (§2.4.1 step 4)`,
      i.host,
    );
    const b = await env.target.sql.backup(db, file, (line) => env.progress.say(line, i.host));
    sql.push({ ...db, file: b.file, finishedAt: b.finishedAt, sizeBytes: b.sizeBytes });
  }
  // The shared sg tree as it is now, before anything of the update touches it.
  const sharedTree = await host.hashTree(shared(i.paths).sg);
  const sharedManifestSha256 = manifestDigest(sharedTree);
  for (const h of [host, other]) {
    await h.writeFile(sharedManifestFile(i.chain), Buffer.from(JSON.stringify(sharedTree)));
  }
  const record: ActiveBackupRecord = {
    id,
    host: i.host,
    sharedManifestSha256,
    copies: [
      { host: i.host, path },
      { host: i.copyTo, path },
    ],
    manifestSha256,
    files: tree.length,
    sql,
  };
  await host.writeFile(activeRecord(i.chain), Buffer.from(JSON.stringify(record, null, 2)));
  return record;
}

async function readRecord(host: HostOps, chain: string): Promise<ActiveBackupRecord | undefined> {
  return readJson(host, activeRecord(chain), ActiveBackupRecord);
}

async function intact(env: Env, r: ActiveBackupRecord): Promise<boolean> {
  try {
    await verifyActiveBackup(env, r);
    return true;
  } catch {
    return false;
  }
}

/** Every copy present and matching its manifest, every SQL backup readable (RESTORE VERIFYONLY). */
export async function verifyActiveBackup(env: Env, r: ActiveBackupRecord): Promise<void> {
  for (const c of r.copies) {
    const host = env.target.host(c.host);
    if ((await host.stat(c.path)) !== "dir") {
      throw new StepError("Failback", c.host, `SysMonMgr backup ${r.id} is missing at ${c.path}`, "§2.4.1");
    }
    const now = manifestDigest(await host.hashTree(c.path));
    if (now !== r.manifestSha256) {
      throw new StepError(
        "Failback",
        c.host,
        `SysMonMgr backup ${r.id} at ${c.path} does not match its manifest; refusing to restore from it`,
        "§2.4.1",
      );
    }
  }
  for (const s of r.sql) await env.target.sql.verify(s.host, s.instance, s.file);
}

/** Copy a folder from one node to another through the controller, file by file. */
export async function copyTreeBetween(
  from: HostOps,
  fromPath: string,
  to: HostOps,
  toPath: string,
  tree?: readonly TreeEntry[],
): Promise<void> {
  const entries = tree ?? (await from.hashTree(fromPath));
  await to.remove(toPath);
  await to.mkdir(toPath);
  for (const e of entries) {
    await to.writeFile(winJoin(toPath, e.path), await from.readFile(winJoin(fromPath, e.path)));
  }
}

/**
 * Before a failback step changes anything: every backup its saved inputs name is present and matches the
 * manifest recorded when it was taken (README: Failback guard rails). A failback with a missing or altered
 * backup refuses here, not half way.
 */
export async function verifyBackupsFor(env: Env, inputs: Record<string, unknown>): Promise<void> {
  const standby = z
    .array(TreeBackup)
    .safeParse(
      [inputs.standbyBackup, ...(Array.isArray(inputs.standbyBackups) ? inputs.standbyBackups : [])].filter(
        Boolean,
      ),
    );
  if (standby.success) for (const b of standby.data) await verifyTreeBackup(env.target.host(b.host), b);
  const active = ActiveBackupRecord.safeParse(inputs.activeBackup);
  if (active.success) await verifyActiveBackup(env, active.data);
}
