/** The failover group: clpstat layout, moves and dependencies (Table 3-2), apply semantics (§3.4.2), §2.3 suppression. */
import { readLabState, injectFault, readTimeline } from "../../providers/lab";
import {
  CONFDIR,
  MANAGER,
  SHARE,
  clusterNewServices,
  must,
  newLab,
  pullConf,
  pushConf,
  suppressFailover,
  NEW_MEDIA,
} from "./guide";

describe("clpstat --long", () => {
  it("prints the X 5.0 layout with * on the local server and the group's current server", async () => {
    const lab = newLab();
    const out = (await must(lab.h2, "clpstat", ["--long"])).output.split("\r\n");
    expect(out[0]).toBe(" ========================  CLUSTER STATUS  ===========================");
    expect(out[1]).toBe("  Cluster : cluster");
    expect(out[2]).toBe("  <server>");
    expect(out[3]).toBe("    host1 ............................: Online");
    expect(out[4]).toBe("      lankhb1                         : Normal           LAN Heartbeat");
    expect(out[5]).toBe("   *host2 ............................: Online");
    expect(out).toContain("  <group>");
    expect(out).toContain("    failover .........................: Online");
    expect(out).toContain("      current                         : host1");
    expect(out).toContain("      svc_NvPROBaseMgr                : Online");
    expect(out).toContain("  <monitor>");
    expect(out).toContain("    userw                             : Normal");
    expect(out).toContain(" =====================================================================");
    // Every status line has its colon in column 38, as in the documented output.
    for (const l of out.filter((x) => / : /.test(x) && !x.startsWith("  Cluster")))
      expect(l.indexOf(":")).toBe(38);
  });

  it("rejects options it does not know", async () => {
    const lab = newLab();
    const r = await lab.h1.run("clpstat", ["--bogus"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(/Invalid option/);
  });
});

describe("group operations", () => {
  it("moves the group and reports the new current server (clpgrp -m -a, clpgrp -n)", async () => {
    const lab = newLab();
    expect((await must(lab.h1, "clpgrp", ["-m", "failover", "-a", "host2"])).output).toContain(
      "Command succeeded.",
    );
    expect((await must(lab.h1, "clpgrp", ["-n", "failover"])).output.trim()).toBe("host2");
    // The shared disk follows the disk resource.
    expect(await lab.h1.stat(`${SHARE}\\Manager\\sg`)).toBeNull();
    expect(await lab.h2.stat(`${SHARE}\\Manager\\sg`)).toBe("dir");
    const svc = (await lab.h2.services()).find((s) => s.name === "UMFOperationsManager_1");
    expect(svc?.state).toBe("Running");
  });

  it("fails a move when a service resource cannot start, and never starts what depends on it", async () => {
    const lab = newLab();
    await suppressFailover(lab.h1);
    // The Performance Database resource exists, but host2 (8.0, no adapter-setup) has no such service.
    await clusterNewServices(lab.h1, { withPidLine: true });
    // Resources added after §2.3 need the thresholds too, else they fail the group over.
    await suppressFailover(lab.h1);
    const r = await lab.h1.run("clpgrp", ["-s", "failover", "-h", "host2"]);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(
      /svc_NvPROPerfDB failed to start on host2: the service NvPROPerfDB does not exist on host2/,
    );
    const s = await readLabState(lab.dir);
    expect(s.cluster.group.state).toBe("Online Failure");
    expect(s.cluster.group.current).toBe("host2");
    expect(s.cluster.group.resources.svc_NvPROBaseMgr).toBe("Offline");
    expect((await lab.h2.services()).find((x) => x.name === "NvPROBaseMgr")?.state).toBe("Stopped");
  });

  it("without the §2.3 suppression, an activation failure fails the group over to the other server", async () => {
    const lab = newLab();
    await clusterNewServices(lab.h1);
    const r = await lab.h1.run("clpgrp", ["-s", "failover", "-h", "host2"]);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/failed over to host1/);
    // host1 has no NvPROPerfDB service either (adapter-setup never ran), so it fails there too.
    expect((await readLabState(lab.dir)).cluster.group.current).toBe("host1");
  });

  it("starts services of one dependency wave together: a resource without Table 3-2 dependencies starts too early", async () => {
    const lab = newLab({ fromVersion: "8.1" });
    await suppressFailover(lab.h1);
    const conf = await pullConf(lab.h1);
    // Drop Topology Adapter's dependency on Base Manager: it now follows the default dependency (after the script).
    conf.setDepends({ type: "service", name: "svc_NvPROTopologyAdapter" }, []);
    await pushConf(lab.h1, conf, { stopGroup: true });
    const r = await lab.h1.run("clpgrp", ["-s", "failover", "-h", "host1"]);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/svc_NvPROTopologyAdapter.*NvPRO Base Manager, is not running/);
  });

  it("refuses group operations while the cluster is suspended", async () => {
    const lab = newLab();
    await must(lab.h1, "clpcl", ["--suspend"]);
    const r = await lab.h1.run("clpgrp", ["-m", "failover"]);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/suspended/);
    await must(lab.h1, "clpcl", ["--resume"]);
    await must(lab.h1, "clpgrp", ["-m", "failover"]);
  });
});

