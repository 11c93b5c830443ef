/**
 * The small pure pieces: output decoding, manifests, media names, shell-exit messages.
 */
import iconv from "iconv-lite";
import { describeShellExit, excerpt, hostError } from "../../providers/powershell/errors";
import { decodeBytes, programOutput } from "../../providers/powershell/output";
import { checkMediaName, manifestDifferences, mediaName } from "../../providers/powershell/stage";
import { Secret } from "../../providers/hosts/secret";
import { Remoting } from "../../providers/config/stack";
import { openPowerShellTarget } from "../../providers/powershell";
import { noSql } from "./fake";

describe("program output", () => {
  test("decoded in the node's OEM code page", () => {
    expect(decodeBytes(iconv.encode("ネットワーク管理", "cp932"), 932)).toBe("ネットワーク管理");
    expect(decodeBytes(Buffer.from([0x82, 0xa0]), 932)).toBe("あ");
    expect(decodeBytes(Buffer.from([0x81]), 437)).toBe("ü");
    expect(decodeBytes(Buffer.from("\uFEFFutf8 ✓"), 65001)).toBe("utf8 ✓");
    expect(decodeBytes(Buffer.from("x"), 0)).toBe("x");
    expect(decodeBytes(Buffer.from([0xe9]), 99999)).toBe("é");
  });

  test("stderr follows stdout; empty streams add nothing", () => {
    const s = (t: string) => ({ bytes: Buffer.byteLength(t), b64: Buffer.from(t).toString("base64") });
    const none = { bytes: 0, b64: "" };
    expect(programOutput({ exitCode: 0, stdout: s("out\n"), stderr: s("err"), codePage: 65001 })).toBe(
      "out\nerr",
    );
    expect(programOutput({ exitCode: 0, stdout: s("out"), stderr: s("err"), codePage: 65001 })).toBe(
      "out\nerr",
    );
    expect(programOutput({ exitCode: 0, stdout: none, stderr: s("err"), codePage: 65001 })).toBe("err");
    expect(programOutput({ exitCode: 0, stdout: none, stderr: none, codePage: 65001 })).toBe("");
  });
});

describe("media staging helpers", () => {
  test("the folder name comes from the last segment of a Linux, UNC or drive path", () => {
    expect(mediaName("/srv/media/NetMgr-9.0/")).toBe("NetMgr-9.0");
    expect(mediaName("\\\\filesrv\\share\\NetMgr 9.0\\")).toBe("NetMgr 9.0");
    expect(mediaName("D:\\")).toBe("");
    expect(mediaName("E:")).toBe("");
    expect(checkMediaName("")).toMatch(/needs a name/);
    expect(checkMediaName("..")).toMatch(/not a folder name/);
    expect(checkMediaName("a:b")).toMatch(/does not allow/);
    expect(checkMediaName("NetMgr 9.0")).toBeUndefined();
  });

  test("manifests compare by path (case-insensitive), size and hash", () => {
    const a = [
      { path: "Setup.exe", size: 1, sha256: "AA" },
      { path: "x\\b.cab", size: 2, sha256: "bb" },
    ];
    expect(
      manifestDifferences(a, [
        { path: "SETUP.EXE", size: 1, sha256: "aa" },
        { path: "x\\b.cab", size: 2, sha256: "BB" },
      ]),
    ).toEqual([]);
    expect(
      manifestDifferences(a, [
        { path: "Setup.exe", size: 1, sha256: "ab" },
        { path: "extra.txt", size: 0, sha256: "" },
      ]),
    ).toEqual(["differs Setup.exe", "missing x\\b.cab", "extra extra.txt"]);
  });
});

describe("errors", () => {
  test("a missing executable names the fix", () => {
    const enoent = { originalError: { code: "ENOENT", message: "spawn pwsh ENOENT" }, exitCode: null };
    expect(describeShellExit(enoent, "pwsh")).toMatch(
      /"pwsh" was not found on the controller .*netmgr:remoting.pwsh/,
    );
    expect(describeShellExit({ exitCode: 3, signalCode: null }, "pwsh")).toBe(
      'the local PowerShell ("pwsh") exited (exit code 3)',
    );
    expect(describeShellExit(undefined, "pwsh")).toBe('the local PowerShell ("pwsh") exited');
  });

  test("every part of a HostError is scrubbed", () => {
    const s = new Secret("hunter2");
    const e = hostError("host1", "run x hunter2", "echo hunter2", "failed", [s, undefined, "plain"]);
    expect(e.message).toBe("host1: run x [secret]: echo [secret]");
    expect(e.operation).toBe("run x [secret]");
    expect(excerpt("a".repeat(700))).toMatch(/… \(100 more characters\)$/);
  });
});

describe("openPowerShellTarget", () => {
  const base = { remoting: Remoting.parse({}), hosts: ["host1", "host2"], sql: noSql };

  test("is a lazy Target: nothing starts until the first operation", async () => {
    const target = openPowerShellTarget({ ...base, remoting: Remoting.parse({ pwsh: "/nonexistent/pwsh" }) });
    expect(target.kind).toBe("powershell");
    expect(target.host("HOST2").host).toBe("host2");
    const before = target.clock.now();
    await target.clock.sleep(5);
    expect(target.clock.now()).toBeGreaterThanOrEqual(before + 4);
    await target.close();
  });

  test("refuses settings that cannot work, and says which key to fix", () => {
    expect(() => openPowerShellTarget({ ...base, hosts: [] })).toThrow(/at least one host/);
    expect(() => openPowerShellTarget({ ...base, hosts: ["a", "A"] })).toThrow(/listed twice/);
    expect(() =>
      openPowerShellTarget({
        ...base,
        remoting: Remoting.parse({ transport: "winrm" }),
        password: new Secret("x"),
      }),
    ).toThrow(/netmgr:remoting.user/);
    const logs: string[] = [];
    openPowerShellTarget({ ...base, password: new Secret("x"), log: (l) => logs.push(l) });
    expect(logs).toEqual([
      "netmgr:remotingPassword is not used with SSH remoting (key authentication, netmgr:remoting.keyFile)",
    ]);
  });
});
