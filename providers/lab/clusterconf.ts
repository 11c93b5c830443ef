/**
 * The lab cluster's initial configuration: clp.conf (research: expresscluster.md §6) and the script
 * resource's start.bat / stop.bat (§8), as an operator would have set NetMgr up before the rolling update:
 * floating IP, disk, script and one service resource per existing NetMgr service with the Table 3-2
 * dependencies, and a service monitor for each service resource.
 */
import { ClpConf } from "../expresscluster/clpconf";
import { FIP, DISK, SCRIPT, serviceDependencies, serviceSpecByDisplayName } from "../catalogue/dependencies";
import { managerServices } from "../catalogue/versions";
import type { LabSpec } from "./spec";
import { parseWinPath } from "./paths";

export const FIP_RESOURCE = "fip";
export const SCRIPT_RESOURCE = "script";

/** The service resource name the lab gives a Windows service (EXPRESSCLUSTER names: no spaces, ≤ 31 chars). */
export function serviceResourceName(serviceName: string): string {
  return `svc_${serviceName}`.slice(0, 31);
}

export function monitorName(serviceName: string): string {
  return `sw_${serviceName}`.slice(0, 31);
}

const esc = (v: string): string =>
  v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function buildClpConf(spec: LabSpec, addresses: Record<string, string>): string {
  const disk = spec.diskType;
  const services = managerServices(spec.fromVersion, spec.db);
  const byDisplay = new Map(services.map((s) => [s.displayName.toLowerCase(), s]));
  const rscName = (dep: string): string | undefined => {
    if (dep === FIP) return FIP_RESOURCE;
    if (dep === DISK) return disk;
    if (dep === SCRIPT) return SCRIPT_RESOURCE;
    const svc = byDisplay.get(dep.toLowerCase());
    return svc ? serviceResourceName(svc.name) : undefined;
  };
  const lines: string[] = [];
  const add = (indent: number, text: string): void => void lines.push(`${"  ".repeat(indent)}${text}`);
  add(0, '<?xml version="1.0" encoding="ASCII"?>');
  add(0, "<root>");
  add(1, "<all>");
  add(2, "<charset>ASCII</charset>");
  add(2, "<serveros>windows</serveros>");
  add(2, "<encode>ASCII</encode>");
  add(1, "</all>");
  add(1, "<cluster>");
  add(2, `<name>${esc(spec.clusterName)}</name>`);
  add(2, "<comment/>");
  add(1, "</cluster>");
  spec.hosts.forEach((h, i) => {
    add(1, `<server name="${esc(h)}">`);
    add(2, `<priority>${i}</priority>`);
    add(2, '<device id="0">');
    add(3, "<type>lan</type>");
    add(3, `<info>${esc(addresses[h.toLowerCase()] ?? "")}</info>`);
    add(2, "</device>");
    add(1, "</server>");
  });
  add(1, "<heartbeat>");
  add(2, '<types name="lankhb"/>');
  add(2, '<lankhb name="lankhb1">');
  add(3, "<priority>0</priority>");
  add(3, "<device>0</device>");
  add(2, "</lankhb>");
  add(1, "</heartbeat>");
  add(1, `<group name="${esc(spec.groupName)}">`);
  add(2, "<type>failover</type>");
  add(2, "<comment/>");
  add(2, "<gid>0</gid>");
  add(2, `<resource name="fip@${FIP_RESOURCE}"/>`);
  add(2, `<resource name="${disk}@${disk}"/>`);
  add(2, `<resource name="script@${SCRIPT_RESOURCE}"/>`);
  for (const s of services) add(2, `<resource name="service@${serviceResourceName(s.name)}"/>`);
  add(1, "</group>");
  add(1, "<resource>");
  add(2, '<types name="fip"/>');
  add(2, `<types name="${disk}"/>`);
  add(2, '<types name="script"/>');
  add(2, '<types name="service"/>');
  add(2, `<fip name="${FIP_RESOURCE}">`);
  add(3, "<comment/>");
  add(3, `<parameters><ip>${esc(spec.floatingIp)}</ip></parameters>`);
  add(2, "</fip>");
  add(2, `<${disk} name="${disk}">`);
  add(3, "<comment/>");
  add(
    3,
    `<parameters><volumemountpoint>${parseWinPath(spec.sharePath).drive}</volumemountpoint></parameters>`,
  );
  add(2, `</${disk}>`);
  add(2, `<script name="${SCRIPT_RESOURCE}">`);
  add(3, "<comment/>");
  add(3, `<depend name="${FIP_RESOURCE}"/>`);
  add(3, `<depend name="${disk}"/>`);
  add(2, "</script>");
  for (const s of services) {
    const spec3 = serviceSpecByDisplayName(s.displayName);
    add(2, `<service name="${serviceResourceName(s.name)}">`);
    add(3, "<comment/>");
    add(3, `<parameters><name>${esc(s.name)}</name></parameters>`);
    for (const dep of spec3 ? serviceDependencies(spec3) : []) {
      const r = rscName(dep);
      if (r) add(3, `<depend name="${r}"/>`);
    }
    add(2, "</service>");
  }
  add(1, "</resource>");
  add(1, "<monitor>");
  add(2, '<types name="userw"/>');
  add(2, '<types name="servicew"/>');
  add(2, '<userw name="userw">');
  add(3, "<relation><type>cls</type><name>LocalServer</name></relation>");
  add(2, "</userw>");
  for (const s of services) {
    add(2, `<servicew name="${monitorName(s.name)}">`);
    add(3, `<target>${serviceResourceName(s.name)}</target>`);
    add(3, `<parameters><name>${esc(s.name)}</name></parameters>`);
    add(3, `<relation><type>rsc</type><name>${serviceResourceName(s.name)}</name></relation>`);
    add(2, "</servicew>");
  }
  add(1, "</monitor>");
  add(1, "<webmgr>");
  add(2, "<client>");
  add(3, "<objectnumber>0</objectnumber>");
  add(2, "</client>");
  add(1, "</webmgr>");
  add(0, "</root>");
  const draft = `${lines.join("\n")}\n`;
  const n = ClpConf.parse(draft).expectedObjectNumber();
  return draft.replace("<objectnumber>0</objectnumber>", `<objectnumber>${n}</objectnumber>`);
}

