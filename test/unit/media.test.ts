/**
 * The MediaStaging procedure (providers/procedures/media.ts) against an in-memory target: what it records per
 * host, what a resumed or repeated run knows, what the failback removes and keeps; and the pre-flight's look
 * at the controller folders.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Deadlines, Media } from "../../providers/config/stack";
import {
  manifestDigest,
  type StagedMedia,
  type StageMediaOptions,
  type Target,
} from "../../providers/hosts/target";
import type { FileKind, HostOps, TreeEntry } from "../../providers/hosts/types";
import { IncompleteStep, type Env } from "../../providers/procedures/env";
import {
  checkStagingSources,
  markerFile,
  removeStaged,
  stageAll,
  stagedProblems,
  type StagedCopy,
} from "../../providers/procedures/media";
import { requiredMedia } from "../../providers/procedures/preflight";

/** A node's files in memory: enough of HostOps for the procedure. */
class MemoryHost {
  readonly entries = new Map<string, { path: string; kind: FileKind; content: Buffer }>();

  constructor(readonly host: string) {
    this.put("C:\\", "dir");
  }

  private put(p: string, kind: FileKind, content: Buffer = Buffer.alloc(0)): void {
    this.entries.set(p.toLowerCase(), { path: p, kind, content });
  }

  mkdirSync(p: string): void {
    const parts = p.replace(/\\+$/, "").split("\\");
    for (let i = 1; i <= parts.length; i++) {
      const sub = i === 1 ? `${parts[0]}\\` : parts.slice(0, i).join("\\");
      if (!this.entries.has(sub.toLowerCase())) this.put(sub, "dir");
    }
  }

  writeSync(p: string, content: Buffer): void {
    this.mkdirSync(p.slice(0, p.lastIndexOf("\\")));
    this.put(p, "file", content);
  }

  async stat(p: string): Promise<FileKind | null> {
    const key = /^[A-Za-z]:\\$/.test(p) ? p : p.replace(/\\+$/, "");
    return this.entries.get(key.toLowerCase())?.kind ?? null;
  }

  async readFile(p: string): Promise<Buffer> {
    const e = this.entries.get(p.toLowerCase());
    if (e?.kind !== "file") throw new Error(`${this.host}: no file ${p}`);
    return e.content;
  }

  async writeFile(p: string, content: Buffer): Promise<void> {
    this.writeSync(p, content);
  }

  async mkdir(p: string): Promise<void> {
    this.mkdirSync(p);
  }

  async remove(p: string): Promise<void> {
    const key = p.toLowerCase();
    for (const k of [...this.entries.keys()])
      if (k === key || k.startsWith(`${key}\\`)) this.entries.delete(k);
  }

  async list(dir: string): Promise<{ name: string; kind: FileKind; size: number }[]> {
    const prefix = `${dir.toLowerCase()}\\`;
    return [...this.entries.values()]
      .filter((e) => e.path.toLowerCase().startsWith(prefix) && !e.path.slice(prefix.length).includes("\\"))
      .map((e) => ({ name: e.path.slice(prefix.length), kind: e.kind, size: e.content.length }));
  }

  async hashTree(dir: string): Promise<TreeEntry[]> {
    const prefix = `${dir.toLowerCase()}\\`;
    return [...this.entries.values()]
      .filter((e) => e.kind === "file" && e.path.toLowerCase().startsWith(prefix))
      .map((e) => ({
        path: e.path.slice(prefix.length),
        size: e.content.length,
        sha256: createHash("sha256").update(e.content).digest("hex"),
      }));
  }
}

/** The controller's media folders (relative path -> content), and a target that stages them like the transport. */
class MemoryTarget {
  readonly kind = "powershell" as const;
  readonly hosts = new Map<string, MemoryHost>();
  readonly controller = new Map<string, Record<string, Buffer>>();
  /** `host:destination` whose copy fails half way (once). */
  readonly failOnce = new Set<string>();
  readonly clock = { now: () => 0, sleep: async () => undefined };
  readonly sql = {} as Target["sql"];

