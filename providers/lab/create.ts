/**
 * Building a lab cluster from its spec: two nodes with the old Manager installed and the failover group
 * online on the active host, the shared disk's data, the databases, the installation media on every host,
 * and the monitoring terminals with the old View running.
 */
import { VIEW_PROCESS } from "../catalogue/unconfirmed";
import { initialFirewall } from "./firewall";
import { SHARED_DISK_UPDATE_FOLDERS } from "../catalogue/sharedDisk";
import { randomBytes } from "node:crypto";
import type { LabSpec } from "./spec";
import { STATE_FORMAT, type LabHostState, type LabState } from "./state";
import { needsPre80ExtraDeletions, versionSpec } from "../catalogue/versions";
import { CLUSTER_BIN, SHARED_VOLUME, SYSTEM32, sharedSg, sqlDataDir } from "./world";
import { mkdirp, writeBytes } from "./fs";
import { enc, exeContent } from "./texts";
import { buildClpConf, buildStartBat, buildStopBat, scriptPath, SCRIPT_RESOURCE } from "./clusterconf";
import {
  createMedia,
  installManagerFiles,
  installViewFiles,
  productVersion,
  registerManagerServices,
} from "./install";
import { writeSgInfo } from "./manager";
import { dbContentPath, dbName, dbRoles, internalDataDir, newDb, serializeDb } from "./db";
import { record } from "./timeline";
import { startGroupOn } from "./cluster";
import { spend } from "./engine";
import { addFault } from "./faults";
import { parseWinPath } from "./paths";

/** Virtual time at which every new lab starts (a Monday morning, UTC). */
export const LAB_EPOCH = Date.UTC(2025, 0, 6, 0, 0, 0);
const GB = 1024 ** 3;

function newHost(name: string, role: "node" | "console", address: string): LabHostState {
  const temp = "C:\\Users\\Administrator\\AppData\\Local\\Temp";
  return {
    name,
    role,
    address,
    admin: true,
    env: {
      TEMP: temp,
      TMP: temp,
      PATH: [SYSTEM32, "C:\\Windows", ...(role === "node" ? [CLUSTER_BIN] : [])].join(";"),
      SystemDrive: "C:",
      COMPUTERNAME: name.toUpperCase(),
    },
    drives: {},
    services: [],
    manager: null,
    view: null,
    processes: ["System", "svchost", "explorer"],
    mgr: { runId: 0, phase: "stopped", since: LAB_EPOCH },
    sql: [],
  };
}

function addVolume(s: LabState, host: LabHostState, drive: string, capacityGb: number, usedGb: number): void {
  const id = `${host.name.toLowerCase()}:${drive}`;
  s.volumes[id] = {
    label: `${host.name} ${drive}`,
    capacity: capacityGb * GB,
    baseUsed: usedGb * GB,
    entries: {},
  };
  host.drives[drive] = id;
}

/** The sg tree on the shared disk, including every folder §4.2.1 step 2 deletes on failback. */
function createSharedData(s: LabState, host: string): void {
  const sg = sharedSg(s);
  const from = s.spec.fromVersion;
  const folders = SHARED_DISK_UPDATE_FOLDERS;
  for (const f of folders) writeBytes(s, host, `${sg}\\${f}\\data-${from}.dat`, enc(s, `${f} (${from})\n`));
  writeBytes(
    s,
    host,
    `${sg}\\NvPRO\\NVWORK\\public\\trap\\mib.def`,
    enc(s, `; trap definitions\nVERSION=${from}\n`),
  );
  writeBytes(s, host, `${sg}\\NvPRO\\Map\\network.map`, enc(s, `[MAP]\nNODES=128\nVERSION=${from}\n`));
  writeBytes(s, host, `${sg}\\NvPRO\\NvPROAlert.ini`, enc(s, "[ALERT]\nKEEP_DAYS=90\n"));
  writeBytes(s, host, `${sg}\\wfdbmgr\\wfdbmgr.ini`, enc(s, "[WFDBMGR]\nAUTOSTART=1\n"));
  // 8.0 already has these; earlier versions get them during the rolling update (§4.2.1 extra deletions).
  if (!needsPre80ExtraDeletions(from)) {
    writeBytes(
      s,
      host,
      `${sg}\\NvPRO\\ImsAdapter\\ImsAdapter.ini`,
      enc(s, `[IMSADAPTER]\nVERSION=${from}\n`),
    );
    writeBytes(s, host, dbContentPath(s, "perf"), serializeDb(newDb("postgres", "NvPROPerfDB", from, 5000)));
    writeBytes(
      s,
      host,
      `${sg}\\NvPRO\\NvPROIms.ini`,
      enc(s, "[NOMS]\nInstanceID=\nMessageQueueIP=127.0.0.1\nMessageQueuePort=28110\n[EVENT]\nsendEvent=0\n"),
    );
  }
  writeSgInfo(s, host, { version: from, generation: "g000000", state: "OK" });
}

