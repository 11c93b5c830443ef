/**
 * The database update scripts of the media (§3.2): WfdbCmdSetup.bat for the internal CMDB (9 arguments
 * ending with YES, §3.2.1) and for SQL Server (4 arguments, §3.2.2 step 2), and NvPRODBSetup.bat (3
 * arguments, §3.2.2 step 4). A normal run, and a re-run, print or log the benign messages the guide lists
 * (§3.2.1 step 3, Table 3-1); the db-script-error fault produces real errors and leaves the schema as it was.
 * Like many batch files, the scripts exit 0 even when an SQL statement failed: the output and the logs tell.
 */
import type { LabState } from "../state";
import { failed, lines, ok, type Emulator, type ProgramContext } from "./context";
import { compareVersions } from "../../catalogue/versions";
import { LabError, hostOf, managerDir } from "../world";
import { readBytes, statPath, writeBytes } from "../fs";
import { dec, enc, iniSet, iniValues } from "../texts";
import { spend } from "../engine";
import { fire } from "../faults";
import { isRunning } from "../services";
import { dbContentPath, readDb, serializeDb, type DbRole } from "../db";
import { baseMgrIniPath, wfdbIniPath } from "../install";
import { winJoin } from "../../hosts/winpath";
import { samePath } from "../paths";

export const DB_SCRIPT_MS = 5 * 60_000;
export const FAULT_DB_SCRIPT_MS = 3 * 60_000;

function localIni(s: LabState, host: string, path: string): Record<string, string> {
  return statPath(s, host, path) === "file" ? iniValues(dec(s, readBytes(s, host, path))) : {};
}

function setLocalIni(s: LabState, host: string, path: string, key: string, value: string): void {
  if (statPath(s, host, path) !== "file") return;
  writeBytes(
    s,
    host,
    path,
    enc(s, iniSet(dec(s, readBytes(s, host, path)).replace(/\r\n/g, "\n"), key, value)),
  );
}

/** Update a database's schema to `version` (never backwards). */
function updateSchema(s: LabState, host: string, role: DbRole, version: string): "updated" | "current" {
  const c = readDb(s, role);
  if (!c) throw new LabError(`the ${role} database was not found`);
  if (compareVersions(c.schema, version) >= 0) return "current";
  writeBytes(s, host, dbContentPath(s, role), serializeDb({ ...c, schema: version }));
  return "updated";
}

const LOCAL_SERVER_NAMES = (s: LabState, host: string): string[] => [
  "localhost",
  "127.0.0.1",
  ".",
  hostOf(s, host).name.toLowerCase(),
  hostOf(s, host).address,
];

/** WfdbCmdSetup.bat <User> <dbms1> <Port> SYSTEM <Password> <Server> <DB> <Data dir> YES (§3.2.1 step 2). */
export const wfdbCmdSetupPostgres: Emulator = (ctx) => {
  const { s, host, args } = ctx;
  if (args.length !== 9) {
    return failed(
      1,
      lines(
        "Usage: WfdbCmdSetup.bat <User name> <dbms1 folder> <Port number> SYSTEM <User password> <Server name> <Database name> <Data storage directory> YES",
        `(${args.length} arguments given; a value with spaces must be quoted)`,
      ),
    );
  }
  const [user, dbms, port, system, password, server, dbname, dataDir, yes] = args as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const ini = localIni(s, host, wfdbIniPath(s));
  if (yes !== "YES") return failed(1, lines(`The last argument must be YES (got "${yes}"). Aborted.`));
  if (system !== "SYSTEM") return failed(1, lines(`The fourth argument must be SYSTEM (got "${system}").`));
  if (!samePath(dbms, `${managerDir(s)}\\bin\\dbms1`) || statPath(s, host, dbms) !== "dir") {
    return failed(
      1,
      lines(`The system cannot find the path specified: ${dbms}`, `(expected ${managerDir(s)}\\bin\\dbms1)`),
    );
  }
  spend(s, 20_000);
  if (s.spec.db !== "internal") {
    return failed(
      2,
      lines(
        `psql: could not connect to server: Connection refused (0x0000274D/10061)`,
        `\tIs the server running on host "${server}" and accepting TCP/IP connections on port ${port}?`,
      ),
    );
  }
  if (
    !LOCAL_SERVER_NAMES(s, host).includes(server.toLowerCase()) ||
    port !== ini.DATABASE_PORT ||
    !isRunning(s, host, "Wfdb_wfdb1")
  ) {
    return failed(
      2,
      lines(
        `psql: could not connect to server: Connection refused (0x0000274D/10061)`,
        `\tIs the server running on host "${server}" and accepting TCP/IP connections on port ${port}?`,
      ),
    );
  }
  if (user !== ini.CMDB_USER || password !== s.secrets.cmdbPassword) {
    return failed(2, lines(`psql: FATAL:  password authentication failed for user "${user}"`));
  }
  if (dbname !== ini.DATABASE_NAME)
    return failed(2, lines(`psql: FATAL:  database "${dbname}" does not exist`));
  if (!samePath(dataDir, ini.DATABASE_PATH ?? "")) {
    return failed(
      2,
      lines(`The data storage directory ${dataDir} is not the CMDB's (${ini.DATABASE_PATH ?? "?"}).`),
    );
  }
  const version = ctx.version ?? "";
  const benign = [
    `ERROR: role "${user}" already exists`,
    `ERROR: database "${dbname}" already exists`,
    `ERROR: schema "${dbname}" already exists`,
  ];
  if (fire(s, "db-script-error", host, "WfdbCmdSetup.bat (internal CMDB)")) {
    spend(s, FAULT_DB_SCRIPT_MS);
    return ok(
      lines(
        "CREATE ROLE",
        ...benign,
        `ERROR:  relation "${dbname}.t_node_attr" does not exist`,
        `ERROR:  current transaction is aborted, commands ignored until end of transaction block`,
        "ROLLBACK",
        "WfdbCmdSetup.bat finished.",
      ),
    );
  }
  spend(s, DB_SCRIPT_MS);
  // The internal CMDB's configuration file is left alone (the guide copies it only for SQL Server, §3.2.2 step 6).
  const r = updateSchema(s, host, "cmdb", version);
  return ok(
    lines(
      ...benign,
      ...(r === "updated"
        ? ["ALTER TABLE", "ALTER TABLE", "CREATE TABLE", "CREATE INDEX", "INSERT 0 42"]
        : ["NOTICE:  the CMDB schema is already up to date"]),
      `UPDATE 1`,
      "WfdbCmdSetup.bat finished.",
    ),
  );
};

