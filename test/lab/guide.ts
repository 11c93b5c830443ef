/**
 * The guide's steps written directly against HostOps, for the lab's own tests: a plain walk through
 * chapters 2-3 (and the §4.2 failback pieces) with the lab as the cluster. Not the product's procedures:
 * just enough to drive the lab the way the guide does and check that it behaves as the guide says.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClpConf } from "../../providers/expresscluster/clpconf";
import { Secret } from "../../providers/hosts/secret";
import type { Target } from "../../providers/hosts/target";
import type { HostOps, RunResult } from "../../providers/hosts/types";
import { mediaPath } from "../../providers/catalogue/media";
import {
  INSTALLER_FAILED_LINE,
  SYSMONMGR_BACKUP_ID,
  installerArgs,
} from "../../providers/catalogue/unconfirmed";
import { managerServices } from "../../providers/catalogue/versions";
import { openLabTarget, type LabSpecInput } from "../../providers/lab";
import { decodeText } from "../../providers/lab/texts";

export const INSTALL = "C:\\Program Files (x86)\\NEC\\UMF\\Operations";
export const SHARE = "X:\\MasterScope\\Operations";
export const MANAGER = `${INSTALL}\\Manager`;
export const NEW_MEDIA = { path: "D:\\media\\NetMgr-9.0", layout: "plain" as const };
export const OLD_MEDIA = { path: "D:\\media\\NetMgr-8.0", layout: "plain" as const };
export const CONFDIR = "C:\\clpwork";

export interface Lab {
  dir: string;
  target: Target;
  h1: HostOps;
  h2: HostOps;
}

export function newLab(spec: Partial<LabSpecInput> = {}): Lab {
  const dir = mkdtempSync(join(tmpdir(), "netmgr-lab-"));
  const target = openLabTarget({ dir, spec: { fromVersion: "8.0", toVersion: "9.0", ...spec } });
  return { dir, target, h1: target.host("host1"), h2: target.host("host2") };
}

export async function text(h: HostOps, path: string): Promise<string> {
  return decodeText(await h.readFile(path), "cp932");
}

export async function must(
  h: HostOps,
  program: string,
  args: (string | Secret)[],
  cwd?: string,
): Promise<RunResult> {
  const r = await h.run(program, args, cwd ? { cwd } : {});
  if (r.exitCode !== 0)
    throw new Error(`${h.host}> ${program} ${args.join(" ")} exited ${r.exitCode}: ${r.output}`);
  return r;
}

export async function pullConf(h: HostOps): Promise<ClpConf> {
  await must(h, "clpcfctrl", ["--pull", "-x", CONFDIR]);
  return ClpConf.parse((await h.readFile(`${CONFDIR}\\clp.conf`)).toString("utf8"));
}

export async function pushConf(
  h: HostOps,
  conf: ClpConf,
  opts: { stopGroup?: boolean } = {},
): Promise<RunResult> {
  await h.writeFile(`${CONFDIR}\\clp.conf`, Buffer.from(conf.toString(), "utf8"));
  if (opts.stopGroup) await must(h, "clpgrp", ["-t", "failover"]);
  await must(h, "clpcl", ["--suspend"]);
  const r = await must(h, "clpcfctrl", ["--push", "-x", CONFDIR]);
  await must(h, "clpcl", ["--resume"]);
  return r;
}

/** §2.3: activity retry and failover thresholds 0, recovery on monitor errors suppressed. */
export async function suppressFailover(h: HostOps): Promise<void> {
  const conf = await pullConf(h);
  for (const r of conf.groupResources("failover")) conf.setRecovery(r, 0, 0);
  conf.setMonitorRecoverySuppressed(true);
  await pushConf(h, conf);
}

/** §3.1: install the Manager; Failed must be 0; then every service Manual and stopped (step 7). */
export async function installManager(
  h: HostOps,
  media: { path: string; layout: "plain" | "masterscope" },
  updateData: boolean,
): Promise<RunResult> {
  const log = "C:\\Windows\\Temp\\netmgr-setup.log";
  const r = await h.run(mediaPath(media, "setup"), installerArgs("Manager", updateData, log));
  const failedCount = Number(INSTALLER_FAILED_LINE.exec(await text(h, log))?.[1] ?? "-1");
  if (r.exitCode !== 0 || failedCount !== 0) return r;
  for (const svc of await h.services()) {
    if (
      managerServices("9.0", "internal").some((m) => m.name === svc.name) ||
      managerServices("9.0", "sqlserver").some((m) => m.name === svc.name)
    ) {
      if (svc.startType !== "Manual") await h.setStartType(svc.name, "Manual");
      if (svc.state === "Running") await h.stopService(svc.name);
    }
  }
  return r;
}

/** §2.4.1 steps 1-3: swap sgbackup_comm.lst, SysMonMgr -backup, swap back; the backup id. */
export async function backupActive(h: HostOps): Promise<string> {
  const lst = `${MANAGER}\\sg\\NvPRO\\NvPRORemoteCmd\\sys_cmd\\sgbackup_comm.lst`;
  await h.move(lst, `${lst}.org`);
  await h.copy(mediaPath(NEW_MEDIA, "sgbackupList"), lst);
  const r = await h.run(`${MANAGER}\\bin\\SysMonMgr.exe`, ["-backup"]);
  await h.remove(lst);
  await h.move(`${lst}.org`, lst);
  if (r.exitCode !== 0) throw new Error(`SysMonMgr -backup failed: ${r.output}`);
  const id = SYSMONMGR_BACKUP_ID.exec(r.output)?.[1];
  if (!id) throw new Error(`no backup id in ${r.output}`);
  return id;
}

