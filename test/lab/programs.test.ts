/** The installer (§3.1, §3.6), SysMonMgr (§2.4.1, §4.2.1), the DB update scripts (§3.2) and SQL Server (§4.2.4). */
import { injectFault, readLabState, updateLabState } from "../../providers/lab";
import {
  INSTALLER_FAILED_LINE,
  SYSMONMGR_BACKUP_ID,
  installerArgs,
  uninstallerArgs,
} from "../../providers/catalogue/unconfirmed";
import { mediaPath } from "../../providers/catalogue/media";
import {
  MANAGER,
  NEW_MEDIA,
  SHARE,
  backupActive,
  suppressFailover,
  installManager,
  must,
  newLab,
  text,
  updateInternalDb,
  cmdbPassword,
} from "./guide";

const LOG = "C:\\Windows\\Temp\\setup.log";
const SETUP = mediaPath(NEW_MEDIA, "setup");
const failedCount = async (h: import("../../providers/hosts/types").HostOps): Promise<number> =>
  Number(INSTALLER_FAILED_LINE.exec(await text(h, LOG))?.[1]);

describe("Setup.exe", () => {
  it("installs the Manager with services Auto and FTBase running: §3.1 step 7 must set them Manual and stop them", async () => {
    const lab = newLab();
    const r = await lab.h2.run(SETUP, installerArgs("Manager", true, LOG));
    expect(r.exitCode).toBe(0);
    expect(await failedCount(lab.h2)).toBe(0);
    const svcs = await lab.h2.services();
    expect(svcs.find((s) => s.name === "NvPROBaseMgr")?.startType).toBe("Auto");
    expect(svcs.find((s) => s.name === "FTBase")?.state).toBe("Running");
    expect(svcs.some((s) => s.name === "NvPROTopologyAdapter")).toBe(true);
    expect((await lab.h2.installedProducts()).find((p) => /Manager/.test(p.displayName))?.version).toBe(
      "9.0.0",
    );
    expect(await lab.h2.stat(`${MANAGER}\\UpdateData`)).toBe("dir");
  });

  it("refuses to install while Manager\\UpdateData exists (§3.1 Caution)", async () => {
    const lab = newLab();
    await lab.h2.mkdir(`${MANAGER}\\UpdateData`);
    const r = await lab.h2.run(SETUP, installerArgs("Manager", true, LOG));
    expect(r.exitCode).toBe(1);
    expect(await failedCount(lab.h2)).toBeGreaterThan(0);
    expect(await text(lab.h2, LOG)).toMatch(/UpdateData exists/);
    expect((await lab.h2.installedProducts()).find((p) => /Manager/.test(p.displayName))?.version).toBe(
      "8.0.0",
    );
  });

  it("refuses on the active host (files in use) and with a wrong command line", async () => {
    const lab = newLab();
    expect((await lab.h1.run(SETUP, installerArgs("Manager", true, LOG))).exitCode).toBe(1);
    expect(await text(lab.h1, LOG)).toMatch(/files in use/);
    const bad = await lab.h2.run(SETUP, ["/S", "/FUNCTION=Manager", `/LOG=${LOG}`]);
    expect(bad.exitCode).toBe(2);
    expect(bad.output).toMatch(/UPDATEDATA=YES\|NO is required/);
    expect(
      (await lab.h2.run(SETUP, ["/S", "/FUNCTION=View", "/UPDATEDATA=NO", `/LOG=${LOG}`])).exitCode,
    ).toBe(2);
  });

  it("installer-fails and disk-full faults make Failed ≠ 0", async () => {
    const lab = newLab();
    await injectFault(lab.dir, { fault: "installer-fails", host: "host2", sticky: false });
    expect((await lab.h2.run(SETUP, installerArgs("Manager", true, LOG))).exitCode).toBe(1);
    expect(await failedCount(lab.h2)).toBe(2);
    await injectFault(lab.dir, { fault: "disk-full", host: "host2", sticky: false });
    expect(await lab.h2.freeSpace("C:\\")).toBeLessThan(1024 ** 3);
    expect((await lab.h2.run(SETUP, installerArgs("Manager", true, LOG))).output).toMatch(
      /not enough space on the disk/,
    );
    // Both were one-shot: the third attempt succeeds.
    expect((await installManager(lab.h2, NEW_MEDIA, true)).exitCode).toBe(0);
  });

  it("checks %TEMP% (§2.1 items 3 and 4)", async () => {
    const lab = newLab();
    await updateLabState(
      lab.dir,
      "TEMP with a JIS2004 character",
      (s) => s.hosts.host2 && (s.hosts.host2.env.TEMP = "C:\\Users\\剝\\Temp"),
    );
    expect((await lab.h2.run(SETUP, installerArgs("Manager", true, LOG))).output).toMatch(/JIS2004/);
  });

  it("the View install needs SysMonSvc.exe stopped (§3.6), then the terminal connects to a matching Manager", async () => {
    const lab = newLab({ consoles: ["console1"] });
    const c = lab.target.host("console1");
    expect((await c.run(SETUP, installerArgs("View", undefined, LOG))).output).toMatch(
      /SysMonSvc\.exe is running/,
    );
    await c.stopProcess("SysMonSvc");
    expect((await c.run(SETUP, installerArgs("View", undefined, LOG))).exitCode).toBe(0);
    const sysmon = "C:\\Program Files (x86)\\NEC\\UMF\\Operations\\View\\bin\\SysMonSvc.exe";
    // A 9.0 View against the 8.0 Manager still serving on host1 does not match.
    expect((await c.run(sysmon, [])).output).toMatch(/does not match the manager \(8\.0\)/);
    expect(await c.probeTcp("192.168.10.100", 12520, 1000)).toBe(true);
  });

  it("uninstalls the Manager but leaves its sg configuration", async () => {
    const lab = newLab();
    const r = await lab.h2.run(SETUP, uninstallerArgs("Manager", LOG));
    expect(r.exitCode).toBe(0);
    expect((await lab.h2.installedProducts()).some((p) => /Manager/.test(p.displayName))).toBe(false);
    expect((await lab.h2.services()).some((s) => s.name === "NvPROBaseMgr")).toBe(false);
    expect(await lab.h2.stat(`${MANAGER}\\sg\\wfdbmgr\\WFDB.INI`)).toBe("file");
    expect(await lab.h2.stat(`${MANAGER}\\bin\\SysMonMgr.exe`)).toBeNull();
  });
});

