/**
 * clpcfctrl --pull -x <dir> and clpcfctrl --push -x <dir> [-w] (research expresscluster.md §4). Pull writes
 * clp.conf and scripts\<group>\<resource>\start.bat|stop.bat into <dir> on this node. Push reads them back,
 * validates the configuration, and distributes it: a change of the group's resources (added, removed,
 * dependencies or controlled service changed) stops the group first (§3.4.2 step 5); the new configuration
 * is in effect at once when resources changed and the cluster is not suspended, else at the next resume.
 */
import { ClpConf } from "../../expresscluster/clpconf";
import type { LabState } from "../state";
import { failed, lines, ok, type Emulator, type ProgramContext } from "./context";
import { mkdirp, statPath, treeFiles, writeBytes, readBytes } from "../fs";
import { normalizePath } from "../paths";
import { spend } from "../engine";
import { record } from "../timeline";
import { groupRscs, stopGroupNow, waves } from "../cluster";

export const PULL_MS = 5_000;
export const PUSH_MS = 10_000;

function parse(args: readonly string[]): { op: "pull" | "push"; dir: string } | string {
  let op: "pull" | "push" | undefined;
  let dir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--pull" || a === "--push") {
      if (op) return "Invalid option: --pull and --push exclude each other.";
      op = a === "--pull" ? "pull" : "push";
    } else if (a === "-x") {
      dir = args[++i];
      if (!dir) return "Invalid option: -x needs a directory.";
    } else if (a === "-w" || a === "--force") continue;
    else if (a === "-l") return "Invalid option: -l is for a configuration made on Linux.";
    else return `Invalid option: ${a}`;
  }
  if (!op) return "Invalid option: --pull or --push is required.";
  if (!dir) return "Invalid option: the lab needs -x <directory> (the configuration folder).";
  return { op, dir };
}

/** The group's resources as the apply cares about them (what stopping the group is needed for). */
export function resourceSignature(conf: ClpConf, group: string): string {
  return JSON.stringify(
    conf
      .groupResourceViews(group)
      .map((r) => ({ t: r.type, n: r.name, d: [...r.depends].sort(), s: r.serviceName ?? "" }))
      .sort((a, b) => a.n.localeCompare(b.n)),
  );
}

function validate(s: LabState, conf: ClpConf, scripts: Record<string, string>): string[] {
  const problems: string[] = [];
  const group = s.spec.groupName;
  if (!conf.groups().includes(group)) return [`the failover group "${group}" is missing`];
  const servers = conf
    .servers()
    .map((x) => x.toLowerCase())
    .sort();
  const want = s.spec.hosts.map((x) => x.toLowerCase()).sort();
  if (JSON.stringify(servers) !== JSON.stringify(want))
    problems.push(
      `the servers (${conf.servers().join(", ")}) are not the cluster's (${s.spec.hosts.join(", ")})`,
    );
  let views;
  try {
    views = conf.groupResourceViews(group);
  } catch (e) {
    return [...problems, (e as Error).message];
  }
  const names = new Set(views.map((v) => v.name));
  for (const v of views) {
    for (const d of v.depends)
      if (!names.has(d))
        problems.push(`resource ${v.name} depends on "${d}", which is not a resource of ${group}`);
    if (v.type === "service" && !v.serviceName)
      problems.push(`service resource ${v.name} has no parameters/name`);
    if (
      v.type === "script" &&
      !Object.keys(scripts).some(
        (k) => k.toLowerCase() === `scripts\\${group}\\${v.name}\\start.bat`.toLowerCase(),
      )
    ) {
      problems.push(`script resource ${v.name} has no scripts\\${group}\\${v.name}\\start.bat`);
    }
  }
  try {
    waves(groupRscs(s, conf));
  } catch (e) {
    problems.push((e as Error).message);
  }
  const n = conf.objectNumber();
  const expected = conf.expectedObjectNumber();
  if (n !== expected)
    problems.push(
      `webmgr/client/objectnumber is ${n ?? "missing"}, the configuration has ${expected} objects`,
    );
  return problems;
}

