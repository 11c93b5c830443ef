/**
 * Every HostOps method through the fake shell: what the node receives (decoded on the fake's side), how its
 * answer is validated and mapped, and the checks made before anything is sent.
 */
import iconv from "iconv-lite";
import { manifestDigest } from "../../providers/hosts/target";
import { HostError } from "../../providers/hosts/types";
import type { PowerShellTarget } from "../../providers/powershell/target";
import {
  MAX_TRANSFER_BYTES,
  WRITE_CHUNK_BYTES,
  MAX_PROGRAM_OUTPUT_BYTES,
  RUN_MARGIN_MS,
} from "../../providers/powershell/limits";
import { Fake, Secret, type Rule } from "./fake";

let fake: Fake;
let target: PowerShellTarget;

beforeAll(() => {
  fake = new Fake();
  target = fake.target({ remoting: { stagingDir: "C:\\NetMgrStage\\" } });
});
afterAll(async () => {
  await target.close();
  fake.cleanup();
});

const h1 = () => target.host("host1");

/** Answer `op` with `value` and return the args the node received for the call. */
async function answer<T>(rules: Rule[], call: () => Promise<T>): Promise<{ result: T; args: unknown[][] }> {
  fake.scenario(rules);
  const before = fake.starts().length;
  const result = await call();
  const args = startsSince(before).map((c) => c.args ?? []);
  return { result, args };
}

/** The calls the fake shells started since `before` (a count of `fake.starts()`). */
function startsSince(before: number) {
  return fake.starts().slice(before);
}

async function failure(call: () => Promise<unknown>): Promise<HostError> {
  try {
    await call();
  } catch (e) {
    expect(e).toBeInstanceOf(HostError);
    return e as HostError;
  }
  throw new Error("expected a HostError");
}

const b64 = (s: string | Buffer): string => (Buffer.isBuffer(s) ? s : Buffer.from(s)).toString("base64");

