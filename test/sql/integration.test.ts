/**
 * Against a real SQL Server, only when NETMGR_TEST_SQLSERVER holds a connection as JSON:
 *   {"server":"10.0.0.11","user":"sa","password":"…","instance":"SFLOW","backupDir":"C:\\bak",
 *    "encrypt":true,"trustServerCertificate":true}
 * (`instance` "" or absent = default instance; `backupDir` defaults to the instance's default backup folder).
 * Creates a scratch database, backs it up, verifies, changes it, restores, detaches, restores again, drops it.
 * The .bak file stays in the backup folder.
 */
import { z } from "zod";
import type * as Mssql from "mssql";
import { Secret } from "../../providers/hosts/secret";
import { mssqlOps } from "../../providers/sql/mssql";

const Connection = z.object({
  server: z.string(),
  user: z.string(),
  password: z.string(),
  instance: z.string().default(""),
  backupDir: z.string().optional(),
  encrypt: z.boolean().default(true),
  trustServerCertificate: z.boolean().default(true),
});

const raw = process.env.NETMGR_TEST_SQLSERVER;
const title = raw
  ? "SQL Server integration (NETMGR_TEST_SQLSERVER)"
  : "SQL Server integration — skipped: set NETMGR_TEST_SQLSERVER to a connection JSON {server, user, password, instance?}";

// When skipped, the body still runs to register the tests: give it a placeholder that is never connected.
const conn = raw
  ? Connection.parse(JSON.parse(raw))
  : Connection.parse({ server: "unset", user: "unset", password: "" });

(raw ? describe : describe.skip)(title, () => {
  const host = "it-node";
  const database = `netmgr_it_${Date.now()}`;
  const ops = mssqlOps({
    servers: { [host]: conn.server },
    user: conn.user,
    password: new Secret(conn.password),
    encrypt: conn.encrypt,
    trustServerCertificate: conn.trustServerCertificate,
  });
  let admin: Mssql.ConnectionPool;
  let file = "";

  const count = async (): Promise<number> => {
    const r = await admin.request().query(`SELECT COUNT(*) AS n FROM [${database}].dbo.t`);
    return Number((r.recordset[0] as { n: number }).n);
  };

  beforeAll(async () => {
    const sql = require("mssql") as typeof Mssql;
    admin = await new sql.ConnectionPool({
      server: conn.server,
      user: conn.user,
      password: conn.password,
      database: "master",
      options: {
        encrypt: conn.encrypt,
        trustServerCertificate: conn.trustServerCertificate,
        ...(conn.instance ? { instanceName: conn.instance } : {}),
      },
    }).connect();
    // The scratch name is ours (letters, digits, underscore), so quoting it here is safe; test setup only.
    await admin.request().batch(`CREATE DATABASE [${database}]`);
    await admin
      .request()
      .batch(`CREATE TABLE [${database}].dbo.t (id int); INSERT INTO [${database}].dbo.t VALUES (1), (2)`);
    const dir =
      conn.backupDir ??
      String(
        (
          await admin
            .request()
            .query("SELECT CAST(SERVERPROPERTY('InstanceDefaultBackupPath') AS nvarchar(4000)) AS d")
        ).recordset[0].d,
      );
    file = `${dir.replace(/\\+$/, "")}\\${database}.bak`;
  }, 120_000);

  afterAll(async () => {
    await admin?.request().batch(`IF DB_ID(N'${database}') IS NOT NULL DROP DATABASE [${database}]`);
    await admin?.close();
    await ops.close();
  }, 120_000);

  it("reads edition and version", async () => {
    const info = await ops.instanceInfo(host, conn.instance);
    expect(info.edition).toMatch(/Edition/);
    expect(info.version).toMatch(/^\d+\.\d+\./);
  });

  it("backs up with checksum, verifies, restores and detaches", async () => {
    const progress: string[] = [];
    const backup = await ops.backup({ host, instance: conn.instance, database }, file, (l) =>
      progress.push(l),
    );
    expect(backup.database).toBe(database);
    expect(backup.sizeBytes).toBeGreaterThan(0);
    expect(progress.some((l) => /percent processed/.test(l))).toBe(true);

    expect(await ops.verify(host, conn.instance, file)).toEqual(backup);

    await admin.request().batch(`INSERT INTO [${database}].dbo.t VALUES (3)`);
    expect(await count()).toBe(3);
    await ops.restore({ host, instance: conn.instance, database }, file);
    expect(await count()).toBe(2);

    await ops.detach({ host, instance: conn.instance, database });
    expect(await ops.databases(host, conn.instance)).not.toContain(database);
    await ops.detach({ host, instance: conn.instance, database });
    await ops.restore({ host, instance: conn.instance, database }, file);
    expect(await ops.databases(host, conn.instance)).toContain(database);
    expect(await count()).toBe(2);
  }, 600_000);
});