export function sameScripts(a: Record<string, string>, b: Record<string, string>): boolean {
  const norm = (x: Record<string, string>): string =>
    JSON.stringify(
      Object.entries(x)
        .map(([k, v]) => [k.toLowerCase(), v])
        .sort((p, q) => (p[0] ?? "").localeCompare(q[0] ?? "")),
    );
  return norm(a) === norm(b);
}

function pull(ctx: ProgramContext, dir: string): ReturnType<Emulator> {
  const { s, host } = ctx;
  spend(s, PULL_MS);
  mkdirp(s, host, dir);
  writeBytes(s, host, `${dir}\\clp.conf`, Buffer.from(s.cluster.conf, "utf8"));
  for (const [rel, data] of Object.entries(s.cluster.scripts))
    writeBytes(s, host, `${dir}\\${rel}`, Buffer.from(data, "base64"));
  return ok(lines("Command succeeded."));
}

function push(ctx: ProgramContext, dir: string): ReturnType<Emulator> {
  const { s, host } = ctx;
  spend(s, PUSH_MS);
  if (statPath(s, host, `${dir}\\clp.conf`) !== "file")
    return failed(1, lines(`The configuration file ${dir}\\clp.conf does not exist.`));
  const xml = readBytes(s, host, `${dir}\\clp.conf`).toString("utf8");
  let conf: ClpConf;
  try {
    conf = ClpConf.parse(xml);
  } catch (e) {
    return failed(1, lines(`Invalid configuration file: ${(e as Error).message}`));
  }
  const scripts: Record<string, string> = {};
  if (statPath(s, host, `${dir}\\scripts`) === "dir") {
    for (const f of treeFiles(s, host, `${dir}\\scripts`))
      scripts[`scripts\\${f.path}`] = f.data.toString("base64");
  }
  const problems = validate(s, conf, scripts);
  if (problems.length > 0)
    return failed(
      1,
      lines("The configuration is invalid:", ...problems.map((p) => `  ${p}`), "Command failed."),
    );
  const group = s.spec.groupName;
  const before = ClpConf.parse(s.cluster.effective);
  const resourcesChanged = resourceSignature(before, group) !== resourceSignature(conf, group);
  const anyChange = xml !== s.cluster.effective || !sameScripts(scripts, s.cluster.effectiveScripts);
  const out: string[] = [];
  if (resourcesChanged && s.cluster.group.state !== "Offline") {
    record(
      s,
      "cluster",
      `configuration apply changes the group's resources: stopping ${group} (§3.4.2 step 5)`,
    );
    stopGroupNow(s, "configuration apply");
    out.push(`The failover group ${group} was stopped to apply the configuration.`);
  }
  s.cluster.conf = xml;
  s.cluster.scripts = scripts;
  if (resourcesChanged && !s.cluster.suspended) {
    s.cluster.effective = xml;
    s.cluster.effectiveScripts = { ...scripts };
    s.cluster.pendingSettings = false;
  } else if (anyChange) {
    s.cluster.pendingSettings = !s.cluster.suspended;
    if (!s.cluster.suspended) out.push("Suspend and resume the cluster to apply the changed settings.");
  }
  record(
    s,
    "cluster",
    `configuration pushed from ${host}:${normalizePath(dir)}${resourcesChanged ? " (resources changed)" : ""}`,
    { host },
  );
  out.push("Command succeeded.");
  return ok(lines(...out));
}

export const clpcfctrl: Emulator = (ctx) => {
  const a = parse(ctx.args);
  if (typeof a === "string")
    return failed(1, lines(a, "Usage: clpcfctrl --pull -x <dir> | clpcfctrl --push [-w] -x <dir>"));
  let dir: string;
  try {
    dir = normalizePath(a.dir, ctx.cwd);
  } catch (e) {
    return failed(1, lines((e as Error).message));
  }
  return a.op === "pull" ? pull(ctx, dir) : push(ctx, dir);
};
