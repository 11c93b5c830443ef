/** §3.5: the first start of the upgraded Manager on the shared disk, and each way it fails (§4.1, §4.2). */
import { injectFault, readLabState, readTimeline } from "../../providers/lab";
import { RUPINST_EXIT_CODE, NVPLOG_INIT_END, NVPLOG_INIT_START } from "../../providers/catalogue/unconfirmed";
import {
  NVPLOG,
  RUPINST,
  installManager,
  must,
  newLab,
  prepareToMove,
  text,
  waitFor,
  NEW_MEDIA,
  SHARE,
} from "./guide";

const exitCodeOf = (log: string): number | undefined => {
  const all = [...log.matchAll(RUPINST_EXIT_CODE)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
};

async function opsManagerState(
  h: import("../../providers/hosts/types").HostOps,
): Promise<string | undefined> {
  return (await h.services()).find((s) => s.displayName === "MasterScope UMF Operations Manager_1")?.state;
}

describe("§3.5 moving the failover group to the updated host", () => {
  it("an updated standby without the new services clustered (§3.4 skipped) cannot take the group", async () => {
    const lab = newLab();
    await installManager(lab.h2, NEW_MEDIA, true);
    const r = await lab.h1.run("clpgrp", ["-m", "failover", "-a", "host2"]);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/NvPRO Performance Database, is not running/);
  });

  it("updates the shared disk in about three minutes: RupInstCmd.log appears, then ExitCode 0, then the NvpLog lines", async () => {
    const lab = newLab();
    await prepareToMove(lab);
    const start = lab.target.clock.now();
    await must(lab.h1, "clpgrp", ["-s", "failover", "-h", "host2"]);
    // Right after the group is online the update is still running: the log exists without its ExitCode.
    const early = await text(lab.h2, RUPINST);
    expect(early).toMatch(/RupInstCmd start/);
    expect(exitCodeOf(early)).toBeUndefined();
    const log = await waitFor(lab.target, lab.h2, RUPINST, (t) => exitCodeOf(t) !== undefined);
    expect(exitCodeOf(log ?? "")).toBe(0);
    const nvp = await waitFor(lab.target, lab.h2, NVPLOG, (t) => t.includes(NVPLOG_INIT_END));
    expect(nvp?.indexOf(NVPLOG_INIT_START)).toBeLessThan(nvp?.indexOf(NVPLOG_INIT_END) ?? -1);
    const elapsed = lab.target.clock.now() - start;
    expect(elapsed).toBeGreaterThan(150_000);
    expect(elapsed).toBeLessThan(300_000);
    await lab.target.clock.sleep(180_000);
    expect(await opsManagerState(lab.h2)).toBe("Running");
    const s = await readLabState(lab.dir);
    expect(s.serving).toEqual(["host2"]);
    // The update consumed UpdateData, so the next install on host1 is not blocked.
    expect(
      await lab.h2.stat("C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\UpdateData"),
    ).toBeNull();
  });

  it("rupinst-exit-nonzero: ExitCode ≠ 0, the services stop, and the old Manager cannot run on the half-updated data (§4.2)", async () => {
    const lab = newLab();
    await prepareToMove(lab);
    await injectFault(lab.dir, { fault: "rupinst-exit-nonzero", host: "host2", sticky: false });
    await must(lab.h1, "clpgrp", ["-s", "failover", "-h", "host2"]);
    const log = await waitFor(lab.target, lab.h2, RUPINST, (t) => exitCodeOf(t) !== undefined);
    expect(exitCodeOf(log ?? "")).not.toBe(0);
    await lab.target.clock.sleep(30_000);
    expect(await opsManagerState(lab.h2)).toBe("Stopped");
    // Recovery is suppressed (§2.3): the group stays on host2 instead of failing over onto the broken data.
    expect((await readLabState(lab.dir)).cluster.group.current).toBe("host2");
    await must(lab.h1, "clpgrp", ["-m", "failover", "-a", "host1"]);
    await lab.target.clock.sleep(60_000);
    expect(await text(lab.h1, NVPLOG)).toMatch(/shared data is damaged/);
    expect(await opsManagerState(lab.h1)).toBe("Stopped");
  });

  it("without §2.3 the failed update fails the group over onto the old host, which cannot run either", async () => {
    const lab = newLab();
    await prepareToMove(lab, { suppress: false });
    await injectFault(lab.dir, { fault: "rupinst-exit-nonzero", sticky: false });
    await must(lab.h1, "clpgrp", ["-s", "failover", "-h", "host2"]);
    await lab.target.clock.sleep(300_000);
    const events = await readTimeline(lab.dir);
    expect(events.some((e) => /failover of failover from host2 to host1: monitor error/.test(e.text))).toBe(
      true,
    );
    expect((await readLabState(lab.dir)).serving).toEqual([]);
  });

  it("shared-disk-unreachable: no RupInstCmd.log, the services stop; started again by hand, the update runs (§4.1)", async () => {
    const lab = newLab();
    await prepareToMove(lab);
    await injectFault(lab.dir, { fault: "shared-disk-unreachable", host: "host2", sticky: false });
    await must(lab.h1, "clpgrp", ["-s", "failover", "-h", "host2"]);
    await lab.target.clock.sleep(60_000);
    expect(await lab.h2.stat(RUPINST)).toBeNull();
    expect(await opsManagerState(lab.h2)).toBe("Stopped");
    // §4.1 Action: host2 can access the disk again; start the services by hand in dependency order.
    expect(await lab.h2.stat(`${SHARE}\\Manager\\sg`)).toBe("dir");
    for (const s of ["NvPROPerfDB", "NvPROBaseMgr", "UMFOperationsManager_1", "NvPRORMAPI"])
      await lab.h2.startService(s);
    const log = await waitFor(lab.target, lab.h2, RUPINST, (t) => exitCodeOf(t) !== undefined);
    expect(exitCodeOf(log ?? "")).toBe(0);
  });

  it("operations-manager-stops: Operations Manager stops within the three minutes (§3.5 step 1)", async () => {
    const lab = newLab();
    await prepareToMove(lab);
    await injectFault(lab.dir, { fault: "operations-manager-stops", sticky: false });
    await must(lab.h1, "clpgrp", ["-s", "failover", "-h", "host2"]);
    const start = lab.target.clock.now();
    let stoppedAt: number | undefined;
    while (lab.target.clock.now() - start < 180_000) {
      if ((await opsManagerState(lab.h2)) === "Stopped") {
        stoppedAt = lab.target.clock.now();
        break;
      }
      await lab.target.clock.sleep(10_000);
    }
    expect(stoppedAt).toBeDefined();
    expect(await text(lab.h2, NVPLOG)).not.toContain(NVPLOG_INIT_END);
  });

  it("a Manager installed with Update data area = No cannot start on old shared data", async () => {
    // 8.1 already has the adapter services clustered, so only the data version matters here.
    const lab = newLab({ fromVersion: "8.1" });
    await installManager(lab.h2, NEW_MEDIA, false);
    await must(lab.h1, "clpgrp", ["-m", "failover", "-a", "host2"]);
    await lab.target.clock.sleep(60_000);
    expect(await lab.h2.stat(RUPINST)).toBeNull();
    expect(await text(lab.h2, NVPLOG)).toMatch(/older than this Manager \(9\.0\) and there is no UpdateData/);
  });

  it("the updated Manager refuses an old CMDB schema (the §3.2 step matters)", async () => {
    const lab = newLab({ fromVersion: "8.1" });
    await installManager(lab.h2, NEW_MEDIA, true);
    await must(lab.h1, "clpgrp", ["-m", "failover", "-a", "host2"]);
    await lab.target.clock.sleep(300_000);
    expect(exitCodeOf(await text(lab.h2, RUPINST))).toBe(0);
    expect(await text(lab.h2, NVPLOG)).toMatch(/CMDB schema \(8\.1\) is older than the Manager \(9\.0\)/);
  });
});
