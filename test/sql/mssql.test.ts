import { Secret } from "../../providers/hosts/secret";
import { SqlError, errorDetail, loadMssql, mssqlOps } from "../../providers/sql/mssql";
import { SQL, pickBackupSet, HeaderRow, wallClock } from "../../providers/sql/statements";
import { FakeMssql, headerRow, must, requestError, type RecordedRequest } from "./fake-driver";

const PASSWORD = "S3cr3t!pa55";

function setup(over: { encrypt?: boolean; trustServerCertificate?: boolean } = {}) {
  const fake = new FakeMssql();
  const ops = mssqlOps({
    servers: { "nm-host1": "10.0.0.11", "nm-host2": "10.0.0.12" },
    user: "sa",
    password: new Secret(PASSWORD),
    connectTimeoutMs: 20_000,
    driver: fake.driver,
    ...over,
  });
  return { fake, ops };
}

/** Answers HEADERONLY with `rows`, everything else with an empty result and STATS messages. */
function scripted(fake: FakeMssql, rows: Record<string, unknown>[] = [headerRow()]): void {
  fake.respond = (r) => {
    if (r.sql === SQL.headerOnly) return { recordset: rows };
    if (r.sql === SQL.backup) {
      return {
        info: [
          "10 percent processed.",
          "100 percent processed.",
          "BACKUP DATABASE successfully processed 89601 pages in 3.120 seconds (224.356 MB/sec).",
        ],
      };
    }
    if (r.sql === SQL.verifyOnlyChecksum || r.sql === SQL.verifyOnly) {
      return { info: ["The backup set on file 1 is valid."] };
    }
    if (r.sql === SQL.restore)
      return { info: ["50 percent processed.", "RESTORE DATABASE successfully processed 89601 pages."] };
    if (r.sql === SQL.databaseExists) return { recordset: [{ n: 1 }] };
    return {};
  };
}

const ALL_SQL = Object.values(SQL) as string[];

/** No value may appear in the statement text: every request is one of the constant statements. */
function expectNoInterpolation(requests: readonly RecordedRequest[], values: readonly string[]): void {
  for (const r of requests) {
    expect(ALL_SQL).toContain(r.sql);
    for (const v of values) expect(r.sql).not.toContain(v);
  }
}

describe("mssqlOps: connections", () => {
  it("opens one pool per host and instance: default instance by address, named instance by instanceName", async () => {
    const { fake, ops } = setup();
    fake.respond = (r) => ({
      recordset: [
        {
          edition: "Standard Edition (64-bit)",
          version: "15.0.2000.5",
          instanceName: r.instanceName ?? null,
        },
      ],
    });
    await ops.instanceInfo("nm-host1", "");
    await ops.instanceInfo("nm-host1", "");
    await ops.instanceInfo("nm-host1", "SFLOW");
    await ops.instanceInfo("nm-host2", "");
    expect(fake.configs).toHaveLength(3);
    expect(fake.configs[0]).toEqual({
      server: "10.0.0.11",
      user: "sa",
      password: PASSWORD,
      database: "master",
      connectionTimeout: 20_000,
      options: { encrypt: true, trustServerCertificate: false, appName: "pulumi-netmgr" },
    });
    expect(fake.configs[1]?.options).toEqual({
      encrypt: true,
      trustServerCertificate: false,
      appName: "pulumi-netmgr",
      instanceName: "SFLOW",
    });
    expect(must(fake.configs[1]).port).toBeUndefined();
    expect(fake.configs[2]?.server).toBe("10.0.0.12");
  });

  it("passes the TLS settings through", async () => {
    const { fake, ops } = setup({ encrypt: false, trustServerCertificate: true });
    fake.respond = () => ({ recordset: [{ n: 0 }] });
    await ops.detach({ host: "nm-host1", instance: "", database: "wfdb" });
    expect(fake.configs[0]?.options).toMatchObject({ encrypt: false, trustServerCertificate: true });
  });

  it("names the configured hosts when asked for another", async () => {
    const { ops } = setup();
    await expect(ops.databases("nm-host3", "")).rejects.toThrow(
      "SQL Server nm-host3 (default instance): connect: no SQL Server address is configured for host nm-host3 (configured: nm-host1, nm-host2)",
    );
  });

  it("scrubs the password from a connection error and retries the connection next time", async () => {
    const { fake, ops } = setup();
    fake.connectError = requestError(`Login failed for user 'sa' with password ${PASSWORD}.`, [], "ELOGIN");
    const err = (await ops.databases("nm-host1", "SFLOW").catch((e: unknown) => e)) as SqlError;
    expect(err).toBeInstanceOf(SqlError);
    expect(err.message).toBe(
      "SQL Server nm-host1\\SFLOW: SELECT name FROM sys.databases: [ELOGIN] Login failed for user 'sa' with password [secret].",
    );
    expect([err.host, err.instance]).toEqual(["nm-host1", "SFLOW"]);
    expect(err.message).not.toContain(PASSWORD);
    fake.connectError = undefined;
    fake.respond = () => ({ recordset: [{ name: "master" }, { name: "nvprodb" }] });
    expect(await ops.databases("nm-host1", "SFLOW")).toEqual(["master", "nvprodb"]);
    expect(fake.configs).toHaveLength(2);
  });

  it("closes every pool", async () => {
    const { fake, ops } = setup();
    fake.respond = () => ({ recordset: [] });
    await ops.databases("nm-host1", "");
    await ops.databases("nm-host2", "SFLOW");
    await ops.close();
    expect(fake.closed.sort()).toEqual(["10.0.0.11\\", "10.0.0.12\\SFLOW"]);
  });
});