describe("SysMonMgr.exe", () => {
  it("numbers backups 001, 002 and honours sgbackup_comm.lst: only the rolling-update list backs up the shared disk", async () => {
    const lab = newLab();
    const sysmon = `${MANAGER}\\bin\\SysMonMgr.exe`;
    const plain = await must(lab.h1, sysmon, ["-backup"]);
    expect(SYSMONMGR_BACKUP_ID.exec(plain.output)?.[1]).toBe("001");
    expect(plain.output).not.toMatch(/SHARED_SG/);
    expect(await backupActive(lab.h1)).toBe("002");
    expect(await lab.h1.stat(`${MANAGER}\\backup\\002\\share\\sg\\NvPRO\\RMAPI\\db`)).toBe("dir");
    expect(await lab.h1.stat(`${MANAGER}\\backup\\002\\sg\\wfdbmgr\\CMDB.bak`)).toBe("file");
    // The original list is back in place.
    expect(
      await text(lab.h1, `${MANAGER}\\sg\\NvPRO\\NvPRORemoteCmd\\sys_cmd\\sgbackup_comm.lst`),
    ).not.toMatch(/NVP_SHARE_PATH/);
    expect((await must(lab.h1, sysmon, ["-listbackup"])).output.match(/Backup ID : \d{3}/g)).toEqual([
      "Backup ID : 001",
      "Backup ID : 002",
    ]);

    // Restore round trip (§4.2.1): services stopped, folders deleted, -restore -S -latest brings them back.
    const sg = `${SHARE}\\Manager\\sg`;
    const before = await lab.h1.hashTree(sg);
    // Stopping the services by hand on the active host needs §2.3, else the service monitors fail the group over.
    await suppressFailover(lab.h1);
    expect((await lab.h1.run(sysmon, ["-restore", "-S", "-latest"])).output).toMatch(
      /stop the Network Manager services first/,
    );
    for (const s of [
      "NvPRORMAPI",
      "UMFOperationsManager_1",
      "NvPROBaseMgr",
      "FTBase",
      "Wfdb_wfdb1",
      "Wfdb_nvalertdb1",
      "Wfdb_nvsflowdb1",
    ])
      await lab.h1.stopService(s);
    await lab.h1.remove(`${sg}\\NvPRO\\RMAPI\\db`);
    await lab.h1.writeFile(`${sg}\\NvPRO\\NVWORK\\tmp\\junk.tmp`, Buffer.from("x"));
    await must(lab.h1, sysmon, ["-restore", "-S", "-latest"]);
    const after = await lab.h1.hashTree(sg);
    // The restore overwrites what the backup has and leaves other files: the junk stays (hence §4.2.1 step 2).
    expect(
      after.filter(
        (e) =>
          !e.path.endsWith("junk.tmp") && !/postmaster\.pid$/.test(e.path) && !e.path.endsWith("netmgr.dat"),
      ),
    ).toEqual(before.filter((e) => !/postmaster\.pid$/.test(e.path) && !e.path.endsWith("netmgr.dat")));
    expect(after.some((e) => e.path.endsWith("junk.tmp"))).toBe(true);
    // Backup 001 holds no shared data.
    expect((await lab.h1.run(sysmon, ["-restore", "-S", "001"])).output).toMatch(/holds no shared disk data/);
    expect((await lab.h1.run(sysmon, ["-restore"])).exitCode).toBe(1);
  });

  it("backup-fails makes -backup exit non-zero", async () => {
    const lab = newLab();
    await injectFault(lab.dir, { fault: "backup-fails", sticky: false });
    const r = await lab.h1.run(`${MANAGER}\\bin\\SysMonMgr.exe`, ["-backup"]);
    expect(r.exitCode).not.toBe(0);
    expect(await lab.h1.stat(`${MANAGER}\\backup\\001`)).toBeNull();
  });
});

