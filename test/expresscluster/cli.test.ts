import { applyCommandLines, APPLY_SEQUENCES } from "../../providers/expresscluster/apply";
import { expressClusterCli, checkScriptPath } from "../../providers/expresscluster/cli";
import { ClpConf } from "../../providers/expresscluster/clpconf";
import { CLP, commandLine } from "../../providers/expresscluster/commands";
import { HostError } from "../../providers/hosts/types";
import { FakeClock, FakeHost, fail, ok } from "./fake-host";
import { clpconfBytes, clpstatFixture, must } from "./fixtures";

const DIR = "C:\\NetMgrRollingUpdate\\clpcfg";
const MIN = 60_000;
const stat = (name: string) => ok(clpstatFixture(name));

function setup(): {
  host: FakeHost;
  clock: FakeClock;
  progress: string[];
  ops: ReturnType<typeof expressClusterCli>;
} {
  const host = new FakeHost("ws2022-01");
  const clock = new FakeClock();
  const progress: string[] = [];
  const ops = expressClusterCli(host.asHostOps(), {
    clock,
    workDir: `${DIR}\\`,
    pollMs: 10_000,
    onProgress: (l) => progress.push(l),
  });
  host.handlers = { clpgrp: () => ok(), clpcl: () => ok(), clpcfctrl: () => ok() };
  return { host, clock, progress, ops };
}

/** What `clpcfctrl --pull -x <dir>` leaves behind: the X 3.x SJIS clp.conf and its scripts tree. */
function pullWritesFixtures(host: FakeHost): void {
  host.handlers["clpcfctrl --pull"] = (args, h) => {
    const dir = must(args[2]);
    h.files.set(`${dir}\\clp.conf`, clpconfBytes("x3-windows-internal-sjis.conf"));
    for (const rel of [
      "scripts\\failover-nm\\script-nm\\start.bat",
      "scripts\\failover\\script\\start.bat",
      "scripts\\failover\\script\\stop.bat",
      "scripts\\monitor.s\\genw-nm\\genw.bat",
    ]) {
      h.files.set(`${dir}\\${rel}`, clpconfBytes(rel.replace(/\\/g, "/")));
    }
    return ok("Command succeeded.(code:0)\r\n");
  };
}

describe("command forms", () => {
  it("are the documented command lines", () => {
    expect(commandLine(CLP.status())).toBe("clpstat --long");
    expect(commandLine(CLP.moveGroup("failover", "ws2022-02"))).toBe("clpgrp -m failover -a ws2022-02");
    expect(commandLine(CLP.startGroup("failover", "ws2022-02"))).toBe("clpgrp -s failover -h ws2022-02");
    expect(commandLine(CLP.stopGroup("failover"))).toBe("clpgrp -t failover");
    expect(commandLine(CLP.suspend())).toBe("clpcl --suspend");
    expect(commandLine(CLP.resume())).toBe("clpcl --resume");
    expect(commandLine(CLP.pull("C:\\Net Mgr\\cfg"))).toBe('clpcfctrl --pull -x "C:\\Net Mgr\\cfg"');
    expect(commandLine(CLP.push(DIR))).toBe(`clpcfctrl --push -x ${DIR}`);
  });

  it("apply sequences: resources stop the group first; settings only suspend/push/resume (§3.4.2 step 5)", () => {
    expect(APPLY_SEQUENCES).toEqual({
      resources: ["stopGroup", "suspend", "push", "resume"],
      settings: ["suspend", "push", "resume"],
    });
    expect(applyCommandLines("resources", "failover", DIR)).toEqual([
      "clpgrp -t failover",
      "clpcl --suspend",
      `clpcfctrl --push -x ${DIR}`,
      "clpcl --resume",
    ]);
  });
});

