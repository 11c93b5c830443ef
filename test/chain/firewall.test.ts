/**
 * §2.2.1 on the lab, through the providers as the engine calls them: the pre-flight refuses while Windows
 * Firewall on a node does not let in a port the updated Manager needs, names the host, the port, what uses it
 * and the fix; netmgr:firewall.check false skips the check; changing the firewall settings in the middle of an
 * update (or state written before the setting existed) does not count as the pre-flight done differently.
 */
import { parseStackConfig } from "../../providers/config/stack";
import { createLabCluster, labFirewalls, labSpecFromStackConfig, setLabPort } from "../../providers/lab";
import { LabChain, quietProgress } from "../support/labChain";

const CONFIG = {
  fromVersion: "8.0",
  webConsole: { enabled: true, managerId: "nvpro01", imsAddress: "192.168.1.200", webApiPort: 12090 },
  firewall: { ports: [{ port: 162, protocol: "udp", purpose: "SNMP traps" }] },
};

/** Build the lab the stack config describes before the chain first touches it. */
async function createLab(chain: LabChain): Promise<void> {
  const raw = (k: string): string | undefined => {
    const v = chain.config[k];
    return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
  };
  await createLabCluster(chain.dir, labSpecFromStackConfig(parseStackConfig(raw)));
}

describe("§2.2.1 Windows Firewall in the pre-flight", () => {
  let quiet: jest.SpyInstance;
  const chains: LabChain[] = [];
  beforeAll(() => (quiet = quietProgress()));
  afterAll(() => {
    quiet.mockRestore();
    for (const c of chains) c.dispose();
  });
  const newChain = (config: Record<string, unknown>): LabChain => {
    const c = new LabChain(config);
    chains.push(c);
    return c;
  };

  it("a lab built from the stack config lets in what the config needs", async () => {
    const chain = newChain(CONFIG);
    await createLab(chain);
    const fw = await labFirewalls(chain.dir);
    const netmgr = (host: string) =>
      fw[host]!.inboundAllow.filter((r) => r.name.startsWith("MasterScope")).map((r) => [
        r.protocol,
        r.localPorts,
      ]);
    expect(netmgr("host1")).toEqual([
      ["TCP", ["12520", "12090"]],
      ["UDP", ["162"]],
    ]);
    await expect(chain.driver.up({ until: "preflight" })).resolves.toMatchObject({ created: ["preflight"] });
  });

  it("refuses, one message per port and node, until the ports are let in", async () => {
    const chain = newChain(CONFIG);
    await createLab(chain);
    await setLabPort(chain.dir, "host2", "close", 12090);
    await setLabPort(chain.dir, "host1", "close", 162, "UDP");
    const error = await chain.driver.up({ until: "preflight" }).then(
      () => new Error("expected the pre-flight to refuse"),
      (e: unknown) => e as Error,
    );
    const lines = error.message.split("\n").filter((l) => /Windows Firewall/.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /host1: Windows Firewall \(on for Domain, Private, Public\) has no enabled inbound Allow rule for UDP 162 \(SNMP traps; §2\.2\.1\): add one, e\.g\. New-NetFirewallRule .*-Protocol UDP -LocalPort 162, or set netmgr:firewall\.check false/,
    );
    expect(lines[1]).toMatch(/host2: .*TCP 12090 \(the WebAPI the Web Console calls, §3\.8; §2\.2\.1\)/);
    expect(chain.driver.state.size).toBe(0);

    await setLabPort(chain.dir, "host2", "open", 12090);
    await setLabPort(chain.dir, "host1", "open", 162, "UDP");
    await expect(chain.driver.up({ until: "preflight" })).resolves.toMatchObject({ created: ["preflight"] });
  });

  it("firewall.check false skips it; changing the setting mid-update is not a different pre-flight", async () => {
    const chain = newChain(CONFIG);
    await createLab(chain);
    await setLabPort(chain.dir, "host1", "close", 12520);
    await expect(chain.driver.up({ until: "preflight" })).rejects.toThrow(/host1: .*TCP 12520/);

    const unchecked = chain.driver.fork({ ...chain.config, firewall: { check: false } });
    await expect(unchecked.up({ until: "suppression" })).resolves.toMatchObject({
      created: ["preflight", "suppression"],
    });
    // Checking again later, or a Preflight recorded before the setting existed: the step stays as it is.
    const checked = unchecked.fork(chain.config);
    await expect(checked.up({ until: "suppression" })).resolves.toMatchObject({
      updated: ["preflight"],
      same: ["suppression"],
    });
    const older = checked.fork(chain.config);
    delete older.state.get("preflight")!.outputs.firewall;
    await expect(older.up({ until: "suppression" })).resolves.toMatchObject({
      updated: ["preflight"],
      same: ["suppression"],
    });
    // The record of the first pre-flight is kept as it was (the checks did not run again).
    const chainId = unchecked.state.get("preflight")!.outputs.chainId as string;
    for (const d of [checked, older]) expect(d.state.get("preflight")!.outputs.chainId).toBe(chainId);
  });
});