describe("database update scripts", () => {
  it("WfdbCmdSetup.bat (internal) prints the benign 'already exists' lines on a run and a re-run, and updates the schema", async () => {
    const lab = newLab();
    const first = await updateInternalDb(lab.h1);
    expect(first.exitCode).toBe(0);
    for (const l of [
      'ERROR: role "wfdb" already exists',
      'ERROR: database "wfdb" already exists',
      'ERROR: schema "wfdb" already exists',
    ]) {
      expect(first.output).toContain(l);
    }
    expect(first.output).not.toMatch(/ERROR: {2}/);
    const again = await updateInternalDb(lab.h1);
    expect(again.output).toContain('ERROR: role "wfdb" already exists');
    const s = await readLabState(lab.dir);
    const data =
      s.volumes.shared?.entries[
        "\\masterscope\\operations\\manager\\sg\\database\\wfdb\\dbms1\\data\\base\\netmgr.dat"
      ]?.data ?? "";
    expect(JSON.parse(Buffer.from(data, "base64").toString()).schema).toBe("9.0");
  });

  it("rejects wrong arguments and reports real errors under db-script-error", async () => {
    const lab = newLab();
    await lab.h1.copy(mediaPath(NEW_MEDIA, "sqlRupdate"), `${MANAGER}\\sql_rupdate`);
    const cwd = `${MANAGER}\\sql_rupdate\\postgres`;
    const pw = await cmdbPassword(lab.h1);
    const args = (p: string | typeof pw, last = "YES"): (string | typeof pw)[] => [
      "wfdb",
      `${MANAGER}\\bin\\dbms1`,
      "12630",
      "SYSTEM",
      p,
      "127.0.0.1",
      "wfdb",
      `${SHARE}\\Manager`,
      last,
    ];
    expect((await lab.h1.run("WfdbCmdSetup.bat", args(pw).slice(0, 8), { cwd })).output).toMatch(/Usage/);
    expect((await lab.h1.run("WfdbCmdSetup.bat", args("wrong"), { cwd })).output).toMatch(
      /password authentication failed/,
    );
    expect((await lab.h1.run("WfdbCmdSetup.bat", args(pw, "NO"), { cwd })).exitCode).toBe(1);
    // From the standby the CMDB is not reachable.
    await lab.h2.copy(mediaPath(NEW_MEDIA, "sqlRupdate"), `${MANAGER}\\sql_rupdate`);
    expect((await lab.h2.run("WfdbCmdSetup.bat", args(pw), { cwd })).output).toMatch(/could not connect/);
    await injectFault(lab.dir, { fault: "db-script-error", sticky: false });
    const r = await lab.h1.run("WfdbCmdSetup.bat", args(pw), { cwd });
    expect(r.output).toMatch(/ERROR: {2}relation .* does not exist/);
  });

  it("SQL Server: WfdbCmdSetup.bat writes the Table 3-1 logs, NvPRODBSetup.bat updates the fault DB", async () => {
    const lab = newLab({ db: "sqlserver", sflowDb: true });
    await lab.h1.copy(mediaPath(NEW_MEDIA, "sqlRupdate"), `${MANAGER}\\sql_rupdate`);
    const cwd = `${MANAGER}\\sql_rupdate\\sqlserver`;
    await must(lab.h1, "WfdbCmdSetup.bat", ["wfdb", "localhost", "\\", "SQL Server"], cwd);
    expect(await text(lab.h1, `${cwd}\\wfdbCreateDB.log`)).toContain("Database 'wfdb' already exists.");
    expect(await text(lab.h1, `${cwd}\\wfdbCreateLogin.log`)).toContain("principal 'wfdb' already exists.");
    expect(await text(lab.h1, `${cwd}\\wfdbCreateUser.log`)).toContain(
      "'wfdb' already exists in the current database.",
    );
    expect((await lab.h1.readFile(`${cwd}\\wfdbAddRole.log`)).length).toBe(0);
    expect(await text(lab.h1, `${cwd}\\wfdb_CR_TBL.log`)).toContain(
      "Warning: The maximum key length is 900 bytes.",
    );
    expect(await lab.h1.stat(`${cwd}\\wfdb_UP_TBL1.log`)).toBe("file");
    expect(
      (await lab.h1.run("WfdbCmdSetup.bat", ["wfdb", "localhost", "\\", "Oracle"], { cwd })).exitCode,
    ).toBe(1);
    await must(lab.h1, "NvPRODBSetup.bat", ["nvprodb", "localhost", "\\"], cwd);
    expect(await text(lab.h1, `${MANAGER}\\sg\\NvPRO\\NvPROBaseMgr.ini`)).toMatch(/DATABASE_VERSION=9\.0/);
    await injectFault(lab.dir, { fault: "db-script-error", sticky: false });
    await must(lab.h1, "WfdbCmdSetup.bat", ["wfdb", "localhost", "\\", "SQL Server"], cwd);
    expect(await text(lab.h1, `${cwd}\\wfdb_UP_TBL1.log`)).toMatch(/Msg 208, Level 16/);
  });

  it("SqlOps: BACKUP with checksum, VERIFY, detach and RESTORE bring the database back", async () => {
    const lab = newLab({ db: "sqlserver", sflowDb: true });
    const sql = lab.target.sql;
    expect((await sql.instanceInfo("host1", "")).edition).toMatch(/Standard/);
    expect(await sql.databases("host1", "SFLOW")).toContain("sflowdb");
    await lab.h1.mkdir("C:\\bak");
    const ref = { host: "host1", instance: "", database: "nvprodb" };
    const lines: string[] = [];
    const info = await sql.backup(ref, "C:\\bak\\nvprodb.bak", (l) => lines.push(l));
    expect(lines.join("\n")).toMatch(/100 percent/);
    expect((await sql.verify("host1", "", "C:\\bak\\nvprodb.bak")).database).toBe("nvprodb");
    await expect(sql.backup(ref, "C:\\nowhere\\x.bak")).rejects.toThrow(/Operating system error 3/);
    await sql.detach(ref);
    expect(await sql.databases("host1", "")).not.toContain("nvprodb");
    await sql.restore(ref, "C:\\bak\\nvprodb.bak");
    expect(await sql.databases("host1", "")).toContain("nvprodb");
    expect(info.sizeBytes).toBeGreaterThan(0);
    // The standby cannot reach the database files.
    await expect(sql.backup({ ...ref, host: "host2" }, "C:\\Windows\\Temp\\x.bak")).rejects.toThrow(
      /inaccessible files/,
    );
    await lab.h1.writeFile("C:\\bak\\broken.bak", Buffer.from("garbage"));
    await expect(sql.verify("host1", "", "C:\\bak\\broken.bak")).rejects.toThrow(/incorrectly formed/);
  });
});
