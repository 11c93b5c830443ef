/**
 * The failover group as EXPRESSCLUSTER X runs it, on the lab's effective clp.conf:
 *
 * - start: resources are activated in dependency waves (a resource starts once everything it depends on is
 *   online; resources of one wave start together, so a service cannot rely on a service of the same wave);
 *   a resource without `<depend>` follows the default dependency (script: floating IP and disk; service:
 *   those and the script). The first activation failure stops the start ("no operation, do not activate the
 *   next resource"), after `act/retry` retries; then, unless `act/fo` is 0 or `rc/errordetect/rscact/
 *   norecovery` is 1, the group fails over once to the other server (§2.3).
 * - stop: reverse waves. Service resources start/stop the host's Windows services; the disk resource makes
 *   the shared disk reachable from that host only; the script resource runs start.bat (§3.4.2 step 2).
 * - monitors: a service monitor that sees its service stop, or the unintended-failover fault, fails the group
 *   over unless `rm/errordetect/norecovery` is 1 or the cluster is suspended (§2.3).
 */
import { ClpConf, RECOVERY_DEFAULTS, type ResourceView } from "../expresscluster/clpconf";
import type { LabState } from "./state";
import { otherNode, sameHost, stamp } from "./world";
import { record } from "./timeline";
import { spend } from "./engine";
import { runBatch, type BatchResult } from "./batch";
import { ServiceError, findService, startBlocker, startService, stopService } from "./services";
import { removePath } from "./fs";
import { fire, armed } from "./faults";
import { scriptPath } from "./clusterconf";

export const FIP_MS = 2_000;
export const DISK_MS = 5_000;
export const SCRIPT_MS = 3_000;
export const DEACT_MS = 2_000;

const DISK_TYPES = ["sd", "md", "hd"];

export interface Rsc extends ResourceView {
  /** Dependencies after applying the default dependency. */
  deps: string[];
}

export function effectiveConf(s: LabState): ClpConf {
  return ClpConf.parse(s.cluster.effective);
}

/** The group's resources with their effective dependencies. */
export function groupRscs(s: LabState, conf: ClpConf = effectiveConf(s)): Rsc[] {
  const views = conf.groupResourceViews(s.spec.groupName);
  const names = (types: string[]): string[] => views.filter((v) => types.includes(v.type)).map((v) => v.name);
  return views.map((v) => {
    let deps = v.depends;
    if (deps.length === 0) {
      if (v.type === "script") deps = names(["fip", ...DISK_TYPES]);
      else if (v.type === "service") deps = names(["fip", ...DISK_TYPES, "script"]);
    }
    return { ...v, deps: deps.filter((d) => views.some((x) => x.name === d)) };
  });
}

/** Dependency waves; throws on a cycle. */
export function waves(rscs: readonly Rsc[]): Rsc[][] {
  const level = new Map<string, number>();
  const byName = new Map(rscs.map((r) => [r.name, r]));
  const visit = (r: Rsc, stack: string[]): number => {
    const known = level.get(r.name);
    if (known !== undefined) return known;
    if (stack.includes(r.name)) throw new Error(`dependency cycle: ${[...stack, r.name].join(" -> ")}`);
    let l = 0;
    for (const d of r.deps) {
      const dr = byName.get(d);
      if (dr) l = Math.max(l, visit(dr, [...stack, r.name]) + 1);
    }
    level.set(r.name, l);
    return l;
  };
  for (const r of rscs) visit(r, []);
  const out: Rsc[][] = [];
  for (const r of rscs) {
    const l = level.get(r.name) ?? 0;
    (out[l] ??= []).push(r);
  }
  return out.filter((w) => w.length > 0);
}

function setGroup(s: LabState, state: string, current: string | null, why: string): void {
  const g = s.cluster.group;
  if (g.state === state && sameHost(g.current, current)) return;
  g.state = state;
  g.current = current;
  record(
    s,
    "group",
    `group ${s.spec.groupName}: ${state}${current ? ` on ${current}` : ""}${why ? ` (${why})` : ""}`,
    {
      ...(current ? { host: current } : {}),
      value: state,
    },
  );
}

function setRsc(s: LabState, name: string, state: string): void {
  s.cluster.group.resources[name] = state;
}

