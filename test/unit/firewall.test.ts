/** §2.2.1: which ports the chain wants let in, and how Windows Firewall rules are read (pure, no host). */
import { requiredInboundPorts } from "../../providers/catalogue/unconfirmed";
import { planChain } from "../../providers/chain";
import { ConfigError, parseStackConfig } from "../../providers/config/stack";
import { firewallProblems, localPortCovers, ruleAllows } from "../../providers/procedures/firewall";

const TCP_12520 = { port: 12520, protocol: "TCP" as const, purpose: "console" };

describe("Windows Firewall rules", () => {
  it("reads LocalPort entries as Windows writes them", () => {
    expect(localPortCovers("Any", 1)).toBe(true);
    expect(localPortCovers("12520", 12520)).toBe(true);
    expect(localPortCovers("12520", 1252)).toBe(false);
    expect(localPortCovers("12500-12600", 12520)).toBe(true);
    expect(localPortCovers("12500 - 12510", 12520)).toBe(false);
    for (const keyword of ["RPC", "RPCEPMap", "IPHTTPSIn", "PlayToDiscovery", ""])
      expect(localPortCovers(keyword, 135)).toBe(false);
  });

  it("matches the protocol by name, by IANA number, or Any", () => {
    const rule = (protocol: string, localPorts = ["12520"]) => ({ name: "r", protocol, localPorts });
    expect(ruleAllows(rule("TCP"), TCP_12520)).toBe(true);
    expect(ruleAllows(rule("tcp"), TCP_12520)).toBe(true);
    expect(ruleAllows(rule("6"), TCP_12520)).toBe(true);
    expect(ruleAllows(rule("Any", ["Any"]), TCP_12520)).toBe(true);
    expect(ruleAllows(rule("UDP"), TCP_12520)).toBe(false);
    expect(ruleAllows(rule("17"), { ...TCP_12520, protocol: "UDP" })).toBe(true);
    // An ICMP rule's port filter says Any, but it lets in no TCP port.
    expect(ruleAllows(rule("ICMPv4", ["Any"]), TCP_12520)).toBe(false);
  });

  it("asks nothing of a firewall that is off, and names host, port, use and fix otherwise", () => {
    const closed = { enabledProfiles: [], inboundAllow: [] };
    expect(firewallProblems("host1", closed, [TCP_12520])).toEqual([]);
    const on = {
      enabledProfiles: ["Domain"],
      inboundAllow: [{ name: "RDP", protocol: "TCP", localPorts: ["3389"] }],
    };
    const [problem, ...rest] = firewallProblems("host1", on, [TCP_12520]);
    expect(rest).toEqual([]);
    expect(problem).toBe(
      "host1: Windows Firewall (on for Domain) has no enabled inbound Allow rule for TCP 12520 (console; §2.2.1): " +
        "add one, e.g. New-NetFirewallRule -DisplayName 'NetMgr TCP 12520' -Direction Inbound -Action Allow " +
        "-Protocol TCP -LocalPort 12520, or set netmgr:firewall.check false when another firewall manages the nodes",
    );
  });
});

describe("the ports the pre-flight looks for", () => {
  const config = (extra: Record<string, unknown>) => {
    const values: Record<string, unknown> = {
      fromVersion: "8.0",
      newMedia: { path: "D:\\media\\NetMgr-9.0" },
      oldMedia: { path: "D:\\media\\NetMgr-8.0" },
      ...extra,
    };
    return parseStackConfig((k) => {
      const v = values[k];
      return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    });
  };
  const preflightFirewall = (extra: Record<string, unknown>) =>
    planChain(config(extra)).steps.find((s) => s.kind === "Preflight")!.inputs.firewall;

  it("the console port always, the WebAPI port with the Web Console, then the configured ones", () => {
    expect(requiredInboundPorts({ webConsole: false, webApiPort: 12080 }).map((p) => p.port)).toEqual([
      12520,
    ]);
    expect(preflightFirewall({})).toEqual({
      check: true,
      ports: [{ port: 12520, protocol: "TCP", purpose: expect.stringContaining("§3.7") }],
    });
    expect(
      preflightFirewall({
        webConsole: { enabled: true, webApiPort: 12090 },
        firewall: { check: false, ports: [{ port: 514, protocol: "udp" }] },
      }),
    ).toEqual({
      check: false,
      ports: [
        expect.objectContaining({ port: 12520 }),
        expect.objectContaining({ port: 12090, protocol: "TCP" }),
        { port: 514, protocol: "UDP", purpose: "listed by the setup guide's Firewall Settings" },
      ],
    });
  });

  it("names the key of a bad port entry", () => {
    let problems: string[] = [];
    try {
      config({ firewall: { ports: [{ port: 70000 }, { port: 162, protocol: "icmp" }] } });
    } catch (e) {
      if (e instanceof ConfigError) problems = e.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^netmgr:firewall\.ports\.0\.port: .*65535/),
      expect.stringMatching(/^netmgr:firewall\.ports\.1\.protocol: protocol must be tcp or udp/),
    ]);
  });
});