  constructor(names: string[]) {
    for (const n of names) this.hosts.set(n, new MemoryHost(n));
  }

  host(name: string): HostOps {
    return this.memory(name) as unknown as HostOps;
  }

  memory(name: string): MemoryHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  async stageMediaTo(
    source: string,
    node: string,
    destination: string,
    options: StageMediaOptions = {},
  ): Promise<StagedMedia> {
    const files = this.controller.get(source);
    if (!files) throw new Error(`no source ${source}`);
    const h = this.memory(node);
    const manifest = Object.entries(files).map(([p, c]) => ({
      path: p,
      size: c.length,
      sha256: createHash("sha256").update(c).digest("hex"),
    }));
    const result = (copied: boolean): StagedMedia => ({
      destination,
      files: manifest.length,
      bytes: manifest.reduce((s, e) => s + e.size, 0),
      manifestSha256: manifestDigest(manifest),
      copied,
    });
    if ((await h.stat(destination)) !== null) {
      if (manifestDigest(await h.hashTree(destination)) === manifestDigest(manifest)) return result(false);
      if (options.replace === false) throw new Error(`${node}: ${destination} exists and differs`);
      await h.remove(destination);
    }
    options.onProgress?.(`staging ${source} to ${node}:${destination} (${manifest.length} files)`);
    const entries = Object.entries(files);
    const key = `${node}:${destination}`;
    for (const [i, [p, c]] of entries.entries()) {
      if (i === 1 && this.failOnce.delete(key)) throw new Error(`${node}: the copy broke off`);
      h.writeSync(`${destination}\\${p}`, c);
    }
    return result(true);
  }

  async close(): Promise<void> {}
}

const NEW = "/ctl/NetMgr-9.0";
const OLD = "/ctl/NetMgr-8.0";
const media = {
  newMedia: Media.parse({ path: "C:\\Media\\NetMgr-9.0", stageFrom: NEW }),
  oldMedia: Media.parse({ path: "C:\\Media\\NetMgr-8.0", stageFrom: OLD }),
};
const CHAIN = "chain-1";

function setup(hosts = ["host1", "host2"]) {
  const target = new MemoryTarget(hosts);
  target.controller.set(NEW, {
    "NvPRO\\Windows\\Setup.exe": Buffer.from("setup 9.0"),
    "NvPRO\\Windows\\data.cab": Buffer.from("data"),
  });
  target.controller.set(OLD, { "NvPRO\\Windows\\Setup.exe": Buffer.from("setup 8.0") });
  const lines: string[] = [];
  const env: Env = {
    target: target as unknown as Target,
    progress: { say: (m, h) => lines.push(`${h ?? "-"}: ${m}`), elapsedMs: () => 0 },
    deadlines: Deadlines.parse({}),
    encoding: "utf8",
  };
  return { target, env, lines };
}

const summary = (staged: StagedCopy[]) =>
  staged.map((r) => [r.host, r.media, r.existedBefore, r.createdFolders, r.copy?.files ?? null]);