function createDatabases(s: LabState, host: string): void {
  const from = s.spec.fromVersion;
  const rows: Record<string, number> = { cmdb: 12840, alert: 53211, sflow: 880412 };
  for (const role of dbRoles(s)) {
    const name = dbName(s, role);
    const content = newDb(s.spec.db === "internal" ? "postgres" : "mssql", name, from, rows[role] ?? 0);
    if (role === "cmdb") content.consistentWith = "g000000";
    content.records = [`initial data of ${name}`];
    if (s.spec.db === "internal") {
      writeBytes(s, host, `${internalDataDir(s, name)}\\PG_VERSION`, Buffer.from("9.6\r\n", "latin1"));
    } else {
      writeBytes(s, host, `${sqlDataDir(s)}\\${name}_log.ldf`, Buffer.from(`log of ${name}\r\n`, "latin1"));
    }
    writeBytes(s, host, dbContentPath(s, role), serializeDb(content));
  }
}

function addSqlInstances(s: LabState, h: LabHostState): void {
  const data = sqlDataDir(s);
  const instances: { instance: string; dbs: string[] }[] = [
    { instance: s.spec.sqlInstance, dbs: ["wfdb", "nvprodb"] },
  ];
  if (s.spec.sflowDb) {
    const same = instances.find((i) => i.instance.toLowerCase() === s.spec.sflowInstance.toLowerCase());
    if (same) same.dbs.push("sflowdb");
    else instances.push({ instance: s.spec.sflowInstance, dbs: ["sflowdb"] });
  }
  for (const i of instances) {
    const service = i.instance === "" ? "MSSQLSERVER" : `MSSQL$${i.instance}`;
    h.sql.push({
      instance: i.instance,
      edition: "Standard Edition (64-bit)",
      version: "15.0.2000.5",
      service,
      databases: i.dbs.map((name) => ({
        name,
        mdf: `${data}\\${name}.mdf`,
        ldf: `${data}\\${name}_log.ldf`,
      })),
    });
    h.services.push({
      name: service,
      displayName: `SQL Server (${i.instance === "" ? "MSSQLSERVER" : i.instance})`,
      startType: "Auto",
      state: "Running",
    });
  }
}

