/** The timeline, downtime, secrets, the virtual clock and the filesystem's rules. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  computeDowntime,
  injectFault,
  labDowntime,
  readTimeline,
  openLabTarget,
  LAB_EPOCH,
} from "../../providers/lab";
import type { TimelineEvent } from "../../providers/lab";
import { HostError } from "../../providers/hosts/types";
import { MANAGER, SHARE, cmdbPassword, must, newLab, prepareToMove, updateInternalDb } from "./guide";

const ev = (at: number, host: string, value: "up" | "down", seq = at): TimelineEvent => ({
  seq,
  at,
  kind: "serving",
  host,
  value,
  text: "",
});

describe("downtime", () => {
  it("is the union of intervals in which no host serves", () => {
    const t = [
      ev(0, "host1", "up"),
      ev(100, "host1", "down"),
      ev(160, "host2", "up"),
      ev(300, "host1", "up"),
      ev(310, "host2", "down"),
      ev(400, "host1", "down"),
    ];
    const d = computeDowntime(t, 50, 500);
    expect(d.intervals).toEqual([
      { from: 100, to: 160, ms: 60 },
      { from: 400, to: 500, ms: 100 },
    ]);
    expect(d.totalMs).toBe(160);
    expect(computeDowntime(t, 170, 390).totalMs).toBe(0);
    expect(computeDowntime([], 0, 10).totalMs).toBe(10);
  });

  it("of a real move to the updated host spans the group stop, the start and the ~3 minute update", async () => {
    const lab = newLab();
    await prepareToMove(lab);
    await must(lab.h1, "clpgrp", ["-s", "failover", "-h", "host2"]);
    await lab.target.clock.sleep(600_000);
    const d = await labDowntime(lab.dir);
    expect(d.intervals).toHaveLength(1);
    expect(d.totalMs).toBeGreaterThan(180_000);
    expect(d.totalMs).toBeLessThan(600_000);
  });
});

describe("the timeline", () => {
  it("records service changes per host, group changes and commands, with secrets redacted", async () => {
    const lab = newLab();
    const pw = await cmdbPassword(lab.h1);
    await updateInternalDb(lab.h1);
    // A careless caller passing the password as plain text: still redacted, and flagged.
    await lab.h1.run(
      "WfdbCmdSetup.bat",
      [
        "wfdb",
        `${MANAGER}\\bin\\dbms1`,
        "12630",
        "SYSTEM",
        pw.reveal(),
        "127.0.0.1",
        "wfdb",
        `${SHARE}\\Manager`,
        "YES",
      ],
      {
        cwd: `${MANAGER}\\sql_rupdate\\postgres`,
      },
    );
    await must(lab.h1, "clpgrp", ["-m", "failover"]);
    const events = await readTimeline(lab.dir);
    const all = JSON.stringify(events);
    expect(all).not.toContain(pw.reveal());
    expect(
      events
        .filter((e) => e.kind === "command" && e.text.includes("WfdbCmdSetup.bat"))
        .every((e) => e.text.includes("[secret]")),
    ).toBe(true);
    expect(
      events.some(
        (e) => e.kind === "warning" && /secret value was passed .* as a plain argument/.test(e.text),
      ),
    ).toBe(true);
    expect(
      events.some(
        (e) =>
          e.kind === "service" && e.host === "host2" && e.name === "NvPRO Base Manager" && e.value === "up",
      ),
    ).toBe(true);
    expect(events.some((e) => e.kind === "service" && e.host === "host1" && e.value === "down")).toBe(true);
    expect(events.some((e) => e.kind === "group" && e.text.includes("Online on host2"))).toBe(true);
    // Nowhere in the lab's files but where NetMgr keeps it (WFDB.INI) and the state of the simulated disk.
    expect(readFileSync(join(lab.dir, "clock.json"), "utf8")).not.toContain(pw.reveal());
  });
});

describe("the virtual clock", () => {
  it("starts at the lab epoch, advances with operations, and sleeps instantly", async () => {
    const lab = newLab();
    const t0 = lab.target.clock.now();
    expect(t0).toBeGreaterThan(LAB_EPOCH);
    const real = Date.now();
    await lab.target.clock.sleep(3_600_000);
    expect(Date.now() - real).toBeLessThan(2_000);
    expect(lab.target.clock.now() - t0).toBe(3_600_000);
  });

  it("with a time scale, sleeps real time in proportion", async () => {
    const lab = newLab();
    const scaled = openLabTarget({ dir: lab.dir, timeScale: 100 });
    const real = Date.now();
    await scaled.clock.sleep(30_000);
    expect(Date.now() - real).toBeGreaterThanOrEqual(290);
  });
});

describe("faults on hosts", () => {
  it("host-unreachable makes every operation on that host throw HostError 'unreachable' while sticky", async () => {
    const lab = newLab();
    await injectFault(lab.dir, { fault: "host-unreachable", host: "host2", sticky: true });
    await expect(lab.h2.environment()).rejects.toMatchObject({ kind: "unreachable", host: "host2" });
    await expect(lab.h2.readFile("C:\\Windows\\System32\\net.exe")).rejects.toBeInstanceOf(HostError);
    await expect(lab.target.sql.databases("host2", "")).rejects.toMatchObject({ kind: "unreachable" });
    expect((await lab.h1.environment()).hostName).toBe("host1");
  });
});

describe("the filesystem", () => {
  it("is case-insensitive with \\ separators, and the shared disk is reachable only from the disk's owner", async () => {
    const lab = newLab();
    expect(await lab.h1.stat("c:/program files (x86)/nec/umf/operations/manager/BIN/sysmonmgr.EXE")).toBe(
      "file",
    );
    await lab.h1.writeFile("C:\\Work\\A.txt", Buffer.from("one"));
    expect((await lab.h1.readFile("c:\\work\\a.TXT")).toString()).toBe("one");
    expect((await lab.h1.list("C:\\Work")).map((e) => e.name)).toEqual(["A.txt"]);
    await expect(lab.h2.list(`${SHARE}\\Manager`)).rejects.toThrow(
      /A drive with the name 'X' does not exist/,
    );
    expect(await lab.h2.stat(SHARE)).toBeNull();
    // copy replaces the destination; move renames.
    await lab.h1.writeFile("C:\\Work\\B\\old.txt", Buffer.from("old"));
    await lab.h1.copy("C:\\Work\\A.txt", "C:\\Work\\B\\A.txt");
    await lab.h1.copy("C:\\Work\\B", "C:\\Work\\C");
    await lab.h1.writeFile("C:\\Work\\D\\stale.txt", Buffer.from("stale"));
    await lab.h1.copy("C:\\Work\\C", "C:\\Work\\D");
    expect((await lab.h1.hashTree("C:\\Work\\D")).map((e) => e.path).sort()).toEqual(["A.txt", "old.txt"]);
    await lab.h1.move("C:\\Work\\D", "C:\\Work\\E");
    expect(await lab.h1.stat("C:\\Work\\D")).toBeNull();
    await lab.h1.remove("C:\\Work\\nothing-here");
    expect(await lab.h1.freeSpace("C:\\")).toBeGreaterThan(1024 ** 3);
  });
});
