import { ClpConf, ClpConfError, RECOVERY_DEFAULTS } from "../../providers/expresscluster/clpconf";
import { decodeClpConf, encodeClpConf } from "../../providers/expresscluster/encoding";
import { CLPCONF_FIXTURES, clpconfBytes, must } from "./fixtures";
import { lineDiff } from "./linediff";

const load = (name: string): { text: string; conf: ClpConf } => {
  const text = decodeClpConf(clpconfBytes(name));
  return { text, conf: ClpConf.parse(text) };
};

describe("ClpConf reading", () => {
  it("reads an X 3.x Windows file (SJIS, CRLF, monitors with fo)", () => {
    const { conf } = load("x3-windows-internal-sjis.conf");
    expect(conf.servers()).toEqual(["nm-host1", "nm-host2"]);
    expect(conf.groups()).toEqual(["failover-nm"]);
    expect(conf.groupResources("failover-nm").slice(0, 4)).toEqual([
      { type: "fip", name: "fip1" },
      { type: "sd", name: "sd1" },
      { type: "script", name: "script-nm" },
      { type: "service", name: "svc-wfdb" },
    ]);
    expect(conf.resource({ type: "service", name: "svc-BaseMgr" })).toEqual({
      type: "service",
      name: "svc-BaseMgr",
      serviceName: "NvPRO Base Manager",
      depends: ["script-nm", "svc-wfdb", "svc-nvalertdb", "svc-nvsflowdb"],
      actRetry: 1,
      actFailover: 1,
    });
    expect(conf.findServiceResource("failover-nm", "wfdb_WFDB1")?.name).toBe("svc-wfdb");
    expect(conf.findByType("failover-nm", "sd", "md")).toEqual({ type: "sd", name: "sd1" });
    expect(conf.monitors().find((m) => m.name === "fipw1")).toEqual({
      type: "fipw",
      name: "fipw1",
      target: "fip1",
      relation: { type: "rsc", name: "fip1" },
      restart: 3,
      failover: 1,
      failoverKey: "fo",
    });
    expect(conf.monitorRecoverySuppressed()).toBe(false);
    expect(conf.monitorNoRecovery()).toBeUndefined();
  });

  it("reads a value under a resource element", () => {
    const { conf } = load("x3-windows-internal-sjis.conf");
    expect(conf.resourceParam({ type: "fip", name: "fip1" }, ["parameters", "ip"])).toBe("192.168.10.100");
    expect(conf.resourceParam({ type: "fip", name: "nope" }, ["parameters", "ip"])).toBeUndefined();
    expect(conf.resourceParam({ type: "sd", name: "sd1" }, ["parameters", "nope"])).toBeUndefined();
  });

  it("reads the Japanese text of an SJIS file", () => {
    const { conf, text } = load("x3-windows-internal-sjis.conf");
    expect(text).toContain("<comment>NetworkManager クラスタ</comment>");
    expect(conf.param(["cluster", "comment"])).toBe("NetworkManager クラスタ");
  });

  it("reads an X 4.x file (mirror disk, external DB, monitors with fo2)", () => {
    const { conf } = load("x4-windows-external-md.conf");
    expect(conf.findByType("failover", "sd", "md")).toEqual({ type: "md", name: "md" });
    expect(conf.resource({ type: "service", name: "service-FTBase" }).depends).toEqual([]);
    expect(conf.resource({ type: "service", name: "service-OpeMgr" })).toMatchObject({ actRetry: 0 });
    expect(conf.resource({ type: "service", name: "service-OpeMgr" }).actFailover).toBeUndefined();
    expect(conf.monitors().map((m) => [m.name, m.failoverKey])).toEqual([
      ["userw", undefined],
      ["mdw1", undefined],
      ["mdnw1", undefined],
      ["fipw1", "fo2"],
      ["servicew-OpeMgr", "fo2"],
      ["genw-nm", "fo2"],
    ]);
  });

  it("reads an X 5.x file with the cluster-wide recovery switches set", () => {
    const { conf } = load("x5-windows-internal-updated.conf");
    expect(conf.monitorRecoverySuppressed()).toBe(true);
    expect(conf.param(["rc", "errordetect", "rscact", "norecovery"])).toBe("1");
    expect(conf.param(["rc", "errordetect", "rscdeact", "norecovery"])).toBeUndefined();
    expect(conf.groupResourceViews("failover")).toHaveLength(13);
  });

  it.each(CLPCONF_FIXTURES)("%s: objectnumber agrees with the object count", (name) => {
    const { conf } = load(name);
    expect(conf.objectNumber()).toBe(conf.expectedObjectNumber());
  });

  it("rejects what is not a clp.conf with a ClpConfError", () => {
    expect(() => ClpConf.parse("<root><a></root>")).toThrow(ClpConfError);
    expect(() => ClpConf.parse("not xml")).toThrow(ClpConfError);
    expect(() => ClpConf.parse("<config/>")).toThrow(/document element is not <root>/);
    expect(() => ClpConf.parse("<root><a>&bogus;</a></root>")).toThrow(/not a clp.conf/);
  });

  it("names the groups it has when a group is unknown", () => {
    const { conf } = load("x4-windows-external-md.conf");
    expect(() => conf.groupResources("nope")).toThrow(/no failover group named "nope".*groups: failover/);
    expect(() => conf.resource({ type: "service", name: "nope" })).toThrow(
      /no service resource named "nope"/,
    );
  });
});