describe("PowerShellHostOps", () => {
  test("environment", async () => {
    const env = {
      hostName: "host1",
      isAdmin: true,
      temp: "C:\\Users\\ADMINI~1\\AppData\\Local\\Temp",
      tmp: null,
      systemDrive: "C:",
      tempWritable: true,
    };
    const { result } = await answer([{ op: "environment", respond: { value: env } }], () =>
      h1().environment(),
    );
    expect(result).toEqual(env);
  });

  test("freeSpace sends the path; a volume that is not online is the node's error", async () => {
    const { result, args } = await answer([{ op: "freeSpace", respond: { value: 123456789012 } }], () =>
      h1().freeSpace("X:\\MasterScope"),
    );
    expect(result).toBe(123456789012);
    expect(args).toEqual([["X:\\MasterScope"]]);
  });

  test("services: Win32_Service modes and states mapped to the seam's", async () => {
    const raw = [
      {
        name: "NvPROBaseMgr",
        displayName: "MasterScope Network Manager",
        startMode: "Manual",
        state: "Stopped",
      },
      { name: "MSSQLSERVER", displayName: "SQL Server (MSSQLSERVER)", startMode: "Auto", state: "Running" },
      { name: "a", displayName: "A", startMode: "Disabled", state: "Start Pending" },
      { name: "b", displayName: "B", startMode: "Auto", state: "Paused" },
    ];
    const { result } = await answer([{ op: "services", respond: { value: raw } }], () => h1().services());
    expect(result).toEqual([
      {
        name: "NvPROBaseMgr",
        displayName: "MasterScope Network Manager",
        startType: "Manual",
        state: "Stopped",
      },
      { name: "MSSQLSERVER", displayName: "SQL Server (MSSQLSERVER)", startType: "Auto", state: "Running" },
      { name: "a", displayName: "A", startType: "Disabled", state: "StartPending" },
      { name: "b", displayName: "B", startType: "Auto", state: "Running" },
    ]);
    const error = await failure(() =>
      answer(
        [
          {
            op: "services",
            respond: { value: [{ name: "x", displayName: "X", startMode: "Auto", state: "Weird" }] },
          },
        ],
        () => h1().services(),
      ),
    );
    expect(error.message).toMatch(/host1: services: service x: unknown state "Weird"/);
  });

  test("service control: Set-Service gets 'Automatic' for Auto; names go as data", async () => {
    const { args } = await answer([], async () => {
      await h1().setStartType("NvPROBaseMgr", "Auto");
      await h1().setStartType("NvPROBaseMgr", "Manual");
      await h1().startService("Svc*");
      await h1().stopService("Svc[1]");
    });
    expect(args).toEqual([["NvPROBaseMgr", "Automatic"], ["NvPROBaseMgr", "Manual"], ["Svc*"], ["Svc[1]"]]);
  });

  test("stat, list, mkdir, copy, move, remove", async () => {
    const entries = [
      { name: "sg", kind: "dir", size: 0 },
      { name: "WFDB.INI", kind: "file", size: 412 },
    ];
    const { result, args } = await answer(
      [
        { op: "stat", respond: { value: "dir" } },
        { op: "list", respond: { value: entries } },
      ],
      async () => [
        await h1().stat("C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\sg"),
        await h1().list("C:\\x"),
        await h1().mkdir("C:\\x\\[new]"),
        await h1().copy("C:\\a", "D:\\b"),
        await h1().move("C:\\a", "C:\\a.old"),
        await h1().remove("C:\\x\\UpdateData"),
      ],
    );
    expect(result).toEqual(["dir", entries, undefined, undefined, undefined, undefined]);
    expect(args).toEqual([
      ["C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\sg"],
      ["C:\\x"],
      ["C:\\x\\[new]"],
      ["C:\\a", "D:\\b"],
      ["C:\\a", "C:\\a.old"],
      ["C:\\x\\UpdateData"],
    ]);
  });

  test("relative paths are refused before anything is sent", async () => {
    fake.scenario([]);
    const before = fake.starts().length;
    for (const call of [
      () => h1().stat("Manager\\sg"),
      () => h1().readFile("..\\x.ini"),
      () => h1().copy("C:\\a", "b"),
      () => h1().run("C:\\x.bat", [], { cwd: "rel" }),
    ]) {
      const error = await failure(call);
      expect(error.message).toMatch(/must be an absolute Windows path/);
    }
    expect(fake.starts().length).toBe(before);
  });

  test("readFile returns the node's bytes (any encoding); oversized answers are refused", async () => {
    const sjis = iconv.encode("[DB]\r\nServerName=サーバー\r\n", "cp932");
    const { result, args } = await answer([{ op: "readFile", respond: { value: b64(sjis) } }], () =>
      h1().readFile("C:\\x\\WFDB.INI"),
    );
    expect(result.equals(sjis)).toBe(true);
    expect(args).toEqual([["C:\\x\\WFDB.INI", MAX_TRANSFER_BYTES]]);
    const bad = await failure(() =>
      answer([{ op: "readFile", respond: { value: "***" } }], () => h1().readFile("C:\\x\\a.ini")),
    );
    expect(bad.message).toMatch(/unexpected result from the node/);
  });

  test("writeFile sends the content as the blob, in chunks the node can take; over 16 MiB is refused", async () => {
    const content = Buffer.from("[NvPROIms]\r\nInstanceID=1\r\n");
    const { args } = await answer([], () => h1().writeFile("X:\\MasterScope\\NvPROIms.ini", content));
    expect(args).toEqual([["X:\\MasterScope\\NvPROIms.ini", WRITE_CHUNK_BYTES]]);
    expect(fake.starts("writeFile").at(-1)?.blobBytes).toBe(content.length);

    const before = fake.starts().length;
    const error = await failure(() => h1().writeFile("C:\\big.bin", Buffer.alloc(MAX_TRANSFER_BYTES + 1)));
    expect(error.message).toMatch(/over the transfer limit of 16777216 bytes/);
    expect(fake.starts().length).toBe(before);
  });

  test("writeFile of a few megabytes crosses the one-line protocol intact", async () => {
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 0xa5);
    await answer([], () => h1().writeFile("C:\\x\\big.dat", content));
    expect(fake.starts("writeFile").at(-1)?.blobBytes).toBe(content.length);
  });

  test("hashTree: lower-case hashes, sorted by path", async () => {
    const raw = [
      { path: "b\\y.dat", size: 2, sha256: "AB".repeat(32) },
      { path: "a.ini", size: 1, sha256: "CD".repeat(32) },
    ];
    const { result } = await answer([{ op: "hashTree", respond: { value: raw } }], () =>
      h1().hashTree("C:\\x"),
    );
    expect(result).toEqual([
      { path: "a.ini", size: 1, sha256: "cd".repeat(32) },
      { path: "b\\y.dat", size: 2, sha256: "ab".repeat(32) },
    ]);
  });

  test("run a batch file: cmd.exe line as data, interleaved output decoded from the node's code page", async () => {
    const out = iconv.encode("サービスを登録しました\r\nERROR: none\r\n", "cp932");
    const raw = {
      exitCode: 0,
      stdout: { bytes: out.length, b64: b64(out) },
      stderr: { bytes: 0, b64: "" },
      codePage: 932,
    };
    const { result, args } = await answer([{ op: "run", respond: { value: raw } }], () =>
      h1().run(
        "C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\bin\\adapter-setup.bat",
        ["a b", "x&y"],
        { cwd: "C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\bin" },
      ),
    );
    expect(result).toEqual({ exitCode: 0, output: "サービスを登録しました\r\nERROR: none\r\n" });
    expect(args).toEqual([
      [
        "C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\bin\\adapter-setup.bat",
        '"C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\bin\\adapter-setup.bat" "a b" "x&y"',
        true,
        "C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\bin",
        MAX_PROGRAM_OUTPUT_BYTES,
      ],
    ]);
  });

  test("run a program: MSVCRT argument line, exit code, stdout then stderr, truncation noted, secrets scrubbed", async () => {
    const secret = new Secret("s3cr3t value");
    const raw = {
      exitCode: 1603,
      stdout: { bytes: 5000, b64: b64("tail of stdout with s3cr3t value\n") },
      stderr: { bytes: 6, b64: b64("failed") },
      codePage: 437,
    };
    fake.scenario([{ op: "run", respond: { value: raw } }]);
    const result = await h1().run(
      "D:\\NvPRO\\Windows\\Setup.exe",
      ["/S", "/LOG=C:\\Program Files\\x.log", secret],
      { timeoutMs: 1000 },
    );
    expect(result.exitCode).toBe(1603);
    expect(result.output).toBe("[... first 4967 bytes omitted ...]\ntail of stdout with [secret]\nfailed");
    const sent = fake.starts("run").at(-1)?.args;
    expect(sent).toEqual([
      "D:\\NvPRO\\Windows\\Setup.exe",
      '/S "/LOG=C:\\Program Files\\x.log" "s3cr3t value"',
      false,
      null,
      MAX_PROGRAM_OUTPUT_BYTES,
    ]);
    expect(RUN_MARGIN_MS).toBeGreaterThan(0);
  });

  test("run refuses what cmd.exe cannot carry, without sending it", async () => {
    const before = fake.starts().length;
    const error = await failure(() => h1().run("C:\\x\\WfdbCmdSetup.bat", ["wfdb", new Secret('pa"ss')]));
    expect(error.message).toBe(
      "host1: run C:\\x\\WfdbCmdSetup.bat wfdb [secret]: argument 2 contains a double quote, which cmd.exe cannot pass to a batch file",
    );
    expect(fake.starts().length).toBe(before);
  });

  test("installedProducts, processes, stopProcess (.exe dropped), probeTcp", async () => {
    const products = [{ displayName: "MasterScope Network Manager", version: "8.0.0" }];
    const { result, args } = await answer(
      [
        { op: "installedProducts", respond: { value: products } },
        { op: "processes", respond: { value: ["SysMonSvc", "svchost"] } },
        { op: "probeTcp", respond: { value: true } },
      ],
      async () => [
        await h1().installedProducts(),
        await h1().processes(),
        await h1().stopProcess("SysMonSvc.exe"),
        await h1().probeTcp("10.0.0.9", 12080, 3000),
      ],
    );
    expect(result).toEqual([products, ["SysMonSvc", "svchost"], undefined, true]);
    expect(args).toEqual([[], [], ["SysMonSvc"], ["10.0.0.9", 12080, 3000]]);
    await expect(h1().probeTcp("x", 70000, 10)).rejects.toThrow(/port must be 1-65535/);
  });

  test("firewall: profiles and inbound Allow rules, validated", async () => {
    const state = {
      enabledProfiles: ["Domain", "Private"],
      inboundAllow: [
        { name: "MasterScope Network Manager (TCP-In)", protocol: "TCP", localPorts: ["12520"] },
      ],
    };
    const { result, args } = await answer([{ op: "firewall", respond: { value: state } }], () =>
      h1().firewall(),
    );
    expect(result).toEqual(state);
    expect(args).toEqual([[]]);
    const error = await failure(() =>
      answer([{ op: "firewall", respond: { value: { enabledProfiles: "Domain" } } }], () => h1().firewall()),
    );
    expect(error.message).toMatch(/^host1: firewall: unexpected result from the node/);
  });

  test("a result of the wrong shape is an error, not data", async () => {
    const error = await failure(() =>
      answer([{ op: "environment", respond: { value: { hostName: 1 } } }], () => h1().environment()),
    );
    expect(error.kind).toBe("failed");
    expect(error.message).toMatch(/^host1: environment: unexpected result from the node/);
  });

  test("an unknown host name is refused", () => {
    expect(() => target.host("host3")).toThrow(/host3 is not a configured host/);
    expect(target.host("Console1").host).toBe("console1");
  });
});