function scriptText(s: LabState, rsc: string, file: "start.bat" | "stop.bat"): string | undefined {
  const want = scriptPath(s.spec.groupName, rsc, file).toLowerCase();
  const entry = Object.entries(s.cluster.effectiveScripts).find(([k]) => k.toLowerCase() === want);
  return entry === undefined ? undefined : Buffer.from(entry[1], "base64").toString("latin1");
}

/** Run a script resource's start.bat or stop.bat on `host` (research §8 environment variables). */
export function runScript(
  s: LabState,
  host: string,
  rsc: string,
  file: "start.bat" | "stop.bat",
  event: string,
): BatchResult {
  const text = scriptText(s, rsc, file);
  if (text === undefined) return { exitCode: 1, output: `${file} of ${rsc} is missing\r\n` };
  const env = {
    CLP_EVENT: event,
    CLP_DISK: s.cluster.diskOwner && sameHost(s.cluster.diskOwner, host) ? "SUCCESS" : "FAILURE",
    CLP_SERVER: sameHost(s.spec.hosts[0], host) ? "HOME" : "OTHER",
    CLP_GROUPNAME: s.spec.groupName,
    CLP_RESOURCENAME: rsc,
  };
  return runBatch(text, env, {
    del: (path) => {
      try {
        if (removePath(s, host, path)) record(s, "op", `${host}: start.bat deleted ${path}`, { host });
      } catch {
        // del of an unreachable path: "The system cannot find the path specified.", and the script goes on.
      }
    },
    exec: (cmd, args) => {
      const c = cmd.toLowerCase().replace(/\.exe$/, "");
      if (c === "clplogcmd") {
        const m = args.indexOf("-m");
        record(s, "cluster", `${host}: clplogcmd: ${m >= 0 ? (args[m + 1] ?? "") : args.join(" ")}`, {
          host,
        });
        return { exitCode: 0, output: "" };
      }
      if (c === "net" && (args[0] === "start" || args[0] === "stop") && args[1]) {
        try {
          if (args[0] === "start") startService(s, host, args.slice(1).join(" "), "net start in start.bat");
          else stopService(s, host, args.slice(1).join(" "), "net stop in stop.bat");
          return {
            exitCode: 0,
            output: `The ${args.slice(1).join(" ")} service was ${args[0] === "start" ? "started" : "stopped"} successfully.\r\n`,
          };
        } catch (e) {
          return { exitCode: 2, output: `${(e as Error).message}\r\n` };
        }
      }
      return undefined;
    },
  });
}

/** Activate one resource on `host`; returns the reason when it fails. */
function activate(s: LabState, host: string, r: Rsc, event: string, blocker?: string): string | undefined {
  switch (r.type) {
    case "fip":
      spend(s, FIP_MS);
      s.cluster.fipOwner = host;
      return undefined;
    case "sd":
    case "md":
    case "hd":
      spend(s, DISK_MS);
      s.cluster.diskOwner = host;
      return undefined;
    case "script": {
      spend(s, SCRIPT_MS);
      const res = runScript(s, host, r.name, "start.bat", event);
      return res.exitCode === 0 ? undefined : `start.bat exited with ${res.exitCode}: ${res.output.trim()}`;
    }
    case "service": {
      if (!r.serviceName) return "the service resource names no service (parameters/name)";
      if (!findService(s, host, r.serviceName))
        return `the service ${r.serviceName} does not exist on ${host}`;
      if (blocker) {
        spend(s, 5_000);
        record(s, "service", `${host}: ${r.serviceName} failed to start: ${blocker}`, {
          host,
          name: r.serviceName,
          value: "failed",
        });
        return blocker;
      }
      try {
        startService(s, host, r.serviceName, `service resource ${r.name}`);
        return undefined;
      } catch (e) {
        return e instanceof ServiceError ? e.message : String(e);
      }
    }
    default:
      spend(s, 1_000);
      return undefined;
  }
}