describe("ClpConf round trips", () => {
  it.each(CLPCONF_FIXTURES)("%s: unedited, the text is returned as read", (name) => {
    const { text, conf } = load(name);
    expect(conf.toString()).toBe(text);
  });

  it.each(CLPCONF_FIXTURES)("%s: re-serialized after an edit and its undo, the text is unchanged", (name) => {
    const { text, conf } = load(name);
    conf.setParam(["rstd", "use"], "0");
    expect(conf.toString()).not.toBe(text);
    conf.setParam(["rstd", "use"], load(name).conf.param(["rstd", "use"]));
    expect(conf.toString()).toBe(text);
  });

  it("SJIS bytes come back byte for byte after an edit and its undo", () => {
    const bytes = clpconfBytes("x3-windows-internal-sjis.conf");
    const conf = ClpConf.parse(decodeClpConf(bytes));
    conf.addServiceResource("failover-nm", "service-PerfDB", "NvPRO Performance Database", ["script-nm"]);
    expect(encodeClpConf(conf.toString()).equals(bytes)).toBe(false);
    conf.removeResource("failover-nm", { type: "service", name: "service-PerfDB" });
    expect(encodeClpConf(conf.toString()).equals(bytes)).toBe(true);
  });

  it("keeps a byte order mark and the text after </root>", () => {
    const text = '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<root>\r\n  <a>1</a>\r\n</root>\r\n\r\n';
    const conf = ClpConf.parse(text);
    conf.setParam(["a"], "2");
    expect(conf.toString()).toBe(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<root>\r\n  <a>2</a>\r\n</root>\r\n\r\n',
    );
  });
});