/** Relative path of a script file as `clpcfctrl --pull` lays it out. */
export function scriptPath(group: string, resource: string, file: "start.bat" | "stop.bat"): string {
  return `scripts\\${group}\\${resource}\\${file}`;
}

/**
 * start.bat as the guide shows it (§3.4.2 step 2) before the rolling update: the postmaster.pid deletions of
 * the internal databases in the NORMAL and FAILOVER sections; the NvPROPerfDB line only when the source
 * already has the Performance Database (later than 8.0).
 */
export function buildStartBat(spec: LabSpec, withPerfDbLine: boolean): string {
  const dbLines = (): string[] => {
    const out: string[] = [];
    if (spec.db === "internal") {
      out.push(
        "del %NVP_DB_BASE_PATH%\\wfdb\\dbms1\\data\\postmaster.pid 2>NUL",
        "del %NVP_DB_BASE_PATH%\\nvalertdb\\dbms1\\data\\postmaster.pid 2>NUL",
        "del %NVP_DB_BASE_PATH%\\nvsflowdb\\dbms1\\data\\postmaster.pid 2>NUL",
        "",
      );
    }
    if (withPerfDbLine) out.push("del %NVP_DB_BASE_PATH%\\NvPROPerfDB\\postmaster.pid 2>NUL", "");
    return out;
  };
  const section = (label: string, title: string): string[] => [
    "rem *****",
    `rem ${title}`,
    "rem *****",
    `:${label}`,
    "",
    "rem Check Disk",
    'IF "%CLP_DISK%" == "FAILURE" GOTO ERROR_DISK',
    "",
    ...dbLines(),
    "GOTO EXIT",
    "",
  ];
  return [
    "rem ***************************************",
    "rem *              start.bat              *",
    "rem ***************************************",
    "",
    `set NVP_DB_BASE_PATH=${spec.sharePath}\\Manager\\sg\\database`,
    "",
    'IF "%CLP_EVENT%" == "START" GOTO NORMAL',
    'IF "%CLP_EVENT%" == "FAILOVER" GOTO FAILOVER',
    'IF "%CLP_EVENT%" == "RECOVER" GOTO RECOVER',
    "",
    "rem Cluster Server is not started",
    "GOTO no_clp",
    "",
    ...section("NORMAL", "Process for normal quitting program"),
    ...section("FAILOVER", "Process for failover"),
    ":RECOVER",
    "GOTO EXIT",
    "",
    ":ERROR_DISK",
    'clplogcmd -m "start.bat: disk error" -l ERR',
    "exit 1",
    "",
    ":no_clp",
    ":EXIT",
    "",
  ].join("\r\n");
}

export function buildStopBat(): string {
  return [
    "rem ***************************************",
    "rem *              stop.bat               *",
    "rem ***************************************",
    "",
    'IF "%CLP_EVENT%" == "START" GOTO NORMAL',
    'IF "%CLP_EVENT%" == "FAILOVER" GOTO FAILOVER',
    "GOTO no_clp",
    "",
    ":NORMAL",
    ":FAILOVER",
    'IF "%CLP_DISK%" == "FAILURE" GOTO ERROR_DISK',
    "GOTO EXIT",
    "",
    ":ERROR_DISK",
    'clplogcmd -m "stop.bat: disk error" -l ERR',
    "exit 1",
    "",
    ":no_clp",
    ":EXIT",
    "",
  ].join("\r\n");
}