describe("stageMedia (double hop: controller → node through the session)", () => {
  const manifest = [
    { path: "NvPRO\\Windows\\Setup.exe", size: 10, sha256: "aa".repeat(32) },
    { path: "NvPRO\\Windows\\data.cab", size: 20, sha256: "bb".repeat(32) },
  ];
  const upper = manifest.map((e) => ({ ...e, sha256: e.sha256.toUpperCase() }));

  test("copies when absent, verifies, returns the node-local path", async () => {
    const { result, args } = await answer(
      [
        { op: "localManifest", respond: { value: upper } },
        { op: "stat", respond: { value: null } },
        { op: "hashTree", respond: { value: upper } },
      ],
      () => target.stageMedia("/srv/media/NetMgr-9.0/", "host2"),
    );
    expect(result).toBe("C:\\NetMgrStage\\NetMgr-9.0");
    const ops = fake
      .starts()
      .slice(-6)
      .map((c) => c.op);
    expect(ops).toEqual(["localManifest", "stat", "remove", "mkdir", "copyToSession", "hashTree"]);
    expect(args).toContainEqual(["/srv/media/NetMgr-9.0/", "C:\\NetMgrStage\\NetMgr-9.0"]);
    expect(args).toContainEqual(["C:\\NetMgrStage\\"]);
  });

  test("keeps an identical copy (a re-run copies nothing)", async () => {
    fake.scenario([
      { op: "localManifest", respond: { value: manifest } },
      { op: "stat", respond: { value: "dir" } },
      { op: "hashTree", respond: { value: upper } },
    ]);
    const before = fake.starts().length;
    expect(await target.stageMedia("/srv/media/NetMgr-9.0", "host2")).toBe("C:\\NetMgrStage\\NetMgr-9.0");
    expect(startsSince(before).map((c) => c.op)).toEqual(["localManifest", "stat", "hashTree"]);
  });

  test("a copy that does not match the source is an error", async () => {
    fake.scenario([
      { op: "localManifest", respond: { value: manifest } },
      { op: "stat", respond: { value: null } },
      { op: "hashTree", respond: { value: manifest.slice(0, 1) } },
    ]);
    const error = await failure(() =>
      target.stageMedia("\\\\filesrv\\media\\NetMgr-9.0", "host1", { name: "NM90" }),
    );
    expect(error.message).toMatch(
      /^host1: stageMedia \\\\filesrv\\media\\NetMgr-9.0: the copy at C:\\NetMgrStage\\NM90 does not match the source \(1 files: missing NvPRO\\Windows\\data.cab\)/,
    );
  });

  test("a source without a folder name is refused", async () => {
    await expect(target.stageMedia("D:\\", "host1")).rejects.toThrow(/needs a name/);
  });

  test("stageMediaTo: any node folder, its parent created, the copy described", async () => {
    const lines: string[] = [];
    const { result, args } = await answer(
      [
        { op: "localManifest", respond: { value: upper } },
        { op: "stat", respond: { value: null } },
        { op: "hashTree", respond: { value: upper } },
      ],
      () =>
        target.stageMediaTo("/srv/media/NetMgr-9.0", "host2", "D:\\Media\\NetMgr-9.0\\", {
          onProgress: (l) => lines.push(l),
        }),
    );
    expect(result).toEqual({
      destination: "D:\\Media\\NetMgr-9.0",
      files: 2,
      bytes: 30,
      manifestSha256: manifestDigest(manifest),
      copied: true,
    });
    expect(args).toContainEqual(["D:\\Media"]);
    expect(args).toContainEqual(["/srv/media/NetMgr-9.0", "D:\\Media\\NetMgr-9.0"]);
    expect(lines).toEqual([
      "staging /srv/media/NetMgr-9.0 to host2:D:\\Media\\NetMgr-9.0 (2 files)",
      "staged /srv/media/NetMgr-9.0 at host2:D:\\Media\\NetMgr-9.0 (2 files verified)",
    ]);
  });

  test("stageMediaTo with replace: false keeps an identical folder and refuses a different one untouched", async () => {
    fake.scenario([
      { op: "localManifest", respond: { value: manifest } },
      { op: "stat", respond: { value: "dir" } },
      { op: "hashTree", respond: { value: upper } },
    ]);
    expect(
      await target.stageMediaTo("/srv/media/NetMgr-9.0", "host1", "D:\\NetMgr", { replace: false }),
    ).toMatchObject({ copied: false, files: 2 });

    fake.scenario([
      { op: "localManifest", respond: { value: manifest } },
      { op: "stat", respond: { value: "dir" } },
      { op: "hashTree", respond: { value: upper.slice(1) } },
    ]);
    const before = fake.starts().length;
    const error = await failure(() =>
      target.stageMediaTo("/srv/media/NetMgr-9.0", "host1", "D:\\NetMgr", { replace: false }),
    );
    expect(error.message).toMatch(
      /^host1: stageMedia \/srv\/media\/NetMgr-9.0: D:\\NetMgr exists and differs from \/srv\/media\/NetMgr-9.0 \(1 files: missing NvPRO\\Windows\\Setup.exe\); it is left as it is/,
    );
    expect(startsSince(before).map((c) => c.op)).toEqual(["localManifest", "stat", "hashTree"]);
  });

  test("stageMediaTo refuses a drive root as the destination", async () => {
    await expect(target.stageMediaTo("/srv/media/NetMgr-9.0", "host1", "D:\\")).rejects.toThrow(
      /must be a folder below a drive or share root/,
    );
  });
});

describe("run: secrets in their quoted form", () => {
  test("a program echoing its raw command line does not reveal a secret with a quote in it", async () => {
    const secret = new Secret('pa"ss word');
    const echoed = '/S /P="pa\\"ss word"'; // what a program printing GetCommandLine() would show
    fake.scenario([
      {
        op: "run",
        respond: {
          value: {
            exitCode: 0,
            stdout: { bytes: 40, b64: Buffer.from(`${echoed} "pa\\"ss word"`).toString("base64") },
            stderr: { bytes: 0, b64: "" },
            codePage: 65001,
          },
        },
      },
    ]);
    const result = await h1().run("C:\\x\\tool.exe", ["/S", secret]);
    expect(result.output).not.toContain("ss word");
    expect(result.output).toContain("[secret]");
  });
});