describe("ClpConf service resources", () => {
  it("adds a service resource with its depend entries, indented like its neighbours, objectnumber +1", () => {
    const { text, conf } = load("x4-windows-external-md.conf");
    conf.addServiceResource("failover", "service-Topology", "NvPRO Topology Adapter", ["service-BaseMgr"]);
    const out = conf.toString();
    expect(lineDiff(text, out)).toEqual({
      removed: ["      <objectnumber>24</objectnumber>"],
      added: [
        '    <resource name="service@service-Topology"/>',
        '    <service name="service-Topology">',
        "      <parameters>",
        "        <name>NvPRO Topology Adapter</name>",
        "      </parameters>",
        '      <depend name="service-BaseMgr"/>',
        "    </service>",
        "      <objectnumber>25</objectnumber>",
      ],
    });
    const again = ClpConf.parse(out);
    expect(again.groupResources("failover").at(-1)).toEqual({ type: "service", name: "service-Topology" });
    expect(again.resource({ type: "service", name: "service-Topology" })).toEqual({
      type: "service",
      name: "service-Topology",
      serviceName: "NvPRO Topology Adapter",
      depends: ["service-BaseMgr"],
    });
    expect(again.objectNumber()).toBe(again.expectedObjectNumber());
  });

  it("writes CR LF and the file's own indentation into a CRLF file", () => {
    const { text, conf } = load("x3-windows-internal-sjis.conf");
    conf.addServiceResource("failover-nm", "service-PerfDB", "NvPRO Performance Database", ["script-nm"]);
    const out = conf.toString();
    expect(out.replace(/\r\n/g, "")).not.toMatch(/\n/);
    expect(out.split("\r\n").length - text.split("\r\n").length).toBe(7);
  });

  it("adds the <types> entry when the group has no service resource yet, and removes it with the last one", () => {
    const { text, conf } = load("clpcreate-tabs.conf");
    conf.addServiceResource("failover", "service-BaseMgr", "NvPRO Base Manager", ["script"]);
    const out = conf.toString();
    const diff = lineDiff(text, out);
    expect(diff.added).toContain('\t\t<types name="service"/>');
    expect(diff.added).toContain('\t\t\t<depend name="script"/>');
    expect(diff.removed).toEqual(["\t\t\t<objectnumber>13</objectnumber>"]);
    conf.removeResource("failover", { type: "service", name: "service-BaseMgr" });
    expect(conf.toString()).toBe(text);
  });

  it("refuses a second resource of the same name", () => {
    const { conf } = load("x4-windows-external-md.conf");
    expect(() => conf.addServiceResource("failover", "service-FTBase", "FTBase", [])).toThrow(
      /already exists/,
    );
  });

  it.each(CLPCONF_FIXTURES)(
    "%s: adding the three §3.4 services and removing them again restores the text",
    (name) => {
      const { text, conf } = load(name);
      const group = must(conf.groups().at(-1));
      conf.addServiceResource(group, "added-PerfDB", "NvPRO Performance Database", ["script"]);
      conf.addServiceResource(group, "added-Topology", "NvPRO Topology Adapter", ["service-BaseMgr"]);
      conf.addServiceResource(group, "added-PerfMgr", "NvPRO Performance Manager", ["service-BaseMgr"]);
      expect(conf.objectNumber()).toBe(must(load(name).conf.objectNumber()) + 3);
      conf.removeResource(group, { type: "service", name: "added-PerfMgr" });
      conf.removeResource(group, { type: "service", name: "added-Topology" });
      conf.removeResource(group, { type: "service", name: "added-PerfDB" });
      expect(conf.toString()).toBe(text);
    },
  );

  it("removes a resource with its membership, the edges to it and the monitors that watch it", () => {
    const { text, conf } = load("x3-windows-internal-sjis.conf");
    conf.removeResource("failover-nm", { type: "service", name: "svc-BaseMgr" });
    expect(conf.groupResources("failover-nm").map((r) => r.name)).not.toContain("svc-BaseMgr");
    expect(conf.resource({ type: "service", name: "svc-OpeMgr" }).depends).toEqual(["svc-FTBase"]);
    expect(conf.monitors().map((m) => m.name)).toEqual(["userw", "sdw1", "fipw1", "servicew-OpeMgr"]);
    expect(conf.objectNumber()).toBe(24);
    expect(conf.objectNumber()).toBe(conf.expectedObjectNumber());
    // The servicew type stays: another servicew monitor remains.
    expect(conf.toString()).toContain('<types name="servicew"/>');
    const diff = lineDiff(text, conf.toString());
    expect(diff.added).toEqual(["      <objectnumber>24</objectnumber>"]);
  });

  it("keeps a monitor whose relation names a group that happens to share the resource's name", () => {
    const { conf } = load("x4-windows-external-md.conf");
    conf.addServiceResource("failover", "failover", "NvPRO Topology Adapter", []);
    conf.removeResource("failover", { type: "service", name: "failover" });
    expect(conf.monitors().map((m) => m.name)).toContain("genw-nm");
  });
});

describe("ClpConf dependencies", () => {
  it("replaces depend entries in place, and setting the old list back restores the text", () => {
    const { text, conf } = load("x3-windows-internal-sjis.conf");
    const ref = { type: "service", name: "svc-BaseMgr" };
    const before = conf.resource(ref).depends;
    conf.setDepends(ref, ["script-nm", "svc-wfdb", "svc-nvalertdb", "svc-nvsflowdb", "service-PerfDB"]);
    const diff = lineDiff(text, conf.toString());
    expect(diff).toEqual({ removed: [], added: ['      <depend name="service-PerfDB"/>'] });
    conf.setDepends(ref, []);
    expect(conf.resource(ref).depends).toEqual([]);
    conf.setDepends(ref, before);
    expect(conf.toString()).toBe(text);
  });

  it("adds depend entries after <parameters> of a resource that has none", () => {
    const { text, conf } = load("x4-windows-external-md.conf");
    const ref = { type: "service", name: "service-FTBase" };
    conf.setDepends(ref, ["fip", "md"]);
    const out = conf.toString();
    expect(out).toContain(
      [
        '    <service name="service-FTBase">',
        "      <comment/>",
        "      <parameters>",
        "        <name>FTBase</name>",
        "      </parameters>",
        '      <depend name="fip"/>',
        '      <depend name="md"/>',
        "    </service>",
      ].join("\n"),
    );
    conf.setDepends(ref, []);
    expect(conf.toString()).toBe(text);
  });
});

