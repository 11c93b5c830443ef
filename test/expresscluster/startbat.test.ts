import {
  PERFDB_PID_LINE,
  PERFDB_PID_LINE_QUOTED,
  StartBatError,
  addPerfDbPidDeletion,
  perfDbPidDeletionStatus,
  removePerfDbPidDeletion,
  startBatPath,
} from "../../providers/expresscluster/startbat";
import { clpconfBytes, must } from "./fixtures";
import { lineDiff } from "./linediff";

const internal = clpconfBytes("scripts/failover-nm/script-nm/start.bat").toString("latin1");
const external = clpconfBytes("scripts/failover/script/start.bat").toString("latin1");
const SHARE = "X:\\MasterScope\\Operations";

describe("start.bat: the NvPRO Performance Database postmaster.pid deletion (§3.4.2 step 2)", () => {
  it("knows where the pulled configuration keeps start.bat", () => {
    expect(startBatPath("failover-nm", "script-nm")).toBe("scripts\\failover-nm\\script-nm\\start.bat");
  });

  it("reports the state of an internal-DB script before the edit", () => {
    expect(perfDbPidDeletionStatus(internal)).toEqual({ normal: false, failover: false, baseVariable: true });
  });

  it("adds the line after the existing postmaster.pid deletions of both sections, nothing else", () => {
    const edit = addPerfDbPidDeletion(internal, SHARE);
    expect(edit.added).toEqual({ normal: true, failover: true, baseVariable: false });
    expect(lineDiff(internal, edit.text)).toEqual({ removed: [], added: [PERFDB_PID_LINE, PERFDB_PID_LINE] });
    const lines = edit.text.split("\r\n");
    const at = lines.flatMap((l, i) => (l === PERFDB_PID_LINE ? [i] : []));
    expect(at.map((i) => lines[i - 1])).toEqual([
      "del %NVP_DB_BASE_PATH%\\nvsflowdb\\dbms1\\data\\postmaster.pid 2>NUL",
      "del %NVP_DB_BASE_PATH%\\nvsflowdb\\dbms1\\data\\postmaster.pid 2>NUL",
    ]);
    expect(lines.indexOf(":NORMAL")).toBeLessThan(must(at[0]));
    expect(lines.indexOf(":FAILOVER")).toBeLessThan(must(at[1]));
    expect(lines.indexOf(":RECOVER")).toBeGreaterThan(must(at[0]));
    expect(edit.text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(perfDbPidDeletionStatus(edit.text)).toEqual({ normal: true, failover: true, baseVariable: true });
  });

  it("is idempotent", () => {
    const once = addPerfDbPidDeletion(internal, SHARE).text;
    const twice = addPerfDbPidDeletion(once, SHARE);
    expect(twice.text).toBe(once);
    expect(twice.added).toEqual({ normal: false, failover: false, baseVariable: false });
  });

  it("is undone exactly", () => {
    const edit = addPerfDbPidDeletion(internal, SHARE);
    expect(removePerfDbPidDeletion(edit.text, edit.added)).toBe(internal);
    expect(removePerfDbPidDeletion(edit.text)).toBe(internal);
    // Undoing twice changes nothing more (a resumed failback).
    expect(removePerfDbPidDeletion(internal, edit.added)).toBe(internal);
  });

  it("in an external-DB script: sets NVP_DB_BASE_PATH before the event dispatch and adds after Check Disk", () => {
    expect(perfDbPidDeletionStatus(external)).toEqual({
      normal: false,
      failover: false,
      baseVariable: false,
    });
    const edit = addPerfDbPidDeletion(external, SHARE + "\\");
    expect(edit.added).toEqual({ normal: true, failover: true, baseVariable: true });
    const lines = edit.text.split("\r\n");
    const set = lines.indexOf("set NVP_DB_BASE_PATH=X:\\MasterScope\\Operations\\Manager\\sg\\database");
    expect(set).toBeGreaterThan(0);
    expect(lines[set + 1]).toBe('IF "%CLP_EVENT%" == "START" GOTO NORMAL');
    const at = lines.flatMap((l, i) => (l === PERFDB_PID_LINE ? [i] : []));
    expect(at.map((i) => lines[i - 1])).toEqual([
      'IF "%CLP_DISK%" == "FAILURE" GOTO ERROR_DISK',
      'IF "%CLP_DISK%" == "FAILURE" GOTO ERROR_DISK',
    ]);
    // The file has no line break after its last line; the undo gives exactly that back.
    expect(removePerfDbPidDeletion(edit.text, edit.added)).toBe(external);
  });

  it("finds the section end past labels inside a section (:CONTINUE, :ON_OTHER1)", () => {
    const text = [
      'IF "%CLP_EVENT%" == "START" GOTO NORMAL',
      'IF "%CLP_EVENT%" == "FAILOVER" GOTO FAILOVER',
      "GOTO no_clp",
      ":NORMAL",
      "call SetEnvironment.bat",
      ":CONTINUE",
      "rem Check Disk",
      'IF "%CLP_DISK%" == "FAILURE" GOTO ERROR_DISK',
      ":ON_OTHER1",
      "GOTO EXIT",
      ":FAILOVER",
      'IF "%CLP_DISK%" == "FAILURE" GOTO ERROR_DISK',
      "GOTO EXIT",
      ":ERROR_DISK",
      ":no_clp",
      ":EXIT",
      "",
    ].join("\n");
    const edit = addPerfDbPidDeletion(text, "X:\\NM");
    const lines = edit.text.split("\n");
    expect(lines.slice(7, 11)).toEqual([
      "rem Check Disk",
      'IF "%CLP_DISK%" == "FAILURE" GOTO ERROR_DISK',
      PERFDB_PID_LINE,
      ":ON_OTHER1",
    ]);
    expect(lines.indexOf("set NVP_DB_BASE_PATH=X:\\NM\\Manager\\sg\\database")).toBe(0);
    expect(edit.text).not.toContain("\r");
    expect(removePerfDbPidDeletion(edit.text, edit.added)).toBe(text);
  });

  it("quotes the path when the share path holds a space", () => {
    const text = ":NORMAL\r\nrem x\r\n:FAILOVER\r\nrem y\r\n";
    const edit = addPerfDbPidDeletion(text, "D:\\Master Scope");
    expect(edit.text).toContain(
      `set NVP_DB_BASE_PATH=D:\\Master Scope\\Manager\\sg\\database\r\n:NORMAL\r\n${PERFDB_PID_LINE_QUOTED}\r\n`,
    );
    expect(perfDbPidDeletionStatus(edit.text)).toEqual({ normal: true, failover: true, baseVariable: true });
    expect(removePerfDbPidDeletion(edit.text, edit.added)).toBe(text);
  });

  it("counts a hand-written deletion with an absolute path as present", () => {
    const text = internal.replace(
      "del %NVP_DB_BASE_PATH%\\nvsflowdb\\dbms1\\data\\postmaster.pid 2>NUL\r\n\r\nrem *************\r\nrem Routine",
      'del %NVP_DB_BASE_PATH%\\nvsflowdb\\dbms1\\data\\postmaster.pid 2>NUL\r\nDEL "X:\\MasterScope\\Operations\\Manager\\sg\\database\\NvPROPerfDB\\postmaster.pid"\r\n\r\nrem *************\r\nrem Routine',
    );
    expect(perfDbPidDeletionStatus(text)).toEqual({ normal: true, failover: false, baseVariable: true });
    const edit = addPerfDbPidDeletion(text, SHARE);
    expect(edit.added).toEqual({ normal: false, failover: true, baseVariable: false });
    expect(removePerfDbPidDeletion(edit.text, edit.added)).toBe(text);
  });

  it("refuses a script without the sections it edits, and an unusable share path", () => {
    expect(() => addPerfDbPidDeletion(":NORMAL\r\nrem\r\n", SHARE)).toThrow(StartBatError);
    expect(() => addPerfDbPidDeletion(":NORMAL\r\n:FAILOVER\r\n", SHARE)).not.toThrow();
    expect(() => perfDbPidDeletionStatus("rem nothing\r\n")).toThrow(/no :NORMAL section/);
    expect(() => addPerfDbPidDeletion(external, "relative\\path")).toThrow(/not a usable NVP_SHARE_PATH/);
    expect(() => addPerfDbPidDeletion(external, "X:\\a&b")).toThrow(/not a usable NVP_SHARE_PATH/);
    expect(() => addPerfDbPidDeletion(external, "\\\\fileserver\\share\\NM")).not.toThrow();
  });
});
