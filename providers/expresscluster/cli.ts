/**
 * ClusterOps over the EXPRESSCLUSTER command line of one cluster node (HostOps.run). The command forms are in
 * commands.ts, the apply sequences in apply.ts, the status parser in clpstat.ts; this file sequences them and
 * waits. Every wait polls `clpstat --long` against its own deadline (DESIGN §8: no customTimeouts).
 */
import { HostError, type HostOps } from "../hosts/types";
import type { Clock } from "../hosts/target";
import type { ClusterConfigFiles, ClusterOps, ClusterStatus, ConfigChange } from "./cluster";
import { parseClpstat } from "./clpstat";
import { CLP, commandLine, runClp, type ClpCommand } from "./commands";
import { APPLY_SEQUENCES, stepCommand, type ApplyStep } from "./apply";
import { decodeClpConf, encodeClpConf } from "./encoding";
import {
  findGroup,
  groupProgress,
  progressLine,
  sameServer,
  timeoutMessage,
  type GroupGoal,
  type GroupProgress,
} from "./wait";

export interface ExpressClusterCliOptions {
  clock: Clock;
  /** A folder on the node for pull/push, e.g. `C:\NetMgrRollingUpdate\clpcfg`; emptied before each use. */
  workDir: string;
  /** Interval between two `clpstat` polls (default 10 s). */
  pollMs?: number;
  /** Deadline of one clpcl/clpcfctrl/clpstat run (default 10 min). */
  commandTimeoutMs?: number;
  onProgress?: (line: string) => void;
}

export const CLP_CONF = "clp.conf";
export const SCRIPTS_DIR = "scripts";