export function buildLabState(spec: LabSpec): LabState {
  const s: LabState = {
    format: STATE_FORMAT,
    spec,
    createdAt: LAB_EPOCH,
    now: LAB_EPOCH,
    seq: 0,
    secrets: {
      cmdbPassword: `W${randomBytes(8).toString("hex")}`,
      saPassword: `Sa${randomBytes(8).toString("hex")}`,
    },
    volumes: {},
    hosts: {},
    cluster: {
      conf: "",
      scripts: {},
      effective: "",
      effectiveScripts: {},
      suspended: false,
      pendingSettings: false,
      group: { state: "Offline", current: null, resources: {} },
      diskOwner: null,
      diskBlocked: null,
      fipOwner: null,
      monitorFailovers: 0,
    },
    pending: [],
    timeline: [],
    faults: [],
    serving: [],
  };
  record(
    s,
    "note",
    `lab created: NetMgr ${spec.fromVersion} (${spec.db} DB) on ${spec.hosts.join(" and ")}, target ${spec.toVersion}`,
  );
  const addresses: Record<string, string> = {};
  spec.hosts.forEach((name, i) => (addresses[name.toLowerCase()] = `192.168.10.${11 + i}`));
  spec.consoles.forEach((name, i) => (addresses[name.toLowerCase()] = `192.168.10.${51 + i}`));
  const shareDriveLetter = parseWinPath(spec.sharePath).drive;
  s.volumes[SHARED_VOLUME] = {
    label: `shared disk ${shareDriveLetter}`,
    capacity: 200 * GB,
    baseUsed: 20 * GB,
    entries: {},
  };
  const mediaDrives = new Set([
    parseWinPath(spec.newMedia.path).drive,
    parseWinPath(spec.oldMedia.path).drive,
  ]);

  for (const [name, role] of [
    ...spec.hosts.map((h) => [h, "node"] as const),
    ...spec.consoles.map((c) => [c, "console"] as const),
  ]) {
    const h = newHost(name, role, addresses[name.toLowerCase()] ?? "");
    h.firewall = initialFirewall(spec, role);
    s.hosts[name.toLowerCase()] = h;
    addVolume(s, h, "C:", 120, 45);
    for (const d of mediaDrives) if (d !== "C:" && d !== shareDriveLetter) addVolume(s, h, d, 50, 5);
    mkdirp(s, name, h.env.TEMP ?? "C:\\Windows\\Temp");
    writeBytes(s, name, `${SYSTEM32}\\net.exe`, exeContent("net"));
    writeBytes(s, name, `${SYSTEM32}\\hostname.exe`, exeContent("hostname"));
    createMedia(s, name, spec.newMedia, spec.toVersion);
    createMedia(s, name, spec.oldMedia, spec.fromVersion);
    if (role === "node") {
      for (const c of ["clpstat", "clpgrp", "clpcl", "clpcfctrl", "clplogcmd"])
        writeBytes(s, name, `${CLUSTER_BIN}\\${c}.exe`, exeContent(c));
      installManagerFiles(s, name, spec.fromVersion);
      registerManagerServices(s, name, spec.fromVersion, "Manual");
      h.manager = { version: spec.fromVersion };
      if (spec.db === "sqlserver") addSqlInstances(s, h);
    } else {
      installViewFiles(s, name, spec.fromVersion);
      h.view = { version: spec.fromVersion };
      h.processes.push(VIEW_PROCESS);
    }
  }

  // The shared disk's contents are written through the active host, which owns the disk from now on.
  const active = spec.activeHost;
  s.cluster.diskOwner = active;
  createSharedData(s, active);
  createDatabases(s, active);
  s.cluster.diskOwner = null;

  const conf = buildClpConf(spec, addresses);
  const withPerfDb = versionSpec(spec.fromVersion).hasAdapterServices;
  const scripts = {
    [scriptPath(spec.groupName, SCRIPT_RESOURCE, "start.bat")]: Buffer.from(
      buildStartBat(spec, withPerfDb),
      "latin1",
    ).toString("base64"),
    [scriptPath(spec.groupName, SCRIPT_RESOURCE, "stop.bat")]: Buffer.from(buildStopBat(), "latin1").toString(
      "base64",
    ),
  };
  s.cluster.conf = conf;
  s.cluster.effective = conf;
  s.cluster.scripts = scripts;
  s.cluster.effectiveScripts = { ...scripts };

  const error = startGroupOn(s, active, "START", "lab created");
  if (error) throw new Error(`the new lab cluster did not start: ${error}`);
  // Let the Manager finish its initialization, so that the lab starts serving.
  spend(s, 60_000);
  s.createdAt = s.now;
  for (const f of spec.faults) addFault(s, f);
  record(s, "note", "lab ready");
  return s;
}

export function productsOf(h: LabHostState, spec: LabSpec): { displayName: string; version: string }[] {
  const out: { displayName: string; version: string }[] = [];
  if (h.manager)
    out.push({
      displayName: versionSpec(h.manager.version).managerProductName,
      version: productVersion(h.manager.version),
    });
  if (h.view)
    out.push({
      displayName: versionSpec(h.view.version).viewProductName,
      version: productVersion(h.view.version),
    });
  if (h.sql.length > 0)
    out.push({ displayName: "Microsoft SQL Server 2019 (64-bit)", version: "15.0.2000.5" });
  if (h.role === "node") out.push({ displayName: "EXPRESSCLUSTER X", version: `${spec.clusterVersion}.3.0` });
  return out;
}
