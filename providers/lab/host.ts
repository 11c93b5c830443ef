/** HostOps on a lab host: every call is one lab operation (session.ts) on the simulated node or terminal. */
import type {
  FirewallState,
  DirEntry,
  FileKind,
  HostEnvironment,
  HostOps,
  InstalledProduct,
  RunOptions,
  RunResult,
  ServiceInfo,
  StartType,
  TreeEntry,
} from "../hosts/types";
import { HostError } from "../hosts/types";
import { argText, type Arg } from "../hosts/secret";
import type { LabSession } from "./session";
import { hostOf, SYSTEM32 } from "./world";
import {
  copyPath,
  freeBytes,
  hashTreeOf,
  listDir,
  mkdirp,
  movePath,
  readBytes,
  removePath,
  resolve,
  statPath,
  writeBytes,
  LabFsError,
} from "./fs";
import { armed, fire } from "./faults";
import { findService, startService, stopService } from "./services";
import { runProgram, DEFAULT_PROGRAM_MS } from "./programs";
import { spend } from "./engine";
import { containsLabSecret, record } from "./timeline";
import { productsOf } from "./create";
import { probe } from "./network";
import { firewallOf } from "./firewall";
import { onUnexpectedStop } from "./cluster";
import { normalizePath } from "./paths";

/** Virtual durations of the small operations (estimates, docs/lab.md). */
export const OP_MS = {
  query: 500,
  file: 200,
  tree: 2_000,
  copy: 3_000,
  probe: 1_000,
  process: 1_000,
} as const;
const DISK_FULL_FREE = 50 * 1024 * 1024;

export class LabHost implements HostOps {
  constructor(
    private readonly session: LabSession,
    readonly host: string,
  ) {}

  environment(): Promise<HostEnvironment> {
    return this.session.act(
      this.host,
      "environment",
      (s) => {
        const h = hostOf(s, this.host);
        const temp = h.env.TEMP ?? null;
        return {
          hostName: h.name,
          isAdmin: h.admin,
          temp,
          tmp: h.env.TMP ?? null,
          systemDrive: h.env.SystemDrive ?? "C:",
          tempWritable: temp !== null && statPath(s, this.host, temp) === "dir",
        };
      },
      { durationMs: OP_MS.query },
    );
  }

  freeSpace(path: string): Promise<number> {
    return this.session.act(
      this.host,
      `freeSpace ${path}`,
      (s) => {
        const free = freeBytes(resolve(s, this.host, path).volume);
        return armed(s, "disk-full", this.host) ? Math.min(free, DISK_FULL_FREE) : free;
      },
      { durationMs: OP_MS.query },
    );
  }

  services(): Promise<ServiceInfo[]> {
    return this.session.act(
      this.host,
      "services",
      (s) =>
        hostOf(s, this.host).services.map((x) => ({
          name: x.name,
          displayName: x.displayName,
          startType: x.startType,
          state: x.state,
        })),
      { durationMs: OP_MS.query },
    );
  }

  setStartType(name: string, startType: StartType): Promise<void> {
    return this.session.act(
      this.host,
      `setStartType ${name}`,
      (s) => {
        const svc = findService(s, this.host, name);
        if (!svc) throw new LabFsError(`Cannot find any service with service name '${name}'.`, "notfound");
        svc.startType = startType;
      },
      { durationMs: OP_MS.query, record: `${this.host}: ${name} start type ${startType}` },
    );
  }

  startService(name: string): Promise<void> {
    return this.session.act(this.host, `startService ${name}`, (s) =>
      startService(s, this.host, name, "Start-Service"),
    );
  }

  stopService(name: string): Promise<void> {
    return this.session.act(this.host, `stopService ${name}`, (s) => {
      const svc = findService(s, this.host, name);
      const wasRunning = svc?.state === "Running";
      stopService(s, this.host, name, "Stop-Service");
      // A service the cluster watches stopped behind its back: the monitor sees it (§2.3).
      if (svc && wasRunning) onUnexpectedStop(s, this.host, [svc.name], "stopped by hand");
    });
  }

  stat(path: string): Promise<FileKind | null> {
    return this.session.act(this.host, `stat ${path}`, (s) => statPath(s, this.host, path), {
      durationMs: OP_MS.file,
    });
  }

  readFile(path: string): Promise<Buffer> {
    return this.session.act(this.host, `readFile ${path}`, (s) => readBytes(s, this.host, path), {
      durationMs: OP_MS.file,
    });
  }

  writeFile(path: string, content: Buffer): Promise<void> {
    return this.session.act(
      this.host,
      `writeFile ${path}`,
      (s) => writeBytes(s, this.host, path, Buffer.from(content)),
      {
        durationMs: OP_MS.file,
        record: `${this.host}: wrote ${path} (${content.length} bytes)`,
      },
    );
  }