describe("configuration apply (clpcfctrl)", () => {
  it("pull writes clp.conf and start.bat; a push that adds service resources stops the group (§3.4.2 step 5)", async () => {
    const lab = newLab();
    const conf = await pullConf(lab.h1);
    expect(
      (await lab.h1.readFile(`${CONFDIR}\\scripts\\failover\\script\\start.bat`)).toString("latin1"),
    ).toMatch(/:FAILOVER[\s\S]*del %NVP_DB_BASE_PATH%\\wfdb\\dbms1\\data\\postmaster\.pid 2>NUL/);
    const before = conf.objectNumber() ?? 0;
    conf.addServiceResource("failover", "svc_NvPROPerfDB", "NvPROPerfDB", ["script"]);
    expect(conf.objectNumber()).toBe(before + 1);
    await lab.h1.writeFile(`${CONFDIR}\\clp.conf`, Buffer.from(conf.toString(), "utf8"));
    const r = await must(lab.h1, "clpcfctrl", ["--push", "-x", CONFDIR]);
    expect(r.output).toMatch(/stopped to apply/);
    expect(r.output).toMatch(/Command succeeded\./);
    const s = await readLabState(lab.dir);
    expect(s.cluster.group.state).toBe("Offline");
    expect(s.cluster.effective).toContain("svc_NvPROPerfDB");
    expect((await readTimeline(lab.dir)).some((e) => e.kind === "serving" && e.value === "down")).toBe(true);
  });

  it("settings pushed without suspend take effect only after suspend/resume", async () => {
    const lab = newLab();
    const conf = await pullConf(lab.h1);
    conf.setMonitorRecoverySuppressed(true);
    await lab.h1.writeFile(`${CONFDIR}\\clp.conf`, Buffer.from(conf.toString(), "utf8"));
    expect((await must(lab.h1, "clpcfctrl", ["--push", "-x", CONFDIR])).output).toMatch(/Suspend and resume/);
    expect((await readLabState(lab.dir)).cluster.effective).not.toContain("<norecovery>1</norecovery>");
    await must(lab.h1, "clpcl", ["--suspend"]);
    await must(lab.h1, "clpcl", ["--resume"]);
    expect((await readLabState(lab.dir)).cluster.effective).toContain("<norecovery>1</norecovery>");
  });

  it("rejects an invalid configuration loudly", async () => {
    const lab = newLab();
    const conf = await pullConf(lab.h1);
    conf.setDepends({ type: "service", name: "svc_NvPRORMAPI" }, ["no_such_resource"]);
    await lab.h1.writeFile(
      `${CONFDIR}\\clp.conf`,
      Buffer.from(conf.toString().replace(/<objectnumber>\d+</, "<objectnumber>3<"), "utf8"),
    );
    const r = await lab.h1.run("clpcfctrl", ["--push", "-x", CONFDIR]);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/no_such_resource/);
    expect(r.output).toMatch(/objectnumber is 3/);
    await lab.h1.writeFile(`${CONFDIR}\\clp.conf`, Buffer.from("<root><oops></root>", "utf8"));
    expect((await lab.h1.run("clpcfctrl", ["--push", "-x", CONFDIR])).output).toMatch(
      /Invalid configuration file/,
    );
    expect((await lab.h1.run("clpcfctrl", ["--push"])).exitCode).toBe(1);
  });
});