function deactivate(s: LabState, host: string, r: Rsc, clean: boolean): void {
  switch (r.type) {
    case "fip":
      if (sameHost(s.cluster.fipOwner, host)) s.cluster.fipOwner = null;
      break;
    case "sd":
    case "md":
    case "hd":
      if (sameHost(s.cluster.diskOwner, host)) {
        s.cluster.diskOwner = null;
        s.cluster.diskBlocked = null;
      }
      break;
    case "script":
      if (clean) runScript(s, host, r.name, "stop.bat", "START");
      break;
    case "service":
      if (r.serviceName && findService(s, host, r.serviceName)) {
        stopService(s, host, r.serviceName, clean ? `service resource ${r.name} stopped` : "killed", clean);
      }
      break;
  }
  if (clean) spend(s, DEACT_MS);
}

/** Stop the group where it runs. `clean: false` is a server failure: processes die where they stand. */
export function stopGroupNow(s: LabState, why: string, clean = true): void {
  const host = s.cluster.group.current;
  if (!host) {
    setGroup(s, "Offline", null, why);
    return;
  }
  setGroup(s, "Offline Pending", host, why);
  for (const wave of waves(groupRscs(s)).reverse()) {
    for (const r of wave) {
      if (s.cluster.group.resources[r.name] && s.cluster.group.resources[r.name] !== "Offline")
        deactivate(s, host, r, clean);
      setRsc(s, r.name, "Offline");
    }
  }
  // Anything the configuration no longer lists is offline too.
  for (const k of Object.keys(s.cluster.group.resources)) s.cluster.group.resources[k] = "Offline";
  s.cluster.diskOwner = null;
  s.cluster.diskBlocked = null;
  s.cluster.fipOwner = null;
  setGroup(s, "Offline", null, why);
}

/**
 * Start the group on `host`. Returns undefined when every resource came online, else the failure (the
 * group may then have failed over: see `s.cluster.group.current`).
 */
export function startGroupOn(
  s: LabState,
  host: string,
  event: "START" | "FAILOVER",
  why: string,
  mayFailOver = true,
): string | undefined {
  const conf = effectiveConf(s);
  const rscs = groupRscs(s, conf);
  setGroup(s, "Online Pending", host, why);
  for (const r of rscs) setRsc(s, r.name, "Offline");
  for (const wave of waves(rscs)) {
    // Services of one wave start together: what blocks them is judged before any of them starts.
    const blockers = new Map<string, string | undefined>();
    for (const r of wave) {
      const svc = r.type === "service" && r.serviceName ? findService(s, host, r.serviceName) : undefined;
      if (svc && svc.state !== "Running") blockers.set(r.name, startBlocker(s, host, svc));
    }
    for (const r of wave) {
      setRsc(s, r.name, "Online Pending");
      let error = activate(s, host, r, event, blockers.get(r.name));
      const retries = r.actRetry ?? RECOVERY_DEFAULTS.actRetry;
      for (let i = 0; error && i < retries; i++) {
        record(s, "cluster", `${host}: retrying activation of ${r.name} (${i + 1}/${retries})`, { host });
        error = activate(s, host, r, event, r.type === "service" ? startBlockerOf(s, host, r) : undefined);
      }
      if (!error) {
        setRsc(s, r.name, "Online");
        continue;
      }
      setRsc(s, r.name, "Online Failure");
      record(s, "cluster", `${host}: activation of ${r.name} failed: ${error}`, { host, name: r.name });
      const fo = r.actFailover ?? RECOVERY_DEFAULTS.actFailover;
      const suppressed = conf.param(["rc", "errordetect", "rscact", "norecovery"]) === "1";
      if (mayFailOver && fo > 0 && !suppressed && !s.cluster.suspended) {
        const other = otherNode(s, host).name;
        record(
          s,
          "cluster",
          `activation failure of ${r.name} on ${host}: failing the group over to ${other} (act/fo=${fo}, §2.3)`,
        );
        stopGroupNow(s, `activation failure of ${r.name}`);
        const again = startGroupOn(
          s,
          other,
          "FAILOVER",
          `failover after activation failure of ${r.name} on ${host}`,
          false,
        );
        return `resource ${r.name} failed to start on ${host}: ${error}; the group failed over to ${other}${again ? ` and failed there too: ${again}` : ""}`;
      }
      setGroup(s, "Online Failure", host, `resource ${r.name} failed`);
      return `resource ${r.name} failed to start on ${host}: ${error}`;
    }
  }
  setGroup(s, "Online", host, why);
  return undefined;
}

