/**
 * The whole chain in-process on the lab, for every shape of the update: roll forward completes, a second up
 * and a refresh change nothing, and a deliberate failback of the complete update returns the cluster to its
 * state before the update (DESIGN §2, the failback invariant).
 */
import { openLabTarget, readLabState } from "../../providers/lab";
import { completedUpdateProblems, monitorNoRecovery } from "../support/labChecks";
import { LabChain, invariantDifferences, quietProgress } from "../support/labChain";

const scenarios: {
  name: string;
  config: Record<string, unknown>;
  to: string;
  active: string;
  db: "internal" | "sqlserver";
}[] = [
  {
    name: "8.0, internal DBs, Web Console, two terminals",
    config: {
      fromVersion: "8.0",
      webConsole: { enabled: true, managerId: "nvpro01", imsAddress: "192.168.1.200" },
      consoles: ["console1", "console2"],
    },
    to: "9.0",
    active: "host1",
    db: "internal",
  },
  {
    name: "8.0, SQL Server with sFlow",
    config: { fromVersion: "8.0", db: "sqlserver", sflowDb: true, sqlPassword: "lab-sa" },
    to: "9.0",
    active: "host1",
    db: "sqlserver",
  },
  {
    name: "7.1, SQL Server named instance, host2 active",
    config: {
      fromVersion: "7.1",
      db: "sqlserver",
      sqlInstance: "NETMGR",
      sqlPassword: "lab-sa",
      activeHost: "host2",
    },
    to: "9.0",
    active: "host2",
    db: "sqlserver",
  },
  {
    name: "6.1 (pre-8.0 extra deletions), MasterScope Media",
    config: {
      fromVersion: "6.1",
      newMedia: { path: "E:\\MasterScope", layout: "masterscope" },
      oldMedia: { path: "F:\\MasterScope-6.1", layout: "masterscope" },
    },
    to: "9.0",
    active: "host1",
    db: "internal",
  },
  {
    name: "8.1 to 9.1 (★ steps skipped), other host names and group",
    config: { fromVersion: "8.1", toVersion: "9.1", hosts: ["nms-a", "nms-b"], groupName: "netmgr" },
    to: "9.1",
    active: "nms-a",
    db: "internal",
  },
];

describe.each(scenarios)("roll forward and failback in-process: $name", ({ config, to, active, db }) => {
  let chain: LabChain;
  let quiet: jest.SpyInstance;
  beforeAll(() => (quiet = quietProgress()));
  afterAll(() => {
    quiet.mockRestore();
    chain?.dispose();
  });

  it("completes, stays unchanged, and fails back to the exact starting state", async () => {
    chain = new LabChain(config);
    await chain.driver.up({ until: "preflight" });
    const before = await chain.snapshot();
    const monitorBefore = await monitorNoRecovery(chain.dir);

    await chain.rollForward();
    const chainId = chain.driver.state.get("preflight")!.outputs.chainId as string;
    const group = (config.groupName as string | undefined) ?? "failover";
    expect(
      await completedUpdateProblems(chain.dir, {
        toVersion: to,
        activeHost: active,
        group,
        db,
        monitorNoRecoveryBefore: monitorBefore,
      }),
    ).toEqual([]);
    expect(await chain.driver.up()).toMatchObject({ created: [], updated: [] });
    expect(await chain.driver.refresh()).toEqual([]);

    // A complete update refuses to fail back unless deliberately allowed.
    await expect(chain.driver.destroy()).rejects.toThrow(/the rolling update completed/);
    chain.config.allowFailbackAfterComplete = true;
    await chain.driver.destroy();
    expect(invariantDifferences(before, await chain.snapshot())).toEqual([]);
    const lab = await readLabState(chain.dir);
    expect(lab.cluster.group.current?.toLowerCase()).toBe(active.toLowerCase());
    // Nothing lost: every backup the chain took is still there after the failback.
    const target = openLabTarget({ dir: chain.dir });
    for (const h of [active, standbyOf(config, active)]) {
      const host = target.host(h);
      expect(await host.stat(`C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\backup\\001`)).toBe(
        "dir",
      );
      expect(await host.stat(`C:\\NetMgrRollingUpdate\\${chainId}\\backup-${h}-sg`)).toBe("dir");
    }
  });
});

function standbyOf(config: Record<string, unknown>, active: string): string {
  const hosts = (config.hosts as string[] | undefined) ?? ["host1", "host2"];
  return hosts.find((h) => h.toLowerCase() !== active.toLowerCase())!;
}
