/**
 * The session pool against a fake pwsh that speaks node-powershell's real delimiter protocol: one shell per
 * node, one call at a time per node, deadlines, dying shells, missing executables, remote errors, secrets.
 */
import { HostError } from "../../providers/hosts/types";
import { FAKE_PWSH, Fake, Secret, defined, isAlive, noSql, waitFor, type CallRecord } from "./fake";

let fake: Fake;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(() => process.on("unhandledRejection", onUnhandled));
afterAll(() => process.off("unhandledRejection", onUnhandled));
beforeEach(() => {
  fake = new Fake();
  unhandled.length = 0;
});
afterEach(() => fake.cleanup());

async function caught(promise: Promise<unknown>): Promise<HostError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(HostError);
    return e as HostError;
  }
  throw new Error("expected a HostError");
}

const pidsOf = (records: CallRecord[]): Set<number> => new Set(records.map((r) => r.pid));

describe("session pool", () => {
  test("one shell and one session per node, reused for every call of the run", async () => {
    const target = fake.target();
    try {
      await target.host("host1").stat("C:\\a");
      await target.host("HOST1").stat("C:\\b");
      await target.host("host2").stat("C:\\c");
      await target.host("host1").mkdir("C:\\d");
      await target.host("host2").remove("C:\\e");
    } finally {
      await target.close();
    }
    const opens = fake.starts("openSsh");
    expect(opens.map((o) => o.args?.[0]).sort()).toEqual(["10.0.0.1", "10.0.0.2"]);
    // The SSH parameters as configured: address, user, key file, port, connect timeout.
    expect(opens.find((o) => o.node === "10.0.0.1")?.args).toEqual([
      "10.0.0.1",
      "netmgr-admin",
      "/home/op/.ssh/id_ed25519",
      null,
      120_000,
    ]);
    const host1 = fake.starts().filter((c) => c.node === "10.0.0.1");
    const host2 = fake.starts().filter((c) => c.node === "10.0.0.2");
    expect(pidsOf(host1).size).toBe(1);
    expect(pidsOf(host2).size).toBe(1);
    expect([...pidsOf(host1)][0]).not.toBe([...pidsOf(host2)][0]);
    expect(host1.map((c) => c.op)).toEqual(["openSsh", "stat", "stat", "mkdir", "closeSession"]);
    // Nothing the fake received was malformed.
    expect(fake.calls().filter((c) => c.phase === "rejected" || (c.problems ?? []).length > 0)).toEqual([]);
    // close() removed the sessions and stopped both shells.
    expect(await waitFor(() => [...pidsOf(host1), ...pidsOf(host2)].every((pid) => !isAlive(pid)))).toBe(
      true,
    );
  });

  test("a node's calls run one at a time while two nodes run in parallel", async () => {
    fake.scenario([{ op: "stat", respond: { delayMs: 300, value: "file" } }]);
    const target = fake.target();
    try {
      // Open both sessions first so that only the stat calls overlap in time.
      await Promise.all([target.host("host1").mkdir("C:\\x"), target.host("host2").mkdir("C:\\x")]);
      const started = Date.now();
      const results = await Promise.all([
        target.host("host1").stat("C:\\1"),
        target.host("host1").stat("C:\\2"),
        target.host("host2").stat("C:\\3"),
        target.host("host2").stat("C:\\4"),
      ]);
      const elapsed = Date.now() - started;
      expect(results).toEqual(["file", "file", "file", "file"]);
      // Two in sequence per node (at least 600 ms); the overlap across nodes is checked on the events below.
      expect(elapsed).toBeGreaterThanOrEqual(580);
    } finally {
      await target.close();
    }
    const events = fake.calls().filter((c) => c.op === "stat" && (c.phase === "start" || c.phase === "end"));
    const busy = (node: string): [number, number][] => {
      const mine = events.filter((e) => e.node === node);
      const starts = mine.filter((e) => e.phase === "start").map((e) => e.t);
      const ends = mine.filter((e) => e.phase === "end").map((e) => e.t);
      return starts.map((s, i) => [s, ends[i] ?? Infinity]);
    };
    const [a1, a2] = busy("10.0.0.1");
    const [b1] = busy("10.0.0.2");
    expect(defined(a2)[0]).toBeGreaterThanOrEqual(defined(a1)[1]); // host1: the second starts after the first ended
    expect(defined(b1)[0]).toBeLessThan(defined(a1)[1]); // host2 ran while host1 was busy
  });

  test("a call that hangs hits its deadline: timeout HostError, the shell is stopped, the next call gets a new one", async () => {
    fake.scenario([
      { op: "processes", nth: 0, respond: { hang: true } },
      { op: "processes", respond: { value: ["SysMonSvc", "explorer"] } },
    ]);
    const target = fake.target({ timeouts: { processes: 400 } });
    try {
      const error = await caught(target.host("host1").processes());
      expect(error.kind).toBe("timeout");
      expect(error.host).toBe("host1");
      expect(error.operation).toBe("processes");
      expect(error.message).toMatch(/^host1: processes: no answer within 0\.4 s/);
      const hungPid = defined(fake.starts("processes")[0]).pid;
      expect(await waitFor(() => !isAlive(hungPid))).toBe(true);

      expect(await target.host("host1").processes()).toEqual(["SysMonSvc", "explorer"]);
      const second = defined(fake.starts("processes")[1]);
      expect(second.pid).not.toBe(hungPid);
      expect(fake.starts("openSsh")).toHaveLength(2);
    } finally {
      await target.close();
    }
  });

  test.each([
    ["a crash (exit 3)", 3],
    ["a clean exit", 0],
  ])("a shell that dies mid-call (%s): unreachable HostError, then recovery", async (_name, code) => {
    fake.scenario([
      { op: "list", nth: 0, respond: { die: code } },
      { op: "list", respond: { value: [{ name: "sg", kind: "dir", size: 0 }] } },
    ]);
    const target = fake.target();
    try {
      const error = await caught(target.host("host2").list("C:\\Manager"));
      expect(error.kind).toBe("unreachable");
      expect(error.message).toMatch(/^host2: list C:\\Manager: the local PowerShell .* exited/);
      expect(await target.host("host2").list("C:\\Manager")).toEqual([{ name: "sg", kind: "dir", size: 0 }]);
      const pids = fake.starts("list").map((c) => c.pid);
      expect(pids[0]).not.toBe(pids[1]);
    } finally {
      await target.close();
    }
    expect(unhandled).toEqual([]);
  });

  test("a missing pwsh gives a clean HostError, every time, and no unhandled rejection", async () => {
    const target = fake.target({ remoting: { pwsh: "/nonexistent/bin/pwsh" } });
    try {
      for (let i = 0; i < 2; i++) {
        const error = await caught(target.host("host1").environment());
        expect(error.kind).toBe("unreachable");
        expect(error.message).toContain('"/nonexistent/bin/pwsh" was not found on the controller');
        expect(error.message).toContain("netmgr:remoting.pwsh");
      }
    } finally {
      await target.close();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(unhandled).toEqual([]);
  });

  test("NODE_POWERSHELL picks the executable, as node-powershell documents", async () => {
    const saved = process.env.NODE_POWERSHELL;
    process.env.NODE_POWERSHELL = FAKE_PWSH;
    const target = fake.target({ remoting: { pwsh: "/nonexistent/bin/pwsh" } });
    try {
      expect(await target.host("host1").stat("C:\\x")).toBeNull();
    } finally {
      await target.close();
      if (saved === undefined) delete process.env.NODE_POWERSHELL;
      else process.env.NODE_POWERSHELL = saved;
    }
  });

  test("a remote error becomes a failed HostError with the node's message; the shell stays", async () => {
    fake.scenario([
      { op: "readFile", respond: { error: "Cannot find path 'C:\\x\\WFDB.INI' because it does not exist." } },
    ]);
    const target = fake.target();
    try {
      const error = await caught(target.host("host1").readFile("C:\\x\\WFDB.INI"));
      expect(error.kind).toBe("failed");
      expect(error.message).toBe(
        "host1: readFile C:\\x\\WFDB.INI: Cannot find path 'C:\\x\\WFDB.INI' because it does not exist.",
      );
      await target.host("host1").mkdir("C:\\y");
    } finally {
      await target.close();
    }
    expect(pidsOf(fake.starts()).size).toBe(1);
  });

  test("a broken session (unreachable from the wrapper) replaces the shell", async () => {
    fake.scenario([
      { op: "services", nth: 0, respond: { error: "The session state is Broken", kind: "unreachable" } },
      { op: "services", respond: { value: [] } },
    ]);
    const target = fake.target();
    try {
      const error = await caught(target.host("host1").services());
      expect(error.kind).toBe("unreachable");
      expect(await target.host("host1").services()).toEqual([]);
    } finally {
      await target.close();
    }
    expect(fake.starts("openSsh")).toHaveLength(2);
  });

  test("stderr noise does not fail a call; output without the result line does", async () => {
    fake.scenario([
      { op: "stat", respond: { value: "dir", stderr: "WARNING: noise on stderr" } },
      { op: "mkdir", respond: { raw: "some text but no marker" } },
    ]);
    const target = fake.target();
    try {
      expect(await target.host("host1").stat("C:\\x")).toBe("dir");
      const error = await caught(target.host("host1").mkdir("C:\\y"));
      expect(error.kind).toBe("failed");
      expect(error.message).toMatch(/no result line/);
    } finally {
      await target.close();
    }
  });

  test("a session that cannot be opened: unreachable, named, and retried on the next call", async () => {
    fake.scenario([
      {
        op: "openSsh",
        nth: 0,
        respond: { error: "ssh: connect to host 10.0.0.1 port 22: Connection refused" },
      },
    ]);
    const target = fake.target();
    try {
      const error = await caught(target.host("host1").stat("C:\\x"));
      expect(error.kind).toBe("unreachable");
      expect(error.message).toBe(
        "host1: stat C:\\x: cannot open the SSH remoting session to 10.0.0.1 as netmgr-admin: ssh: connect to host 10.0.0.1 port 22: Connection refused",
      );
      expect(await target.host("host1").stat("C:\\x")).toBeNull();
    } finally {
      await target.close();
    }
  });

  test("after close, calls fail cleanly", async () => {
    const target = fake.target();
    await target.host("host1").stat("C:\\x");
    await target.close();
    const error = await caught(target.host("host1").stat("C:\\x"));
    expect(error.message).toMatch(/closed/);
  });

  test("close also closes the SQL Server connections (their pools hold the SQL login)", async () => {
    let closed = 0;
    const sql = { ...noSql, close: async () => void closed++ };
    const target = fake.target({ sql });
    await target.close();
    expect(closed).toBe(1);
  });
});

describe("secrets", () => {
  const password = "Pa$$w0rd'“quoted” 日本";
  const dbPassword = "sa@Password&x";

  test("the WinRM password and secret arguments reach the node but never an error, a stdin line or a log", async () => {
    fake.scenario([
      { op: "run", respond: { echoArgs: true } },
      { op: "stat", respond: { error: `access denied for admin/${password}` } },
    ]);
    const target = fake.target({
      remoting: { transport: "winrm", user: "CLUSTER\\admin", configurationName: "PowerShell.7" },
      password: new Secret(password),
    });
    const errors: HostError[] = [];
    try {
      errors.push(
        await caught(
          target.host("host1").run("C:\\x\\WfdbCmdSetup.bat", ["wfdb", new Secret(dbPassword), "localhost"]),
        ),
      );
      errors.push(await caught(target.host("host1").stat("C:\\x")));
    } finally {
      await target.close();
    }
    // Delivered: the node side decoded both exactly.
    const open = defined(fake.starts("openWinrm")[0]);
    expect(open.args).toEqual(["10.0.0.1", "CLUSTER\\admin", password, "PowerShell.7", null, 120_000]);
    expect(String(defined(fake.starts("run")[0]).args?.[1])).toContain(`"${dbPassword}"`);

    // Never in clear anywhere else.
    const everything = [
      ...errors.map((e) => `${e.message}|${e.operation}|${e.stack}`),
      fake.stdin(),
      ...fake.logs,
    ].join("\n");
    for (const secret of [password, dbPassword]) expect(everything).not.toContain(secret);
    expect(defined(errors[0]).message).toContain("[secret]");
    expect(defined(errors[0]).operation).toBe("run C:\\x\\WfdbCmdSetup.bat wfdb [secret] localhost");
    expect(defined(errors[1]).message).toBe("host1: stat C:\\x: access denied for admin/[secret]");
    expect(fake.logs.length).toBeGreaterThan(0);
  });

  test("a failing session open does not echo the password either", async () => {
    fake.scenario([{ op: "openWinrm", respond: { echoArgs: true } }]);
    const target = fake.target({
      remoting: { transport: "winrm", user: "admin" },
      password: new Secret(password),
    });
    try {
      const error = await caught(target.host("host2").environment());
      expect(error.kind).toBe("unreachable");
      expect(error.message).toContain("[secret]");
      expect(error.message).not.toContain(password);
    } finally {
      await target.close();
    }
    expect(fake.stdin()).not.toContain(password);
  });
});