describe("§2.3: unintended failovers", () => {
  it("the unintended-failover fault moves the group when recovery is not suppressed, leaving postmaster.pid behind", async () => {
    const lab = newLab();
    await injectFault(lab.dir, { fault: "unintended-failover", sticky: false });
    await lab.h1.environment();
    const s = await readLabState(lab.dir);
    expect(s.cluster.group.current).toBe("host2");
    expect(s.cluster.group.state).toBe("Online");
    // The FAILOVER section of start.bat deleted the stale pid files, so the databases started on host2.
    expect(
      (await readTimeline(lab.dir)).some((e) =>
        /start\.bat deleted .*wfdb\\dbms1\\data\\postmaster\.pid/.test(e.text),
      ),
    ).toBe(true);
  });

  it("the same fault is absorbed when recovery on monitor errors is suppressed", async () => {
    const lab = newLab();
    await suppressFailover(lab.h1);
    await injectFault(lab.dir, { fault: "unintended-failover", sticky: false });
    await lab.h1.environment();
    const s = await readLabState(lab.dir);
    expect(s.cluster.group.current).toBe("host1");
    expect(s.faults).toHaveLength(0);
    expect(
      (await readTimeline(lab.dir)).some((e) =>
        /no recovery: recovery on monitor errors is suppressed/.test(e.text),
      ),
    ).toBe(true);
  });

  it("stopping a watched service by hand on the active host fails the group over unless suppressed", async () => {
    const lab = newLab();
    await lab.h1.stopService("UMFOperationsManager_1");
    expect((await readLabState(lab.dir)).cluster.group.current).toBe("host2");

    const lab2 = newLab();
    await suppressFailover(lab2.h1);
    await lab2.h1.stopService("UMFOperationsManager_1");
    expect((await readLabState(lab2.dir)).cluster.group.current).toBe("host1");
  });

  it("without the NvPROPerfDB del line, a crash leaves a stale pid and the Performance Database cannot start (§3.4.2 step 2)", async () => {
    const lab = newLab({ fromVersion: "8.1" });
    const conf = await pullConf(lab.h1);
    const bat = `${CONFDIR}\\scripts\\failover\\script\\start.bat`;
    const t = (await lab.h1.readFile(bat)).toString("latin1");
    await lab.h1.writeFile(
      bat,
      Buffer.from(
        t.split("del %NVP_DB_BASE_PATH%\\NvPROPerfDB\\postmaster.pid 2>NUL\r\n").join(""),
        "latin1",
      ),
    );
    await pushConf(lab.h1, conf);
    await injectFault(lab.dir, { fault: "unintended-failover", sticky: false });
    await lab.h1.environment();
    const s = await readLabState(lab.dir);
    expect(s.cluster.group.state).toBe("Online Failure");
    expect(s.cluster.group.resources.svc_NvPROPerfDB).toBe("Online Failure");
    expect(
      (await readTimeline(lab.dir)).some((e) => /NvPROPerfDB\\postmaster\.pid exists/.test(e.text)),
    ).toBe(true);
  });
});

describe("programs are resolved from the filesystem", () => {
  it("a script never copied from the media is not recognized (9009)", async () => {
    const lab = newLab();
    const r = await lab.h1.run("adapter-setup.bat", [], { cwd: `${MANAGER}\\bin\\NvPRO` });
    expect(r.exitCode).toBe(9009);
    expect(r.output).toContain("'adapter-setup.bat' is not recognized as an internal or external command");
    // clp* are on PATH on the nodes; cmd /c and the media's Setup.exe resolve too.
    expect((await lab.h1.run("cmd.exe", ["/c", "clpgrp -n failover"])).output.trim()).toBe("host1");
    const setup = await lab.h2.run(`${NEW_MEDIA.path}\\NvPRO\\Windows\\Setup.exe`, ["/FUNCTION=Manager"]);
    expect(setup.exitCode).toBe(2);
    expect(setup.output).toMatch(/\/S is required/);
  });
});
