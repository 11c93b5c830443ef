/**
 * HostOps over PowerShell remoting: each method is one operation of scripts.ts, sent through the node's shell,
 * its result validated with zod before anything else sees it.
 */
import { z } from "zod";
import {
  DirEntry,
  FileKind,
  FirewallState,
  HostEnvironment,
  HostError,
  InstalledProduct,
  RunResult,
  ServiceInfo,
  ServiceState,
  StartType,
  TreeEntry,
  type HostOps,
  type RunOptions,
} from "../hosts/types";
import { Secret, argText, scrub, type Arg } from "../hosts/secret";
import { CommandLineError, cmdLine, isBatchFile, quoteWindowsArg, windowsArgLine } from "./cmdline";
import { encodePayload, isBase64, oneLiner, type ArgValue } from "./encode";
import { hostError, type Secrets } from "./errors";
import {
  MAX_PROGRAM_OUTPUT_BYTES,
  MAX_TRANSFER_BYTES,
  PROBE_MARGIN_MS,
  RUN_MARGIN_MS,
  WRITE_CHUNK_BYTES,
} from "./limits";
import { RawRunResult, programOutput } from "./output";
import { PAYLOAD_KINDS, scriptFor, type OperationName } from "./scripts";
import type { ShellPool } from "./shell-pool";

export interface HostOpsContext {
  readonly pool: ShellPool;
  /** Deadline per operation (ms). */
  readonly timeouts: Readonly<Record<OperationName, number>>;
  /** Secrets of the whole target (the remoting password). */
  readonly secrets: Secrets;
}

/** Win32_Service as the node reports it; mapped to the seam's ServiceInfo below. */
const RawService = z.object({
  name: z.string(),
  displayName: z.string(),
  startMode: z.string(),
  state: z.string(),
});
type RawService = z.infer<typeof RawService>;

const START_MODES: Record<string, StartType> = {
  auto: "Auto",
  automatic: "Auto",
  manual: "Manual",
  disabled: "Disabled",
  boot: "Auto",
  system: "Auto",
};

/**
 * Win32_Service.State has eight values; the seam has four. A paused service still runs its process, so it
 * counts as Running (Stop-Service stops it); "Continue Pending" is on its way to Running.
 */
const STATES: Record<string, ServiceState> = {
  running: "Running",
  stopped: "Stopped",
  "start pending": "StartPending",
  "stop pending": "StopPending",
  "continue pending": "StartPending",
  "pause pending": "Running",
  paused: "Running",
};

export function toServiceInfo(raw: RawService): ServiceInfo {
  const startType = START_MODES[raw.startMode.toLowerCase()];
  const state = STATES[raw.state.toLowerCase()];
  if (!startType) throw new Error(`service ${raw.name}: unknown start mode "${raw.startMode}"`);
  if (!state) throw new Error(`service ${raw.name}: unknown state "${raw.state}"`);
  return ServiceInfo.parse({ name: raw.name, displayName: raw.displayName, startType, state });
}

/** Set-Service -StartupType takes "Automatic" where Win32_Service.StartMode reports "Auto". */
const SET_SERVICE_STARTUP: Record<StartType, string> = {
  Auto: "Automatic",
  Manual: "Manual",
  Disabled: "Disabled",
};

const Base64String = z.string().refine(isBase64, "not base64");

/** Node paths are absolute Windows paths: a relative one would resolve against the session's own folder. */
const WINDOWS_PATH = /^([A-Za-z]:\\|\\\\[^\\]+\\[^\\]+)/;

export class PowerShellHostOps implements HostOps {
  constructor(
    readonly host: string,
    private readonly ctx: HostOpsContext,
  ) {}

  private fail(operation: string, message: string, secrets: Secrets = []): HostError {
    return hostError(this.host, operation, message, "failed", [...this.ctx.secrets, ...secrets]);
  }

  private path(operation: string, path: string, what = "path"): string {
    if (!WINDOWS_PATH.test(path))
      throw this.fail(
        operation,
        `the ${what} must be an absolute Windows path (C:\\... or \\\\server\\share\\...), got "${path}"`,
      );
    return path;
  }

