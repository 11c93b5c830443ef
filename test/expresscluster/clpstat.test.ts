import { parseClpstat, stateOf, ClpstatParseError } from "../../providers/expresscluster/clpstat";
import { clpstatFixture, must } from "./fixtures";

describe("parseClpstat", () => {
  it("reads the X 5.x --long layout: servers with the local marker, group, current, resources, monitors", () => {
    const s = parseClpstat(clpstatFixture("x5-long-online.txt"));
    expect(s.cluster).toBe("cluster");
    expect(s.servers).toEqual([
      { name: "ws2022-01", state: "Online", local: true },
      { name: "ws2022-02", state: "Online", local: false },
    ]);
    expect(s.groups).toHaveLength(1);
    const g = must(s.groups[0]);
    expect(g).toMatchObject({ name: "failover", state: "Online", current: "ws2022-01" });
    expect(g.resources).toHaveLength(13);
    expect(g.resources[0]).toEqual({ name: "fip", state: "Online" });
    expect(g.resources.map((r) => r.name)).toContain("service-nvsflowdb");
    expect(s.monitors).toEqual([
      { name: "userw", state: "Normal" },
      { name: "sdw1", state: "Normal" },
      { name: "fipw1", state: "Normal" },
      { name: "servicew-OpeMgr", state: "Normal" },
    ]);
  });

  it("keeps multi-word states (Online Pending, Online Failure) and the local marker on the second server", () => {
    const moving = parseClpstat(clpstatFixture("x5-long-moving.txt"));
    expect(moving.servers.find((x) => x.local)?.name).toBe("ws2022-02");
    const g = must(moving.groups[0]);
    expect(g.state).toBe("Online Pending");
    expect(g.current).toBe("ws2022-02");
    expect(g.resources.find((r) => r.name === "service-BaseMgr")?.state).toBe("Online Pending");
    expect(g.resources.filter((r) => r.state === "Offline")).toHaveLength(4);

    const failed = parseClpstat(clpstatFixture("x5-long-failure.txt"));
    expect(failed.groups[0]?.state).toBe("Online Failure");
    expect(failed.monitors.find((m) => m.name === "servicew-OpeMgr")?.state).toBe("Error");
  });

  it("gives current null for a stopped group (current : None)", () => {
    const s = parseClpstat(clpstatFixture("x5-long-stopped.txt"));
    expect(s.groups[0]).toMatchObject({ state: "Offline", current: null });
    expect(must(s.groups[0]).resources.every((r) => r.state === "Offline")).toBe(true);
  });

  it("reads the plain X 4.x layout with padded states and heartbeat comments", () => {
    const s = parseClpstat(clpstatFixture("x4-plain-online.txt"));
    expect(s.cluster).toBe("nmcluster");
    expect(s.servers.map((x) => [x.name, x.state, x.local])).toEqual([
      ["nmsv01", "Online", true],
      ["nmsv02", "Online", false],
    ]);
    expect(must(s.groups[0]).resources.map((r) => r.name)).toEqual([
      "fip",
      "md",
      "script",
      "service-FTBase",
      "service-BaseMgr",
      "service-OpeMgr",
      "service-RMAPI",
    ]);
    expect(s.monitors).toHaveLength(6);
  });

  it("reads the X 3.x Windows layout: comment column, two groups, CRLF", () => {
    const s = parseClpstat(clpstatFixture("x3-windows-plain-stopped.txt"));
    expect(s.servers.map((x) => x.state)).toEqual(["Online", "Online"]);
    expect(s.groups.map((g) => [g.name, g.state, g.current, g.resources.length])).toEqual([
      ["ManagementGroup", "Online", "nm-host1", 1],
      ["failover-nm", "Offline", null, 10],
    ]);
    // Plain clpstat cuts long names: the reason the product runs --long.
    expect(s.monitors.map((m) => m.name)).toContain("servicew-BaseMg");
    expect(s.monitors.find((m) => m.name === "userw")?.state).toBe("Normal");
  });

  it("fails when the <group> section is missing, quoting the first line", () => {
    expect(() => parseClpstat(clpstatFixture("no-group-section.txt"))).toThrow(ClpstatParseError);
    expect(() => parseClpstat(clpstatFixture("no-group-section.txt"))).toThrow(
      /no <group> section.*CLUSTER STATUS/,
    );
    expect(() => parseClpstat("")).toThrow(/no <group> section/);
  });

  it("fails on an unreadable line inside <group>, naming the line", () => {
    expect(() => parseClpstat(clpstatFixture("garbled-group-line.txt"))).toThrow(
      /line 6: "####### garbled #######"/,
    );
  });

  it("fails on a resource line before any group", () => {
    const text = [
      "  <group>",
      "      fip                             : Online",
      "    failover ...: Online",
    ].join("\n");
    expect(() => parseClpstat(text)).toThrow(/precedes every group.*line 2/);
  });

  it("ignores unknown sections and lines outside the known ones", () => {
    const text = [
      " =====  CLUSTER STATUS  =====",
      "  Cluster : c1",
      "  <fencing>",
      "    whatever : thing",
      "  <group>",
      "    g1 ......: Online",
      "      current  : n1",
      "      r1       : Online",
      "  ----------------------------",
    ].join("\n");
    const s = parseClpstat(text);
    expect(s.groups).toEqual([
      { name: "g1", state: "Online", current: "n1", resources: [{ name: "r1", state: "Online" }] },
    ]);
    expect(s.servers).toEqual([]);
  });
});

describe("stateOf", () => {
  it.each([
    ["Online", "Online"],
    ["Online           ", "Online"],
    ["Normal           Kernel Mode LAN Heartbeat", "Normal"],
    ["Offline Pending", "Offline Pending"],
    ["Online Failure   comment", "Online Failure"],
    ["Not Used", "Not Used"],
    ["None", "None"],
    ["", ""],
  ])("%j -> %j", (rest, state) => {
    expect(stateOf(rest)).toBe(state);
  });
});
