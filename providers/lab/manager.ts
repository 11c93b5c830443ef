/**
 * The NetMgr Manager's life on a host, from NvPRO Base Manager's start (§3.5):
 *
 * - Same version as the shared data: "BaseMgr Initialization start" / "end" in NvpLog.log, then serving.
 * - Newer than the shared data and installed with "Update data area at startup" = Yes (its
 *   Manager\UpdateData folder is present): the shared-disk update runs for about three minutes (§3.5 *6),
 *   writing RupInstCmd.log with a final ExitCode line, then the data is read (the NvpLog lines). On failure
 *   some services stop (§4.2); without access to the shared disk nothing is written (§4.1).
 * - Newer without UpdateData, older than the data, or data left half-updated: the Manager stops.
 *
 * Every step is a pending event on the virtual clock, so a caller polling the logs sees them appear.
 */
import { SHARED_DISK_UPDATE_FOLDERS } from "../catalogue/sharedDisk";
import type { LabState } from "./state";
import { compareVersions } from "../catalogue/versions";
import { hostOf, localSg, managerDir, nodes, sharedReachable, sharedSg, stamp } from "./world";
import { record } from "./timeline";
import { schedule } from "./engine";
import { fire } from "./faults";
import { readBytes, statPath, writeBytes, removePath } from "./fs";
import { dec, enc, iniValues } from "./texts";
import { BASE_MANAGER, OPS_MANAGER, isRunning, markStopped } from "./services";
import { dbContentPath, readDb, serializeDb, type DbRole } from "./db";
import { onUnexpectedStop } from "./cluster";
import { NVPLOG_INIT_END, NVPLOG_INIT_START } from "../catalogue/unconfirmed";

/** Guide: "roughly three minutes" from the update of the shared files to the end of the data read (§3.5). */
export const RUPINST_MS = 150_000;
export const READ_AFTER_UPDATE_MS = 30_000;
export const INIT_MS = 30_000;
export const FAIL_AFTER_MS = 30_000;
export const OPSMGR_STOP_AFTER_MS = 170_000;

/** Services that stop when the Manager fails (the DB services keep running), in stop order. */
const MANAGER_PROCESSES = [
  "NvPRO Performance Manager",
  "NvPRO Topology Adapter",
  "NvPRO ResourceManagerAPI Service",
  OPS_MANAGER,
  BASE_MANAGER,
];

export const sgInfoPath = (s: LabState): string => `${sharedSg(s)}\\NvPRO\\NvPROSgInfo.ini`;
export const nvpLogPath = (s: LabState): string => `${managerDir(s)}\\log\\NvpLog.log`;
export const rupInstLogPath = (s: LabState): string => `${managerDir(s)}\\log\\RupInstCmd.log`;
export const updateDataPath = (s: LabState): string => `${managerDir(s)}\\UpdateData`;

export interface SgInfo {
  version: string;
  generation: string;
  state: string;
}

/** The lab's marker of the shared data's version (what the real Manager reads from its data, see docs/lab.md). */
export function readSgInfo(s: LabState, host: string): SgInfo | undefined {
  if (statPath(s, host, sgInfoPath(s)) !== "file") return undefined;
  const v = iniValues(dec(s, readBytes(s, host, sgInfoPath(s))));
  return { version: v.VERSION ?? "", generation: v.GENERATION ?? "", state: v.STATE ?? "OK" };
}

export function writeSgInfo(s: LabState, host: string, info: SgInfo): void {
  const text = `[DATA]\nVERSION=${info.version}\nGENERATION=${info.generation}\nSTATE=${info.state}\n`;
  writeBytes(s, host, sgInfoPath(s), enc(s, text));
}

export function newGeneration(s: LabState): string {
  return `g${String(s.seq).padStart(6, "0")}`;
}

export function appendLog(s: LabState, host: string, path: string, lines: readonly string[]): void {
  const old = statPath(s, host, path) === "file" ? dec(s, readBytes(s, host, path)) : "";
  const add = lines.map((l) => `${stamp(s.now)} ${l}\n`).join("");
  writeBytes(s, host, path, enc(s, old.replace(/\r\n/g, "\n") + add));
}

