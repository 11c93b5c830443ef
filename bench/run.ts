/**
 * Benchmarks (not tests): what the rolling update costs, measured on the lab.
 *
 *   npm run bench
 *
 * 1. Downtime per switch on the lab's clock, split into its parts: stopping the group's resources, the
 *    configuration apply the guide requires (§3.4.2 step 5), this tool's own work while the group is down,
 *    starting the resources on the other node, and the shared-disk update and data read (§3.5). The
 *    inherent part is everything but this tool's own work.
 * 2. Operations on the hosts per step (HostOps calls and commands, from the lab timeline).
 * 3. Wall time of `pulumi preview` and `pulumi up` with the real CLI, and of the chain in-process.
 */
import { randomUUID } from "node:crypto";
import { labDowntime, readTimeline, type TimelineEvent } from "../providers/lab";
import { LabChain, quietProgress, rollForwardPlayingGui } from "../test/support/labChain";
import { LabProject } from "../test/e2e/pulumi";
import { laterSource } from "../test/e2e/config";
import { formatDuration } from "../providers/procedures/progress";
import type { Target } from "../providers/hosts/target";

interface SwitchParts {
  total: number;
  stop: number;
  apply: number;
  overhead: number;
  start: number;
  updateAndRead: number;
}

/** Split one downtime interval by the group's state changes in the timeline. */
function parts(events: TimelineEvent[], from: number, to: number): SwitchParts {
  const inside = events.filter((e) => e.at >= from && e.at <= to);
  const groupEvent = (re: RegExp) => inside.find((e) => e.kind === "group" && re.test(e.text));
  const offline = groupEvent(/: Offline/)?.at ?? from;
  const pending = groupEvent(/Online Pending/)?.at ?? offline;
  const online = inside.find((e) => e.kind === "group" && /: Online on/.test(e.text))?.at ?? pending;
  const apply = inside
    .filter(
      (e) =>
        e.kind === "command" &&
        e.at > offline &&
        e.at <= pending &&
        /clpcl --(suspend|resume)|clpcfctrl --push/.test(e.text),
    )
    .reduce((n, e) => n + (e.durationMs ?? 0), 0);
  const gap = Math.max(0, pending - offline);
  return {
    total: to - from,
    stop: offline - from,
    apply,
    overhead: Math.max(0, gap - apply),
    start: online - pending,
    updateAndRead: to - online,
  };
}

async function downtime(name: string, config: Record<string, unknown>): Promise<void> {
  const chain = new LabChain(config);
  const quiet = quietProgress();
  try {
    await rollForwardPlayingGui(chain.driver, chain.dir);
  } finally {
    quiet.mockRestore();
  }
  const down = await labDowntime(chain.dir);
  const events = await readTimeline(chain.dir);
  console.log(
    `\n${name}: total downtime ${formatDuration(down.totalMs)} in ${down.intervals.length} switch(es)`,
  );
  console.log("  switch  total     stop      apply     own work  start     update+read  inherent");
  down.intervals.forEach((iv, n) => {
    const p = parts(events, iv.from, iv.to);
    const f = (ms: number) => formatDuration(ms).padEnd(9);
    console.log(
      `  ${String(n + 1).padEnd(7)} ${f(p.total)} ${f(p.stop)} ${f(p.apply)} ${f(p.overhead)} ${f(p.start)} ${f(p.updateAndRead)}   ${formatDuration(p.total - p.overhead)}`,
    );
  });
  chain.dispose();
}