function startBlockerOf(s: LabState, host: string, r: Rsc): string | undefined {
  const svc = r.serviceName ? findService(s, host, r.serviceName) : undefined;
  return svc && svc.state !== "Running" ? startBlocker(s, host, svc) : undefined;
}

/** A server failure or monitor error on the current host: the group fails over (postmaster.pid files stay behind). */
export function failOver(s: LabState, reason: string, clean: boolean): void {
  const from = s.cluster.group.current;
  if (!from) return;
  const to = otherNode(s, from).name;
  record(s, "cluster", `${stamp(s.now)} failover of ${s.spec.groupName} from ${from} to ${to}: ${reason}`);
  stopGroupNow(s, `failover: ${reason}`, clean);
  startGroupOn(s, to, "FAILOVER", `failover from ${from}`, false);
}

function monitorFailoverAllowed(
  s: LabState,
  conf: ClpConf,
  resource: string | undefined,
): { ok: boolean; why: string } {
  if (s.cluster.suspended) return { ok: false, why: "the cluster is suspended (monitoring stopped)" };
  if (conf.monitorRecoverySuppressed())
    return { ok: false, why: "recovery on monitor errors is suppressed (rm/errordetect/norecovery=1, §2.3)" };
  const mon = resource
    ? conf.monitors().find((m) => m.target === resource || m.relation?.name === resource)
    : undefined;
  if (resource && !mon) return { ok: false, why: `no monitor watches ${resource}` };
  const threshold = mon?.failover ?? 1;
  if (threshold === 0)
    return { ok: false, why: `the failover threshold of ${mon?.name ?? "the monitor"} is 0` };
  if (s.cluster.monitorFailovers >= threshold)
    return { ok: false, why: `the failover threshold (${threshold}) is used up` };
  return { ok: true, why: "" };
}

/** Services stopped behind the cluster's back on `host` (a failing Manager, or Stop-Service by hand). */
export function onUnexpectedStop(
  s: LabState,
  host: string,
  serviceNames: readonly string[],
  reason: string,
): void {
  const g = s.cluster.group;
  if (!sameHost(g.current, host) || !g.state.startsWith("Online")) return;
  const conf = effectiveConf(s);
  const rsc = groupRscs(s, conf).find(
    (r) =>
      r.type === "service" &&
      r.serviceName &&
      serviceNames.some((n) => n.toLowerCase() === r.serviceName?.toLowerCase()) &&
      g.resources[r.name] === "Online",
  );
  if (!rsc) return;
  const allowed = monitorFailoverAllowed(s, conf, rsc.name);
  if (!allowed.ok) {
    record(s, "cluster", `${host}: monitor error on ${rsc.name} (${reason}); no recovery: ${allowed.why}`, {
      host,
    });
    return;
  }
  s.cluster.monitorFailovers += 1;
  failOver(s, `monitor error on ${rsc.name}: ${reason}`, true);
}

/** The unintended-failover fault: the next time the group is online, unless recovery is suppressed. */
export function checkUnintendedFailover(s: LabState): void {
  const g = s.cluster.group;
  if (!g.current || g.state !== "Online" || s.cluster.suspended) return;
  if (!armed(s, "unintended-failover", g.current)) return;
  const conf = effectiveConf(s);
  const allowed = monitorFailoverAllowed(s, conf, undefined);
  if (!allowed.ok) {
    // Absorbed by the suppression: a one-shot fault is used up, a sticky one waits.
    const sticky = s.faults.some((f) => f.fault === "unintended-failover" && f.sticky);
    if (
      !sticky &&
      fire(s, "unintended-failover", g.current, `monitor error on ${g.current}; ${allowed.why}`)
    ) {
      record(s, "cluster", `${g.current}: monitor error detected; no recovery: ${allowed.why}`, {
        host: g.current,
      });
    }
    return;
  }
  if (fire(s, "unintended-failover", g.current, `a monitor error on ${g.current} fails the group over`)) {
    s.cluster.monitorFailovers += 1;
    failOver(s, `unintended failover (monitor error on ${g.current})`, false);
  }
}
