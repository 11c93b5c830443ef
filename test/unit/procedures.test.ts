/** Pure parts of the procedures, tested straight from the guide's text. */
import { judge, judgeTable31 } from "../../providers/procedures/database";
import { checkTemp, JIS2004_ADDED } from "../../providers/procedures/preflight";
import { rupInstExitCode } from "../../providers/procedures/move";
import { expectedIms, fillIms, imsMatches } from "../../providers/procedures/webconsole";
import { findIniValue, parseIni, setIniValue } from "../../providers/procedures/text";
import { sharedDiskUpdateFolders, pre80ExtraDeletions } from "../../providers/procedures/paths";
import { formatDuration } from "../../providers/procedures/progress";

describe("§3.2 log judgement", () => {
  it("accepts the benign 'already exists' errors of §3.2.1 and nothing else", () => {
    const ok =
      'ERROR: role "wfdb" already exists\nERROR: database "wfdb" already exists\nERROR: schema "wfdb" already exists\nCREATE TABLE\n';
    expect(judge("out", ok, [/ERROR:\s+(role|database|schema)\s+"[^"]+"\s+already exists/]).errors).toEqual(
      [],
    );
    const bad = ok + 'ERROR: relation "nvp_alert" does not exist\n';
    expect(judge("out", bad, [/ERROR:\s+(role|database|schema)\s+"[^"]+"\s+already exists/]).errors).toEqual([
      'ERROR: relation "nvp_alert" does not exist',
    ]);
  });

  it("applies Table 3-1 per log file, osql message headers included", () => {
    const createDb =
      "Msg 1801, Level 16, State 3, Server SQL1, Line 1\nDatabase 'wfdb' already exists. Choose a different database name.\n";
    expect(judgeTable31("wfdbCreateDB.log", createDb, "wfdb")!.errors).toEqual([]);
    expect(
      judgeTable31("wfdbCreateLogin.log", "Server principal 'wfdb' already exists.", "wfdb")!.errors,
    ).toEqual([]);
    expect(
      judgeTable31(
        "wfdbCreateUser.log",
        "User, group, or role 'wfdb' already exists in the current database.",
        "wfdb",
      )!.errors,
    ).toEqual([]);
    expect(
      judgeTable31(
        "wfdb_CR_TBL.log",
        "Warning: The maximum key length is 900 bytes. The index has ...",
        "wfdb",
      )!.errors,
    ).toEqual([]);
    expect(judgeTable31("wfdbAddRole.log", "", "wfdb")!.errors).toEqual([]);
    expect(
      judgeTable31("wfdbAddRole.log", "Msg 15410, Level 11\nUser does not exist", "wfdb")!.errors.length,
    ).toBeGreaterThan(0);
    expect(
      judgeTable31("wfdb_UP_TBL2.log", "Msg 208, Level 16, State 1\nInvalid object name 'x'.", "wfdb")!
        .errors,
    ).toEqual(["Msg 208, Level 16, State 1: Invalid object name 'x'."]);
    // Other database names are read into the file names (Table 3-1 note).
    expect(judgeTable31("cmdbCreateDB.log", "Database 'cmdb' already exists.", "cmdb")!.errors).toEqual([]);
    expect(judgeTable31("unrelated.log", "error", "wfdb")).toBeUndefined();
  });
});

describe("§2.1 TEMP checks", () => {
  it("requires TEMP or TMP, writable, without JIS2004 characters", () => {
    expect(checkTemp("h", null, null, false)[0]).toMatch(/neither %TMP% nor %TEMP% is defined/);
    expect(checkTemp("h", "C:\\Temp", null, false)[0]).toMatch(/not writable/);
    expect(checkTemp("h", "C:\\Temp", "C:\\Temp", true)).toEqual([]);
    expect(checkTemp("h", `C:\\Users\\${JIS2004_ADDED[0]}\\Temp`, null, true)[0]).toMatch(/JIS2004/);
  });
});

describe("§3.5 RupInstCmd.log", () => {
  it("takes the last ExitCode", () => {
    expect(rupInstExitCode("start\nExitCode = 3\nretry\nExitCode : 0\n")).toBe(0);
    expect(rupInstExitCode("copying...\n")).toBeNull();
    expect(rupInstExitCode("ExitCode=-1")).toBe(-1);
  });
});

describe("§3.3 NvPROIms.ini", () => {
  const template =
    "; IMS settings\r\n[NOMS]\r\nInstanceID=1\r\nMessageQueueIP=127.0.0.1\r\nMessageQueuePort=28110\r\n[EVENT]\r\nsendEvent=1\r\n";
  it("fills Table 2-4 values, keeping comments and CRLF", () => {
    const w = {
      enabled: true,
      managerId: "nvpro01",
      imsAddress: "192.168.1.200",
      port: 28110,
      sendEvent: 1 as const,
      webApiPort: 1,
    };
    const out = fillIms(template, expectedIms(w));
    expect(out).toBe(
      "; IMS settings\r\n[NOMS]\r\nInstanceID=nvpro01\r\nMessageQueueIP=192.168.1.200\r\nMessageQueuePort=28110\r\n[EVENT]\r\nsendEvent=1\r\n",
    );
    expect(
      imsMatches(expectedIms(w), {
        InstanceID: "nvpro01",
        MessageQueueIP: "192.168.1.200",
        MessageQueuePort: "28110",
        sendEvent: "1",
      }),
    ).toBe(true);
  });
  it("blanks InstanceID and sets sendEvent=0 without the Web Console", () => {
    const w = {
      enabled: false,
      managerId: "1",
      imsAddress: "127.0.0.1",
      port: 28110,
      sendEvent: 1 as const,
      webApiPort: 1,
    };
    const ini = parseIni(fillIms(template, expectedIms(w)));
    expect(findIniValue(ini, "InstanceID")).toBe("");
    expect(findIniValue(ini, "sendEvent")).toBe("0");
  });
  it("adds a missing section and key", () => {
    expect(setIniValue("[A]\nx=1\n", "B", "y", "2")).toBe("[A]\nx=1\n[B]\ny=2\n");
    expect(setIniValue("[A]\nx=1\n\n[C]\nz=3\n", "A", "y", "2")).toBe("[A]\nx=1\ny=2\n\n[C]\nz=3\n");
  });
});

describe("§4.2.1 step 2", () => {
  it("lists the guide's folders, and the pre-8.0 extras", () => {
    const p = { installPath: "C:\\NetMgr", sharePath: "X:\\MasterScope\\Operations" };
    const folders = sharedDiskUpdateFolders(p);
    expect(folders).toHaveLength(15);
    expect(folders[0]).toBe("X:\\MasterScope\\Operations\\Manager\\sg\\NvPRO\\RMAPI\\db");
    expect(folders).toContain(
      "X:\\MasterScope\\Operations\\Manager\\sg\\NvPRO\\NVWORK\\public\\exdll\\KNOWLEDGE",
    );
    expect(pre80ExtraDeletions(p)).toEqual([
      "X:\\MasterScope\\Operations\\Manager\\sg\\NvPRO\\ImsAdapter",
      "X:\\MasterScope\\Operations\\Manager\\sg\\database\\NvPROPerfDB",
      "X:\\MasterScope\\Operations\\Manager\\sg\\NvPRO\\NvPROIms.ini",
    ]);
  });
});

it("formats durations for progress lines", () => {
  expect(formatDuration(45_000)).toBe("45s");
  expect(formatDuration(130_000)).toBe("2m10s");
  expect(formatDuration(3_720_000)).toBe("1h02m");
});