interface SqlTarget {
  instance: string;
}

/** Check the server/instance arguments against the host's SQL Server instance of `database`. */
function sqlTarget(
  ctx: ProgramContext,
  server: string,
  instanceArg: string,
  database: string,
): SqlTarget | ReturnType<Emulator> {
  const { s, host } = ctx;
  const instance = instanceArg === "\\" ? "" : instanceArg.replace(/^\\/, "");
  const inst = hostOf(s, host).sql.find((i) => i.instance.toLowerCase() === instance.toLowerCase());
  const connectError = (why: string): ReturnType<Emulator> =>
    failed(
      1,
      lines(
        `Sqlcmd: Error: Microsoft ODBC Driver for SQL Server : Login timeout expired.`,
        `Sqlcmd: Error: Microsoft ODBC Driver for SQL Server : A network-related or instance-specific error has occurred while establishing a connection to SQL Server (${why}).`,
      ),
    );
  if (s.spec.db !== "sqlserver") return connectError("no SQL Server on this host");
  if (!LOCAL_SERVER_NAMES(s, host).includes(server.toLowerCase()))
    return connectError(`server ${server} not found`);
  if (!inst) return connectError(`instance "${instance || "MSSQLSERVER"}" not found`);
  if (!isRunning(s, host, inst.service)) return connectError(`the service ${inst.service} is not running`);
  const db = inst.databases.find((d) => d.name.toLowerCase() === database.toLowerCase());
  if (!db)
    return failed(
      1,
      lines(
        `Msg 911, Level 16, State 1: Database '${database}' does not exist. Make sure that the name is entered correctly.`,
      ),
    );
  if (statPath(s, host, db.mdf) !== "file") {
    return failed(
      1,
      lines(
        `Msg 945, Level 14, State 2: Database '${database}' cannot be opened due to inaccessible files (${db.mdf}).`,
      ),
    );
  }
  return { instance: inst.instance };
}

function writeLogs(ctx: ProgramContext, logs: Record<string, string>): void {
  for (const [name, text] of Object.entries(logs))
    writeBytes(ctx.s, ctx.host, winJoin(ctx.cwd, name), enc(ctx.s, text));
}