describe("ClpConf recovery settings (§2.3)", () => {
  it("sets act/retry and act/fo to 0 and restores the recorded values exactly", () => {
    for (const name of CLPCONF_FIXTURES) {
      const { text, conf } = load(name);
      const group = must(conf.groups().at(-1));
      const recorded = conf.groupResourceViews(group);
      for (const r of recorded) conf.setRecovery(r, 0, 0);
      expect(conf.groupResourceViews(group).every((r) => r.actRetry === 0 && r.actFailover === 0)).toBe(true);
      for (const r of recorded) conf.restoreRecovery(r, r);
      expect(conf.toString()).toBe(text);
    }
  });

  it("writes <act> with the file's indentation where a resource had none", () => {
    const { text, conf } = load("x4-windows-external-md.conf");
    conf.setRecovery({ type: "fip", name: "fip" }, 0, 0);
    expect(lineDiff(text, conf.toString()).added).toEqual([
      "      <act>",
      "        <retry>0</retry>",
      "        <fo>0</fo>",
      "      </act>",
    ]);
  });

  it("adds fo next to an existing act/retry and leaves act/action alone", () => {
    const { text, conf } = load("x4-windows-external-md.conf");
    const ref = { type: "service", name: "service-OpeMgr" };
    conf.setRecovery(ref, 0, 0);
    expect(lineDiff(text, conf.toString())).toEqual({ removed: [], added: ["        <fo>0</fo>"] });
    conf.clearRecovery(ref);
    const after = conf.resource(ref);
    expect(after.actRetry).toBeUndefined();
    expect(conf.toString()).toContain("<action>1</action>");
  });

  it("clearRecovery removes the explicit values (product default) and an <act> left empty", () => {
    const { conf } = load("x3-windows-internal-sjis.conf");
    const ref = { type: "service", name: "svc-BaseMgr" };
    conf.clearRecovery(ref);
    const view = conf.resource(ref);
    expect([view.actRetry, view.actFailover]).toEqual([undefined, undefined]);
    expect(conf.toString()).not.toMatch(/<service name="svc-BaseMgr">[\s\S]*?<act>[\s\S]*?<\/service>/);
    expect(RECOVERY_DEFAULTS).toEqual({ actRetry: 0, actFailover: 1 });
  });

  it("toggles rm/errordetect/norecovery and removes what it created on undo", () => {
    const { text, conf } = load("x4-windows-external-md.conf");
    conf.setMonitorRecoverySuppressed(true);
    expect(conf.monitorRecoverySuppressed()).toBe(true);
    expect(lineDiff(text, conf.toString()).added).toEqual([
      "  <rm>",
      "    <errordetect>",
      "      <norecovery>1</norecovery>",
      "    </errordetect>",
      "  </rm>",
    ]);
    conf.setMonitorRecoverySuppressed(false);
    expect(conf.monitorNoRecovery()).toBe("0");
    conf.setParam(["rm", "errordetect", "norecovery"], undefined);
    expect(conf.toString()).toBe(text);
  });

  it("turns an existing norecovery off and back on in place", () => {
    const { text, conf } = load("x5-windows-internal-updated.conf");
    conf.setMonitorRecoverySuppressed(false);
    expect(lineDiff(text, conf.toString())).toEqual({
      removed: ["      <norecovery>1</norecovery>"],
      added: ["      <norecovery>0</norecovery>"],
    });
    conf.setMonitorRecoverySuppressed(true);
    expect(conf.toString()).toBe(text);
  });

  it("sets the activation and deactivation norecovery switches by path", () => {
    const { text, conf } = load("x5-windows-internal-updated.conf");
    conf.setParam(["rc", "errordetect", "rscdeact", "norecovery"], "1");
    expect(lineDiff(text, conf.toString()).added).toEqual([
      "      <rscdeact>",
      "        <norecovery>1</norecovery>",
      "      </rscdeact>",
    ]);
    conf.setParam(["rc", "errordetect", "rscdeact", "norecovery"], undefined);
    expect(conf.toString()).toBe(text);
  });
});

describe("ClpConf no-op edits", () => {
  it("setting values a file already has leaves it unedited (the original text, not a re-serialization)", () => {
    const { text, conf } = load("x3-windows-internal-sjis.conf");
    conf.setRecovery({ type: "service", name: "svc-BaseMgr" }, 1, 1);
    conf.setDepends({ type: "service", name: "svc-RMAPI" }, ["svc-OpeMgr"]);
    conf.setParam(["cluster", "name"], "nm-cluster");
    expect(conf.toString()).toBe(text);

    // `<comment></comment>` would come back as `<comment/>` from a re-serialization.
    const inline =
      '<root><resource><service name="s"><comment></comment><act><retry>1</retry><fo>1</fo></act></service></resource></root>';
    const c = ClpConf.parse(inline);
    c.setRecovery({ type: "service", name: "s" }, 1, 1);
    expect(c.toString()).toBe(inline);
    c.setRecovery({ type: "service", name: "s" }, 0, 0);
    expect(c.toString()).toBe(
      inline
        .replace("<comment></comment>", "<comment/>")
        .replace(/<retry>1/, "<retry>0")
        .replace(/<fo>1/, "<fo>0"),
    );
  });
});
