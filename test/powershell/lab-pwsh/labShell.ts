/**
 * A lab-backed pwsh: speaks node-powershell's protocol like fake-pwsh (../wire.js), and carries out every
 * operation the PowerShell transport sends on a lab folder, the way the operation's PowerShell would on a
 * Windows node. The transport's code (one-liners, payload encoding, session pool, result parsing, zod) runs
 * unchanged; only the far side of the remoting session is the lab.
 *
 * - openSsh / openWinrm: the address names a lab host (by name or by its address); the session is "opened" by
 *   asking that host for its environment (so the lab's host-unreachable fault refuses the session). Every later
 *   node operation goes to `openLabTarget({ dir }).host(<that host>)`.
 * - Node operations: decoded by position, checked against the remote block's own `param(...)` names, carried
 *   out through the lab's HostOps, answered in the raw shape of the remote script (Win32_Service strings,
 *   upper-case Get-FileHash digests, program output as bytes in the node's code page, ...). Where the remote
 *   script itself decides something before touching Windows (exact service names, a missing working folder,
 *   `%VAR%` in a batch line, hashTree of a file), this shell decides it the same way.
 * - Failures: a lab HostError of kind unreachable is a broken session (`kind: "unreachable"`, as the wrapper's
 *   NmClassify reports it); any other failure is the remote block's own `{ ok: false, error }`.
 * - localManifest / copyToSession run on the controller's filesystem (this process is the controller's pwsh).
 *
 * Environment: NETMGR_LAB_DIR (the lab folder, required), NETMGR_FAKE_LOG (call log, see ../wire.js).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import iconv from "iconv-lite";
import { Secret, type Arg } from "../../../providers/hosts/secret";
import type { Target } from "../../../providers/hosts/target";
import {
  HostError,
  type HostOps,
  type ServiceInfo,
  type ServiceState,
  type StartType,
} from "../../../providers/hosts/types";
import { openLabTarget, readLabState } from "../../../providers/lab";
import { splitArgs } from "../../../providers/lab/batch";
import type { NodeOperation } from "../../../providers/powershell/scripts";
import * as wire from "../wire";

const DIR = process.env.NETMGR_LAB_DIR;

/** The node this shell's session is open to (a lab host name), null before openSsh and after closeSession. */
let node: string | null = null;
let target: Target | undefined;
const log = wire.callLog(process.env.NETMGR_FAKE_LOG, () => node);

type Answer = { ok: true; value: unknown } | { ok: false; error: string; kind?: "unreachable" | "failed" };

/** A failure the remote script raises itself (its catch turns it into `{ ok: false, error }`). */
class NodeError extends Error {}

/** The command is not what the transport's scripts send: a defect on the controller's side. */
class ProtocolError extends Error {}

/** The payload's arguments by position, each checked for the kind the script decodes it as. */
class Args {
  constructor(
    private readonly op: string,
    private readonly values: readonly unknown[],
  ) {}

  private at(i: number, what: string, ok: (v: unknown) => boolean): unknown {
    const v = this.values[i];
    if (!ok(v)) throw new ProtocolError(`${this.op}: argument ${i} is not ${what}: ${JSON.stringify(v)}`);
    return v;
  }

  str(i: number): string {
    return this.at(i, "a string", (v) => typeof v === "string") as string;
  }

  optStr(i: number): string | null {
    return this.at(i, "a string or null", (v) => v === null || typeof v === "string") as string | null;
  }

  int(i: number): number {
    return this.at(i, "an integer", (v) => Number.isInteger(v)) as number;
  }

  optInt(i: number): number | null {
    return this.at(i, "an integer or null", (v) => v === null || Number.isInteger(v)) as number | null;
  }