function setPhase(s: LabState, host: string, phase: LabState["hosts"][string]["mgr"]["phase"]): void {
  const m = hostOf(s, host).mgr;
  if (m.phase !== phase) {
    m.phase = phase;
    m.since = s.now;
    record(s, "manager", `${host}: Manager ${phase}`, { host, value: phase });
  }
}

export function onBaseMgrStarted(s: LabState, host: string): void {
  const h = hostOf(s, host);
  h.mgr.runId += 1;
  const run = h.mgr.runId;
  setPhase(s, host, "starting");
  const hv = h.manager?.version ?? "0";
  const data = readSgInfo(s, host);
  if (!data)
    return void schedule(s, FAIL_AFTER_MS, host, run, "fail:the shared data (NvPROSgInfo.ini) was not found");
  if (data.state !== "OK") {
    return void schedule(
      s,
      FAIL_AFTER_MS,
      host,
      run,
      `fail:the shared data is damaged (state ${data.state}); restore it from a backup (§4.2.1)`,
    );
  }
  const cmp = compareVersions(hv, data.version);
  if (cmp < 0) {
    return void schedule(
      s,
      FAIL_AFTER_MS,
      host,
      run,
      `fail:the shared data (version ${data.version}) is newer than this Manager (${hv})`,
    );
  }
  if (cmp === 0) {
    schedule(s, 1_000, host, run, "init-start");
    schedule(s, INIT_MS, host, run, "init-end");
    return;
  }
  if (statPath(s, host, updateDataPath(s)) !== "dir") {
    return void schedule(
      s,
      FAIL_AFTER_MS,
      host,
      run,
      `fail:the shared data (version ${data.version}) is older than this Manager (${hv}) and there is no UpdateData to update it (installed with "Update data area at startup" = No)`,
    );
  }
  if (
    fire(
      s,
      "shared-disk-unreachable",
      host,
      "the updated host cannot access the shared disk at the move (§4.1)",
    )
  ) {
    s.cluster.diskBlocked = host;
    return void schedule(s, FAIL_AFTER_MS, host, run, "fail:cannot access the shared disk");
  }
  setPhase(s, host, "updating");
  appendLog(s, host, rupInstLogPath(s), [
    `RupInstCmd start: updating the shared data ${sharedSg(s)} from ${data.version} to ${hv}`,
  ]);
  const ok = !fire(s, "rupinst-exit-nonzero", host, "the shared-disk update fails (§4.2)");
  schedule(s, RUPINST_MS, host, run, ok ? "rupinst-ok" : "rupinst-fail");
  if (
    ok &&
    fire(
      s,
      "operations-manager-stops",
      host,
      "Operations Manager stops within the three minutes (§3.5 step 1)",
    )
  ) {
    schedule(s, OPSMGR_STOP_AFTER_MS, host, run, "opsmgr-stop");
  }
}

export function onBaseMgrStopped(s: LabState, host: string): void {
  const h = hostOf(s, host);
  h.mgr.runId += 1;
  if (h.mgr.phase !== "failed") setPhase(s, host, "stopped");
}

/** A pending step of the Manager on `host`; ignored when the Manager was restarted since it was scheduled. */
export function handleManagerEvent(s: LabState, host: string, runId: number, step: string): void {
  const h = hostOf(s, host);
  if (h.mgr.runId !== runId) return;
  const [kind, ...rest] = step.split(":");
  const detail = rest.join(":");
  switch (kind) {
    case "init-start":
      setPhase(s, host, "initializing");
      appendLog(s, host, nvpLogPath(s), [`[INFO] ${NVPLOG_INIT_START}`]);
      return;
    case "init-end":
      return initEnd(s, host);
    case "rupinst-ok":
      return rupInstDone(s, host, true);
    case "rupinst-fail":
      return rupInstDone(s, host, false);
    case "opsmgr-stop":
      appendLog(s, host, nvpLogPath(s), [`[ERROR] ${OPS_MANAGER} stopped: failed to load the shared data`]);
      setPhase(s, host, "failed");
      return stopManager(
        s,
        host,
        [OPS_MANAGER, "NvPRO ResourceManagerAPI Service"],
        "Operations Manager stopped (§3.5 step 1)",
      );
    case "fail":
      return fail(s, host, detail);
    default:
      throw new Error(`unknown manager step ${step}`);
  }
}

