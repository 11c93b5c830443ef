/**
 * Test harness around test/powershell/fake-pwsh/pwsh.js: a scratch folder for what the fake receives, a
 * scenario file, and a PowerShell target wired to the fake.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Secret } from "../../providers/hosts/secret";
import type { SqlOps } from "../../providers/hosts/target";
import {
  openPowerShellTarget,
  type PowerShellTarget,
  type PowerShellTargetSettings,
} from "../../providers/powershell/target";
import { Remoting } from "../../providers/config/stack";

export const FAKE_PWSH = path.join(__dirname, "fake-pwsh", "pwsh.js");

export interface Respond {
  value?: unknown;
  error?: string;
  kind?: "unreachable" | "failed";
  hang?: boolean;
  die?: number;
  raw?: string;
  echoArgs?: boolean;
  delayMs?: number;
  stderr?: string;
}

export interface Rule {
  op: string;
  node?: string;
  /** 0-based index of this call among the calls of `op` (on `node` when given), across shells. */
  nth?: number;
  respond: Respond;
}

export interface CallRecord {
  pid: number;
  node: string | null;
  t: number;
  phase: "start" | "end" | "hang" | "die" | "rejected";
  op: string;
  args?: unknown[];
  blobBytes?: number | null;
  problems?: string[];
}

/** Every SQL operation refuses; there are no connections to close. */
export const noSql: SqlOps = new Proxy({} as SqlOps, {
  get: (_target, key) =>
    key === "close" ? undefined : () => Promise.reject(new Error("no SQL in these tests")),
});

export class Fake {
  readonly dir: string;
  readonly scenarioFile: string;
  readonly logs: string[] = [];

  constructor() {
    fs.chmodSync(FAKE_PWSH, 0o755);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "netmgr-fake-pwsh-"));
    this.scenarioFile = path.join(this.dir, "scenario.json");
    this.scenario([]);
  }

  scenario(rules: Rule[]): void {
    fs.writeFileSync(this.scenarioFile, JSON.stringify({ rules }));
  }

  get env(): Record<string, string> {
    return { NETMGR_FAKE_LOG: this.dir, NETMGR_FAKE_SCENARIO: this.scenarioFile };
  }

  calls(): CallRecord[] {
    const file = path.join(this.dir, "calls.jsonl");
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as CallRecord);
  }

  starts(op?: string): CallRecord[] {
    return this.calls().filter((c) => c.phase === "start" && (op === undefined || c.op === op));
  }

  /** Everything the fake shells read on stdin. */
  stdin(): string {
    const file = path.join(this.dir, "stdin.log");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  }

  target(
    overrides: Omit<Partial<PowerShellTargetSettings>, "remoting"> & { remoting?: Partial<Remoting> } = {},
  ): PowerShellTarget {
    const { remoting, ...rest } = overrides;
    return openPowerShellTarget({
      remoting: Remoting.parse({
        transport: "ssh",
        user: "netmgr-admin",
        keyFile: "/home/op/.ssh/id_ed25519",
        addresses: { host1: "10.0.0.1", host2: "10.0.0.2" },
        pwsh: FAKE_PWSH,
        ...remoting,
      }),
      hosts: ["host1", "host2", "console1"],
      sql: noSql,
      shellEnv: this.env,
      log: (line) => this.logs.push(line),
      ...rest,
    });
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/** The value, or a test failure when it is missing. */
export function defined<T>(value: T | null | undefined, what = "value"): T {
  if (value === null || value === undefined) throw new Error(`expected a ${what}`);
  return value;
}

export { Secret };