describe("mssqlOps: instanceInfo and databases", () => {
  it("reads edition and version with the pool's own timeout", async () => {
    const { fake, ops } = setup();
    fake.respond = () => ({
      recordset: [{ edition: "Standard Edition (64-bit)", version: "15.0.4153.1", instanceName: null }],
    });
    expect(await ops.instanceInfo("nm-host1", "")).toEqual({
      host: "nm-host1",
      instance: "",
      edition: "Standard Edition (64-bit)",
      version: "15.0.4153.1",
    });
    expect(fake.requests[0]).toMatchObject({ sql: SQL.instanceInfo, params: [], requestTimeout: undefined });
  });

  it("refuses an address that answers as another instance", async () => {
    const { fake, ops } = setup();
    fake.respond = () => ({
      recordset: [
        { edition: "Express Edition (64-bit)", version: "15.0.2000.5", instanceName: "SQLEXPRESS" },
      ],
    });
    await expect(ops.instanceInfo("nm-host1", "")).rejects.toThrow(
      /nm-host1 \(default instance\).*the address 10.0.0.11 answered as instance "SQLEXPRESS", not "\(default\)"/,
    );
  });
});

describe("mssqlOps: backup (§2.4.1 step 4)", () => {
  it("backs up with CHECKSUM, INIT, then verifies the set; no timeout; progress forwarded; values only as parameters", async () => {
    const { fake, ops } = setup();
    scripted(fake);
    const progress: string[] = [];
    const info = await ops.backup(
      { host: "nm-host1", instance: "", database: "nvprodb" },
      "C:\\bak\\nvprodb.bak",
      (l) => progress.push(l),
    );
    expect(info).toEqual({
      database: "nvprodb",
      file: "C:\\bak\\nvprodb.bak",
      finishedAt: "2026-03-01T02:03:12.250",
      sizeBytes: 734003200,
    });
    expect(fake.requests.map((r) => [r.sql, r.requestTimeout])).toEqual([
      ["BACKUP DATABASE @db TO DISK = @file WITH CHECKSUM, INIT, COPY_ONLY, STATS = 10", 0],
      ["RESTORE HEADERONLY FROM DISK = @file", 0],
      ["RESTORE VERIFYONLY FROM DISK = @file WITH FILE = @position, CHECKSUM, STATS = 10", 0],
    ]);
    expect(fake.requests[0]?.params).toEqual([
      { name: "db", type: "NVarChar(128)", value: "nvprodb" },
      { name: "file", type: "NVarChar(4000)", value: "C:\\bak\\nvprodb.bak" },
    ]);
    expect(fake.requests[2]?.params).toEqual([
      { name: "file", type: "NVarChar(4000)", value: "C:\\bak\\nvprodb.bak" },
      { name: "position", type: "Int", value: 1 },
    ]);
    expect(progress).toEqual([
      "nm-host1 (default instance): BACKUP DATABASE [nvprodb] TO DISK 'C:\\bak\\nvprodb.bak': 10 percent processed.",
      "nm-host1 (default instance): BACKUP DATABASE [nvprodb] TO DISK 'C:\\bak\\nvprodb.bak': 100 percent processed.",
      "nm-host1 (default instance): BACKUP DATABASE [nvprodb] TO DISK 'C:\\bak\\nvprodb.bak': BACKUP DATABASE successfully processed 89601 pages in 3.120 seconds (224.356 MB/sec).",
      "nm-host1 (default instance): RESTORE VERIFYONLY FROM DISK 'C:\\bak\\nvprodb.bak' (set 1, CHECKSUM): The backup set on file 1 is valid.",
    ]);
  });

  it("passes hostile names as data, never as SQL text", async () => {
    const { fake, ops } = setup();
    const database = "nv]prodb'; DROP DATABASE wfdb;--";
    const file = "C:\\bak\\o'brien ]; SHUTDOWN.bak";
    scripted(fake, [headerRow({ DatabaseName: database })]);
    await ops.backup({ host: "nm-host1", instance: "SFLOW", database }, file);
    await ops.verify("nm-host1", "SFLOW", file);
    await ops.restore({ host: "nm-host1", instance: "SFLOW", database }, file);
    await ops.detach({ host: "nm-host1", instance: "SFLOW", database });
    expect(fake.requests).toHaveLength(3 + 2 + 2 + 2);
    expectNoInterpolation(fake.requests, [database, file, "nv]prodb", "o'brien", PASSWORD]);
    for (const r of fake.requests) {
      for (const p of r.params) if (p.name === "db") expect(p.value).toBe(database);
      for (const p of r.params) if (p.name === "file") expect(p.value).toBe(file);
    }
  });

  it("fails with the server's messages, earliest first, naming host, instance and operation", async () => {
    const { fake, ops } = setup();
    fake.respond = (r) =>
      r.sql === SQL.backup
        ? {
            error: requestError("BACKUP DATABASE is terminating abnormally.", [
              "Cannot open backup device 'C:\\bak\\nvprodb.bak'. Operating system error 5(Access is denied.).",
            ]),
          }
        : {};
    await expect(
      ops.backup({ host: "nm-host2", instance: "SFLOW", database: "sflowdb" }, "C:\\bak\\nvprodb.bak"),
    ).rejects.toThrow(
      "SQL Server nm-host2\\SFLOW: BACKUP DATABASE [sflowdb] TO DISK 'C:\\bak\\nvprodb.bak': [EREQUEST] " +
        "Cannot open backup device 'C:\\bak\\nvprodb.bak'. Operating system error 5(Access is denied.). " +
        "BACKUP DATABASE is terminating abnormally.",
    );
    expect(fake.requests).toHaveLength(1);
  });

  it("rejects a database name SQL Server cannot have, before sending anything", async () => {
    const { fake, ops } = setup();
    await expect(
      ops.backup({ host: "nm-host1", instance: "", database: "x".repeat(129) }, "C:\\b.bak"),
    ).rejects.toThrow(/BACKUP DATABASE \[x+\] TO DISK 'C:\\b.bak': not a SQL Server database name/);
    await expect(
      ops.backup({ host: "nm-host1", instance: "", database: "a\0b" }, "C:\\b.bak"),
    ).rejects.toThrow(SqlError);
    await expect(ops.backup({ host: "nm-host1", instance: "", database: "nvprodb" }, " ")).rejects.toThrow(
      /not a backup file path/,
    );
    await expect(ops.databases("nm-host1", "A\\B")).rejects.toThrow(/not a SQL Server instance name/);
    expect(fake.requests).toEqual([]);
    expect(fake.configs).toEqual([]);
  });
});