function fail(s: LabState, host: string, reason: string): void {
  appendLog(s, host, nvpLogPath(s), [`[ERROR] NetMgr Manager stops: ${reason}`]);
  setPhase(s, host, "failed");
  stopManager(s, host, MANAGER_PROCESSES, reason);
  // A one-shot shared-disk fault is transient: the disk is reachable again after the failed start (§4.1 Action).
  if (s.cluster.diskBlocked && s.cluster.diskBlocked.toLowerCase() === host.toLowerCase()) {
    if (!s.faults.some((f) => f.fault === "shared-disk-unreachable" && f.sticky))
      s.cluster.diskBlocked = null;
  }
}

function stopManager(s: LabState, host: string, services: readonly string[], reason: string): void {
  const stopped = markStopped(s, host, services, reason);
  if (stopped.length > 0) onUnexpectedStop(s, host, stopped, reason);
}

const UPDATED_FOLDERS = SHARED_DISK_UPDATE_FOLDERS;

function rupInstDone(s: LabState, host: string, ok: boolean): void {
  const h = hostOf(s, host);
  const hv = h.manager?.version ?? "0";
  const sg = sharedSg(s);
  const before = readSgInfo(s, host);
  // The update writes the new version's files into the folders §4.2.1 step 2 later deletes on failback.
  const folders = ok ? UPDATED_FOLDERS : UPDATED_FOLDERS.slice(0, 5);
  for (const f of folders) {
    writeBytes(s, host, `${sg}\\${f}\\rup-${hv}.dat`, enc(s, `updated to ${hv} at ${stamp(s.now)}\n`));
  }
  if (ok) {
    // From 8.0 on the data has an ImsAdapter folder (§4.2.1: deleted on failback only when the old version was earlier).
    writeBytes(s, host, `${sg}\\NvPRO\\ImsAdapter\\ImsAdapter.ini`, enc(s, `[IMSADAPTER]\nVERSION=${hv}\n`));
    const generation = newGeneration(s);
    writeSgInfo(s, host, { version: hv, generation, state: "OK" });
    for (const role of ["alert", "perf"] as DbRole[]) bumpSchema(s, host, role, hv);
    const cmdb = readDb(s, "cmdb");
    if (cmdb)
      writeBytes(s, host, dbContentPath(s, "cmdb"), serializeDb({ ...cmdb, consistentWith: generation }));
    removePath(s, host, updateDataPath(s));
    appendLog(s, host, rupInstLogPath(s), [`RupInstCmd end: shared data updated to ${hv}`, "ExitCode : 0"]);
    setPhase(s, host, "initializing");
    appendLog(s, host, nvpLogPath(s), [`[INFO] ${NVPLOG_INIT_START}`]);
    schedule(s, READ_AFTER_UPDATE_MS, host, h.mgr.runId, "init-end");
  } else {
    writeSgInfo(s, host, {
      version: before?.version ?? "",
      generation: before?.generation ?? "",
      state: "PARTIAL",
    });
    appendLog(s, host, rupInstLogPath(s), [
      `RupInstCmd error: failed to update ${sg}\\NvPRO\\NVWORK (access conflict or insufficient space)`,
      "ExitCode : 2",
    ]);
    fail(s, host, "the shared-disk update failed (RupInstCmd ExitCode 2, §4.2)");
  }
}

function bumpSchema(s: LabState, host: string, role: DbRole, version: string): void {
  const c = readDb(s, role);
  if (c && compareVersions(c.schema, version) < 0) {
    writeBytes(s, host, dbContentPath(s, role), serializeDb({ ...c, schema: version }));
  }
}

