/**
 * One local PowerShell per node, each holding one remoting session to its node.
 *
 * - A node's calls run one at a time (its lane); calls to different nodes run at the same time.
 * - The shell and its session are created on the first call for the node and reused for every later call of
 *   the run (a new session costs a full authentication and a new remote process).
 * - Every call has a deadline. node-powershell's own `invocationTimeout` is fixed per shell at construction and
 *   does not stop the command (it only stops waiting), so the lane keeps its own timer per call: when it fires, the
 *   shell is stopped (its pending command cannot be interrupted through `-Command -`), the call fails with a
 *   "timeout" HostError, and the next call starts a new shell and session. The same deadline is what ends the
 *   delimiter hang of node-powershell on a Windows controller (its end-of-output check misses a delimiter
 *   followed by CRLF when both delimiters arrive in one chunk).
 * - A shell that dies (crash, missing executable) fails the call as "unreachable" and is replaced on the next
 *   call; its exit promise has a handler from the start, so nothing becomes an unhandled rejection
 *   (Node would crash).
 * - `debug` is never enabled (it prints every command), and node-powershell's command history is emptied
 *   after every call (it would otherwise keep each payload, and file contents, for the life of the shell).
 */
import { PowerShell } from "node-powershell";
import { parseResultLine } from "./encode";
import { describeShellExit, excerpt, hostError, type Kind, type Secrets } from "./errors";
import { CLOSE_TIMEOUT_MS, KILL_GRACE_MS } from "./limits";
import { HostError } from "../hosts/types";
import { scrub } from "../hosts/secret";

export interface OpenSpec {
  /** The one-line openSsh / openWinrm invocation. */
  line: string;
  timeoutMs: number;
  /** "SSH remoting session to 10.0.0.1 as admin" (no secret). */
  describe: string;
}

export interface ShellPoolOptions {
  /** The local PowerShell (`pwsh`, `powershell`, or a path). NODE_POWERSHELL, when set, wins (node-powershell). */
  executable: string;
  /** Added to the controller's environment for the local shells. */
  env?: Readonly<Record<string, string>>;
  /** Builds the session-opening call for a node, at the moment it is needed (the password is revealed then). */
  open: (node: string) => OpenSpec;
  /** The closeSession invocation (`Get-PSSession | Remove-PSSession`). */
  closeLine: string;
  /** Secrets of the whole target (the remoting password): scrubbed from every message and log line. */
  secrets: Secrets;
  log?: (line: string) => void;
  killGraceMs?: number;
}

export interface CallSpec {
  node: string;
  /** What the operator sees in errors and logs, e.g. `readFile C:\...\WFDB.INI` (secret arguments as [secret]). */
  operation: string;
  line: string;
  timeoutMs: number;
  /** Secrets of this call (secret program arguments). */
  secrets?: Secrets;
}

type Outcome =
  | { type: "output"; stdout: string; stderr: string }
  | { type: "timeout" }
  | { type: "exited"; error: unknown };

