/** Snapshots and the failback invariant: following chapter 4 after a failed update gives the cluster back. */
import { SHARED_DISK_UPDATE_FOLDERS } from "../../providers/catalogue/sharedDisk";
import { compareSnapshots, readLabState, snapshot, injectFault } from "../../providers/lab";
import { mediaPath } from "../../providers/catalogue/media";
import type { HostOps } from "../../providers/hosts/types";
import {
  CONFDIR,
  MANAGER,
  NEW_RESOURCES,
  OLD_MEDIA,
  RUPINST,
  SHARE,
  installManager,
  must,
  newLab,
  prepareToMove,
  pullConf,
  pushConf,
  suppressFailover,
  waitFor,
} from "./guide";

const EXCLUDE = { excludeRoots: ["C:\\rupbackup", CONFDIR] };

async function copyTree(from: HostOps, to: HostOps, src: string, dst: string): Promise<void> {
  for (const e of await from.hashTree(src))
    await to.writeFile(`${dst}\\${e.path}`, await from.readFile(`${src}\\${e.path}`));
}

describe("snapshot / compare", () => {
  it("is equal across operations that change nothing, and names what changed", async () => {
    const lab = newLab();
    const a = await snapshot(lab.dir);
    await lab.h1.services();
    await must(lab.h1, "clpstat", ["--long"]);
    await lab.h1.writeFile(`${MANAGER}\\log\\extra.log`, Buffer.from("logs do not count"));
    await must(lab.h1, `${MANAGER}\\bin\\SysMonMgr.exe`, ["-backup"]);
    await lab.target.clock.sleep(3_600_000);
    expect(compareSnapshots(a, await snapshot(lab.dir))).toEqual([]);

    await lab.h2.setStartType("FTBase", "Auto");
    await lab.h2.writeFile(`${MANAGER}\\sg\\NvPRO\\new.ini`, Buffer.from("x"));
    await must(lab.h1, "clpgrp", ["-m", "failover"]);
    const diffs = compareSnapshots(a, await snapshot(lab.dir));
    expect(diffs).toContain("host2: service FTBase changed: Manual/Stopped -> Auto/Running");
    expect(diffs).toContain(`host2: file ${MANAGER}\\sg\\NvPRO\\new.ini added`);
    expect(diffs).toContain("cluster: group Online on host1 -> Online on host2");
  });

  it("shows the data the new version wrote, which a failback loses", async () => {
    const lab = newLab();
    await prepareToMove(lab);
    const before = await snapshot(lab.dir, EXCLUDE);
    await must(lab.h1, "clpgrp", ["-s", "failover", "-h", "host2"]);
    await lab.target.clock.sleep(300_000);
    const diffs = compareSnapshots(before, await snapshot(lab.dir, EXCLUDE));
    expect(diffs.some((d) => /nvalertdb.*writtenBy 8\.0 -> 9\.0/.test(d))).toBe(true);
    expect(diffs.some((d) => /RMAPI\\db\\rup-9\.0\.dat added/.test(d))).toBe(true);
  });
});

describe("the failback invariant (chapter 4)", () => {
  it("after a failed shared-disk update, §4.2.1-§4.2.5 give back the cluster as it was", async () => {
    const lab = newLab();
    const { h1, h2 } = lab;
    await suppressFailover(h1);
    const baseline = await snapshot(lab.dir, EXCLUDE);
    const originalConf = await pullConf(h1);
    const originalStart = await h1.readFile(`${CONFDIR}\\scripts\\failover\\script\\start.bat`);

    await prepareToMove(lab, { suppress: false });
    await suppressFailover(h1); // the new resources get the thresholds too
    await injectFault(lab.dir, { fault: "rupinst-exit-nonzero", sticky: false });
    await must(h1, "clpgrp", ["-s", "failover", "-h", "host2"]);
    await waitFor(lab.target, h2, RUPINST, (t) => /ExitCode : [1-9]/.test(t));
    await lab.target.clock.sleep(60_000);

    // §4.2.1 (1) stop the services on host2, (2) delete the folders, (3) restore, (4) CMDB consistency.
    for (const s of [
      "NvPROPerfMgr",
      "NvPROTopologyAdapter",
      "NvPRORMAPI",
      "UMFOperationsManager_1",
      "NvPROBaseMgr",
      "FTBase",
      "NvPROPerfDB",
      "Wfdb_wfdb1",
      "Wfdb_nvalertdb1",
      "Wfdb_nvsflowdb1",
    ]) {
      await h2.stopService(s);
    }
    const sg = `${SHARE}\\Manager\\sg`;
    for (const d of SHARED_DISK_UPDATE_FOLDERS) {
      await h2.remove(`${sg}\\${d}`);
    }
    // The §2.4.1 backup was taken on host1: bring it to host2, whose SysMonMgr restores from its own folder.
    await copyTree(h1, h2, `${MANAGER}\\backup\\001`, `${MANAGER}\\backup\\001`);
    await must(h2, `${MANAGER}\\bin\\SysMonMgr.exe`, ["-restore", "-S", "-latest"]);
    await must(h2, "WfdbCtlStart.bat", [], `${MANAGER}\\bin`);
    await must(h2, "NvPRORestoreDataC.bat", [], `${MANAGER}\\bin`);
    await must(h2, "WfdbCtlStop.bat", [], `${MANAGER}\\bin`);
    await h2.remove(`${MANAGER}\\backup\\001`);

    // §4.2.2 (1)(2) remove the resources (and the start.bat line) and apply; (3) adapter-remove.bat; (4) NvPROAdapter.ini.
    const conf = await pullConf(h1);
    for (const [name] of NEW_RESOURCES) conf.removeResource("failover", { type: "service", name });
    await h1.writeFile(`${CONFDIR}\\scripts\\failover\\script\\start.bat`, originalStart);
    expect(conf.toString()).toBe(originalConf.toString());
    await pushConf(h1, conf);
    await must(h1, "adapter-remove.bat", [], `${MANAGER}\\bin\\NvPRO`);
    await h1.remove(`${MANAGER}\\sg\\NvPRO\\NvPROAdapter.ini`);
    for (const f of ["adapter-setup.bat", "adapter-remove.bat"])
      await h1.remove(`${MANAGER}\\bin\\NvPRO\\${f}`);
    await h1.remove(`${MANAGER}\\sql_rupdate`);

    // §4.2.3 back to host1.
    await must(h1, "clpgrp", ["-s", "failover", "-h", "host1"]);
    await lab.target.clock.sleep(60_000);
    expect((await readLabState(lab.dir)).serving).toEqual(["host1"]);

    // §4.2.5 host2: uninstall, rebuild the old version, restore the §2.4.2 backup.
    await must(h2, mediaPath(OLD_MEDIA, "setup"), [
      "/S",
      "/UNINSTALL",
      "/FUNCTION=Manager",
      "/LOG=C:\\Windows\\Temp\\uninstall.log",
    ]);
    await h2.remove(`${MANAGER}\\UpdateData`);
    expect((await installManager(h2, OLD_MEDIA, false)).exitCode).toBe(0);
    await h2.copy("C:\\rupbackup\\sg", `${MANAGER}\\sg`);

    expect(compareSnapshots(baseline, await snapshot(lab.dir, EXCLUDE))).toEqual([]);
  });
});