  bool(i: number): boolean {
    return this.at(i, "a boolean", (v) => typeof v === "boolean") as boolean;
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* What a Windows node reports, from what the lab holds                                            */
/* ---------------------------------------------------------------------------------------------- */

/** Win32_Service.State */
const WIN32_STATE: Record<ServiceState, string> = {
  Running: "Running",
  Stopped: "Stopped",
  StartPending: "Start Pending",
  StopPending: "Stop Pending",
};

/** Win32_Service.StartMode */
const WIN32_START_MODE: Record<StartType, string> = { Auto: "Auto", Manual: "Manual", Disabled: "Disabled" };

/** Set-Service -StartupType (the enum binds case-insensitively). */
const SET_SERVICE_STARTUP: Record<string, StartType> = {
  automatic: "Auto",
  manual: "Manual",
  disabled: "Disabled",
};

/** The OEM code page a node with this file encoding reports (OEMCP), and what its console programs write. */
const CODE_PAGES = { cp932: 932, utf8: 65001, latin1: 1252 } as const;

function win32Service(s: ServiceInfo): Record<string, string> {
  return {
    name: s.name,
    displayName: s.displayName,
    startMode: WIN32_START_MODE[s.startType],
    state: WIN32_STATE[s.state],
  };
}

/** FIND_SERVICE of the scripts: the key name, exactly (Get-Service -Name would expand wildcards). */
async function exactService(host: HostOps, name: string): Promise<ServiceInfo> {
  const found = (await host.services()).find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new NodeError(`there is no service named ${name}`);
  return found;
}

/** What the lab knows about a node that a program run needs: secrets (kept out of its timeline), env, code page. */
interface NodeFacts {
  secrets: string[];
  env: Record<string, string>;
  codePage: number;
  encoding: string;
}

const facts = new Map<string, NodeFacts>();

async function factsOf(name: string): Promise<NodeFacts> {
  let f = facts.get(name);
  if (!f) {
    const s = await readLabState(labDir());
    const h = s.hosts[name.toLowerCase()];
    const encoding = s.spec.fileEncoding;
    f = {
      secrets: [s.secrets.cmdbPassword, s.secrets.saPassword].filter((x) => x.length > 0),
      env: { ...(h?.env ?? {}) },
      codePage: CODE_PAGES[encoding],
      encoding: encoding === "utf8" ? "utf8" : encoding === "cp932" ? "cp932" : "win1252",
    };
    facts.set(name, f);
  }
  return f;
}

/**
 * CommandLineToArgvW / the MSVCRT parser, as the program started by Start-Process splits its `-ArgumentList`
 * string: 2n backslashes before a quote give n backslashes and a quote that opens or closes; 2n+1 give n
 * and a literal quote; `""` inside quotes is a literal quote; other backslashes are literal.
 */
export function parseWindowsArgs(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inQuotes = false;
  let has = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === "\\") {
      let n = 0;
      while (line[i] === "\\") {
        n++;
        i++;
      }
      if (line[i] === '"') {
        cur += "\\".repeat(Math.floor(n / 2));
        if (n % 2 === 1) {
          cur += '"';
          i++;
        }
      } else cur += "\\".repeat(n);
      has = true;
      continue;
    }
    if (ch === '"') {
      if (inQuotes && line[i + 1] === '"') {
        cur += '"';
        i += 2;
        continue;
      }
      inQuotes = !inQuotes;
      has = true;
      i++;
      continue;
    }
    if ((ch === " " || ch === "\t") && !inQuotes) {
      if (has) out.push(cur);
      cur = "";
      has = false;
      i++;
      continue;
    }
    cur += ch;
    has = true;
    i++;
  }
  if (has) out.push(cur);
  return out;
}

/** The end of a captured stream, as NmTail keeps it. */
function tail(bytes: Buffer, max: number): { bytes: number; b64: string } {
  const kept = bytes.length <= max ? bytes : bytes.subarray(bytes.length - max);
  return { bytes: bytes.length, b64: kept.toString("base64") };
}

