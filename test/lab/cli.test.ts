/** The netmgr-lab CLI, run in process. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCli } from "../../providers/lab/cli";
import { listFaults, readLabState } from "../../providers/lab";

async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = jest.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  try {
    await buildCli()
      .exitOverride()
      .parseAsync(["node", "netmgr-lab", ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join("\n");
}

describe("netmgr-lab", () => {
  it("creates a lab, shows status, manages faults, snapshots and simulates the §3.8 GUI step", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "netmgr-lab-cli-")), "lab");
    const created = await cli(
      "--dir",
      dir,
      "create",
      "--from",
      "8.0",
      "--to",
      "9.0",
      "--db",
      "sqlserver",
      "--sflow",
      "--web-console",
      "--consoles",
      "con1,con2",
      "--hosts",
      "nodeA,nodeB",
    );
    expect(created).toMatch(/Group {7}failover: Online on nodeA/);
    expect(created).toMatch(/con2 +console/);
    expect(created).toMatch(/MSSQLSERVER/);
    const s = await readLabState(dir);
    expect(s.spec.webConsole).toBe(true);
    expect(s.hosts.nodea?.sql.map((i) => i.instance)).toEqual(["", "SFLOW"]);

    expect(await cli("--dir", dir, "faults", "add", "backup-fails", "--host", "nodeA", "--sticky")).toMatch(
      /armed backup-fails/,
    );
    expect(await listFaults(dir)).toEqual([{ fault: "backup-fails", host: "nodeA", sticky: true }]);
    await expect(cli("--dir", dir, "faults", "add", "no-such-fault")).rejects.toThrow();
    expect(await cli("--dir", dir, "faults", "clear")).toMatch(/cleared 1 fault/);

    const snap = join(dir, "..", "snap.json");
    await cli("--dir", dir, "snapshot", snap);
    expect(JSON.parse(readFileSync(snap, "utf8")).format).toBe(1);
    expect(await cli("--dir", dir, "gui", "enable-webapi", "--port", "12081")).toMatch(/NvPROWebAPI\.ini/);
    expect(await cli("--dir", dir, "compare", snap)).toMatch(/NvPROWebAPI\.ini added/);
    process.exitCode = 0;

    expect(await cli("--dir", dir, "clock", "advance", "120")).toMatch(/lab time is now/);
    expect(await cli("--dir", dir, "downtime")).toMatch(/downtime 0m00s/);
    expect(await cli("--dir", dir, "timeline", "--kind", "fault")).toMatch(/backup-fails armed/);
    expect(await cli("--dir", dir, "status")).toMatch(/Serving {5}nodeA/);
    await cli("--dir", dir, "reset");
    expect((await readLabState(dir)).timeline.some((e) => /WebAPI/.test(e.text))).toBe(false);
  });

  it("shows and changes what Windows Firewall lets in on a host (§2.2.1 rehearsal)", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "netmgr-lab-cli-")), "lab");
    await cli("--dir", dir, "create", "--from", "8.0", "--db", "internal");
    expect(await cli("--dir", dir, "firewall", "list")).toMatch(
      /host1: on \(Domain, Private, Public\)\n(.*\n)* {2}allow TCP 12520,12080 {2}MasterScope Network Manager \(TCP-In\)/,
    );
    expect(await cli("--dir", dir, "firewall", "close", "host2", "12080")).toBe(
      "host2: TCP 12080 no longer let in",
    );
    await expect(cli("--dir", dir, "firewall", "close", "host2", "12080")).rejects.toThrow(
      /host2: no Allow rule names TCP 12080/,
    );
    await expect(cli("--dir", dir, "firewall", "open", "host2", "99999")).rejects.toThrow(
      /port must be 1-65535/,
    );
    expect(await cli("--dir", dir, "firewall", "open", "host2", "514", "--udp")).toBe(
      "host2: UDP 514 let in",
    );
    const host2 = (await cli("--dir", dir, "firewall", "list")).split("host2:")[1];
    expect(host2).toMatch(/allow TCP 12520 {2}MasterScope/);
    expect(host2).toMatch(/allow UDP 514 {2}Opened by hand: UDP 514/);
  });
});