  /** One operation: build the line, send it through the node's lane, validate the value. */
  private async call<T>(
    op: OperationName,
    operation: string,
    values: readonly ArgValue[],
    schema: z.ZodType<T>,
    options: { timeoutMs?: number; blob?: string; secrets?: Secrets } = {},
  ): Promise<T> {
    const line = oneLiner(scriptFor(op), encodePayload(PAYLOAD_KINDS[op], values), options.blob);
    const value = await this.ctx.pool.call({
      node: this.host,
      operation,
      line,
      timeoutMs: options.timeoutMs ?? this.ctx.timeouts[op],
      secrets: options.secrets,
    });
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw this.fail(
        operation,
        `unexpected result from the node: ${z.prettifyError(parsed.error)}`,
        options.secrets,
      );
    return parsed.data;
  }

  async environment(): Promise<HostEnvironment> {
    return this.call("environment", "environment", [], HostEnvironment);
  }

  async freeSpace(path: string): Promise<number> {
    const op = `freeSpace ${path}`;
    return this.call("freeSpace", op, [this.path(op, path)], z.number().int().nonnegative());
  }

  async services(): Promise<ServiceInfo[]> {
    const raw = await this.call("services", "services", [], z.array(RawService));
    try {
      return raw.map(toServiceInfo);
    } catch (e) {
      throw this.fail("services", (e as Error).message);
    }
  }

  async setStartType(name: string, startType: StartType): Promise<void> {
    const type = StartType.parse(startType);
    await this.call(
      "setStartType",
      `setStartType ${name} ${type}`,
      [name, SET_SERVICE_STARTUP[type]],
      z.null(),
    );
  }

  async startService(name: string): Promise<void> {
    await this.call("startService", `startService ${name}`, [name], z.null());
  }

  async stopService(name: string): Promise<void> {
    await this.call("stopService", `stopService ${name}`, [name], z.null());
  }

  async stat(path: string): Promise<FileKind | null> {
    const op = `stat ${path}`;
    return this.call("stat", op, [this.path(op, path)], FileKind.nullable());
  }

  async readFile(path: string): Promise<Buffer> {
    const op = `readFile ${path}`;
    const b64 = await this.call("readFile", op, [this.path(op, path), MAX_TRANSFER_BYTES], Base64String);
    const content = Buffer.from(b64, "base64");
    if (content.length > MAX_TRANSFER_BYTES)
      throw this.fail(
        op,
        `${content.length} bytes is over the transfer limit of ${MAX_TRANSFER_BYTES} bytes`,
      );
    return content;
  }

  async writeFile(path: string, content: Buffer): Promise<void> {
    const op = `writeFile ${path}`;
    this.path(op, path);
    if (content.length > MAX_TRANSFER_BYTES) {
      throw this.fail(
        op,
        `${content.length} bytes is over the transfer limit of ${MAX_TRANSFER_BYTES} bytes (copy large files with copy or stageMedia)`,
      );
    }
    await this.call("writeFile", op, [path, WRITE_CHUNK_BYTES], z.null(), {
      blob: content.toString("base64"),
    });
  }

  async list(dir: string): Promise<DirEntry[]> {
    const op = `list ${dir}`;
    return this.call("list", op, [this.path(op, dir, "folder")], z.array(DirEntry));
  }

  async hashTree(dir: string): Promise<TreeEntry[]> {
    const op = `hashTree ${dir}`;
    const entries = await this.call("hashTree", op, [this.path(op, dir, "folder")], z.array(TreeEntry));
    return normalizeManifest(entries);
  }

  async copy(from: string, to: string): Promise<void> {
    const op = `copy ${from} -> ${to}`;
    await this.call("copy", op, [this.path(op, from, "source"), this.path(op, to, "destination")], z.null());
  }

  async move(from: string, to: string): Promise<void> {
    const op = `move ${from} -> ${to}`;
    await this.call("move", op, [this.path(op, from, "source"), this.path(op, to, "destination")], z.null());
  }