/** Why the Manager cannot finish reading its data now (the DB side of the check), or undefined. */
function initBlocker(s: LabState, host: string, hv: string): string | undefined {
  const cmdb = readDb(s, "cmdb");
  if (!cmdb) return "cannot connect to the configuration management database (CMDB)";
  if (compareVersions(cmdb.schema, hv) < 0) {
    return `the CMDB schema (${cmdb.schema}) is older than the Manager (${hv}); update the databases first (§3.2)`;
  }
  if (s.spec.db === "sqlserver") {
    const h = hostOf(s, host);
    const inst = h.sql.find((i) => i.instance.toLowerCase() === s.spec.sqlInstance.toLowerCase());
    if (!inst || !isRunning(s, host, inst.service))
      return "the SQL Server instance of the CMDB is not running";
    for (const name of ["wfdb", "nvprodb"]) {
      if (!inst.databases.some((d) => d.name.toLowerCase() === name))
        return `the database ${name} is not attached to the SQL Server instance`;
    }
    const fault = readDb(s, "alert");
    if (!fault || compareVersions(fault.schema, hv) < 0) {
      return `the fault management database schema (${fault?.schema ?? "missing"}) is older than the Manager (${hv}); run NvPRODBSetup.bat (§3.2.2)`;
    }
    // §3.2.2 step 6: the updated DB configuration files must be on this host too.
    for (const [file, label] of [
      [`${localSg(s)}\\wfdbmgr\\WFDB.INI`, "WFDB.INI"],
      [`${localSg(s)}\\NvPRO\\NvPROBaseMgr.ini`, "NvPROBaseMgr.ini"],
    ] as const) {
      const v =
        statPath(s, host, file) === "file"
          ? iniValues(dec(s, readBytes(s, host, file))).DATABASE_VERSION
          : undefined;
      if (!v || compareVersions(v, hv) < 0) {
        return `${label} on ${host} is for version ${v ?? "?"}: copy the updated file from the active host (§3.2.2 step 6)`;
      }
    }
  }
  return undefined;
}

function initEnd(s: LabState, host: string): void {
  const h = hostOf(s, host);
  const hv = h.manager?.version ?? "0";
  const blocker = initBlocker(s, host, hv);
  if (blocker) return fail(s, host, blocker);
  const info = readSgInfo(s, host);
  const cmdb = readDb(s, "cmdb");
  const lines = [`[INFO] ${NVPLOG_INIT_END}`];
  if (cmdb && info && cmdb.consistentWith !== info.generation) {
    lines.unshift(
      "[WARN] the CMDB is not consistent with the shared data (run NvPRORestoreDataC.bat, §4.2.1 step 4)",
    );
  }
  appendLog(s, host, nvpLogPath(s), lines);
  // A Manager that starts on data last written by another version records it: this is the data that a
  // failback visibly keeps or loses.
  const alert = readDb(s, "alert");
  if (alert && alert.writtenBy !== hv) {
    const entry = `${stamp(s.now)} NetMgr ${hv} started on ${host} (data last written by ${alert.writtenBy})`;
    writeBytes(
      s,
      host,
      dbContentPath(s, "alert"),
      serializeDb({
        ...alert,
        rows: alert.rows + 1,
        records: [...alert.records, entry].slice(-20),
        writtenBy: hv,
      }),
    );
  }
  setPhase(s, host, "serving");
}

/** Is the Manager on `host` serving: initialized, Operations Manager running, shared disk reachable? */
export function isServing(s: LabState, host: string): boolean {
  const h = hostOf(s, host);
  return h.mgr.phase === "serving" && isRunning(s, host, OPS_MANAGER) && sharedReachable(s, host);
}

/** Record "serving" up/down events for every change (the downtime is computed from them). */
export function updateServing(s: LabState): void {
  const now = nodes(s)
    .filter((h) => isServing(s, h.name))
    .map((h) => h.name);
  for (const h of now) {
    if (!s.serving.includes(h))
      record(s, "serving", `${h}: NetMgr Manager serving`, { host: h, value: "up" });
  }
  for (const h of s.serving) {
    if (!now.includes(h))
      record(s, "serving", `${h}: NetMgr Manager not serving`, { host: h, value: "down" });
  }
  s.serving = now;
}
