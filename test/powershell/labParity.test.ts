/**
 * The same HostOps call on the lab directly and through the PowerShell transport to the lab-backed pwsh
 * (which carries it out on the same lab): the transport's wire shapes, encodings, error kinds and script-side
 * decisions must give what the lab gives, except where the two are known to differ (named below).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Remoting } from "../../providers/config/stack";
import { HostError, type HostOps, type TreeEntry } from "../../providers/hosts/types";
import { injectFault, openLabTarget } from "../../providers/lab";
import { quoteWindowsArg, windowsArgLine } from "../../providers/powershell/cmdline";
import { normalizeManifest } from "../../providers/powershell/host-ops";
import { openPowerShellTarget, type PowerShellTarget } from "../../providers/powershell/target";
import { noSql } from "./fake";
import { parseWindowsArgs } from "./lab-pwsh/labShell";
import { LAB_PWSH, LabShells } from "./labShells";

const SG = "C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\sg";
const WFDB_INI = `${SG}\\wfdbmgr\\WFDB.INI`;

type Outcome<T> = { value: T } | { error: HostError["kind"] };

async function outcome<T>(work: Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await work };
  } catch (e) {
    if (!(e instanceof HostError)) throw e;
    return { error: e.kind };
  }
}

describe("HostOps through the transport to the lab-backed pwsh, against the lab itself", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netmgr-parity-"));
  const lab = openLabTarget({ dir, spec: { fromVersion: "8.0" } });
  const shells = new LabShells(dir);
  let ps: PowerShellTarget;

  beforeAll(() => {
    ps = openPowerShellTarget({
      remoting: Remoting.parse({ transport: "ssh", user: "lab", keyFile: "/dev/null", pwsh: LAB_PWSH }),
      hosts: ["host1", "host2"],
      sql: noSql,
      shellEnv: shells.env,
    });
  });

  afterAll(async () => {
    await ps.close();
    const exited = await shells.allExited();
    fs.rmSync(dir, { recursive: true, force: true });
    shells.cleanup();
    expect(exited).toBe(true);
  });

  /** The call on both backends; the lab first, so that a state change is the lab's own. */
  async function both<T>(host: string, call: (h: HostOps) => Promise<T>): Promise<[Outcome<T>, Outcome<T>]> {
    const viaLab = await outcome(call(lab.host(host)));
    const viaTransport = await outcome(call(ps.host(host)));
    return [viaLab, viaTransport];
  }

  async function same<T>(host: string, call: (h: HostOps) => Promise<T>, normalize = (v: T): unknown => v) {
    const [a, b] = await both(host, call);
    const n = (o: Outcome<T>): unknown => ("value" in o ? { value: normalize(o.value) } : o);
    expect(n(b)).toEqual(n(a));
    return a;
  }

  test("queries: environment, services, products, processes, free space, firewall", async () => {
    for (const h of ["host1", "host2"]) {
      await same(h, (x) => x.environment());
      await same(h, (x) => x.services());
      await same(h, (x) => x.installedProducts());
      // Get-Process | Sort-Object -Unique: sorted, which the seam does not promise.
      await same(
        h,
        (x) => x.processes(),
        (v) => [...v].sort(),
      );
      await same(h, (x) => x.freeSpace("C:\\"));
      await same(h, (x) => x.firewall());
    }
    // The shared disk is not there on the standby: both refuse.
    expect(await same("host2", (x) => x.freeSpace("X:\\MasterScope"))).toEqual({ error: "failed" });
  });

  test("stat, readFile, list, hashTree: the same answers, missing paths included", async () => {
    const kinds = [];
    for (const p of [SG, WFDB_INI, `${SG}\\..\\bin`, "C:\\nothing\\here", "Q:\\no-such-drive", "C:\\"])
      kinds.push(await same("host1", (x) => x.stat(p)));
    expect(kinds).toEqual([
      { value: "dir" },
      { value: "file" },
      { value: "dir" },
      { value: null },
      { value: null },
      { value: "dir" },
    ]);
    // The shared disk from the standby: not there, not an error.
    expect(await same("host2", (x) => x.stat("X:\\MasterScope"))).toEqual({ value: null });
    const ini = await same("host1", (x) => x.readFile(WFDB_INI));
    expect("value" in ini && ini.value.length).toBeGreaterThan(0);
    expect(await same("host1", (x) => x.readFile("C:\\nothing.ini"))).toEqual({ error: "failed" });
    expect(await same("host1", (x) => x.readFile(SG))).toEqual({ error: "failed" });
    const listing = await same(
      "host1",
      (x) => x.list(SG),
      (v) => [...v].sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect("value" in listing && listing.value.length).toBeGreaterThan(0);
    // Digest case and order differ by design (the transport normalizes, callers compare case-insensitively).
    const tree = await same(
      "host1",
      (x) => x.hashTree(SG),
      (v: TreeEntry[]) => normalizeManifest(v),
    );
    expect("value" in tree && tree.value.length).toBeGreaterThan(0);
    expect("value" in tree && tree.value.every((e) => !e.path.includes("/"))).toBe(true);
  });

  test("writeFile, copy, move, remove, mkdir: the same effects and the same refusals", async () => {
    const bytes = Buffer.concat([Buffer.from([...Array(256).keys()]), Buffer.alloc(1_500_000, 0x5a)]);
    for (const [h, root] of [
      [lab.host("host1"), "C:\\parity\\lab"],
      [ps.host("host1"), "C:\\parity\\ps"],
    ] as const) {
      await h.writeFile(`${root}\\deep\\er\\blob.bin`, bytes);
      await h.copy(SG, `${root}\\sg-copy`);
      // The destination is replaced, not merged into: a file only it had is gone.
      await h.writeFile(`${root}\\sg-copy2\\only-here.txt`, Buffer.from("x"));
      await h.copy(SG, `${root}\\sg-copy2`);
      await h.move(`${root}\\deep\\er\\blob.bin`, `${root}\\blob.bin`);
      await h.writeFile(`${root}\\old.txt`, Buffer.from("old"));
      await h.writeFile(`${root}\\new.txt`, Buffer.from("new"));
      await h.move(`${root}\\new.txt`, `${root}\\old.txt`);
      await h.remove(`${root}\\deep`);
      await h.remove(`${root}\\never-there`);
      await h.mkdir(`${root}\\made\\two`);
    }
    const labTree = await lab.host("host1").hashTree("C:\\parity\\lab");
    const psTree = await lab.host("host1").hashTree("C:\\parity\\ps");
    expect(psTree).toEqual(labTree);
    expect(labTree.some((e) => /only-here/.test(e.path))).toBe(false);
    expect((await lab.host("host1").readFile("C:\\parity\\ps\\blob.bin")).equals(bytes)).toBe(true);
    expect(await lab.host("host1").stat("C:\\parity\\ps\\made\\two")).toBe("dir");
    // Refusals: a folder onto an existing folder, a missing source, a folder over a file.
    for (const call of [
      (x: HostOps): Promise<unknown> => x.move("C:\\parity\\ps\\sg-copy", "C:\\parity\\ps\\sg-copy2"),
      (x: HostOps) => x.copy("C:\\parity\\none", "C:\\parity\\x"),
      (x: HostOps) => x.mkdir("C:\\parity\\ps\\old.txt"),
      (x: HostOps) => x.list("C:\\parity\\ps\\old.txt"),
    ])
      expect(await same("host1", call)).toEqual({ error: "failed" });
  });

  test("run: exit codes and output as the lab's programs give them", async () => {
    expect(await same("host1", (x) => x.run("hostname", []))).toEqual({
      value: { exitCode: 0, output: "host1\r\n" },
    });
    await same("host2", (x) => x.run("hostname", []));
    const usage = await same("host1", (x) => x.run("net", ["start"]));
    expect(usage).toMatchObject({ value: { exitCode: 1 } });
    expect(await same("host1", (x) => x.run("no-such-program.exe", ["a b"]))).toMatchObject({
      value: { exitCode: 9009 },
    });
    const status = await same("host1", (x) => x.run("clpstat", []));
    expect(status).toMatchObject({ value: { exitCode: 0 } });
  });

  test("known differences: the transport's own decisions before it touches the node", async () => {
    // A missing working folder: the lab answers like cmd.exe (exit 1), the transport's script refuses.
    const [labRun, psRun] = await both("host1", (x) => x.run("hostname", [], { cwd: "C:\\no-such-folder" }));
    expect(labRun).toMatchObject({ value: { exitCode: 1 } });
    expect(psRun).toEqual({ error: "failed" });
    // hashTree of a file: the lab gives the file, the transport wants a folder (the seam: "the manifest of a tree").
    const [labTree, psTree] = await both("host1", (x) => x.hashTree(WFDB_INI));
    expect(labTree).toMatchObject({ value: [{ path: "WFDB.INI" }] });
    expect(psTree).toEqual({ error: "failed" });
    // A service by its display name: the lab finds it, the transport looks up key names only.
    const svc = (await lab.host("host1").services()).find((s) => s.name !== s.displayName);
    expect(svc).toBeDefined();
    const [labSet, psSet] = await both("host1", (x) => x.setStartType(svc!.displayName, svc!.startType));
    expect(labSet).toEqual({ value: undefined });
    expect(psSet).toEqual({ error: "failed" });
  });

  test("an unreachable lab host is an unreachable node; the next call opens a new session", async () => {
    await ps.host("host2").stat("C:\\");
    await injectFault(dir, { fault: "host-unreachable", host: "host2", sticky: false });
    const error = await outcome(ps.host("host2").stat("C:\\"));
    expect(error).toEqual({ error: "unreachable" });
    expect(await ps.host("host2").stat("C:\\")).toBe("dir");
    const opens = shells.ends("openSsh").filter((c) => c.node === "host2" && c.ok);
    expect(opens.length).toBe(2);
  });

  test("stageMedia: a controller folder to the node through the session, verified, kept when identical", async () => {
    const media = fs.mkdtempSync(path.join(os.tmpdir(), "netmgr-media-"));
    try {
      fs.mkdirSync(path.join(media, "NetMgr", "sub"), { recursive: true });
      fs.writeFileSync(path.join(media, "NetMgr", "Setup.exe"), Buffer.alloc(4096, 1));
      fs.writeFileSync(path.join(media, "NetMgr", "sub", "日本.ini"), "[A]\r\nB=1\r\n");
      const staged = await ps.stageMedia(path.join(media, "NetMgr"), "host1");
      expect(staged).toBe("C:\\NetMgrRollingUpdate\\NetMgr");
      expect((await lab.host("host1").hashTree(staged)).map((e) => e.path).sort()).toEqual([
        "Setup.exe",
        "sub\\日本.ini",
      ]);
      const copies = shells.ends("copyToSession").length;
      await ps.stageMedia(path.join(media, "NetMgr"), "host1");
      expect(shells.ends("copyToSession").length).toBe(copies);
    } finally {
      fs.rmSync(media, { recursive: true, force: true });
    }
  });

  test("the shell parses argument lines the way the transport quotes them", () => {
    const args = [
      "plain",
      "two words",
      "",
      'say "hi"',
      "C:\\path with space\\",
      'back\\\\slashes\\\\"quote',
      "trailing\\",
      "\t tab",
      "日本語 パス",
    ];
    expect(parseWindowsArgs(windowsArgLine(args))).toEqual(args);
    for (const a of args) expect(parseWindowsArgs(quoteWindowsArg(a))).toEqual([a]);
  });
});