/** WfdbCmdSetup.bat <Database name> <Server name> <Instance name> <Database driver name> (§3.2.2 step 2). */
export const wfdbCmdSetupSqlServer: Emulator = (ctx) => {
  const { s, host, args } = ctx;
  if (args.length !== 4) {
    return failed(
      1,
      lines(
        "Usage: WfdbCmdSetup.bat <Database name> <Server name> <Instance name> <Database driver name>",
        `(${args.length} arguments given)`,
      ),
    );
  }
  const [dbname, server, instance, driver] = args as [string, string, string, string];
  const ini = localIni(s, host, wfdbIniPath(s));
  if (driver !== (ini.DATABASE_DRIVER ?? "SQL Server")) {
    return failed(
      1,
      lines(
        `[Microsoft][ODBC Driver Manager] Data source name not found and no default driver specified (${driver})`,
      ),
    );
  }
  if (dbname !== (ini.DATABASE_NAME ?? "wfdb")) {
    return failed(
      1,
      lines(
        `${dbname} is not the configuration management database (WFDB.INI: DATABASE_NAME=${ini.DATABASE_NAME ?? "?"}).`,
      ),
    );
  }
  spend(s, 20_000);
  const t = sqlTarget(ctx, server, instance, dbname);
  if ("exitCode" in t) return t;
  const version = ctx.version ?? "";
  const d = dbname;
  const warning =
    "Warning: The maximum key length is 900 bytes. The index 'IX_T_NODE_ATTR' has maximum length of 1024 bytes. For some combination of large values, the insert/update operation will fail.";
  const logs: Record<string, string> = {
    [`${d}CreateDB.log`]: `Msg 1801, Level 16, State 3, Server ${host}, Line 1\nDatabase '${d}' already exists. Choose a different database name.\n`,
    [`${d}CreateLogin.log`]: `Msg 15025, Level 16, State 2, Server ${host}, Line 1\nThe server principal '${d}' already exists.\n`,
    [`${d}CreateUser.log`]: `Msg 15023, Level 16, State 1, Server ${host}, Line 1\nUser, group, or role '${d}' already exists in the current database.\n`,
    [`${d}AddRole.log`]: "",
    [`${d}_CR_TBL.log`]: `${warning}\n`,
  };
  if (fire(s, "db-script-error", host, "WfdbCmdSetup.bat (SQL Server CMDB)")) {
    spend(s, FAULT_DB_SCRIPT_MS);
    logs[`${d}_UP_TBL1.log`] =
      `Msg 208, Level 16, State 1, Server ${host}, Line 12\nInvalid object name '${d}.dbo.T_NODE_ATTR'.\nMsg 3902, Level 16, State 1, Server ${host}, Line 40\nThe COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.\n`;
    writeLogs(ctx, logs);
    return ok(
      lines(`Executing the CMDB update scripts for ${d}...`, `Finished. See the logs in ${ctx.cwd}.`),
    );
  }
  spend(s, DB_SCRIPT_MS);
  const r = updateSchema(s, host, "cmdb", version);
  logs[`${d}_UP_TBL1.log`] =
    r === "updated"
      ? `(42 rows affected)\nUpdating table T_NODE_ATTR ... done\n${warning}\n`
      : `(0 rows affected)\nThe schema is already ${version}.\n`;
  logs[`${d}_UP_TBL2.log`] =
    r === "updated" ? `(7 rows affected)\nUpdating table T_MAP ... done\n` : "(0 rows affected)\n";
  writeLogs(ctx, logs);
  setLocalIni(s, host, wfdbIniPath(s), "DATABASE_VERSION", version);
  return ok(lines(`Executing the CMDB update scripts for ${d}...`, `Finished. See the logs in ${ctx.cwd}.`));
};

/** NvPRODBSetup.bat <Database name> <Server name> <Instance name> (§3.2.2 step 4). */
export const nvproDbSetup: Emulator = (ctx) => {
  const { s, host, args } = ctx;
  if (args.length !== 3) {
    return failed(
      1,
      lines(
        "Usage: NvPRODBSetup.bat <Database name> <Server name> <Instance name>",
        `(${args.length} arguments given)`,
      ),
    );
  }
  const [dbname, server, instance] = args as [string, string, string];
  const ini = localIni(s, host, baseMgrIniPath(s));
  if (dbname !== (ini.DATABASE_NAME ?? "nvprodb")) {
    return failed(
      1,
      lines(
        `${dbname} is not the fault management database (NvPROBaseMgr.ini: DATABASE_NAME=${ini.DATABASE_NAME ?? "?"}).`,
      ),
    );
  }
  spend(s, 20_000);
  const t = sqlTarget(ctx, server, instance, dbname);
  if ("exitCode" in t) return t;
  const version = ctx.version ?? "";
  if (fire(s, "db-script-error", host, "NvPRODBSetup.bat")) {
    spend(s, FAULT_DB_SCRIPT_MS);
    writeLogs(ctx, {
      "NvPRODBSetup.log": `Updating ${dbname} ...\nMsg 2714, Level 16, State 6, Server ${host}, Line 3\nThere is already an object named 'T_ALERT_EX' in the database.\nMsg 4902, Level 16, State 1, Server ${host}, Line 9\nCannot find the object "T_ALERT" because it does not exist or you do not have permissions.\n`,
      "NvPRODBSetup_err.log": "",
    });
    return ok(
      lines(`Updating the fault management database ${dbname}...`, `Finished. See the logs in ${ctx.cwd}.`),
    );
  }
  spend(s, 3 * 60_000);
  const role: DbRole = "alert";
  const r = updateSchema(s, host, role, version);
  writeLogs(ctx, {
    "NvPRODBSetup.log":
      r === "updated"
        ? `Updating ${dbname} ...\n(12 rows affected)\nUpdated to ${version}.\n`
        : `Updating ${dbname} ...\nThe schema is already ${version}.\n`,
    "NvPRODBSetup_err.log": "",
  });
  setLocalIni(s, host, baseMgrIniPath(s), "DATABASE_VERSION", version);
  return ok(
    lines(`Updating the fault management database ${dbname}...`, `Finished. See the logs in ${ctx.cwd}.`),
  );
};
