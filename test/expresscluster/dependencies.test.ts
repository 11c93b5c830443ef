import { ClpConf, type ResourceView } from "../../providers/expresscluster/clpconf";
import {
  TABLE_3_2,
  applyTable32,
  dependencyDrift,
  matchesServiceName,
  missingAdapterResources,
  requiredDependencies,
  serviceResourceName,
  serviceSpecOf,
} from "../../providers/expresscluster/dependencies";
import { decodeClpConf } from "../../providers/expresscluster/encoding";
import { clpconfBytes } from "./fixtures";

const load = (name: string): { text: string; conf: ClpConf } => {
  const text = decodeClpConf(clpconfBytes(name));
  return { text, conf: ClpConf.parse(text) };
};

describe("Table 3-2", () => {
  it("is the guide's table", () => {
    expect(TABLE_3_2).toEqual({
      script: ["fip", "disk"],
      wfdb: ["script"],
      nvalertdb: ["script"],
      nvsflowdb: ["script"],
      perfDb: ["script"],
      ftBase: ["fip", "disk"],
      baseManager: ["script", "wfdb", "nvalertdb", "nvsflowdb", "perfDb"],
      operationsManager: ["ftBase", "baseManager"],
      rmApi: ["operationsManager"],
      topologyAdapter: ["baseManager"],
      perfManager: ["baseManager"],
    });
  });

  it("recognises a service by key name or display name, any service number, any case", () => {
    const ops = serviceSpecOf("operationsManager");
    expect(matchesServiceName(ops, "UMFOperationsManager_1")).toBe(true);
    expect(matchesServiceName(ops, "MasterScope UMF Operations Manager_12")).toBe(true);
    expect(matchesServiceName(ops, "masterscope umf operations manager_2")).toBe(true);
    expect(matchesServiceName(ops, "MasterScope UMF Operations Manager_")).toBe(false);
    expect(matchesServiceName(ops, "MasterScope UMF Operations Manager_x")).toBe(false);
    expect(matchesServiceName(serviceSpecOf("ftBase"), "FTBase service")).toBe(true);
    expect(matchesServiceName(serviceSpecOf("ftBase"), "FTBase")).toBe(true);
    expect(matchesServiceName(serviceSpecOf("wfdb"), "Wfdb_nvalertdb1")).toBe(false);
  });
});

describe("requiredDependencies", () => {
  it("an X 3.x internal-DB group before §3.4 (display names): exactly what the file has", () => {
    const { conf } = load("x3-windows-internal-sjis.conf");
    const plan = requiredDependencies(conf.groupResourceViews("failover-nm"), {
      db: "internal",
      adapterServices: false,
    });
    expect(plan.unresolved).toEqual([]);
    expect(plan.resources.map((r) => [r.name, r.role, r.depends])).toEqual([
      ["script-nm", "script", ["fip1", "sd1"]],
      ["svc-wfdb", "wfdb", ["script-nm"]],
      ["svc-nvalertdb", "nvalertdb", ["script-nm"]],
      ["svc-nvsflowdb", "nvsflowdb", ["script-nm"]],
      ["svc-FTBase", "ftBase", ["fip1", "sd1"]],
      ["svc-BaseMgr", "baseManager", ["script-nm", "svc-wfdb", "svc-nvalertdb", "svc-nvsflowdb"]],
      ["svc-OpeMgr", "operationsManager", ["svc-FTBase", "svc-BaseMgr"]],
      ["svc-RMAPI", "rmApi", ["svc-OpeMgr"]],
    ]);
    expect(
      dependencyDrift(conf.groupResourceViews("failover-nm"), { db: "internal", adapterServices: false }),
    ).toEqual({
      drift: [],
      unresolved: [],
    });
  });

  it("with the §3.4 services expected but absent, names what cannot be resolved", () => {
    const { conf } = load("x3-windows-internal-sjis.conf");
    const plan = requiredDependencies(conf.groupResourceViews("failover-nm"), {
      db: "internal",
      adapterServices: true,
    });
    expect(plan.unresolved).toEqual([{ resource: "svc-BaseMgr", needs: "perfDb" }]);
    expect(() => applyTable32(conf, "failover-nm", { db: "internal", adapterServices: true })).toThrow(
      /svc-BaseMgr needs a perfDb resource/,
    );
  });

  it("an X 4.x SQL Server group (key names, mirror disk): drift where the default dependency was followed", () => {
    const { conf } = load("x4-windows-external-md.conf");
    const views = conf.groupResourceViews("failover");
    const plan = requiredDependencies(views, { db: "sqlserver", adapterServices: false });
    expect(plan.resources.find((r) => r.role === "baseManager")?.depends).toEqual(["script"]);
    expect(plan.resources.find((r) => r.role === "script")?.depends).toEqual(["fip", "md"]);
    expect(dependencyDrift(views, { db: "sqlserver", adapterServices: false })).toEqual({
      drift: [{ name: "service-FTBase", type: "service", role: "ftBase", missing: ["fip", "md"], extra: [] }],
      unresolved: [],
    });
  });

  it("an X 5.x internal-DB group after the update: no drift; an extra edge is reported", () => {
    const { conf } = load("x5-windows-internal-updated.conf");
    const options = { db: "internal", adapterServices: true } as const;
    expect(dependencyDrift(conf.groupResourceViews("failover"), options)).toEqual({
      drift: [],
      unresolved: [],
    });
    conf.setDepends({ type: "service", name: "service-PerfMgr" }, ["service-BaseMgr", "service-Topology"]);
    conf.setDepends({ type: "service", name: "service-PerfDB" }, []);
    expect(dependencyDrift(conf.groupResourceViews("failover"), options).drift).toEqual([
      { name: "service-PerfDB", type: "service", role: "perfDb", missing: ["script"], extra: [] },
      {
        name: "service-PerfMgr",
        type: "service",
        role: "perfManager",
        missing: [],
        extra: ["service-Topology"],
      },
    ]);
  });

  it("with SQL Server, Wfdb service resources play no role and are not required", () => {
    const { conf } = load("x5-windows-internal-updated.conf");
    const plan = requiredDependencies(conf.groupResourceViews("failover"), {
      db: "sqlserver",
      adapterServices: true,
    });
    expect(plan.resources.map((r) => r.name)).not.toContain("service-wfdb");
    expect(plan.resources.find((r) => r.role === "baseManager")?.depends).toEqual([
      "script",
      "service-PerfDB",
    ]);
  });

  it("needs to be told which script resource Table 3-2 means when there are several", () => {
    const views: ResourceView[] = [
      { type: "fip", name: "fip", depends: [] },
      { type: "sd", name: "sd", depends: [] },
      { type: "script", name: "script-nm", depends: [] },
      { type: "script", name: "script-other", depends: [] },
      { type: "service", name: "svc-perfdb", serviceName: "NvPROPerfDB", depends: [] },
    ];
    const options = { db: "internal", adapterServices: true } as const;
    expect(() => requiredDependencies(views, options)).toThrow(
      /2 script resources \(script-nm, script-other\)/,
    );
    const plan = requiredDependencies(views, { ...options, scriptResource: "script-nm" });
    expect(plan.resources.map((r) => [r.name, r.depends])).toEqual([
      ["script-nm", ["fip", "sd"]],
      ["svc-perfdb", ["script-nm"]],
    ]);
    expect(() => requiredDependencies(views, { ...options, scriptResource: "nope" })).toThrow(
      /no script resource named "nope"/,
    );
  });
});

