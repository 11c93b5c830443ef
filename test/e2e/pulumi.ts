/**
 * End-to-end harness: a temporary Pulumi project and file:// backend, driven with the real `pulumi` CLI
 * (built by scripts/ensure-pulumi), with passphrase secrets and no network beyond the machine.
 *
 * Two project shapes:
 * - `LabProject.create()` runs this repository's program (Pulumi.yaml `main:` points at the repository, so
 *   index.ts runs through ts-node exactly as an operator's `pulumi up` does) with a stack config of the test's
 *   own and a lab folder in the temp dir.
 * - `LabProject.create({ packageCopy: true })` installs a copy of the built package into the temp project's
 *   node_modules and runs its compiled program, so a test can change the implementation between commands.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

export const REPO = resolve(__dirname, "../..");
const run = promisify(execFile);

let binDir: string | undefined;

/** The directory of the pulumi binary, built once per machine (scripts/ensure-pulumi). */
export async function pulumiBinDir(): Promise<string> {
  if (!binDir) {
    const { stdout } = await run(join(REPO, "scripts/ensure-pulumi"), [], { maxBuffer: 16 << 20 });
    binDir = stdout.trim().split("\n").pop()!;
  }
  return binDir;
}

export const PASSPHRASE = "e2e-passphrase-not-secret";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Engine events written with --event-log (JSON lines), parsed. */
  events: EngineEvent[];
}

/** The parts of Pulumi's engine events the tests read (sdk/go/common/apitype/events.go). */
export interface EngineEvent {
  sequence?: number;
  diagnosticEvent?: { message: string; severity: string; urn?: string };
  resourcePreEvent?: { metadata: { op: string; urn: string; type: string } };
  resOutputsEvent?: {
    metadata: { op: string; urn: string; type: string; new?: { outputs?: Record<string, unknown> } };
  };
  resOpFailedEvent?: { metadata: { op: string; urn: string; type: string } };
  summaryEvent?: { resourceChanges?: Record<string, number> };
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
}

export interface ProjectOptions {
  stack?: string;
  /** `netmgr:*` keys (without the prefix); objects and arrays are written as YAML-compatible JSON. */
  config: Record<string, unknown>;
  /** Secret `netmgr:*` keys, set with `pulumi config set --secret`. */
  secrets?: Record<string, string>;
  packageCopy?: boolean;
}

export class LabProject {
  private constructor(
    readonly dir: string,
    readonly stack: string,
    readonly labDir: string,
    readonly env: NodeJS.ProcessEnv,
    /** The package copy's root when `packageCopy` (to change its implementation). */
    readonly packageDir?: string,
  ) {}