  list(dir: string): Promise<DirEntry[]> {
    return this.session.act(this.host, `list ${dir}`, (s) => listDir(s, this.host, dir), {
      durationMs: OP_MS.file,
    });
  }

  hashTree(dir: string): Promise<TreeEntry[]> {
    return this.session.act(this.host, `hashTree ${dir}`, (s) => hashTreeOf(s, this.host, dir), {
      durationMs: OP_MS.tree,
    });
  }

  copy(from: string, to: string): Promise<void> {
    return this.session.act(
      this.host,
      `copy ${from} ${to}`,
      (s) => {
        if (fire(s, "disk-full", this.host, `copy to ${to}`)) {
          throw new LabFsError(`There is not enough space on the disk. : '${normalizePath(to)}'`, "diskfull");
        }
        copyPath(s, this.host, from, to);
      },
      { durationMs: OP_MS.copy, record: `${this.host}: copied ${from} to ${to}` },
    );
  }

  move(from: string, to: string): Promise<void> {
    return this.session.act(this.host, `move ${from} ${to}`, (s) => movePath(s, this.host, from, to), {
      durationMs: OP_MS.file,
      record: `${this.host}: moved ${from} to ${to}`,
    });
  }

  remove(path: string): Promise<void> {
    return this.session.act(this.host, `remove ${path}`, (s) => void removePath(s, this.host, path), {
      durationMs: OP_MS.file,
      record: `${this.host}: removed ${path}`,
    });
  }

  mkdir(path: string): Promise<void> {
    return this.session.act(this.host, `mkdir ${path}`, (s) => mkdirp(s, this.host, path), {
      durationMs: OP_MS.file,
    });
  }

  run(program: string, args: readonly Arg[], options: RunOptions = {}): Promise<RunResult> {
    const shown = args.map(argText);
    const values = args.map((a) => (typeof a === "string" ? a : a.reveal()));
    const line = [program, ...shown].map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(" ");
    return this.session.act(this.host, `run ${line}`, (s) => {
      if (args.some((a) => typeof a === "string" && containsLabSecret(s, a))) {
        record(
          s,
          "warning",
          `${this.host}: a secret value was passed to ${program} as a plain argument (use a Secret)`,
          { host: this.host },
        );
      }
      const cwd = options.cwd ? normalizePath(options.cwd) : SYSTEM32;
      const start = s.now;
      let result: RunResult;
      if (statPath(s, this.host, cwd) !== "dir") {
        result = { exitCode: 1, output: "The system cannot find the path specified.\r\n" };
      } else {
        result = runProgram(s, this.host, program, values, shown, cwd);
      }
      if (s.now === start) spend(s, DEFAULT_PROGRAM_MS);
      const durationMs = s.now - start;
      record(s, "command", `${this.host}> ${line} (exit ${result.exitCode})`, {
        host: this.host,
        name: program,
        value: String(result.exitCode),
        durationMs,
      });
      if (options.timeoutMs !== undefined && durationMs > options.timeoutMs) {
        throw new HostError(
          this.host,
          `run ${program}`,
          `did not finish within ${options.timeoutMs} ms (took ${durationMs} ms of lab time)`,
          "timeout",
        );
      }
      return result;
    });
  }

  installedProducts(): Promise<InstalledProduct[]> {
    return this.session.act(this.host, "installedProducts", (s) => productsOf(hostOf(s, this.host), s.spec), {
      durationMs: OP_MS.query,
    });
  }

  processes(): Promise<string[]> {
    return this.session.act(this.host, "processes", (s) => [...hostOf(s, this.host).processes], {
      durationMs: OP_MS.query,
    });
  }

  stopProcess(name: string): Promise<void> {
    const n = name.toLowerCase().replace(/\.exe$/, "");
    return this.session.act(
      this.host,
      `stopProcess ${name}`,
      (s) => {
        const h = hostOf(s, this.host);
        const before = h.processes.length;
        h.processes = h.processes.filter((p) => p.toLowerCase() !== n);
        if (h.processes.length !== before)
          record(s, "op", `${this.host}: process ${name} stopped`, { host: this.host });
      },
      { durationMs: OP_MS.process },
    );
  }

  firewall(): Promise<FirewallState> {
    return this.session.act(this.host, "firewall", (s) => structuredClone(firewallOf(s, this.host)), {
      durationMs: OP_MS.query,
    });
  }

  probeTcp(address: string, port: number, timeoutMs: number): Promise<boolean> {
    return this.session.act(this.host, `probeTcp ${address}:${port}`, (s) => {
      const answered = probe(s, this.host, address, port) !== undefined;
      spend(s, answered ? OP_MS.probe : Math.min(timeoutMs, 5_000));
      return answered;
    });
  }
}