describe("mssqlOps: verify, restore, detach (§4.2.4)", () => {
  it("verify reads the header and verifies the last full set, with CHECKSUM only when the set has checksums", async () => {
    const { fake, ops } = setup();
    scripted(fake, [
      headerRow({ Position: 1, BackupFinishDate: new Date("2026-02-01T00:00:00Z") }),
      headerRow({ Position: 2, BackupType: 2 }),
      headerRow({ Position: 3, HasBackupChecksums: false, BackupSize: 1024 }),
    ]);
    const info = await ops.verify("nm-host1", "", "C:\\bak\\nvprodb.bak");
    expect(info).toMatchObject({ database: "nvprodb", sizeBytes: 1024 });
    expect(fake.requests.map((r) => r.sql)).toEqual([SQL.headerOnly, SQL.verifyOnly]);
    expect(must(fake.requests[1]).params.find((p) => p.name === "position")?.value).toBe(3);
    expect(fake.requests.every((r) => r.requestTimeout === 0)).toBe(true);
  });

  it("verify fails on a file with no full database backup", async () => {
    const { fake, ops } = setup();
    scripted(fake, [headerRow({ BackupType: 2, DatabaseName: "wfdb" })]);
    await expect(ops.verify("nm-host1", "", "C:\\bak\\log.trn")).rejects.toThrow(
      "SQL Server nm-host1 (default instance): RESTORE HEADERONLY FROM DISK 'C:\\bak\\log.trn': the file holds no full database backup; it holds: wfdb (type 2, set 1)",
    );
  });

  it("restores WITH REPLACE from the database's set, without timeout, forwarding progress", async () => {
    const { fake, ops } = setup();
    scripted(fake, [
      headerRow({ DatabaseName: "wfdb", Position: 1 }),
      headerRow({ DatabaseName: "nvprodb", Position: 2 }),
    ]);
    const progress: string[] = [];
    await ops.restore({ host: "nm-host1", instance: "", database: "NVPRODB" }, "C:\\bak\\all.bak", (l) =>
      progress.push(l),
    );
    const restore = must(fake.requests[1]);
    expect(restore.sql).toBe(
      "RESTORE DATABASE @db FROM DISK = @file WITH FILE = @position, REPLACE, STATS = 10",
    );
    expect(restore.requestTimeout).toBe(0);
    expect(restore.params).toEqual([
      { name: "db", type: "NVarChar(128)", value: "NVPRODB" },
      { name: "file", type: "NVarChar(4000)", value: "C:\\bak\\all.bak" },
      { name: "position", type: "Int", value: 2 },
    ]);
    expect(progress).toHaveLength(2);
    expect(progress[0]).toBe(
      "nm-host1 (default instance): RESTORE DATABASE [NVPRODB] FROM DISK 'C:\\bak\\all.bak': 50 percent processed.",
    );
  });

  it("refuses to restore a database from a file that holds another database's backup", async () => {
    const { fake, ops } = setup();
    scripted(fake, [headerRow({ DatabaseName: "wfdb" })]);
    await expect(
      ops.restore({ host: "nm-host1", instance: "", database: "nvprodb" }, "C:\\bak\\CMDB.bak"),
    ).rejects.toThrow(/no full database backup of nvprodb; it holds: wfdb \(type 1, set 1\)/);
    expect(fake.requests.map((r) => r.sql)).toEqual([SQL.headerOnly]);
  });

  it("detaches with sp_detach_db, and does nothing when the database is already detached", async () => {
    const { fake, ops } = setup();
    scripted(fake);
    await ops.detach({ host: "nm-host1", instance: "", database: "wfdb" });
    expect(fake.requests.map((r) => [r.sql, r.params[0]?.value])).toEqual([
      [SQL.databaseExists, "wfdb"],
      ["EXEC sp_detach_db @dbname = @db", "wfdb"],
    ]);
    fake.requests.length = 0;
    fake.respond = () => ({ recordset: [{ n: 0 }] });
    await ops.detach({ host: "nm-host1", instance: "", database: "wfdb" });
    expect(fake.requests.map((r) => r.sql)).toEqual([SQL.databaseExists]);
  });
});