describe("MediaStaging: stage, observe, remove", () => {
  it("stages each media onto every host, records what it created, and the failback removes exactly that", async () => {
    const { target, env, lines } = setup();
    const staged = await stageAll(env, CHAIN, media, ["host1", "host2"]);
    expect(summary(staged)).toEqual([
      ["host1", "newMedia", false, ["C:\\Media"], 2],
      ["host1", "oldMedia", false, [], 1],
      ["host2", "newMedia", false, ["C:\\Media"], 2],
      ["host2", "oldMedia", false, [], 1],
    ]);
    expect(lines).toContain("host2: staging /ctl/NetMgr-9.0 to host2:C:\\Media\\NetMgr-9.0 (2 files)");
    expect(await target.memory("host1").stat(markerFile(CHAIN, "newMedia"))).toBe("file");
    expect(await stagedProblems(env, staged)).toEqual([]);

    // Run again (a resumed or repaired create): the markers say the copies are this step's own.
    expect(summary(await stageAll(env, CHAIN, media, ["host1", "host2"]))).toEqual(summary(staged));

    await removeStaged(env, CHAIN, staged);
    for (const h of ["host1", "host2"]) {
      expect(await target.memory(h).stat("C:\\Media")).toBeNull();
      expect(await target.memory(h).stat(markerFile(CHAIN, "newMedia"))).toBeNull();
    }
  });

  it("uses a folder that was there before only when identical, and keeps it", async () => {
    const { target, env } = setup(["host1"]);
    const h1 = target.memory("host1");
    h1.writeSync("C:\\Media\\NetMgr-8.0\\NvPRO\\Windows\\Setup.exe", Buffer.from("setup 8.0"));
    const staged = await stageAll(env, CHAIN, media, ["host1"]);
    expect(summary(staged)).toEqual([
      ["host1", "newMedia", false, [], 2],
      ["host1", "oldMedia", true, [], 1],
    ]);
    await removeStaged(env, CHAIN, staged);
    expect(await h1.stat("C:\\Media\\NetMgr-9.0")).toBeNull();
    expect(await h1.stat("C:\\Media\\NetMgr-8.0\\NvPRO\\Windows\\Setup.exe")).toBe("file");

    // A different folder there is not replaced: the step stops, and nothing of it needs undoing.
    h1.writeSync("C:\\Media\\NetMgr-8.0\\NvPRO\\Windows\\Setup.exe", Buffer.from("something else"));
    await expect(
      stageAll(env, "chain-2", { ...media, newMedia: { ...media.newMedia, stageFrom: undefined } }, [
        "host1",
      ]),
    ).rejects.toThrow(/exists and differs/);
    expect((await h1.readFile("C:\\Media\\NetMgr-8.0\\NvPRO\\Windows\\Setup.exe")).toString()).toBe(
      "something else",
    );
  });

  it("a copy that breaks off is recorded for the failback, and a resumed run still knows it is its own", async () => {
    const { target, env } = setup();
    target.failOnce.add("host2:C:\\Media\\NetMgr-9.0");
    const failure: unknown = await stageAll(env, CHAIN, media, ["host1", "host2"]).then(
      () => new Error("expected a failure"),
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(IncompleteStep);
    const partial = (failure as IncompleteStep).partial.staged as StagedCopy[];
    expect(summary(partial)).toEqual([
      ["host1", "newMedia", false, ["C:\\Media"], 2],
      ["host1", "oldMedia", false, [], 1],
      ["host2", "newMedia", false, ["C:\\Media"], null],
    ]);
    // The half copy is there now; the marker written before it tells the resumed run it is this chain's.
    expect(await target.memory("host2").stat("C:\\Media\\NetMgr-9.0")).toBe("dir");
    const resumed = await stageAll(env, CHAIN, media, ["host1", "host2"]);
    expect(resumed.every((r) => !r.existedBefore && r.copy !== null)).toBe(true);

    // The failback of the partial step alone removes the half copy too.
    await removeStaged(env, CHAIN, partial);
    expect(await target.memory("host2").stat("C:\\Media\\NetMgr-9.0")).toBeNull();
  });

  it("read reports a copy that is gone or changed; a created folder holding other files is kept", async () => {
    const { target, env, lines } = setup(["host1"]);
    const staged = await stageAll(env, CHAIN, media, ["host1"]);
    const h1 = target.memory("host1");
    await h1.remove("C:\\Media\\NetMgr-8.0");
    h1.writeSync("C:\\Media\\NetMgr-9.0\\NvPRO\\Windows\\data.cab", Buffer.from("changed"));
    expect(await stagedProblems(env, staged)).toEqual([
      "host1:C:\\Media\\NetMgr-9.0 (newMedia) no longer matches /ctl/NetMgr-9.0 as staged",
      "host1:C:\\Media\\NetMgr-8.0 (oldMedia) is gone",
    ]);
    h1.writeSync("C:\\Media\\notes.txt", Buffer.from("mine"));
    await removeStaged(env, CHAIN, staged);
    expect(await h1.stat("C:\\Media\\NetMgr-9.0")).toBeNull();
    expect(await h1.stat("C:\\Media\\notes.txt")).toBe("file");
    expect(lines).toContain("host1: keeping C:\\Media: it holds other files now");
  });

  it("a target that cannot stage (the lab) is told to drop stageFrom", async () => {
    const { env } = setup();
    const lab = {
      ...env,
      target: { ...env.target, kind: "lab", stageMediaTo: undefined } as unknown as Target,
    };
    await expect(stageAll(lab, CHAIN, media, ["host1"])).rejects.toThrow(
      /the lab target cannot copy media.*netmgr:newMedia\.stageFrom/,
    );
  });
});

describe("the pre-flight's look at stageFrom on the controller", () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "netmgr-stage-src-"));
    const write = (rel: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), "x");
    };
    write("plain/NvPRO/Windows/Setup.exe");
    write("plain/NvPRO/Windows/Tools/sql_rupdate/postgres/WfdbCmdSetup.bat");
    write("plain/NvPRO/Windows/Tools/NvPRO/sgbackup_comm.lst");
    // Another case than the catalogue writes (a DVD copied to a Linux controller).
    write("upper/NVPRO/WINDOWS/SETUP.EXE");
    write("ms/Windows/Setup.exe");
    write("ms/UpdateModules/UM1.exe");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const pair = (n: Partial<Media>, o: Partial<Media>) => ({
    newMedia: Media.parse({ path: "C:\\Media\\NetMgr-9.0", ...n }),
    oldMedia: Media.parse({ path: "C:\\Media\\NetMgr-8.0", ...o }),
  });

  it("finds the layout's Setup.exe (and what the chain runs) in the source folder, case-insensitively", () => {
    const required = requiredMedia(false);
    expect(
      checkStagingSources(
        pair({ stageFrom: path.join(root, "plain") }, { stageFrom: path.join(root, "upper") }),
        required,
      ),
    ).toEqual([]);
    expect(
      checkStagingSources(
        pair(
          {},
          {
            stageFrom: path.join(root, "ms"),
            layout: "masterscope",
            updateModules: ["C:\\Media\\NetMgr-8.0\\UpdateModules\\UM1.exe", "C:\\Other\\UM2.exe"],
          },
        ),
        required,
      ),
    ).toEqual([]);
  });

  it("names the key and the fix for a missing folder, a wrong layout, a missing module", () => {
    const problems = checkStagingSources(
      pair(
        { stageFrom: path.join(root, "ms") },
        {
          stageFrom: path.join(root, "nowhere"),
        },
      ),
      requiredMedia(true),
    );
    expect(problems[0]).toMatch(
      /^netmgr:newMedia\.stageFrom: .*ms has no NvPRO\\Windows\\Setup\.exe \(layout plain\): point newMedia\.stageFrom at the media's top folder, or set newMedia\.layout/,
    );
    expect(problems.filter((p) => p.startsWith("netmgr:newMedia.stageFrom"))).toHaveLength(5);
    expect(problems[problems.length - 1]).toMatch(
      /^netmgr:oldMedia\.stageFrom: .*nowhere is not a folder on the controller/,
    );
    expect(
      checkStagingSources(
        pair(
          {},
          {
            stageFrom: path.join(root, "ms"),
            layout: "masterscope",
            updateModules: ["C:\\Media\\NetMgr-8.0\\UpdateModules\\UM9.exe"],
          },
        ),
        requiredMedia(false),
      ),
    ).toEqual([
      expect.stringMatching(
        /^netmgr:oldMedia\.stageFrom: .* has no UpdateModules\\UM9\.exe, the update module C:\\Media\\NetMgr-8\.0\\UpdateModules\\UM9\.exe/,
      ),
    ]);
  });

  it("explains that a UNC share is readable only from a Windows controller", () => {
    const problems = checkStagingSources(
      pair({ stageFrom: "\\\\filesrv\\media\\NetMgr-9.0" }, {}),
      requiredMedia(false),
      "linux",
    );
    expect(problems).toEqual([expect.stringMatching(/only from a Windows controller: mount the share/)]);
  });
});
