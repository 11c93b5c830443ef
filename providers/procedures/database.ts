/**
 * §3.2: update the databases from the active host while the old Manager keeps running; §4.2.4: put them
 * back from the chain's backups.
 *
 * Internal DBs (§3.2.1): WfdbCmdSetup.bat in sql_rupdate\postgres with the Table 2-1 parameters; its output
 * may contain the benign "already exists" errors. External DBs (§3.2.2): WfdbCmdSetup.bat and NvPRODBSetup.bat
 * in sql_rupdate\sqlserver, judged by their logs (Table 3-1), then WFDB.INI and NvPROBaseMgr.ini copied to the
 * standby.
 */
import { z } from "zod";
import { mediaPath } from "../catalogue/media";
import type { Media } from "../config/stack";
import type { HostOps } from "../hosts/types";
import { Secret } from "../hosts/secret";
import { lastLines, type ActiveBackupRecord } from "./backup";
import { IncompleteStep, StepError, WORK_DIR, readText, seconds, type Env } from "./env";
import { local, winJoin, type NetMgrPaths } from "./paths";
import { cmdbConsistency, restoreSharedData, restoredSince } from "./restore";
import { saveCopy, type SavedFile } from "./files";
import { netmgrServices } from "./services";
import { findIniValue, parseIni } from "./text";

export interface DbSettings {
  mode: "internal" | "sqlserver";
  sflow: boolean;
  sqlInstance: string;
  sflowInstance: string;
  cmdb: Partial<
    Record<
      "user" | "port" | "serverName" | "databaseName" | "databasePath" | "instanceName" | "databaseDriver",
      string
    >
  >;
}

/** The sFlow DB's name (§2.4.1 step 4 example; not a Table 2 parameter). */
export function sflowDbName(): string {
  return "sflowdb";
}

/** Table 2-3: the fault DB's name from NvPROBaseMgr.ini (default nvprodb). */
export async function faultDbName(env: Env, hostName: string, paths: NetMgrPaths): Promise<string> {
  const text = await readText(env, env.target.host(hostName), local(paths).baseMgrIni);
  return (text && findIniValue(parseIni(text), "DATABASE_NAME")) || "nvprodb";
}

export const LogVerdict = z.object({
  file: z.string(),
  benign: z.array(z.string()),
  errors: z.array(z.string()),
});
export type LogVerdict = z.infer<typeof LogVerdict>;

/** §3.2.1 step 3: the messages that mean only "already there". */
const POSTGRES_BENIGN = /ERROR:\s+(role|database|schema)\s+"[^"]+"\s+already exists/i;

/** Table 3-1: per log, the messages recorded on a normal run. `{db}` is the CMDB's name. */
const TABLE_3_1: { file: RegExp; benign: RegExp[]; mustBeEmpty?: boolean }[] = [
  { file: /^{db}CreateDB\.log$/i, benign: [/Database '[^']+' already exists/i] },
  { file: /^{db}CreateLogin\.log$/i, benign: [/Server principal '[^']+' already exists/i] },
  {
    file: /^{db}CreateUser\.log$/i,
    benign: [
      /(User, group, or role|Users, groups, or the role) '[^']+' already exists in the (current|present) database/i,
    ],
  },
  { file: /^{db}AddRole\.log$/i, benign: [], mustBeEmpty: true },
  { file: /^{db}_CR_TBL\.log$/i, benign: [/Warning: The maximum key length is 900 bytes/i] },
  { file: /^{db}_UP_TBL\d+\.log$/i, benign: [/Warning: The maximum key length is 900 bytes/i] },
];

/** A line that reports a failure (osql "Msg n, Level >= 11", or an error/failure word). */
const ERROR_LINE = /\bMsg \d+, Level (1[1-9]|2\d)\b|\berror\b|\bfailed\b|\bfatal\b/i;

/**
 * Judge output or a log: every error-looking line must be explained by a benign message (on the same line,
 * or on the next line for osql's "Msg n, Level m" headers).
 */
export function judge(file: string, text: string, benign: readonly RegExp[]): LogVerdict {
  const lines = text.split(/\r?\n/);
  const verdict: LogVerdict = { file, benign: [], errors: [] };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (benign.some((b) => b.test(line))) {
      verdict.benign.push(line.trim());
      continue;
    }
    if (!ERROR_LINE.test(line)) continue;
    const next = lines[i + 1] ?? "";
    if (/\bMsg \d+/.test(line)) {
      // osql prints the message on the line after its "Msg n, Level m" header: judge them together.
      i++;
      if (benign.some((b) => b.test(next))) verdict.benign.push(next.trim());
      else verdict.errors.push(`${line.trim()}: ${next.trim()}`);
      continue;
    }
    verdict.errors.push(line.trim());
  }
  return verdict;
}