export async function cmdbPassword(h: HostOps): Promise<Secret> {
  const ini = await text(h, `${MANAGER}\\sg\\wfdbmgr\\WFDB.INI`);
  return new Secret((/CMDB_PASSWD=(.*)/.exec(ini)?.[1] ?? "").trim());
}

/** §3.2.1: copy sql_rupdate and run WfdbCmdSetup.bat (internal DB). */
export async function updateInternalDb(h: HostOps): Promise<RunResult> {
  await h.copy(mediaPath(NEW_MEDIA, "sqlRupdate"), `${MANAGER}\\sql_rupdate`);
  const cwd = `${MANAGER}\\sql_rupdate\\postgres`;
  const pw = await cmdbPassword(h);
  return h.run(
    "WfdbCmdSetup.bat",
    [
      "wfdb",
      `${MANAGER}\\bin\\dbms1`,
      "12630",
      "SYSTEM",
      pw,
      "127.0.0.1",
      "wfdb",
      `${SHARE}\\Manager`,
      "YES",
    ],
    { cwd },
  );
}

/** §3.3 without the Web Console. */
export async function placeImsIni(h: HostOps): Promise<void> {
  const dest = `${SHARE}\\Manager\\sg\\NvPRO\\NvPROIms.ini`;
  await h.copy(mediaPath(NEW_MEDIA, "imsIni"), dest);
  const t = (await text(h, dest))
    .replace(/InstanceID=.*/, "InstanceID=")
    .replace(/sendEvent=.*/, "sendEvent=0");
  await h.writeFile(dest, Buffer.from(t, "latin1"));
}

/** §3.4.1: copy the registration scripts, run adapter-setup.bat, then Manual and stopped. */
export async function registerAdapters(h: HostOps): Promise<RunResult> {
  const bin = mediaPath(NEW_MEDIA, "adapterBin");
  for (const f of ["adapter-setup.bat", "adapter-remove.bat"])
    await h.copy(`${bin}\\NvPRO\\${f}`, `${MANAGER}\\bin\\NvPRO\\${f}`);
  const r = await must(h, "adapter-setup.bat", [], `${MANAGER}\\bin\\NvPRO`);
  for (const name of ["NvPROPerfDB", "NvPROTopologyAdapter", "NvPROPerfMgr"]) {
    await h.setStartType(name, "Manual");
    await h.stopService(name);
  }
  return r;
}

export const NEW_RESOURCES: [string, string, string[]][] = [
  ["svc_NvPROPerfDB", "NvPROPerfDB", ["script"]],
  ["svc_NvPROTopologyAdapter", "NvPROTopologyAdapter", ["svc_NvPROBaseMgr"]],
  ["svc_NvPROPerfMgr", "NvPROPerfMgr", ["svc_NvPROBaseMgr"]],
];

/** §3.4.2: the three service resources with Table 3-2 dependencies and the NvPROPerfDB del line; apply (group stops). */
export async function clusterNewServices(
  h: HostOps,
  opts: { withPidLine?: boolean; withDepends?: boolean } = {},
): Promise<RunResult> {
  const conf = await pullConf(h);
  for (const [name, svc, deps] of NEW_RESOURCES)
    conf.addServiceResource("failover", name, svc, opts.withDepends === false ? [] : deps);
  if (opts.withDepends !== false) {
    const base = conf.resource({ type: "service", name: "svc_NvPROBaseMgr" });
    conf.setDepends({ type: "service", name: "svc_NvPROBaseMgr" }, [...base.depends, "svc_NvPROPerfDB"]);
  }
  if (opts.withPidLine !== false) {
    const bat = `${CONFDIR}\\scripts\\failover\\script\\start.bat`;
    const t = (await h.readFile(bat)).toString("latin1");
    const add = "del %NVP_DB_BASE_PATH%\\NvPROPerfDB\\postmaster.pid 2>NUL\r\n\r\nGOTO EXIT";
    await h.writeFile(bat, Buffer.from(t.split("GOTO EXIT").join(add).replace(add, add), "latin1"));
  }
  return pushConf(h, conf, { stopGroup: true });
}

export const RUPINST = `${MANAGER}\\log\\RupInstCmd.log`;
export const NVPLOG = `${MANAGER}\\log\\NvpLog.log`;

/** Poll a host's file until `pred` holds or `deadlineMs` of lab time pass. */
export async function waitFor(
  t: Target,
  h: HostOps,
  path: string,
  pred: (text: string) => boolean,
  deadlineMs = 900_000,
): Promise<string | undefined> {
  const end = t.clock.now() + deadlineMs;
  while (t.clock.now() < end) {
    if ((await h.stat(path)) === "file") {
      const s = await text(h, path);
      if (pred(s)) return s;
    }
    await t.clock.sleep(10_000);
  }
  return undefined;
}

/** Everything up to and including §3.4 for an internal-DB 8.0 cluster; returns the §2.4.1 backup id. */
export async function prepareToMove(lab: Lab, opts: { suppress?: boolean } = {}): Promise<string> {
  const { h1, h2 } = lab;
  if (opts.suppress !== false) await suppressFailover(h1);
  await h2.copy(`${MANAGER}\\sg`, "C:\\rupbackup\\sg");
  const r = await installManager(h2, NEW_MEDIA, true);
  if (r.exitCode !== 0) throw new Error(`install failed: ${r.output}`);
  const id = await backupActive(h1);
  const db = await updateInternalDb(h1);
  if (db.exitCode !== 0) throw new Error(`db update failed: ${db.output}`);
  await placeImsIni(h1);
  await registerAdapters(h1);
  await clusterNewServices(h1);
  return id;
}