/** The run operation: a batch line through cmd.exe, or a program with its argument line (Start-Process). */
async function run(host: HostOps, a: Args): Promise<unknown> {
  const program = a.str(0);
  const line = a.str(1);
  const batch = a.bool(2);
  const cwd = a.optStr(3);
  const maxOutput = a.int(4);
  const f = await factsOf(host.host);
  if (cwd && (await host.stat(cwd)) !== "dir")
    throw new NodeError(`the working folder does not exist: ${cwd}`);
  let words: string[];
  if (batch) {
    // The script's own refusal: cmd.exe would replace %NAME% when NAME is defined on the node.
    const segments = `${line} > "out.tmp" 2>&1`.split("%");
    for (let i = 1; i < segments.length - 1; i++) {
      const name = (segments[i] ?? "").split(":")[0] ?? "";
      const defined = Object.keys(f.env).some((k) => k.toLowerCase() === name.toLowerCase());
      if (name.length > 0 && defined)
        throw new NodeError(
          "an argument contains a %...% sequence naming an environment variable of the node; cmd.exe would replace it",
        );
    }
    // cmd.exe /s /c "<line>": the first word is the quoted batch file, the rest its arguments.
    const all = splitArgs(line);
    const first = all[0];
    if (first === undefined || first.toLowerCase() !== program.toLowerCase())
      throw new ProtocolError(`run: the batch line does not start with the program: ${program}`);
    words = all.slice(1);
  } else {
    words = parseWindowsArgs(line);
  }
  // The node cannot tell a secret argument from another; the lab's timeline must not show it either.
  const args: Arg[] = words.map((w) => (f.secrets.some((x) => w.includes(x)) ? new Secret(w) : w));
  const r = await host.run(program, args, cwd ? { cwd } : {});
  const stdout = iconv.encode(r.output, f.encoding);
  return {
    exitCode: r.exitCode,
    stdout: tail(stdout, maxOutput),
    stderr: tail(Buffer.alloc(0), maxOutput),
    codePage: f.codePage,
  };
}

type Handler = (host: HostOps, a: Args, blob: string | undefined) => Promise<unknown>;

interface NodeOpSpec {
  /** The remote block's `param(...)` names, in the order the payload carries them. */
  params: readonly string[];
  /** What the payload carries when it is not the remote params (writeFile: path and chunk size). */
  payload?: number;
  run: Handler;
}

const done = async (p: Promise<void>): Promise<null> => {
  await p;
  return null;
};