  static async create(options: ProjectOptions): Promise<LabProject> {
    const bin = await pulumiBinDir();
    const dir = mkdtempSync(join(tmpdir(), "netmgr-e2e-"));
    const stack = options.stack ?? "e2e";
    const labDir = join(dir, "lab");
    const backend = join(dir, "backend");
    mkdirSync(backend);
    mkdirSync(join(dir, "stacks"));
    const projectYaml = readFileSync(join(REPO, "Pulumi.yaml"), "utf8");
    let packageDir: string | undefined;
    if (options.packageCopy) {
      packageDir = installPackageCopy(dir);
      writeFileSync(
        join(dir, "Pulumi.yaml"),
        projectYaml
          .replace(/^main: .*$/m, "main: program.js")
          .replace(/typescript: true/, "typescript: false"),
      );
      writeFileSync(join(dir, "program.js"), 'require("pulumi-netmgr/program");\n');
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "netmgr-e2e-project", private: true }));
    } else {
      writeFileSync(join(dir, "Pulumi.yaml"), projectYaml.replace(/^main: .*$/m, `main: ${REPO}`));
    }
    const config = { ...options.config, lab: { ...((options.config.lab as object) ?? {}), dir: labDir } };
    writeFileSync(join(dir, "stacks", `Pulumi.${stack}.yaml`), stackYaml(config));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_HOME: join(dir, ".pulumi-home"),
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS: "true",
      NO_COLOR: "1",
      // --event-log (the engine events as JSON lines, as the Automation API reads them) needs this.
      PULUMI_DEBUG_COMMANDS: "true",
    };
    const project = new LabProject(dir, stack, labDir, env, packageDir);
    await project.cli(["stack", "init", stack]);
    for (const [key, value] of Object.entries(options.secrets ?? {})) {
      await project.cli(["config", "set", "--secret", `netmgr:${key}`, value]);
    }
    return project;
  }

  /** Run `pulumi <args>` in the project; never throws, the result carries the exit code. */
  async cli(
    args: string[],
    options: { eventLog?: boolean; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    const eventLog = join(this.dir, `events-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
    const fullArgs = [...args, "--non-interactive", ...(options.eventLog ? ["--event-log", eventLog] : [])];
    const child = spawn("pulumi", fullArgs, { cwd: this.dir, env: this.env });
    const result = await collect(child, options.timeoutMs ?? 10 * 60_000);
    return { ...result, events: options.eventLog ? readEvents(eventLog) : [] };
  }

  /** Start `pulumi <args>` and hand back the child (for kill tests; `detached` makes it a process group). */
  spawn(args: string[], options: { detached?: boolean } = {}): ChildProcess {
    return spawn("pulumi", [...args, "--non-interactive"], {
      cwd: this.dir,
      env: this.env,
      detached: options.detached ?? false,
    });
  }

  preview(extra: string[] = []): Promise<CommandResult> {
    return this.cli(["preview", "--stack", this.stack, "--diff", ...extra], { eventLog: true });
  }
  up(extra: string[] = []): Promise<CommandResult> {
    return this.cli(["up", "--stack", this.stack, "--yes", "--skip-preview", ...extra], { eventLog: true });
  }
  refresh(extra: string[] = []): Promise<CommandResult> {
    return this.cli(["refresh", "--stack", this.stack, "--yes", "--skip-preview", ...extra], {
      eventLog: true,
    });
  }
  destroy(extra: string[] = []): Promise<CommandResult> {
    return this.cli(["destroy", "--stack", this.stack, "--yes", "--skip-preview", ...extra], {
      eventLog: true,
    });
  }

  /** The checkpoint as `pulumi stack export` gives it. */
  async state(): Promise<{ resources: StateResource[]; pending_operations?: unknown[] }> {
    const r = await this.cli(["stack", "export", "--stack", this.stack]);
    if (r.code !== 0) throw new Error(`stack export failed: ${r.stderr}`);
    const parsed = JSON.parse(r.stdout) as {
      deployment: { resources?: StateResource[]; pending_operations?: unknown[] };
    };
    return {
      resources: parsed.deployment.resources ?? [],
      pending_operations: parsed.deployment.pending_operations,
    };
  }

  /** Raw text of the backend folder (for secret-leak checks). */
  backendText(): string {
    return readTree(join(this.dir, "backend"));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resource changes by operation, from an event stream. */
export function changes(events: EngineEvent[]): Record<string, number> {
  const summary = events.find((e) => e.summaryEvent)?.summaryEvent;
  return summary?.resourceChanges ?? {};
}

export function diagnostics(events: EngineEvent[]): string[] {
  return events.flatMap((e) => (e.diagnosticEvent ? [e.diagnosticEvent.message] : []));
}

/** The netmgr resources in state, keyed by resource name. */
export function netmgrResources(resources: StateResource[]): Map<string, StateResource> {
  return new Map(
    resources
      .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/netmgr:"))
      .map((r) => [r.urn.split("::").pop()!, r]),
  );
}

function stackYaml(config: Record<string, unknown>): string {
  // JSON is valid YAML: one line per key keeps the file unambiguous.
  const lines = Object.entries(config).map(([k, v]) => `  netmgr:${k}: ${JSON.stringify(v)}`);
  return `config:\n${lines.join("\n")}\n`;
}

function installPackageCopy(projectDir: string): string {
  const modules = join(projectDir, "node_modules");
  mkdirSync(modules);
  for (const entry of readdirSync(join(REPO, "node_modules"))) {
    if (entry === ".bin" || entry === ".package-lock.json") continue;
    symlinkSync(join(REPO, "node_modules", entry), join(modules, entry));
  }
  const copy = join(modules, "pulumi-netmgr");
  mkdirSync(copy);
  cpSync(join(REPO, "package.json"), join(copy, "package.json"));
  cpSync(join(REPO, "dist"), join(copy, "dist"), { recursive: true });
  return copy;
}

function readEvents(file: string): EngineEvent[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EngineEvent);
}

function readTree(dir: string): string {
  let out = "";
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += readFileSync(join(entry.parentPath, entry.name), "utf8");
  }
  return out;
}

function collect(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Fail with the command's own output (the last part), which is what one needs to see. */
export function expectOk(r: CommandResult, what: string): void {
  if (r.code !== 0)
    throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-3000)}`);
}