describe("the §3.4.2 edit and its undo", () => {
  it("adds the three services with Table 3-2 dependencies; undoing restores the file", () => {
    const { text, conf } = load("x3-windows-internal-sjis.conf");
    const group = "failover-nm";
    const options = { db: "internal", adapterServices: true } as const;

    const toAdd = missingAdapterResources(conf.groupResourceViews(group));
    expect(toAdd).toEqual([
      {
        role: "perfDb",
        serviceName: "NvPROPerfDB",
        displayName: "NvPRO Performance Database",
        resourceName: "service-NvPROPerfDB",
        parameterName: "NvPRO Performance Database",
      },
      {
        role: "topologyAdapter",
        serviceName: "NvPROTopologyAdapter",
        displayName: "NvPRO Topology Adapter",
        resourceName: "service-NvPROTopologyAdapter",
        parameterName: "NvPRO Topology Adapter",
      },
      {
        role: "perfManager",
        serviceName: "NvPROPerfMgr",
        displayName: "NvPRO Performance Manager",
        resourceName: "service-NvPROPerfMgr",
        parameterName: "NvPRO Performance Manager",
      },
    ]);
    for (const s of toAdd) conf.addServiceResource(group, s.resourceName, s.parameterName, []);
    const changes = applyTable32(conf, group, options);
    expect(changes).toEqual([
      {
        type: "service",
        name: "svc-BaseMgr",
        before: ["script-nm", "svc-wfdb", "svc-nvalertdb", "svc-nvsflowdb"],
        after: ["script-nm", "svc-wfdb", "svc-nvalertdb", "svc-nvsflowdb", "service-NvPROPerfDB"],
      },
      { type: "service", name: "service-NvPROPerfDB", before: [], after: ["script-nm"] },
      { type: "service", name: "service-NvPROTopologyAdapter", before: [], after: ["svc-BaseMgr"] },
      { type: "service", name: "service-NvPROPerfMgr", before: [], after: ["svc-BaseMgr"] },
    ]);
    expect(dependencyDrift(conf.groupResourceViews(group), options)).toEqual({ drift: [], unresolved: [] });
    expect(missingAdapterResources(conf.groupResourceViews(group))).toEqual([]);
    expect(conf.objectNumber()).toBe(conf.expectedObjectNumber());
    // Applying it again changes nothing.
    expect(applyTable32(conf, group, options)).toEqual([]);

    // §4.2.2 (1): the exact undo.
    for (const c of changes.filter((c) => !toAdd.some((s) => s.resourceName === c.name)))
      conf.setDepends(c, c.before);
    for (const s of [...toAdd].reverse())
      conf.removeResource(group, { type: "service", name: s.resourceName });
    expect(conf.toString()).toBe(text);
  });

  it("recognises services already present under other resource names", () => {
    const { conf } = load("x5-windows-internal-updated.conf");
    expect(missingAdapterResources(conf.groupResourceViews("failover"))).toEqual([]);
  });

  it("keeps resource names within 31 characters", () => {
    expect(serviceResourceName("NvPROTopologyAdapter")).toBe("service-NvPROTopologyAdapter");
    expect(() => serviceResourceName("AVeryLongServiceKeyNameIndeed")).toThrow(/longer than 31/);
  });
});