describe("expressClusterCli: status and group operations", () => {
  it("status runs clpstat --long and parses it", async () => {
    const { host, ops } = setup();
    host.clpstat = [stat("x5-long-online.txt")];
    const s = await ops.status();
    expect(host.commands).toEqual(["clpstat --long"]);
    expect(s.groups[0]).toMatchObject({ name: "failover", state: "Online", current: "ws2022-01" });
  });

  it("moves a group and polls until every resource is Online on the destination", async () => {
    const { host, clock, progress, ops } = setup();
    host.clpstat = [
      stat("x5-long-online.txt"),
      stat("x5-long-moving.txt"),
      stat("x5-long-moving.txt"),
      stat("x5-long-moved.txt"),
    ];
    const t0 = clock.now();
    await ops.moveGroup("failover", "WS2022-02", 15 * MIN);
    expect(host.commands).toEqual([
      "clpstat --long",
      "clpgrp -m failover -a WS2022-02",
      "clpstat --long",
      "clpstat --long",
      "clpstat --long",
    ]);
    expect(clock.now() - t0).toBe(20_000);
    expect(progress).toEqual([
      "ws2022-01: clpgrp -m failover -a WS2022-02",
      "waiting for group failover to be Online on WS2022-02: 8/13 resources online, 0s / 15m",
      "waiting for group failover to be Online on WS2022-02: 8/13 resources online, 10s / 15m",
    ]);
    // clpgrp gets what is left of the deadline as its own timeout.
    expect(host.timeouts[1]).toBe(15 * MIN);
  });

  it("does nothing when the group is already Online on the destination", async () => {
    const { host, ops } = setup();
    host.clpstat = [stat("x5-long-moved.txt")];
    await ops.moveGroup("failover", "ws2022-02", 15 * MIN);
    expect(host.commands).toEqual(["clpstat --long"]);
  });

  it("starts a stopped group on the destination instead of moving it (after §3.4.2 step 5)", async () => {
    const { host, ops } = setup();
    host.clpstat = [stat("x5-long-stopped.txt"), stat("x5-long-moved.txt")];
    await ops.moveGroup("failover", "ws2022-02", 15 * MIN);
    expect(host.commands).toEqual(["clpstat --long", "clpgrp -s failover -h ws2022-02", "clpstat --long"]);
  });

  it("fails with the command line and its output when clpgrp fails, without waiting", async () => {
    const { host, ops } = setup();
    host.clpstat = [stat("x5-long-online.txt")];
    host.handlers["clpgrp"] = () => fail(1, "Command failed.\r\nFailed to move the group.\r\n");
    const err = await ops.moveGroup("failover", "ws2022-02", 15 * MIN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect((err as HostError).message).toBe(
      "ws2022-01: clpgrp -m failover -a ws2022-02: exit code 1: Command failed.\r\nFailed to move the group.",
    );
    expect(host.commands).toEqual(["clpstat --long", "clpgrp -m failover -a ws2022-02"]);
  });

  it("fails when the deadline passes, naming the group, its last state and the resources not yet Online", async () => {
    const { host, clock, ops } = setup();
    host.clpstat = [stat("x5-long-online.txt"), stat("x5-long-moving.txt")];
    const t0 = clock.now();
    const err = (await ops.moveGroup("failover", "ws2022-02", 5 * MIN).catch((e: unknown) => e)) as HostError;
    expect(err).toBeInstanceOf(HostError);
    expect(err.kind).toBe("timeout");
    expect(err.message).toBe(
      "ws2022-01: wait for group failover: timed out after 5m waiting for group failover to be Online on ws2022-02; " +
        "last observed: Online Pending on ws2022-02; resources not yet Online: service-BaseMgr (Online Pending), " +
        "service-OpeMgr (Offline), service-RMAPI (Offline), service-Topology (Offline), service-PerfMgr (Offline)",
    );
    expect(clock.now() - t0).toBe(5 * MIN);
    expect(host.commands.filter((c) => c === "clpstat --long")).toHaveLength(1 + 31);
  });

  it("keeps polling through a clpstat failure during the failover", async () => {
    const { host, ops } = setup();
    host.clpstat = [
      stat("x5-long-online.txt"),
      fail(11, "Could not connect to the server.\r\n"),
      stat("x5-long-moved.txt"),
    ];
    await ops.moveGroup("failover", "ws2022-02", 15 * MIN);
    expect(host.commands).toHaveLength(4);
  });

  it("reports a clpstat that never answers", async () => {
    const { host, ops } = setup();
    host.clpstat = [stat("x5-long-online.txt"), fail(11, "Could not connect to the server.")];
    await expect(ops.moveGroup("failover", "ws2022-02", 30_000)).rejects.toThrow(
      /clpstat never answered: ws2022-01: clpstat --long: exit code 11: Could not connect to the server\./,
    );
  });

  it("reports an activation failure seen until the deadline", async () => {
    const { host, ops } = setup();
    host.clpstat = [stat("x5-long-online.txt"), stat("x5-long-failure.txt")];
    await expect(ops.moveGroup("failover", "ws2022-02", MIN)).rejects.toThrow(
      /last observed: Online Failure on ws2022-02; resources not yet Online: service-BaseMgr \(Online Failure\)/,
    );
  });

  it("starts a group on a host; refuses when it runs on the other one", async () => {
    const { host, ops } = setup();
    host.clpstat = [stat("x5-long-stopped.txt"), stat("x5-long-online.txt")];
    await ops.startGroup("failover", "ws2022-01", 15 * MIN);
    expect(host.commands).toEqual(["clpstat --long", "clpgrp -s failover -h ws2022-01", "clpstat --long"]);

    const second = setup();
    second.host.clpstat = [stat("x5-long-moved.txt")];
    await expect(second.ops.startGroup("failover", "ws2022-01", 15 * MIN)).rejects.toThrow(
      /the group is Online on ws2022-02, not on ws2022-01: move it instead/,
    );
  });

  it("stops a group and waits until every resource is Offline; a stopped group is left alone", async () => {
    const { host, progress, ops } = setup();
    host.clpstat = [stat("x5-long-online.txt"), stat("x5-long-online.txt"), stat("x5-long-stopped.txt")];
    await ops.stopGroup("failover", 15 * MIN);
    expect(host.commands).toEqual([
      "clpstat --long",
      "clpgrp -t failover",
      "clpstat --long",
      "clpstat --long",
    ]);
    expect(progress.at(-1)).toBe(
      "waiting for group failover to be Offline: 0/13 resources offline, 0s / 15m",
    );

    const again = setup();
    again.host.clpstat = [stat("x5-long-stopped.txt")];
    await again.ops.stopGroup("failover", 15 * MIN);
    expect(again.host.commands).toEqual(["clpstat --long"]);
  });

  it("falls back to plain clpstat once where --long is refused, and stays with it", async () => {
    const { host, progress, ops } = setup();
    const plain = clpstatFixture("x5-long-online.txt");
    host.run = async (program, args) => {
      const line = [program, ...args].join(" ");
      host.commands.push(line);
      if (line === "clpstat --long") return fail(1, "Invalid option.");
      return ok(plain);
    };
    expect((await ops.status()).groups[0]?.name).toBe("failover");
    expect((await ops.status()).groups[0]?.name).toBe("failover");
    expect(host.commands).toEqual(["clpstat --long", "clpstat", "clpstat"]);
    expect(progress).toEqual([
      "ws2022-01: clpstat --long is refused here; using clpstat, which cuts long names",
    ]);
  });

  it("reports the --long failure when plain clpstat fails too (cluster not running)", async () => {
    const { host, ops } = setup();
    host.clpstat = [fail(11, "Could not connect to the server.")];
    await expect(ops.status()).rejects.toThrow(
      "ws2022-01: clpstat --long: exit code 11: Could not connect to the server.",
    );
    expect(host.commands).toEqual(["clpstat --long", "clpstat"]);
  });

  it("suspends and resumes the cluster", async () => {
    const { host, ops } = setup();
    await ops.suspend();
    await ops.resume();
    expect(host.commands).toEqual(["clpcl --suspend", "clpcl --resume"]);
  });
});

describe("expressClusterCli: configuration", () => {
  it("pulls into an emptied work folder and reads clp.conf (in its encoding) and every script", async () => {
    const { host, ops } = setup();
    pullWritesFixtures(host);
    host.files.set(`${DIR}\\scripts\\stale\\old.bat`, Buffer.from("left over"));
    const files = await ops.pullConfig();
    expect(host.commands).toEqual([`clpcfctrl --pull -x ${DIR}`]);
    expect(ClpConf.parse(files.clpConf).param(["cluster", "comment"])).toBe("NetworkManager クラスタ");
    expect(Object.keys(files.scripts)).toEqual([
      "scripts\\failover-nm\\script-nm\\start.bat",
      "scripts\\failover\\script\\start.bat",
      "scripts\\failover\\script\\stop.bat",
      "scripts\\monitor.s\\genw-nm\\genw.bat",
    ]);
    expect(must(files.scripts["scripts\\failover\\script\\stop.bat"]).toString()).toContain("rem stop.bat");
  });

  it("applies a resources change: stop the group, suspend, push, resume; pushes exactly the files", async () => {
    const { host, ops } = setup();
    pullWritesFixtures(host);
    const files = await ops.pullConfig();
    host.commands.length = 0;
    const pushed: Record<string, Buffer>[] = [];
    host.handlers["clpcfctrl --push"] = (args, h) => {
      pushed.push(h.tree(must(args[2])));
      return ok();
    };
    host.clpstat = [stat("x5-long-online.txt"), stat("x5-long-online.txt"), stat("x5-long-stopped.txt")];
    await ops.applyConfig(files, "resources", "failover", 15 * MIN);
    expect(host.commands).toEqual([
      "clpstat --long",
      "clpgrp -t failover",
      "clpstat --long",
      "clpstat --long",
      "clpcl --suspend",
      `clpcfctrl --push -x ${DIR}`,
      "clpcl --resume",
    ]);
    expect(pushed).toHaveLength(1);
    // clp.conf goes back in SJIS, byte for byte as pulled.
    expect(must(must(pushed[0])["clp.conf"]).equals(clpconfBytes("x3-windows-internal-sjis.conf"))).toBe(
      true,
    );
    expect(Object.keys(must(pushed[0])).sort()).toEqual(["clp.conf", ...Object.keys(files.scripts)].sort());
  });

  it("applies a settings change with suspend, push, resume only", async () => {
    const { host, ops } = setup();
    pullWritesFixtures(host);
    const files = await ops.pullConfig();
    host.commands.length = 0;
    await ops.applyConfig(files, "settings", "failover", 15 * MIN);
    expect(host.commands).toEqual(["clpcl --suspend", `clpcfctrl --push -x ${DIR}`, "clpcl --resume"]);
  });

  it("resumes the cluster when the push fails, and says where things stand", async () => {
    const { host, ops } = setup();
    pullWritesFixtures(host);
    const files = await ops.pullConfig();
    host.commands.length = 0;
    host.handlers["clpcfctrl --push"] = () => fail(2, "The configuration data is invalid.");
    host.clpstat = [stat("x5-long-stopped.txt")];
    const err = (await ops
      .applyConfig(files, "resources", "failover", 15 * MIN)
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(HostError);
    expect(err.message).toBe(
      `ws2022-01: clpcfctrl --push -x ${DIR}: applying a "resources" change failed at push: ` +
        "exit code 2: The configuration data is invalid. " +
        "(the cluster was resumed with its previous configuration; group failover is stopped)",
    );
    expect(host.commands).toEqual([
      "clpstat --long",
      "clpcl --suspend",
      `clpcfctrl --push -x ${DIR}`,
      "clpcl --resume",
    ]);
  });

  it("says the cluster is still suspended when resume fails too", async () => {
    const { host, ops } = setup();
    pullWritesFixtures(host);
    const files = await ops.pullConfig();
    host.handlers["clpcfctrl --push"] = () => fail(2, "invalid");
    host.handlers["clpcl"] = (args) => (args[0] === "--resume" ? fail(5, "resume failed") : ok());
    await expect(ops.applyConfig(files, "settings", "failover", MIN)).rejects.toThrow(
      /clpcl --resume also failed, the cluster is still suspended: .*exit code 5: resume failed/,
    );
  });

  it("refuses to write outside the scripts tree", async () => {
    const { host, ops } = setup();
    const files = { clpConf: "<root/>", scripts: { "..\\evil.bat": Buffer.from("x") } };
    await expect(ops.applyConfig(files, "settings", "failover", MIN)).rejects.toThrow(
      /not a path under scripts/,
    );
    expect(host.commands).toEqual([]);
    expect(() => checkScriptPath("scripts\\failover\\script\\start.bat")).not.toThrow();
    expect(() => checkScriptPath("scripts\\..\\clp.conf")).toThrow();
    expect(() => checkScriptPath("C:\\scripts\\x.bat")).toThrow();
    expect(() => checkScriptPath("scripts")).toThrow();
  });
});
