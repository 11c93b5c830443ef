/**
 * The EXPRESSCLUSTER command lines this product runs, in ONE place (docs/expresscluster.md "Commands").
 * The lab emulates exactly these forms; a cluster that needs another form is corrected here.
 *
 * The commands are on PATH on every node (`C:\Program Files\EXPRESSCLUSTER\bin`) and are run elevated.
 * Exit code 0 is success; any other code is a failure (the per-code tables are UNCONFIRMED).
 */
import { HostError, type HostOps } from "../hosts/types";

export interface ClpCommand {
  program: string;
  args: readonly string[];
}

export const CLP = {
  /**
   * Status with names never cut (plain `clpstat` truncates long names). UNCONFIRMED: `--long` is documented by
   * NEC's X 5.0 samples only; where it is refused, cli.ts falls back to `statusPlain` once and says so.
   */
  status: (): ClpCommand => ({ program: "clpstat", args: ["--long"] }),
  /** The same layout with names padded and cut to a fixed width (every version). */
  statusPlain: (): ClpCommand => ({ program: "clpstat", args: [] }),

  /**
   * Move an active group to a named server. `-a` names the destination; `-h` would only name the server that
   * receives the request (the group then goes wherever the failover policy sends it), so it is not used here.
   * UNCONFIRMED: `-a` is documented by NEC's X 5.x-era samples only; whether X 3.x/4.x accept it is to be
   * checked on a test cluster (`clpgrp -m <group> -a <server>` then `clpstat --long`).
   */
  moveGroup: (group: string, toServer: string): ClpCommand => ({
    program: "clpgrp",
    args: ["-m", group, "-a", toServer],
  }),

  /** Start a group on the server that receives the request (`-h`), as NEC's X 3.3 Windows scripts do. */
  startGroup: (group: string, onServer: string): ClpCommand => ({
    program: "clpgrp",
    args: ["-s", group, "-h", onServer],
  }),

  /**
   * Stop a group wherever it is active. UNCONFIRMED: that the request, sent to the local server, stops a group
   * active on the other server (NEC's scripts add `-h <active server>`; the caller runs this on the active
   * node anyway).
   */
  stopGroup: (group: string): ClpCommand => ({ program: "clpgrp", args: ["-t", group] }),

  /** Suspend the cluster (monitoring and failover stop; groups stay as they are: UNCONFIRMED semantics). */
  suspend: (): ClpCommand => ({ program: "clpcl", args: ["--suspend"] }),
  resume: (): ClpCommand => ({ program: "clpcl", args: ["--resume"] }),

  /** Write the running configuration (clp.conf + scripts tree) into `dir` (form seen on X 3.3 Windows). */
  pull: (dir: string): ClpCommand => ({ program: "clpcfctrl", args: ["--pull", "-x", dir] }),
  /** Distribute the configuration in `dir` to every server (form seen on X 4.3 Windows). */
  push: (dir: string): ClpCommand => ({ program: "clpcfctrl", args: ["--push", "-x", dir] }),
} as const;

/** How a command line reads in logs, errors and the runbook (arguments with spaces quoted). */
export function commandLine(cmd: ClpCommand): string {
  return [
    cmd.program,
    ...cmd.args.map((a) => (/[\s"]/.test(a) || a === "" ? `"${a.replace(/"/g, '\\"')}"` : a)),
  ].join(" ");
}

/** Keep error messages readable: the tail of a long output is what explains a failure. */
const MAX_OUTPUT_IN_ERROR = 2000;

/** Run a command on the node; a non-zero exit is a HostError naming the command line and its output. */
export async function runClp(host: HostOps, cmd: ClpCommand, timeoutMs?: number): Promise<string> {
  const options = timeoutMs === undefined ? {} : { timeoutMs };
  const result = await host.run(cmd.program, cmd.args, options);
  if (result.exitCode !== 0) {
    const out = result.output.trim();
    const shown = out.length > MAX_OUTPUT_IN_ERROR ? `…${out.slice(-MAX_OUTPUT_IN_ERROR)}` : out;
    throw new HostError(
      host.host,
      commandLine(cmd),
      `exit code ${result.exitCode}${shown ? `: ${shown}` : " (no output)"}`,
    );
  }
  return result.output;
}