const NODE_OPS: Record<NodeOperation, NodeOpSpec> = {
  environment: { params: [], run: (h) => h.environment() },
  freeSpace: { params: ["Path"], run: (h, a) => h.freeSpace(a.str(0)) },
  services: { params: [], run: async (h) => (await h.services()).map(win32Service) },
  setStartType: {
    params: ["Name", "StartupType"],
    run: async (h, a) => {
      const svc = await exactService(h, a.str(0));
      const type = SET_SERVICE_STARTUP[a.str(1).toLowerCase()];
      if (!type)
        throw new NodeError(`Cannot bind parameter 'StartupType'. Cannot convert value "${a.str(1)}"`);
      return done(h.setStartType(svc.name, type));
    },
  },
  startService: {
    params: ["Name"],
    run: async (h, a) => done(h.startService((await exactService(h, a.str(0))).name)),
  },
  stopService: {
    params: ["Name"],
    run: async (h, a) => done(h.stopService((await exactService(h, a.str(0))).name)),
  },
  stat: { params: ["Path"], run: (h, a) => h.stat(a.str(0)) },
  readFile: {
    params: ["Path", "MaxBytes"],
    run: async (h, a) => {
      const content = await h.readFile(a.str(0));
      if (content.length > a.int(1))
        throw new NodeError(
          `${a.str(0)} is ${content.length} bytes, over the transfer limit of ${a.int(1)} bytes`,
        );
      return content.toString("base64");
    },
  },
  writeFile: {
    params: ["Path", "Part", "Index", "Last"],
    payload: 2,
    run: async (h, a, blob) => {
      if (a.int(1) <= 0) throw new ProtocolError(`writeFile: chunk size ${a.int(1)}`);
      if (blob === undefined) throw new ProtocolError("writeFile: no content literal");
      return done(h.writeFile(a.str(0), wire.strictBase64Bytes(blob)));
    },
  },
  list: { params: ["Dir"], run: (h, a) => h.list(a.str(0)) },
  hashTree: {
    params: ["Dir"],
    run: async (h, a) => {
      if ((await h.stat(a.str(0))) === "file") throw new NodeError(`${a.str(0)} is a file, not a folder`);
      return (await h.hashTree(a.str(0))).map((e) => ({ ...e, sha256: e.sha256.toUpperCase() }));
    },
  },
  copy: { params: ["From", "To"], run: (h, a) => done(h.copy(a.str(0), a.str(1))) },
  move: { params: ["From", "To"], run: (h, a) => done(h.move(a.str(0), a.str(1))) },
  remove: { params: ["Path"], run: (h, a) => done(h.remove(a.str(0))) },
  mkdir: { params: ["Path"], run: (h, a) => done(h.mkdir(a.str(0))) },
  run: { params: ["Program", "Line", "Batch", "Cwd", "MaxOutput"], run: (h, a) => run(h, a) },
  installedProducts: {
    params: [],
    run: async (h) =>
      (await h.installedProducts()).map((p) => ({ displayName: p.displayName, version: p.version })),
  },
  processes: {
    params: [],
    // Get-Process | ForEach-Object ProcessName | Sort-Object -Unique (case-insensitive, as PowerShell compares).
    run: async (h) => {
      const seen = new Map<string, string>();
      for (const p of await h.processes()) if (!seen.has(p.toLowerCase())) seen.set(p.toLowerCase(), p);
      return [...seen.values()].sort((x, y) => x.toLowerCase().localeCompare(y.toLowerCase()));
    },
  },
  stopProcess: { params: ["Name"], run: (h, a) => done(h.stopProcess(a.str(0))) },
  firewall: { params: [], run: (h) => h.firewall() },
  probeTcp: {
    params: ["Address", "Port", "TimeoutMs"],
    run: (h, a) => h.probeTcp(a.str(0), a.int(1), a.int(2)),
  },
};

/* ---------------------------------------------------------------------------------------------- */
/* The controller's side: session lifecycle and media staging                                      */
/* ---------------------------------------------------------------------------------------------- */

function labDir(): string {
  if (!DIR) throw new ProtocolError("NETMGR_LAB_DIR is not set: the lab-backed pwsh needs a lab folder");
  return DIR;
}

function lab(): Target {
  target ??= openLabTarget({ dir: labDir() });
  return target;
}

/** New-PSSession to the address: a lab host by name or address, probed the way the wrapper probes it. */
async function openSession(a: Args): Promise<Answer> {
  node = null;
  const address = a.str(0);
  const s = await readLabState(labDir());
  const h = Object.values(s.hosts).find(
    (x) => x.name.toLowerCase() === address.toLowerCase() || x.address === address,
  );
  if (!h)
    return {
      ok: false,
      kind: "unreachable",
      error: `ssh: Could not resolve hostname ${address}: Name or service not known`,
    };
  try {
    const env = await lab().host(h.name).environment();
    node = h.name;
    return { ok: true, value: { psVersion: "7.4.6", computerName: env.hostName } };
  } catch (e) {
    return { ok: false, kind: "unreachable", error: messageOf(e) };
  }
}

/** Files below a controller folder: `\`-separated relative paths, as the scripts report them. */
function localFiles(root: string): { rel: string; full: string }[] {
  const out: { rel: string; full: string }[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}\\${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else if (e.isFile()) out.push({ rel: r, full: path.join(dir, e.name) });
    }
  };
  walk(root, "");
  return out;
}

function localFolder(source: string): string {
  if (!fs.existsSync(source)) throw new NodeError(`Cannot find path '${source}' because it does not exist.`);
  if (!fs.statSync(source).isDirectory()) throw new NodeError(`the media source is not a folder: ${source}`);
  return source;
}