/** Count every call a procedure makes through the seam (HostOps and SqlOps), by wrapping the opened target. */
function countCalls(): { calls: () => number } {
  let n = 0;
  const open = require("../providers/hosts/open") as { openTarget: (s: unknown) => Promise<Target> };
  const original = open.openTarget;
  const counting = <T extends object>(o: T): T =>
    new Proxy(o, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver) as unknown;
        return typeof v === "function"
          ? (...args: unknown[]) => {
              n++;
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            }
          : v;
      },
    });
  open.openTarget = async (settings) => {
    const t = await original(settings);
    return new Proxy(t, {
      get(target, key, receiver) {
        if (key === "host") return (name: string) => counting(target.host(name));
        if (key === "sql") return counting(target.sql);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  };
  return { calls: () => n };
}

async function operationsPerStep(): Promise<void> {
  const counter = countCalls();
  const chain = new LabChain({ fromVersion: "8.0", consoles: ["console1"] });
  const quiet = quietProgress();
  const rows: [string, number, number][] = [];
  try {
    let calls = 0;
    let clock: number | undefined;
    for (const step of chain.driver.plan.steps) {
      await chain.driver.up({ until: step.inputs.key as string });
      const events = await readTimeline(chain.dir);
      const first = events[0]?.at ?? 0;
      const now = events[events.length - 1]?.at ?? first;
      rows.push([step.name, counter.calls() - calls, now - (clock ?? first)]);
      calls = counter.calls();
      clock = now;
    }
  } finally {
    quiet.mockRestore();
  }
  console.log(
    "\nCalls through the host seam (each one remote call on a real cluster) and lab time, per step",
  );
  console.log("(8.0, internal DBs, one console; each step's pre-flight check and diff included):");
  for (const [name, n, ms] of rows)
    console.log(`  ${name.padEnd(30)} ${String(n).padStart(4)} calls   ${formatDuration(ms)}`);
  console.log(`  ${"total".padEnd(30)} ${String(rows.reduce((s, c) => s + c[1], 0)).padStart(4)} calls`);
  chain.dispose();
}

async function wallTimes(): Promise<void> {
  const project = await LabProject.create({ config: laterSource });
  const time = async (what: string, run: () => Promise<{ code: number }>) => {
    const t = Date.now();
    const r = await run();
    console.log(
      `  ${what.padEnd(34)} ${((Date.now() - t) / 1000).toFixed(1)} s${r.code === 0 ? "" : "  (failed)"}`,
    );
  };
  console.log("\nWall time with the real pulumi CLI (8.1 -> 9.1 on the lab, 11 steps):");
  await time("pulumi preview (first, creates lab)", () => project.preview());
  await time("pulumi preview", () => project.preview());
  await time("pulumi up", () => project.up());
  await time("pulumi up (no changes)", () => project.up());
  await time("pulumi refresh", () => project.refresh());
  project.dispose();
  const chain = new LabChain(laterSource);
  const quiet = quietProgress();
  const t = Date.now();
  await chain.driver.up();
  quiet.mockRestore();
  console.log(`  ${"the same chain in-process".padEnd(34)} ${((Date.now() - t) / 1000).toFixed(1)} s`);
  chain.dispose();
}

async function main(): Promise<void> {
  console.log("Downtime on the lab's clock (docs/lab.md: Downtime, durations):");
  await downtime("8.0 -> 9.0, internal DBs, Web Console (Table 1-1)", {
    fromVersion: "8.0",
    webConsole: { enabled: true, managerId: "nvpro01", imsAddress: "192.168.1.200" },
  });
  await downtime("8.0 -> 9.0, SQL Server with sFlow (Table 1-2)", {
    fromVersion: "8.0",
    db: "sqlserver",
    sflowDb: true,
    // The lab does not check the SQL login; the pre-flight only needs one to be set.
    sqlPassword: randomUUID(),
  });
  await downtime("8.1 -> 9.1, internal DBs (★ steps skipped)", { fromVersion: "8.1", toVersion: "9.1" });
  await operationsPerStep();
  await wallTimes();
}

// jest's spyOn is used by the shared helpers; provide the minimal global they need outside jest.
(globalThis as { jest?: unknown }).jest ??= {
  spyOn: (obj: Record<string, unknown>, key: string) => {
    const original = obj[key];
    const spy = {
      mockImplementation(fn: unknown) {
        obj[key] = fn;
        return spy;
      },
      mockRestore() {
        obj[key] = original;
      },
    };
    return spy;
  },
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
