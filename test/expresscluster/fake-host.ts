/**
 * A scripted HostOps for the EXPRESSCLUSTER command layer: records every command line, answers `clpstat`
 * from a queue of outputs, other commands from handlers, and keeps files in memory. A virtual clock makes
 * polling instant.
 */
import type { Clock } from "../../providers/hosts/target";
import { argText, type Arg } from "../../providers/hosts/secret";
import type { DirEntry, FileKind, HostOps, RunOptions, RunResult } from "../../providers/hosts/types";

export class FakeClock implements Clock {
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}

export type Handler = (args: readonly string[], host: FakeHost) => RunResult | Promise<RunResult>;

export const ok = (output = "Command succeeded.\r\n"): RunResult => ({ exitCode: 0, output });
export const fail = (exitCode: number, output: string): RunResult => ({ exitCode, output });

export class FakeHost implements Partial<HostOps> {
  readonly commands: string[] = [];
  readonly timeouts: (number | undefined)[] = [];
  readonly files = new Map<string, Buffer>();
  readonly dirs = new Set<string>();
  /** Outputs of successive `clpstat --long` runs; the last one repeats. */
  clpstat: RunResult[] = [];
  handlers: Record<string, Handler> = {};

  constructor(readonly host = "ws2022-01") {}

  asHostOps(): HostOps {
    return this as unknown as HostOps;
  }

  async run(program: string, args: readonly Arg[], options?: RunOptions): Promise<RunResult> {
    const texts = args.map(argText);
    this.commands.push([program, ...texts].join(" "));
    this.timeouts.push(options?.timeoutMs);
    if (program === "clpstat") {
      const next = this.clpstat.length > 1 ? this.clpstat.shift() : this.clpstat[0];
      if (!next) throw new Error("no clpstat output scripted");
      return next;
    }
    const key = [program, texts[0] ?? ""].join(" ");
    const handler = this.handlers[key] ?? this.handlers[program];
    if (!handler) return fail(1, `'${program}' is not recognized as an internal or external command`);
    return handler(texts, this);
  }

  async stat(path: string): Promise<FileKind | null> {
    const p = norm(path);
    if (this.files.has(p)) return "file";
    if (this.dirs.has(p) || [...this.files.keys()].some((f) => f.startsWith(`${p}\\`))) return "dir";
    return null;
  }

  async readFile(path: string): Promise<Buffer> {
    const b = this.files.get(norm(path));
    if (!b) throw new Error(`file not found: ${path}`);
    return b;
  }

  async writeFile(path: string, content: Buffer): Promise<void> {
    this.files.set(norm(path), Buffer.from(content));
  }

  async list(dir: string): Promise<DirEntry[]> {
    const p = `${norm(dir)}\\`;
    const out = new Map<string, DirEntry>();
    for (const [f, b] of this.files) {
      if (!f.startsWith(p)) continue;
      const rest = f.slice(p.length).split("\\");
      const name = rest[0] ?? "";
      out.set(
        name,
        rest.length > 1 ? { name, kind: "dir", size: 0 } : { name, kind: "file", size: b.length },
      );
    }
    return [...out.values()];
  }

  async mkdir(path: string): Promise<void> {
    this.dirs.add(norm(path));
  }

  async remove(path: string): Promise<void> {
    const p = norm(path);
    this.dirs.delete(p);
    for (const f of [...this.files.keys()]) if (f === p || f.startsWith(`${p}\\`)) this.files.delete(f);
  }

  /** The files under `dir`, relative, as a pull/push folder holds them. */
  tree(dir: string): Record<string, Buffer> {
    const p = `${norm(dir)}\\`;
    const out: Record<string, Buffer> = {};
    for (const [f, b] of this.files) if (f.startsWith(p)) out[f.slice(p.length)] = b;
    return out;
  }
}

function norm(path: string): string {
  return path.replace(/\//g, "\\").replace(/\\+$/, "");
}