async function localManifest(a: Args): Promise<unknown> {
  return localFiles(localFolder(a.str(0))).map((f) => {
    const data = fs.readFileSync(f.full);
    return {
      path: f.rel,
      size: data.length,
      sha256: createHash("sha256").update(data).digest("hex").toUpperCase(),
    };
  });
}

/** Copy-Item -ToSession -Recurse of a controller folder to a node path that does not exist yet. */
async function copyToSession(host: HostOps, a: Args): Promise<unknown> {
  const source = localFolder(a.str(0));
  const destination = a.str(1);
  await host.mkdir(destination);
  for (const f of localFiles(source))
    await host.writeFile(`${destination}\\${f.rel}`, fs.readFileSync(f.full));
  return null;
}

/* ---------------------------------------------------------------------------------------------- */
/* One command                                                                                      */
/* ---------------------------------------------------------------------------------------------- */

/** The message as the remote script would carry it (a lab HostError's "host: operation: " prefix removed). */
function messageOf(e: unknown): string {
  if (e instanceof HostError) {
    const prefix = `${e.host}: ${e.operation}: `;
    return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

function failure(e: unknown): Answer {
  if (e instanceof ProtocolError) return { ok: false, kind: "failed", error: `lab-pwsh: ${e.message}` };
  if (e instanceof HostError && e.kind === "unreachable")
    return { ok: false, kind: "unreachable", error: messageOf(e) };
  return { ok: false, error: messageOf(e) };
}

async function answer(
  op: string,
  script: string,
  args: unknown[],
  blob: string | undefined,
): Promise<Answer> {
  const problems = wire.validate(op, script, args);
  if (problems.length > 0) throw new ProtocolError(`invalid command: ${problems.join("; ")}`);
  const a = new Args(op, args);
  switch (op) {
    case "openSsh":
    case "openWinrm":
      return openSession(a);
    case "closeSession":
      node = null;
      return { ok: true, value: null };
    case "localManifest":
      return { ok: true, value: await localManifest(a) };
  }
  if (node === null)
    return { ok: false, kind: "unreachable", error: "no open remoting session to the node in this shell" };
  const host = lab().host(node);
  if (op === "copyToSession") return { ok: true, value: await copyToSession(host, a) };
  const spec = (NODE_OPS as Record<string, NodeOpSpec | undefined>)[op];
  if (!spec) throw new ProtocolError(`unknown operation ${op}`);
  const params = wire.remoteParams(script);
  if (params === null || params.join(",") !== spec.params.join(","))
    throw new ProtocolError(
      `${op}: the remote block takes (${params?.join(", ") ?? "?"}), this shell expects (${spec.params.join(", ")})`,
    );
  const count = spec.payload ?? spec.params.length;
  if (args.length !== count)
    throw new ProtocolError(`${op}: ${args.length} arguments in the payload, expected ${count}`);
  return { ok: true, value: await spec.run(host, a, blob) };
}

async function command(line: string): Promise<void> {
  const decoded = wire.decodeCommand(line);
  if (!decoded) {
    log.record({ phase: "rejected", reason: "not a one-liner" });
    process.stderr.write("lab-pwsh: not a netmgr one-liner\n");
    return;
  }
  const { script, op, args, blob } = decoded;
  const started = Date.now();
  log.record({
    phase: "start",
    op,
    args: op === "run" ? args.slice(0, 1) : args,
    blobBytes: blob === undefined ? null : Math.floor((blob.length * 3) / 4),
  });
  let result: Answer;
  try {
    result = await answer(op, script, args, blob);
  } catch (e) {
    result = failure(e);
  }
  log.record({
    phase: "end",
    op,
    ok: result.ok,
    ms: Date.now() - started,
    ...(result.ok ? {} : { error: result.error, kind: result.kind ?? null }),
  });
  process.stdout.write(wire.resultLine(result));
}

export function main(): void {
  wire.serve(command, log);
}
