/**
 * clpgrp -s|-t [group] [-h host], clpgrp -m [group] [-a host], clpgrp -n group (research expresscluster.md
 * §2). Synchronous: it returns when the group is online (or has failed), printing "Command succeeded." on
 * success. Group operations are refused while the cluster is suspended.
 */
import { failed, lines, ok, type Emulator } from "./context";
import { findHost, nodes, otherNode, sameHost } from "../world";
import { startGroupOn, stopGroupNow } from "../cluster";
import { spend } from "../engine";

export const CLPGRP_MS = 2_000;

interface GrpArgs {
  op: "s" | "t" | "m" | "n";
  group?: string;
  h?: string;
  a?: string;
}

function parse(args: readonly string[]): GrpArgs | string {
  const op = args[0];
  if (!op || !["-s", "-t", "-m", "-n"].includes(op)) return "Invalid option.";
  const out: GrpArgs = { op: op.slice(1) as GrpArgs["op"] };
  for (let i = 1; i < args.length; i++) {
    const x = args[i] ?? "";
    if (x === "-h" || x === "-a") {
      const v = args[++i];
      if (!v) return `Invalid option: ${x} needs a server name.`;
      out[x === "-h" ? "h" : "a"] = v;
    } else if (!x.startsWith("-") && out.group === undefined) out.group = x;
    else return `Invalid option: ${x}`;
  }
  if (out.a && out.op !== "m") return "Invalid option: -a is for -m only.";
  if (out.op === "n" && !out.group) return "Invalid option: -n needs a group name.";
  return out;
}

export const clpgrp: Emulator = (ctx) => {
  const { s, host } = ctx;
  const a = parse(ctx.args);
  if (typeof a === "string")
    return failed(
      1,
      lines(a, "Usage: clpgrp -s [grp] [-h host] | -t [grp] [-h host] | -m [grp] [-a host] | -n grp"),
    );
  const name = s.spec.groupName;
  if (a.group !== undefined && a.group !== name)
    return failed(1, lines(`The group "${a.group}" does not exist.`));
  for (const h of [a.h, a.a]) {
    if (h && !(findHost(s, h)?.role === "node"))
      return failed(1, lines(`The server "${h}" does not exist in the cluster.`));
  }
  spend(s, CLPGRP_MS);
  const g = s.cluster.group;
  if (a.op === "n") return g.current ? ok(lines(g.current)) : failed(1, "");
  if (s.cluster.suspended)
    return failed(
      1,
      lines(
        `Failed to ${{ s: "start", t: "stop", m: "move" }[a.op]} the group "${name}": the cluster is suspended.`,
      ),
    );
  s.cluster.monitorFailovers = 0;
  if (a.op === "t") {
    stopGroupNow(s, `clpgrp -t on ${host}`);
    return ok(lines("Command succeeded."));
  }
  if (a.op === "s") {
    const target = findHost(s, a.h ?? host)?.name ?? host;
    if (g.current && g.state !== "Offline") {
      if (sameHost(g.current, target) && g.state === "Online") return ok(lines("Command succeeded."));
      return failed(1, lines(`Failed to start the group "${name}": it is ${g.state} on ${g.current}.`));
    }
    const error = startGroupOn(s, target, "START", `clpgrp -s on ${host}`);
    return error
      ? failed(1, lines(`Failed to start the group "${name}" on ${target}: ${error}`))
      : ok(lines("Command succeeded."));
  }
  // -m
  if (!g.current || !g.state.startsWith("Online"))
    return failed(1, lines(`Failed to move the group "${name}": the group is not online.`));
  const dest = (a.a ? findHost(s, a.a)?.name : undefined) ?? otherNode(s, g.current).name;
  if (sameHost(dest, g.current))
    return failed(1, lines(`Failed to move the group "${name}": it is already on ${dest}.`));
  if (!nodes(s).some((n) => sameHost(n.name, dest)))
    return failed(1, lines(`The server "${dest}" does not exist in the cluster.`));
  const from = g.current;
  stopGroupNow(s, `clpgrp -m to ${dest}`);
  const error = startGroupOn(s, dest, "START", `moved from ${from}`);
  return error
    ? failed(1, lines(`Failed to move the group "${name}" to ${dest}: ${error}`))
    : ok(lines("Command succeeded."));
};