  async remove(path: string): Promise<void> {
    const op = `remove ${path}`;
    await this.call("remove", op, [this.path(op, path)], z.null());
  }

  async mkdir(path: string): Promise<void> {
    const op = `mkdir ${path}`;
    await this.call("mkdir", op, [this.path(op, path)], z.null());
  }

  async run(program: string, args: readonly Arg[], options: RunOptions = {}): Promise<RunResult> {
    const op = `run ${[program, ...args.map(argText)].join(" ")}`;
    const secretArgs = args.filter((a): a is Secret => a instanceof Secret);
    const values = args.map((a) => (typeof a === "string" ? a : a.reveal()));
    const batch = isBatchFile(program);
    let line: string;
    try {
      line = batch ? cmdLine(program, values) : windowsArgLine(values);
    } catch (e) {
      if (e instanceof CommandLineError) throw this.fail(op, e.message, secretArgs);
      throw e;
    }
    // A program that echoes its raw command line shows a secret in its quoted form (pa\"ss): scrub that first.
    const secrets: Secrets = [
      ...(batch ? [] : secretArgs.map((s) => quoteWindowsArg(s.reveal()))),
      ...secretArgs,
    ];
    if (options.cwd !== undefined) this.path(op, options.cwd, "working folder");
    const timeoutMs =
      options.timeoutMs !== undefined ? options.timeoutMs + RUN_MARGIN_MS : this.ctx.timeouts.run;
    const raw = await this.call(
      "run",
      op,
      [program, line, batch, options.cwd ?? null, MAX_PROGRAM_OUTPUT_BYTES],
      RawRunResult,
      { timeoutMs, secrets },
    );
    // A secret argument echoed by the program must not reach a log or a timeline either.
    const output = scrub(programOutput(raw), [...this.ctx.secrets, ...secrets]);
    return RunResult.parse({ exitCode: raw.exitCode, output });
  }

  async installedProducts(): Promise<InstalledProduct[]> {
    return this.call("installedProducts", "installedProducts", [], z.array(InstalledProduct));
  }

  async processes(): Promise<string[]> {
    return this.call("processes", "processes", [], z.array(z.string()));
  }

  async stopProcess(name: string): Promise<void> {
    // Get-Process names carry no extension; the guide writes "SysMonSvc.exe".
    const image = name.replace(/\.exe$/i, "");
    await this.call("stopProcess", `stopProcess ${image}`, [image], z.null());
  }

  async firewall(): Promise<FirewallState> {
    return this.call("firewall", "firewall", [], FirewallState);
  }

  async probeTcp(address: string, port: number, timeoutMs: number): Promise<boolean> {
    const op = `probeTcp ${address}:${port}`;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw this.fail(op, `port must be 1-65535, got ${port}`);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw this.fail(op, `timeout must be a positive number of ms, got ${timeoutMs}`);
    return this.call("probeTcp", op, [address, port, timeoutMs], z.boolean(), {
      timeoutMs: timeoutMs + PROBE_MARGIN_MS,
    });
  }

  /* Not part of HostOps: the steps of PowerShellTarget.stageMedia. */

  /** SHA-256 manifest of a folder on the CONTROLLER (a local path, or a UNC share on a Windows controller). */
  async controllerManifest(source: string): Promise<TreeEntry[]> {
    const entries = await this.call("localManifest", `localManifest ${source}`, [source], z.array(TreeEntry));
    return normalizeManifest(entries);
  }

  /** `Copy-Item -ToSession`: a controller folder to a node path that must not exist yet. */
  async copyToNode(source: string, destination: string, timeoutMs?: number): Promise<void> {
    const op = `copyToSession ${source} -> ${destination}`;
    await this.call("copyToSession", op, [source, this.path(op, destination, "destination")], z.null(), {
      timeoutMs,
    });
  }
}

/** Sorted by path, hashes lower-case (Get-FileHash prints upper-case hex; Node's digest is lower-case). */
export function normalizeManifest(entries: readonly TreeEntry[]): TreeEntry[] {
  return entries
    .map((e) => ({ ...e, sha256: e.sha256.toLowerCase() }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