export function judgeTable31(file: string, text: string, db: string): LogVerdict | undefined {
  const rule = TABLE_3_1.find((r) =>
    new RegExp(r.file.source.replace("{db}", escapeRegExp(db)), "i").test(file),
  );
  if (!rule) return undefined;
  const verdict = judge(file, text, rule.benign);
  if (rule.mustBeEmpty && text.trim() !== "")
    verdict.errors.push(`${file} should be empty (Table 3-1) but holds: ${text.trim().split(/\r?\n/)[0]}`);
  return verdict;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export interface CmdbParameters {
  user: string;
  port: string;
  password?: Secret;
  serverName: string;
  databaseName: string;
  databasePath: string;
  instanceName: string;
  databaseDriver: string;
}

/** §2.2.2: Table 2-1 / 2-2 from WFDB.INI on the active host, netmgr:cmdb overrides applied. */
export async function readCmdbParameters(
  env: Env,
  host: HostOps,
  paths: NetMgrPaths,
  db: DbSettings,
): Promise<CmdbParameters> {
  const L = local(paths);
  const text = await readText(env, host, L.wfdbIni);
  if (text === undefined)
    throw new StepError("DatabaseSchema", host.host, `${L.wfdbIni} is missing`, "§2.2.2");
  const ini = parseIni(text);
  const get = (key: string) => findIniValue(ini, key) ?? "";
  const password = findIniValue(ini, "CMDB_PASSWD");
  return {
    user: db.cmdb.user ?? get("CMDB_USER"),
    port: db.cmdb.port ?? get("DATABASE_PORT"),
    ...(password ? { password: new Secret(password) } : {}),
    serverName: db.cmdb.serverName ?? get("SERVER_NAME"),
    databaseName: db.cmdb.databaseName ?? (get("DATABASE_NAME") || "wfdb"),
    databasePath: db.cmdb.databasePath ?? get("DATABASE_PATH"),
    // §2.2.2 *1: absent in the default instance; read as "\".
    instanceName: db.cmdb.instanceName ?? (findIniValue(ini, "SQL_INSTANCE_NAME") || "\\"),
    databaseDriver: db.cmdb.databaseDriver ?? get("DATABASE_DRIVER"),
  };
}

export interface SchemaUpdate {
  logs: LogVerdict[];
  /** The active host's DB configuration files before the scripts rewrote them (§3.2.2 step 6: "also updated"). */
  activeIniSaved: SavedFile[];
  standbyIniSaved: SavedFile[];
  /** §3.2 step 1 created Manager\sql_rupdate (the undo removes it again). */
  createdScriptsFolder: boolean;
}

/** §3.2 forward. Re-running is safe: the scripts are made to be re-run (the benign messages say so). */
export async function updateDatabases(
  env: Env,
  chain: string,
  i: { host: string; standby: string; paths: NetMgrPaths; db: DbSettings; media: Media },
): Promise<SchemaUpdate> {
  const host = env.target.host(i.host);
  const L = local(i.paths);
  // Filled as the work goes: a failure hands what was done so far to the failback (a script that failed may
  // have changed the databases already).
  const done: SchemaUpdate = {
    logs: [],
    activeIniSaved: [],
    standbyIniSaved: [],
    createdScriptsFolder: false,
  };
  try {
    // §3.2 step 1: the update scripts from the media.
    done.createdScriptsFolder = await createdByThisChain(host, L.sqlRupdate, chain);
    env.progress.say(`copying ${mediaPath(i.media, "sqlRupdate")} to ${L.sqlRupdate} (§3.2 step 1)`, i.host);
    await host.copy(mediaPath(i.media, "sqlRupdate"), L.sqlRupdate);
    for (const path of [L.wfdbIni, L.baseMgrIni]) {
      done.activeIniSaved.push(
        await saveCopy(host, path, winJoin(WORK_DIR, chain, "active-ini-before-db-update")),
      );
    }
    const cmdb = await readCmdbParameters(env, host, i.paths, i.db);
    if (i.db.mode === "internal") {
      done.logs.push(await updateInternal(env, host, i.paths, cmdb));
      return done;
    }
    done.logs.push(...(await updateExternal(env, host, i.paths, cmdb)));
    // §3.2.2 step 6: both INI files to the standby (the standby's own copies are kept first, for the undo).
    const standby = env.target.host(i.standby);
    for (const path of [L.wfdbIni, L.baseMgrIni]) {
      done.standbyIniSaved.push(
        await saveCopy(standby, path, winJoin(WORK_DIR, chain, "standby-ini-before-db-update")),
      );
      await standby.writeFile(path, await host.readFile(path));
    }
    env.progress.say(`copied WFDB.INI and NvPROBaseMgr.ini to ${i.standby} (§3.2.2 step 6)`, i.host);
    return done;
  } catch (e) {
    throw new IncompleteStep(e as Error, { ...done });
  }
}

/**
 * Did this chain create `folder`? Absent now: yes (and a marker records it, so a re-run after the copy still
 * knows). Present: only if the marker says so.
 */
async function createdByThisChain(host: HostOps, folder: string, chain: string): Promise<boolean> {
  const marker = winJoin(WORK_DIR, chain, `created-${folder.split("\\").pop()}`);
  if ((await host.stat(folder)) === null) {
    await host.writeFile(marker, Buffer.from(folder));
    return true;
  }
  return (await host.stat(marker)) === "file";
}

async function updateInternal(
  env: Env,
  host: HostOps,
  paths: NetMgrPaths,
  c: CmdbParameters,
): Promise<LogVerdict> {
  const L = local(paths);
  const cwd = winJoin(L.sqlRupdate, "postgres");
  if (!c.password)
    throw new StepError("DatabaseSchema", host.host, `WFDB.INI has no CMDB_PASSWD (Table 2-1)`, "§2.2.2");
  // §3.2.1 step 2: WfdbCmdSetup.bat <user> <dbms dir> <port> SYSTEM <password> <server> <db name> <data dir> YES
  const args = [
    c.user,
    winJoin(L.bin, "dbms1"),
    c.port,
    "SYSTEM",
    c.password,
    c.serverName,
    c.databaseName,
    c.databasePath,
    "YES",
  ];
  env.progress.say(`WfdbCmdSetup.bat (internal CMDB update, §3.2.1 step 2)`, host.host);
  const r = await host.run(winJoin(cwd, "WfdbCmdSetup.bat"), args, {
    cwd,
    timeoutMs: seconds(env.deadlines.dbScriptSeconds),
  });
  const verdict = judge("WfdbCmdSetup.bat output", r.output, [POSTGRES_BENIGN]);
  if (r.exitCode !== 0 || verdict.errors.length > 0) {
    throw new StepError(
      "DatabaseSchema",
      host.host,
      `WfdbCmdSetup.bat reported errors (exit code ${r.exitCode}); fix the cause and run pulumi up again (the script may be re-run)`,
      "§3.2.1 step 3",
      verdict.errors.length > 0 ? verdict.errors : lastLines(r.output),
    );
  }
  return verdict;
}

async function updateExternal(
  env: Env,
  host: HostOps,
  paths: NetMgrPaths,
  c: CmdbParameters,
): Promise<LogVerdict[]> {
  const L = local(paths);
  const cwd = winJoin(L.sqlRupdate, "sqlserver");
  const logs: LogVerdict[] = [];
  // §3.2.2 step 2: WfdbCmdSetup.bat <db name> <server> <instance> <driver>
  env.progress.say(`WfdbCmdSetup.bat (CMDB update on SQL Server, §3.2.2 step 2)`, host.host);
  const r1 = await host.run(
    winJoin(cwd, "WfdbCmdSetup.bat"),
    [c.databaseName, c.serverName, c.instanceName, c.databaseDriver],
    {
      cwd,
      timeoutMs: seconds(env.deadlines.dbScriptSeconds),
    },
  );
  // §3.2.2 step 3: Table 3-1.
  for (const entry of await host.list(cwd)) {
    if (entry.kind !== "file" || !entry.name.toLowerCase().endsWith(".log")) continue;
    const text = (await readText(env, host, winJoin(cwd, entry.name))) ?? "";
    const v = judgeTable31(entry.name, text, c.databaseName);
    if (v) logs.push(v);
  }
  failOnErrors(host, r1.exitCode, logs, "WfdbCmdSetup.bat", "§3.2.2 step 3", r1.output);

  // §3.2.2 step 4-5: NvPRODBSetup.bat <db name> <server> <instance>, logs without errors (empty ones are fine).
  const base = parseIni((await readText(env, host, L.baseMgrIni)) ?? "");
  const faultDb = findIniValue(base, "DATABASE_NAME") || "nvprodb";
  const faultServer = findIniValue(base, "SERVER_NAME") || c.serverName;
  const faultInstance = findIniValue(base, "SQL_INSTANCE_NAME") || "\\";
  const before = new Map((await host.list(cwd)).map((e) => [e.name, e.size]));
  env.progress.say(`NvPRODBSetup.bat (fault DB update, §3.2.2 step 4)`, host.host);
  const r2 = await host.run(winJoin(cwd, "NvPRODBSetup.bat"), [faultDb, faultServer, faultInstance], {
    cwd,
    timeoutMs: seconds(env.deadlines.dbScriptSeconds),
  });
  const faultLogs: LogVerdict[] = [];
  for (const entry of await host.list(cwd)) {
    if (entry.kind !== "file" || !entry.name.toLowerCase().endsWith(".log")) continue;
    if (judgeTable31(entry.name, "", c.databaseName)) continue;
    if (before.get(entry.name) === entry.size && before.has(entry.name)) continue;
    faultLogs.push(judge(entry.name, (await readText(env, host, winJoin(cwd, entry.name))) ?? "", []));
  }
  failOnErrors(host, r2.exitCode, faultLogs, "NvPRODBSetup.bat", "§3.2.2 step 5", r2.output);
  return [...logs, ...faultLogs];
}

function failOnErrors(
  host: HostOps,
  exitCode: number,
  logs: LogVerdict[],
  script: string,
  section: string,
  output: string,
): void {
  const errors = logs.flatMap((l) => l.errors.map((e) => `${l.file}: ${e}`));
  if (exitCode !== 0 || errors.length > 0) {
    throw new StepError(
      "DatabaseSchema",
      host.host,
      `${script} reported errors (exit code ${exitCode}); fix the cause and run pulumi up again (the script may be re-run)`,
      section,
      errors.length > 0 ? errors : lastLines(output),
    );
  }
}

/**
 * §4.2.4 (and §4.2.1 steps 3-4 for internal DBs): the DBs back to the chain's backup, on the host the group
 * is active on. Skipped when the move's failback already restored that backup after the update ran.
 */
export async function restoreDatabases(
  env: Env,
  chain: string,
  i: {
    activeHost: string;
    hosts: readonly string[];
    paths: NetMgrPaths;
    db: DbSettings;
    backup: ActiveBackupRecord;
    updatedAt: number;
  },
): Promise<void> {
  const host = env.target.host(i.activeHost);
  const L = local(i.paths);
  const sharedRestored = await restoredSince(env, chain, i.hosts, i.backup.id, i.updatedAt);
  if (i.db.mode === "internal" && sharedRestored) {
    env.progress.say(
      `the shared disk (internal DBs included) was already restored from backup ${i.backup.id}`,
      i.activeHost,
    );
    return;
  }
  // §4.2.4 step 1 / §4.2.1 step 1: NetMgr services stopped while the data is replaced.
  const running = (await netmgrServices(host)).filter((s) => s.state === "Running");
  const stoppable = i.db.mode === "internal" ? running : running.filter((s) => !s.spec.internalDbOnly);
  env.progress.say(
    `stopping ${stoppable.length} NetMgr services to restore the databases (§4.2.4 step 1)`,
    i.activeHost,
  );
  for (const s of [...stoppable].reverse()) await host.stopService(s.name);
  try {
    if (i.db.mode === "internal") {
      await restoreSharedData(env, chain, host, i.paths, i.backup);
      await cmdbConsistency(env, host, i.paths, "internal", i.db.sqlInstance);
    } else {
      // §4.2.4 step 5: CMDB from the SysMonMgr backup's .bak, fault/sFlow DBs from the SQL backups.
      const cmdbDir = winJoin(L.backups, i.backup.id, "sg", "wfdbmgr");
      const bak = (await host.list(cmdbDir)).find(
        (e) => e.kind === "file" && e.name.toLowerCase().endsWith(".bak"),
      );
      if (!bak)
        throw new StepError(
          "Failback",
          i.activeHost,
          `no CMDB .bak in ${cmdbDir} (§4.2.4 step 5 Caution: 6.1 may keep it in SQL Server's backup folder)`,
          "§4.2.4 step 5",
        );
      const cmdb = await readCmdbParameters(env, host, i.paths, i.db);
      // The .bak files were verified (RESTORE VERIFYONLY) before the failback step began (verifyBackupsFor).
      env.progress.say(
        `RESTORE DATABASE [${cmdb.databaseName}] from ${bak.name} (§4.2.4 step 5)`,
        i.activeHost,
      );
      await env.target.sql.restore(
        { host: i.activeHost, instance: i.db.sqlInstance, database: cmdb.databaseName },
        winJoin(cmdbDir, bak.name),
        (l) => env.progress.say(l, i.activeHost),
      );
      for (const s of i.backup.sql) {
        env.progress.say(`RESTORE DATABASE [${s.database}] from ${s.file} (§4.2.4 step 5)`, i.activeHost);
        await env.target.sql.restore(
          { host: i.activeHost, instance: s.instance, database: s.database },
          s.file,
          (l) => env.progress.say(l, i.activeHost),
        );
      }
      // §4.2.4 step 6
      await cmdbConsistency(env, host, i.paths, "sqlserver", i.db.sqlInstance);
    }
  } finally {
    for (const s of stoppable) await host.startService(s.name);
  }
}