describe("statements", () => {
  it("contain no literal database name, path or quote", () => {
    for (const sql of ALL_SQL) {
      expect(sql).not.toMatch(/\[|N'|nvprodb|wfdb|sflowdb|\.bak/);
    }
  });

  it("pick the last full set, by database when asked", () => {
    const rows = [
      headerRow({ Position: 1, DatabaseName: "a" }),
      headerRow({ Position: 2, DatabaseName: "b" }),
      headerRow({ Position: 3, DatabaseName: "a", BackupType: 5 }),
    ].map((r) => HeaderRow.parse(r));
    expect(pickBackupSet(rows).Position).toBe(2);
    expect(pickBackupSet(rows, "A").Position).toBe(1);
  });

  it("write datetime as the server's wall clock, without a zone", () => {
    expect(wallClock(new Date("2026-03-01T02:03:12.250Z"))).toBe("2026-03-01T02:03:12.250");
  });

  it("describe an error with its code and preceding messages", () => {
    expect(errorDetail(requestError("last", ["first", "last"]))).toBe("[EREQUEST] first last");
    expect(errorDetail("plain")).toBe("plain");
  });
});

describe("the real mssql module (no server needed)", () => {
  it("takes the per-request timeout override that the type declarations omit", () => {
    const d = loadMssql();
    const pool = new d.ConnectionPool({ server: "localhost", options: { instanceName: "SFLOW" } });
    const request = new d.Request(pool, { requestTimeout: 0 }) as unknown as {
      overrides: { requestTimeout?: number };
    };
    expect(request.overrides.requestTimeout).toBe(0);
  });

  it("hands tedious the named instance without a port", () => {
    const d = loadMssql();
    const pool = new d.ConnectionPool({
      server: "10.0.0.11",
      port: 1433,
      options: { instanceName: "SFLOW" },
    });
    const tedious = (
      pool as unknown as { _config(): { server: string; options: Record<string, unknown> } }
    )._config();
    expect(tedious.server).toBe("10.0.0.11");
    expect(tedious.options.instanceName).toBe("SFLOW");
    expect(tedious.options.port).toBeUndefined();
  });
});
