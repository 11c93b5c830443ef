/**
 * What every procedure works with: the target (hosts, SQL, clock), progress lines, deadlines and the file
 * encoding. Built by the runtime from the provider settings; built by tests directly.
 */
import type { Deadlines } from "../config/stack";
import type { HostOps } from "../hosts/types";
import type { Target } from "../hosts/target";
import type { Progress } from "./progress";
import type { FileEncoding } from "./text";
import { decode, encode } from "./text";

export interface Env {
  target: Target;
  progress: Progress;
  deadlines: Deadlines;
  encoding: FileEncoding;
}

export const seconds = (s: number): number => s * 1000;

/** Read a NetMgr text file (INI, log) in its encoding; undefined when absent. */
export async function readText(env: Env, host: HostOps, path: string): Promise<string | undefined> {
  if ((await host.stat(path)) !== "file") return undefined;
  return decode(await host.readFile(path), env.encoding);
}

export async function writeText(env: Env, host: HostOps, path: string, text: string): Promise<void> {
  await host.writeFile(path, encode(text, env.encoding));
}

/** A failure of a guide step, with the evidence and the section an operator should read. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly host: string | undefined,
    message: string,
    readonly section: string,
    readonly evidence: string[] = [],
    /** What the lines of `evidence` are: what was observed, or what a person must do. */
    evidenceLabel = "evidence",
  ) {
    super(
      `${step}${host ? ` on ${host}` : ""}: ${message}` +
        (evidence.length > 0 ? `\n  ${evidenceLabel}:\n${evidence.map((e) => `    ${e}`).join("\n")}` : "") +
        `\n  read: ${section}${section.startsWith("§") ? " of the rolling update guide" : ""}`,
    );
    this.name = "StepError";
  }
}

/** Folder on each node for the chain's own files (pulled cluster config, installer logs, backups of §2.4.2). */
export const WORK_DIR = "C:\\NetMgrRollingUpdate";

/**
 * A create that failed after changing the cluster: `partial` is the result so far (everything its delete
 * needs). The runtime hands it to the engine as a partially created resource, so that `pulumi destroy` runs
 * the step's delete and the next `pulumi up` runs its create again — a failed step is never forgotten.
 */
export class IncompleteStep extends Error {
  constructor(
    readonly failure: Error,
    readonly partial: Record<string, unknown>,
  ) {
    super(failure.message);
    this.name = failure.name;
  }
}