function text(buffer: unknown): string {
  if (buffer === undefined || buffer === null) return "";
  return Buffer.isBuffer(buffer) ? buffer.toString("utf8") : String(buffer);
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** A local PowerShell process, watched from the moment it is spawned. */
class LiveShell {
  readonly ps: PowerShell;
  readonly exit: Promise<void>;
  exited = false;
  exitReason: unknown;
  sessionOpen = false;

  constructor(executable: string, env: Readonly<Record<string, string>> | undefined) {
    this.ps = new PowerShell({
      executable,
      executableOptions: { "-NoProfile": true, "-NonInteractive": true },
      throwOnInvocationError: false,
      spawnOptions: { env: { ...process.env, ...env }, windowsHide: true },
    });
    // node-powershell rejects its exit promise on ENOENT or a non-zero exit, and Node crashes on an unhandled
    // rejection. It is a private field of node-powershell 5.0.1 (unmaintained, pinned by the lock).
    const internal = (this.ps as unknown as { exitPromise?: unknown }).exitPromise;
    if (!(internal instanceof Promise)) {
      void this.ps.dispose().catch(() => undefined);
      throw new Error("node-powershell has no exitPromise: this transport needs node-powershell 5.0.x");
    }
    this.exit = (internal as Promise<void>).then(
      () => {
        this.exited = true;
      },
      (error: unknown) => {
        this.exited = true;
        this.exitReason = error;
      },
    );
    // A write to a dead shell's stdin must not become an unhandled 'error' event either.
    for (const stream of [this.ps.streams.stdin, this.ps.streams.stdout, this.ps.streams.stderr])
      stream.on("error", () => undefined);
  }

  async kill(graceMs: number): Promise<void> {
    if (this.exited) return;
    this.ps.dispose("SIGTERM").catch(() => undefined);
    if (await settlesWithin(this.exit, graceMs)) return;
    this.ps.dispose("SIGKILL").catch(() => undefined);
    await settlesWithin(this.exit, graceMs);
  }
}

/** Runs a node's calls one after another. */
class Lane {
  shell: LiveShell | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly node: string) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

export class ShellPool {
  private readonly lanes = new Map<string, Lane>();
  private closed = false;

  constructor(private readonly options: ShellPoolOptions) {}

  /** Run one invocation on the node's shell; resolves with the result's `value`, or throws a HostError. */
  call(spec: CallSpec): Promise<unknown> {
    if (this.closed) {
      return Promise.reject(
        hostError(
          spec.node,
          spec.operation,
          "the PowerShell target is closed",
          "failed",
          this.secretsOf(spec),
        ),
      );
    }
    const lane = this.laneOf(spec.node);
    return lane.run(() => this.callOnLane(lane, spec));
  }

  /** Remove every session (`Get-PSSession | Remove-PSSession`) and stop every shell, after the calls queued so far. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.lanes.values()].map((lane) =>
        lane.run(async () => {
          if (lane.shell) await this.retire(lane, lane.shell, true);
        }),
      ),
    );
  }

  private laneOf(node: string): Lane {
    const key = node.toLowerCase();
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane(node);
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private secretsOf(spec: CallSpec): Secrets {
    return [...this.options.secrets, ...(spec.secrets ?? [])];
  }

  private log(line: string, secrets: Secrets): void {
    this.options.log?.(scrub(line, secrets));
  }

  private async callOnLane(lane: Lane, spec: CallSpec): Promise<unknown> {
    const secrets = this.secretsOf(spec);
    const fail = (message: string, kind: Kind): HostError =>
      hostError(spec.node, spec.operation, message, kind, secrets);
    const shell = await this.ready(lane, spec, fail);
    const started = Date.now();
    const outcome = await this.invoke(shell, spec.line, spec.timeoutMs);
    const elapsed = `${Date.now() - started} ms`;

    if (outcome.type === "timeout") {
      this.log(
        `${spec.node}: ${spec.operation}: no answer within ${seconds(spec.timeoutMs)}, stopping the local shell`,
        secrets,
      );
      await this.retire(lane, shell, false);
      throw fail(
        `no answer within ${seconds(spec.timeoutMs)}; the local PowerShell and its session were stopped ` +
          `(the operation may still be running on the node), the next call opens a new session`,
        "timeout",
      );
    }
    if (outcome.type === "exited") {
      await settlesWithin(shell.exit, 1_000);
      await this.retire(lane, shell, false);
      throw fail(
        `${describeShellExit(outcome.error ?? shell.exitReason, this.options.executable)} during the operation`,
        "unreachable",
      );
    }

    const parsed = parseResultLine(outcome.stdout);
    if (parsed.status !== "result") {
      // The shell answered but not in our protocol: its state is unknown, so it is not reused.
      await this.retire(lane, shell, true);
      const why = parsed.status === "missing" ? "no result line" : parsed.reason;
      const stderr = outcome.stderr.trim() ? `; stderr: ${excerpt(outcome.stderr)}` : "";
      throw fail(`the local PowerShell gave ${why}${stderr}`, "failed");
    }
    const result = parsed.result;
    if (result.ok) {
      this.log(`${spec.node}: ${spec.operation}: ok (${elapsed})`, secrets);
      return result.value;
    }
    this.log(`${spec.node}: ${spec.operation}: failed (${elapsed})`, secrets);
    if (result.kind === "unreachable") {
      await this.retire(lane, shell, false);
      throw fail(result.error, "unreachable");
    }
    throw fail(result.error, "failed");
  }

  /** The lane's shell with an open session, starting both when needed. */
  private async ready(
    lane: Lane,
    spec: CallSpec,
    fail: (message: string, kind: Kind) => HostError,
  ): Promise<LiveShell> {
    const current = lane.shell;
    if (current && !current.exited && current.sessionOpen) return current;
    if (current) await this.retire(lane, current, false);

    let shell: LiveShell;
    try {
      shell = new LiveShell(this.options.executable, this.options.env);
    } catch (e) {
      throw fail(
        `cannot start the local PowerShell ("${this.options.executable}"): ${(e as Error).message}`,
        "unreachable",
      );
    }
    lane.shell = shell;

    let open: OpenSpec;
    try {
      open = this.options.open(lane.node);
    } catch (e) {
      await this.retire(lane, shell, false);
      throw fail((e as Error).message, "failed");
    }
    const secrets = this.secretsOf(spec);
    this.log(`${lane.node}: opening ${open.describe}`, secrets);
    const outcome = await this.invoke(shell, open.line, open.timeoutMs);

    let problem: string;
    if (outcome.type === "timeout") {
      problem = `no answer within ${seconds(open.timeoutMs)}`;
    } else if (outcome.type === "exited") {
      await settlesWithin(shell.exit, 1_000);
      problem = describeShellExit(outcome.error ?? shell.exitReason, this.options.executable);
    } else {
      const parsed = parseResultLine(outcome.stdout);
      if (parsed.status === "result" && parsed.result.ok) {
        shell.sessionOpen = true;
        this.log(`${lane.node}: session open`, secrets);
        return shell;
      }
      problem =
        parsed.status === "result" && !parsed.result.ok
          ? parsed.result.error
          : `${parsed.status === "missing" ? "no result line" : parsed.status === "invalid" ? parsed.reason : "?"}${outcome.stderr.trim() ? `; stderr: ${excerpt(outcome.stderr)}` : ""}`;
    }
    await this.retire(lane, shell, false);
    throw fail(`cannot open the ${open.describe}: ${problem}`, "unreachable");
  }

  private async invoke(shell: LiveShell, line: string, timeoutMs: number): Promise<Outcome> {
    let timer: NodeJS.Timeout | undefined;
    const invocation: Promise<Outcome> = shell.ps.invoke(line).then(
      (r): Outcome =>
        // node-powershell resolves without stdout when the shell exited during the command.
        r.stdout === undefined
          ? { type: "exited", error: shell.exitReason }
          : { type: "output", stdout: text(r.stdout), stderr: text(r.stderr) },
      (error: unknown): Outcome => ({ type: "exited", error }),
    );
    const deadline = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ type: "timeout" }), timeoutMs);
    });
    try {
      return await Promise.race([invocation, deadline]);
    } finally {
      clearTimeout(timer);
      shell.ps.history.length = 0;
    }
  }

  /** Take the shell out of service: remove its sessions when it can still answer, then stop the process. */
  private async retire(lane: Lane, shell: LiveShell, graceful: boolean): Promise<void> {
    if (lane.shell === shell) lane.shell = undefined;
    if (graceful && !shell.exited && shell.sessionOpen) {
      await this.invoke(shell, this.options.closeLine, CLOSE_TIMEOUT_MS);
    }
    shell.sessionOpen = false;
    await shell.kill(this.options.killGraceMs ?? KILL_GRACE_MS);
  }
}
