import { ConfigError, parseStackConfig, rolesOf } from "../../providers/config/stack";

const base: Record<string, string> = {
  fromVersion: "8.0",
  newMedia: JSON.stringify({ path: "D:\\media\\NetMgr-9.0" }),
  oldMedia: JSON.stringify({ path: "D:\\media\\NetMgr-8.0" }),
};

function parse(overrides: Record<string, string | undefined> = {}) {
  const values = { ...base, ...overrides };
  return parseStackConfig((k) => values[k]);
}

function problems(overrides: Record<string, string | undefined>): string[] {
  try {
    parse(overrides);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("stack config", () => {
  it("applies the guide's defaults", () => {
    const c = parse();
    expect(c.target).toBe("lab");
    expect(c.toVersion).toBe("9.0");
    expect(c.installPath).toBe("C:\\Program Files (x86)\\NEC\\UMF\\Operations");
    expect(c.webConsole).toMatchObject({
      enabled: false,
      managerId: "1",
      imsAddress: "127.0.0.1",
      port: 28110,
      sendEvent: 1,
    });
    expect(c.deadlines.operationsManagerWatchSeconds).toBe(180);
    expect(rolesOf(c)).toEqual({ active: "host1", standby: "host2" });
  });

  it("names the key and the fix for each problem, all at once", () => {
    const p = problems({
      fromVersion: undefined,
      webConsole: JSON.stringify({
        enabled: true,
        managerId: "nv-01",
        imsAddress: "300.1.1.1",
        sendEvent: 2,
      }),
      activeHost: "host3",
      sflowDb: "true",
    });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^netmgr:fromVersion: .*pulumi config set 'fromVersion'/),
        expect.stringMatching(/^netmgr:webConsole\.managerId: InstanceID must be single-byte alphanumeric/),
        expect.stringMatching(/^netmgr:webConsole\.imsAddress: MessageQueueIP must be an IPv4 address/),
        expect.stringMatching(/^netmgr:webConsole\.sendEvent/),
      ]),
    );
  });

  it("refuses what the guide does not support", () => {
    expect(problems({ toVersion: "8.1" }).join("\n")).toMatch(
      /netmgr:toVersion: a rolling update needs a target of 9.0 or later/,
    );
    expect(problems({ fromVersion: "9.1", toVersion: "9.0" }).join("\n")).toMatch(
      /must be later than netmgr:fromVersion/,
    );
    expect(problems({ fromVersion: "5.0" }).join("\n")).toMatch(
      /netmgr:fromVersion: must be one of the known NetMgr versions/,
    );
    expect(problems({ oldMedia: JSON.stringify({ path: "media/old" }) }).join("\n")).toMatch(
      /netmgr:oldMedia\.path: must be an absolute Windows path/,
    );
    expect(problems({ hosts: JSON.stringify(["a", "A"]) }).join("\n")).toMatch(/the two hosts must differ/);
    expect(problems({ consoles: JSON.stringify(["host1"]) }).join("\n")).toMatch(
      /host1 is a cluster node, not a console/,
    );
    expect(problems({ sflowDb: "true" }).join("\n")).toMatch(/netmgr:sflowDb: the sFlow DB is an external/);
    expect(problems({ webConsole: "{not json" }).join("\n")).toMatch(/netmgr:webConsole: is not valid JSON/);
  });

  it("takes the active host from config, case-insensitively", () => {
    expect(rolesOf(parse({ activeHost: "HOST2" }))).toEqual({ active: "host2", standby: "host1" });
    expect(rolesOf(parse({ activeHost: "" }))).toEqual({ active: "host1", standby: "host2" });
  });

  describe("media staged by the chain (stageFrom)", () => {
    const staged = (path: string, extra: object = {}) =>
      JSON.stringify({ path, stageFrom: "/srv/media/NetMgr-9.0", ...extra });
    const real = { target: "powershell" };

    it("takes a controller folder and a node folder of its own", () => {
      const c = parse({ ...real, newMedia: staged("C:\\NetMgrRollingUpdate\\NetMgr-9.0") });
      expect(c.newMedia.stageFrom).toBe("/srv/media/NetMgr-9.0");
      expect(c.oldMedia.stageFrom).toBeUndefined();
      expect(parse({ ...real, newMedia: staged("E:\\Media\\NetMgr-9.0") }).newMedia.path).toBe(
        "E:\\Media\\NetMgr-9.0",
      );
    });

    it("is for real nodes only, naming the key and the fix", () => {
      expect(problems({ newMedia: staged("C:\\NetMgrRollingUpdate\\NetMgr-9.0") })).toEqual([
        expect.stringMatching(
          /^netmgr:newMedia\.stageFrom: the chain stages media only onto real nodes \(netmgr:target powershell\).*remove newMedia\.stageFrom/,
        ),
      ]);
      expect(problems({ ...real, oldMedia: JSON.stringify({ path: "D:\\m", stageFrom: "" }) })).toEqual([
        expect.stringMatching(/^netmgr:oldMedia\.stageFrom: must name a folder on the controller/),
      ]);
    });

    it("refuses a path the copy may not occupy or a failback may not remove", () => {
      const bad = (path: string, extra: Record<string, string> = {}) =>
        problems({ ...real, newMedia: staged(path), ...extra }).join("\n");
      expect(bad("\\\\filesrv\\media\\NetMgr-9.0")).toMatch(
        /^netmgr:newMedia\.path: with newMedia\.stageFrom set, the media is copied to this path: it must be a folder on the node's own disk/,
      );
      expect(bad("D:\\")).toMatch(/must be a folder on the node's own disk below the drive root/);
      expect(bad("C:\\NetMgrRollingUpdate")).toMatch(
        /netmgr:newMedia\.path: .*holds the chain's work folder C:\\NetMgrRollingUpdate .*e\.g\. C:\\NetMgrRollingUpdate\\NetMgr-<version>/,
      );
      expect(bad("C:\\Program Files (x86)\\NEC")).toMatch(/must not overlap netmgr:installPath/);
      expect(bad("X:\\MasterScope\\Operations\\media")).toMatch(/must not overlap netmgr:sharePath/);
      expect(bad("D:\\media\\NetMgr-8.0\\new")).toMatch(
        /netmgr:newMedia\.path: .*must not overlap netmgr:oldMedia\.path \(D:\\media\\NetMgr-8\.0\)/,
      );
    });
  });
});
