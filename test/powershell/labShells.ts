/**
 * Test harness around test/powershell/lab-pwsh/pwsh.js: a call log folder, the environment the lab-backed
 * shells need, what they recorded, and the processes they ran in.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isAlive, waitFor } from "./fake";

export const LAB_PWSH = path.join(__dirname, "lab-pwsh", "pwsh.js");

export interface LabCallRecord {
  pid: number;
  /** The lab host of the shell's session (null before it is open). */
  node: string | null;
  t: number;
  phase: "start" | "end" | "rejected" | "crashed";
  op: string;
  args?: unknown[];
  ok?: boolean;
  ms?: number;
  error?: string;
  kind?: string | null;
}

export class LabShells {
  readonly logDir: string;

  constructor(readonly labDir: string) {
    fs.chmodSync(LAB_PWSH, 0o755);
    this.logDir = fs.mkdtempSync(path.join(os.tmpdir(), "netmgr-lab-pwsh-"));
  }

  /** For the local shells (PowerShellTargetSettings.shellEnv, or process.env for the runtime's target). */
  get env(): Record<string, string> {
    return { NETMGR_LAB_DIR: this.labDir, NETMGR_FAKE_LOG: this.logDir };
  }

  calls(): LabCallRecord[] {
    const file = path.join(this.logDir, "calls.jsonl");
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LabCallRecord);
  }

  /** Completed operations (one "end" record each), optionally of one operation only. */
  ends(op?: string): LabCallRecord[] {
    return this.calls().filter((c) => c.phase === "end" && (op === undefined || c.op === op));
  }

  /** Every shell process that answered anything. */
  pids(): number[] {
    return [...new Set(this.calls().map((c) => c.pid))];
  }

  /** Wait until every shell process is gone; kill (by pid) any that is still there after `ms`. */
  async allExited(ms = 10_000): Promise<boolean> {
    const gone = await waitFor(() => this.pids().every((p) => !isAlive(p)), ms);
    if (!gone) for (const p of this.pids().filter(isAlive)) process.kill(p, "SIGKILL");
    return gone;
  }

  cleanup(): void {
    fs.rmSync(this.logDir, { recursive: true, force: true });
  }
}
