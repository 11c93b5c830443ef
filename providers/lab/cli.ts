#!/usr/bin/env node
/**
 * netmgr-lab: create, inspect and disturb a lab cluster from the command line.
 *
 *   netmgr-lab create --from 8.0 --to 9.0 --db internal [--sflow] [--web-console] [--consoles a,b] [--hosts h1,h2]
 *   netmgr-lab status | timeline | downtime | reset
 *   netmgr-lab faults list | add <name> [--host h] [--sticky] | clear [name]
 *   netmgr-lab snapshot <file> | compare <file>
 *   netmgr-lab gui enable-webapi [--port n] [--https]
 *   netmgr-lab firewall list | open <host> <port> [--udp] | close <host> <port> [--udp]
 *   netmgr-lab clock advance <seconds>
 *
 * --dir defaults to .lab/lab (the lab stack's folder).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { z } from "zod";
import { FAULT_NAMES, FaultName } from "../config/stack";
import { LabSpec } from "./spec";
import {
  advanceClock,
  clearLabFaults,
  compareSnapshots,
  createLabCluster,
  enableWebApi,
  injectFault,
  labFirewalls,
  setLabPort,
  labDowntime,
  labStatus,
  listFaults,
  readTimeline,
  resetLab,
  snapshot,
  type LabSnapshot,
} from "./index";
import { formatDuration } from "./timeline";
import { stamp } from "./world";
import { labExists, removeLab } from "./store";

const DEFAULT_DIR = ".lab/lab";

const list = (v: string): string[] =>
  v
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

const CreateOptions = z.object({
  dir: z.string(),
  from: z.string(),
  to: z.string(),
  db: z.enum(["internal", "sqlserver"]),
  sflow: z.boolean().optional(),
  webConsole: z.boolean().optional(),
  consoles: z.array(z.string()).optional(),
  hosts: z.array(z.string()).length(2, "--hosts needs exactly two names").optional(),
  active: z.string().optional(),
  encoding: z.enum(["cp932", "utf8", "latin1"]).optional(),
  force: z.boolean().optional(),
});

function dirOf(cmd: Command): string {
  const opts = cmd.optsWithGlobals<{ dir?: string }>();
  return resolve(opts.dir ?? DEFAULT_DIR);
}

function faultName(v: string): FaultName {
  const r = FaultName.safeParse(v);
  if (!r.success) throw new InvalidArgumentError(`unknown fault; one of: ${FAULT_NAMES.join(", ")}`);
  return r.data;
}

function portNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new InvalidArgumentError(`port must be 1-65535, got ${v}`);
  return n;
}

export function buildCli(): Command {
  const program = new Command("netmgr-lab")
    .description("The embedded simulated NetMgr cluster (see docs/lab.md)")
    .option("--dir <dir>", "lab folder", DEFAULT_DIR)
    .showHelpAfterError();

  program
    .command("create")
    .description("create a lab cluster")
    .requiredOption("--from <version>", "NetMgr version installed now")
    .option("--to <version>", "target version of the rolling update", "9.0")
    .option("--db <mode>", "internal | sqlserver", "internal")
    .option("--sflow", "an sFlow DB (SQL Server)")
    .option("--web-console", "the Web Console (IMS) is used")
    .option("--consoles <names>", "monitoring terminals, comma separated", list)
    .option("--hosts <names>", "the two cluster nodes, comma separated", list)
    .option("--active <host>", "the node the group is active on")
    .option("--encoding <enc>", "cp932 | utf8 | latin1")
    .option("--force", "replace an existing lab")
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const o = CreateOptions.parse({ ...opts, dir: dirOf(cmd) });
      if (o.force && labExists(o.dir)) await removeLab(o.dir);
      const spec = LabSpec.parse({
        fromVersion: o.from,
        toVersion: o.to,
        db: o.db,
        sflowDb: o.sflow ?? false,
        webConsole: o.webConsole ?? false,
        consoles: o.consoles ?? [],
        ...(o.hosts ? { hosts: o.hosts } : {}),
        ...(o.active ? { activeHost: o.active } : {}),
        ...(o.encoding ? { fileEncoding: o.encoding } : {}),
      });
      await createLabCluster(o.dir, spec);
      console.log(`created a lab cluster in ${o.dir}`);
      console.log(await labStatus(o.dir));
    });

  program
    .command("status")
    .description("hosts, versions, services, group, suppression settings, clock")
    .action(async (_o, cmd: Command) => console.log(await labStatus(dirOf(cmd))));

  program
    .command("timeline")
    .description("what happened, in lab time")
    .option("--json", "as JSON")
    .option("--kind <kinds>", "only these kinds (comma separated)", list)
    .action(async (o: { json?: boolean; kind?: string[] }, cmd: Command) => {
      const events = (await readTimeline(dirOf(cmd))).filter((e) => !o.kind || o.kind.includes(e.kind));
      if (o.json) console.log(JSON.stringify(events, null, 2));
      else for (const e of events) console.log(`${stamp(e.at)}  ${e.kind.padEnd(8)} ${e.text}`);
    });

  program
    .command("downtime")
    .description("intervals in which no host served NetMgr (docs/lab.md)")
    .action(async (_o, cmd: Command) => {
      const d = await labDowntime(dirOf(cmd));
      console.log(`downtime ${formatDuration(d.totalMs)} between ${stamp(d.from)} and ${stamp(d.to)}`);
      for (const i of d.intervals)
        console.log(`  ${stamp(i.from)} - ${stamp(i.to)}  ${formatDuration(i.ms)}`);
    });

  program
    .command("reset")
    .description("build the cluster again from its creation spec")
    .action(async (_o, cmd: Command) => {
      await resetLab(dirOf(cmd));
      console.log("the lab was reset");
    });

  const faults = program.command("faults").description("injected faults");
  faults.command("list").action(async (_o, cmd: Command) => {
    const fs = await listFaults(dirOf(cmd));
    if (fs.length === 0) console.log("no faults armed");
    for (const f of fs)
      console.log(`${f.fault}${f.host ? ` on ${f.host}` : ""}${f.sticky ? " (sticky)" : " (one-shot)"}`);
    console.log(`known faults: ${FAULT_NAMES.join(", ")}`);
  });
  faults
    .command("add <name>")
    .option("--host <host>", "only on this host")
    .option("--sticky", "stay armed after firing")
    .action(async (name: string, o: { host?: string; sticky?: boolean }, cmd: Command) => {
      const fault = faultName(name);
      await injectFault(dirOf(cmd), {
        fault,
        ...(o.host ? { host: o.host } : {}),
        sticky: o.sticky ?? false,
      });
      console.log(`armed ${fault}`);
    });
  faults.command("clear [name]").action(async (name: string | undefined, _o, cmd: Command) => {
    const n = await clearLabFaults(dirOf(cmd), name ? faultName(name) : undefined);
    console.log(`cleared ${n} fault${n === 1 ? "" : "s"}`);
  });

  program
    .command("snapshot <file>")
    .description("write the cluster's state (logs and backups excluded) to a file")
    .option("--exclude <paths>", "more folders to leave out, comma separated", list)
    .action(async (file: string, o: { exclude?: string[] }, cmd: Command) => {
      writeFileSync(
        file,
        JSON.stringify(await snapshot(dirOf(cmd), { excludeRoots: o.exclude ?? [] }), null, 1),
      );
      console.log(`snapshot written to ${file}`);
    });

  program
    .command("compare <file>")
    .description("compare the cluster's state now with a snapshot file (exit 1 when they differ)")
    .option("--exclude <paths>", "more folders to leave out, comma separated", list)
    .action(async (file: string, o: { exclude?: string[] }, cmd: Command) => {
      const before = JSON.parse(readFileSync(file, "utf8")) as LabSnapshot;
      const diffs = compareSnapshots(before, await snapshot(dirOf(cmd), { excludeRoots: o.exclude ?? [] }));
      if (diffs.length === 0) console.log("no differences");
      for (const d of diffs) console.log(d);
      if (diffs.length > 0) process.exitCode = 1;
    });

  program
    .command("gui")
    .description("simulate a GUI action")
    .command("enable-webapi")
    .description("§3.8: check Use Web API Function in the console's Option Setting dialog")
    .option("--port <port>", "WebAPI port", (v) => Number(v), 12080)
    .option("--https", "use HTTPS")
    .action(async (o: { port: number; https?: boolean }, cmd: Command) => {
      const path = await enableWebApi(dirOf(cmd), { port: o.port, https: o.https ?? false });
      console.log(`WebAPI enabled (${path})`);
    });

  const firewall = program.command("firewall").description("Windows Firewall on the lab's hosts (§2.2.1)");
  firewall.command("list").action(async (_o, cmd: Command) => {
    for (const [host, fw] of Object.entries(await labFirewalls(dirOf(cmd)))) {
      console.log(
        `${host}: ${fw.enabledProfiles.length > 0 ? `on (${fw.enabledProfiles.join(", ")})` : "off"}`,
      );
      for (const r of fw.inboundAllow)
        console.log(`  allow ${r.protocol} ${r.localPorts.join(",")}  ${r.name}`);
    }
  });
  for (const change of ["open", "close"] as const) {
    firewall
      .command(`${change} <host> <port>`)
      .description(
        change === "open" ? "add an Allow rule for the port" : "take the port out of every Allow rule",
      )
      .option("--udp", "a UDP port (default TCP)")
      .action(async (host: string, port: string, o: { udp?: boolean }, cmd: Command) => {
        const protocol = o.udp ? "UDP" : "TCP";
        await setLabPort(dirOf(cmd), host, change, portNumber(port), protocol);
        console.log(`${host}: ${protocol} ${port} ${change === "open" ? "let in" : "no longer let in"}`);
      });
  }

  program
    .command("clock")
    .description("the lab's virtual clock")
    .command("advance <seconds>")
    .action(async (seconds: string, _o, cmd: Command) => {
      const now = await advanceClock(dirOf(cmd), Number(seconds) * 1000);
      console.log(`lab time is now ${stamp(now)}`);
    });

  return program;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((e: unknown) => {
      console.error(`netmgr-lab: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 2;
    });
}