export function expressClusterCli(host: HostOps, options: ExpressClusterCliOptions): ClusterOps {
  const { clock, workDir } = options;
  const pollMs = options.pollMs ?? 10_000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 600_000;
  const report = (line: string): void => options.onProgress?.(line);
  const dir = workDir.replace(/[\\/]+$/, "");
  const run = (cmd: ClpCommand, timeoutMs = commandTimeoutMs): Promise<string> => {
    report(`${host.host}: ${commandLine(cmd)}`);
    return runClp(host, cmd, timeoutMs);
  };

  /** Which clpstat form this node answers: `--long`, or plain where `--long` is refused (older versions). */
  let statusForm: "long" | "plain" | undefined;
  const clpstat = async (timeoutMs: number): Promise<string> => {
    if (statusForm === "plain") return runClp(host, CLP.statusPlain(), timeoutMs);
    try {
      const out = await runClp(host, CLP.status(), timeoutMs);
      statusForm = "long";
      return out;
    } catch (e) {
      // Only a refused --long (not a node that is unreachable or slow) means an older clpstat.
      if (statusForm === "long" || !(e instanceof HostError) || e.kind !== "failed") throw e;
      let out: string;
      try {
        out = await runClp(host, CLP.statusPlain(), timeoutMs);
      } catch {
        throw e;
      }
      statusForm = "plain";
      report(`${host.host}: clpstat --long is refused here; using clpstat, which cuts long names`);
      return out;
    }
  };
  const status = async (timeoutMs = commandTimeoutMs): Promise<ClusterStatus> =>
    parseClpstat(await clpstat(timeoutMs));

  const remaining = (start: number, budgetMs: number): number =>
    Math.max(1, budgetMs - (clock.now() - start));

  /** Poll until the group reaches the goal or `budgetMs` (measured from `start`) has passed. */
  const waitFor = async (group: string, goal: GroupGoal, start: number, budgetMs: number): Promise<void> => {
    let last: GroupProgress | undefined;
    let lastError: string | undefined;
    for (;;) {
      try {
        last = groupProgress(
          await status(Math.min(commandTimeoutMs, remaining(start, budgetMs))),
          group,
          goal,
        );
        lastError = undefined;
        if (last.done) return;
      } catch (e) {
        // A node answering slowly during a failover is not a failure of the wait; the deadline decides.
        lastError = e instanceof Error ? e.message : String(e);
      }
      const elapsed = clock.now() - start;
      if (elapsed >= budgetMs) {
        throw new HostError(
          host.host,
          `wait for group ${group}`,
          timeoutMessage(group, goal, last, lastError, budgetMs),
          "timeout",
        );
      }
      if (last) report(progressLine(group, goal, last, elapsed, budgetMs));
      await clock.sleep(Math.min(pollMs, budgetMs - elapsed));
    }
  };

  const stopGroup = async (group: string, deadlineMs: number): Promise<void> => {
    const start = clock.now();
    // Idempotent: a stopped group is left alone (clpgrp -t of a stopped group may fail).
    if (groupProgress(await status(), group, { state: "Offline" }).done) return;
    await run(CLP.stopGroup(group), remaining(start, deadlineMs));
    await waitFor(group, { state: "Offline" }, start, deadlineMs);
  };

  const ops: ClusterOps = {
    status: () => status(),

    async moveGroup(group, toHost, deadlineMs) {
      const start = clock.now();
      const goal: GroupGoal = { state: "Online", server: toHost };
      const now = await status();
      if (groupProgress(now, group, goal).done) return;
      const g = findGroup(now, group);
      if (!g)
        throw new HostError(host.host, `move group ${group}`, `no group named "${group}" in clpstat output`);
      // clpgrp -m moves an active group; a stopped one (e.g. after §3.4.2 step 5) is started there instead.
      const cmd =
        g.current === null
          ? CLP.startGroup(group, toHost)
          : sameServer(g.current, toHost)
            ? null
            : CLP.moveGroup(group, toHost);
      if (cmd) await run(cmd, remaining(start, deadlineMs));
      await waitFor(group, goal, start, deadlineMs);
    },

    async startGroup(group, onHost, deadlineMs) {
      const start = clock.now();
      const goal: GroupGoal = { state: "Online", server: onHost };
      const now = await status();
      if (groupProgress(now, group, goal).done) return;
      const g = findGroup(now, group);
      if (g && g.current !== null && !sameServer(g.current, onHost)) {
        throw new HostError(
          host.host,
          `start group ${group}`,
          `the group is ${g.state} on ${g.current}, not on ${onHost}: move it instead`,
        );
      }
      if (!g || g.current === null) await run(CLP.startGroup(group, onHost), remaining(start, deadlineMs));
      await waitFor(group, goal, start, deadlineMs);
    },

    stopGroup,

    async suspend() {
      await run(CLP.suspend());
    },

    async resume() {
      await run(CLP.resume());
    },

    async pullConfig() {
      await host.remove(dir);
      await host.mkdir(dir);
      await run(CLP.pull(dir));
      const clpConf = decodeClpConf(await host.readFile(`${dir}\\${CLP_CONF}`));
      const scripts: Record<string, Buffer> = {};
      const root = `${dir}\\${SCRIPTS_DIR}`;
      if ((await host.stat(root)) === "dir") {
        for (const rel of await listFiles(host, root, SCRIPTS_DIR)) {
          scripts[rel] = await host.readFile(`${dir}\\${rel}`);
        }
      }
      return { clpConf, scripts };
    },

    async applyConfig(files, change, group, deadlineMs) {
      const start = clock.now();
      await writeConfigDir(host, dir, files);
      let suspended = false;
      for (const step of APPLY_SEQUENCES[change]) {
        try {
          if (step === "stopGroup") await stopGroup(group, remaining(start, deadlineMs));
          else await run(stepCommand(step, group, dir));
        } catch (e) {
          throw await afterFailure(e, step, suspended, change, group);
        }
        if (step === "suspend") suspended = true;
        if (step === "resume") suspended = false;
      }
    },
  };

  /** A failed apply must not leave the cluster suspended (no monitoring, no failover): resume it. */
  async function afterFailure(
    e: unknown,
    step: ApplyStep,
    suspended: boolean,
    change: ConfigChange,
    group: string,
  ): Promise<Error> {
    const full = e instanceof Error ? e.message : String(e);
    const prefix = e instanceof HostError ? `${e.host}: ${e.operation}: ` : "";
    const msg = prefix && full.startsWith(prefix) ? full.slice(prefix.length) : full;
    const notes: string[] = [];
    if (suspended && step !== "resume") {
      try {
        await runClp(host, CLP.resume(), commandTimeoutMs);
        notes.push(
          step === "push"
            ? "the cluster was resumed with its previous configuration"
            : "the cluster was resumed",
        );
      } catch (r) {
        notes.push(
          `clpcl --resume also failed, the cluster is still suspended: ${r instanceof Error ? r.message : String(r)}`,
        );
      }
    } else if (step === "resume") {
      notes.push("the new configuration was pushed but the cluster is still suspended");
    }
    if (change === "resources" && step !== "stopGroup") notes.push(`group ${group} is stopped`);
    const text = `applying a "${change}" change failed at ${step}: ${msg}${notes.length ? ` (${notes.join("; ")})` : ""}`;
    return e instanceof HostError ? new HostError(e.host, e.operation, text, e.kind) : new Error(text);
  }

  return ops;
}

/** Empty `dir` and write clp.conf (in its declared encoding) and the scripts tree into it. */
async function writeConfigDir(host: HostOps, dir: string, files: ClusterConfigFiles): Promise<void> {
  for (const rel of Object.keys(files.scripts)) checkScriptPath(rel);
  await host.remove(dir);
  await host.mkdir(dir);
  await host.writeFile(`${dir}\\${CLP_CONF}`, encodeClpConf(files.clpConf));
  for (const [rel, content] of Object.entries(files.scripts)) await host.writeFile(`${dir}\\${rel}`, content);
}

/** Script paths come back from pullConfig as `scripts\<group>\<resource>\start.bat`; nothing else may be written. */
export function checkScriptPath(rel: string): void {
  const parts = rel.split("\\");
  if (
    parts[0] !== SCRIPTS_DIR ||
    parts.length < 2 ||
    parts.some((p) => p === "" || p === "." || p === ".." || /[/:]/.test(p))
  ) {
    throw new Error(`not a path under ${SCRIPTS_DIR}\\: "${rel}"`);
  }
}

/** Every file under `abs`, as paths relative to the pull folder (`scripts\failover\script\start.bat`). */
async function listFiles(host: HostOps, abs: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await host.list(abs)) {
    if (e.kind === "dir") out.push(...(await listFiles(host, `${abs}\\${e.name}`, `${rel}\\${e.name}`)));
    else out.push(`${rel}\\${e.name}`);
  }
  return out.sort();
}
