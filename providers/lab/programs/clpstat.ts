/**
 * clpstat [--long | -s | --local]: the cluster status in the X 5.0 for Windows layout (research
 * expresscluster.md §1): `*` marks the local server, the group's `current` line names the server it is
 * online on ("None" when offline), then its resources and the monitors. The lab prints the same layout for
 * every EXPRESSCLUSTER version it models.
 */
import { failed, lines, ok, type Emulator } from "./context";
import type { LabState } from "../state";
import { effectiveConf } from "../cluster";
import { nodes, sameHost } from "../world";

export const RULE = ` ${"=".repeat(24)}  CLUSTER STATUS  ${"=".repeat(27)}`;
export const END = ` ${"=".repeat(69)}`;
const COLON = 38;

function dotted(prefix: string, name: string): string {
  const head = `${prefix}${name} `;
  return `${head}${".".repeat(Math.max(1, COLON - head.length))}: `;
}

function padded(prefix: string, name: string): string {
  const head = `${prefix}${name}`;
  return `${head}${" ".repeat(Math.max(1, COLON - head.length))}: `;
}

export function renderClusterStatus(s: LabState, localHost: string): string {
  const conf = effectiveConf(s);
  const out: string[] = [RULE, `  Cluster : ${s.spec.clusterName}`, "  <server>"];
  for (const n of nodes(s)) {
    out.push(`${dotted(`   ${sameHost(n.name, localHost) ? "*" : " "}`, n.name)}Online`);
    out.push(`${padded("      ", "lankhb1")}${"Normal".padEnd(17)}LAN Heartbeat`);
  }
  out.push("  <group>");
  const g = s.cluster.group;
  out.push(`${dotted("    ", s.spec.groupName)}${g.state}`);
  out.push(`${padded("      ", "current")}${g.current ?? "None"}`);
  for (const r of conf.groupResources(s.spec.groupName))
    out.push(`${padded("      ", r.name)}${g.resources[r.name] ?? "Offline"}`);
  out.push("  <monitor>");
  for (const m of conf.monitors())
    out.push(`${padded("    ", m.name)}${s.cluster.suspended ? "Suspend" : "Normal"}`);
  out.push(END);
  return lines(...out);
}

export const clpstat: Emulator = (ctx) => {
  const a = ctx.args;
  if (a.length > 1 || (a.length === 1 && !["--long", "-s", "--local"].includes(a[0] ?? ""))) {
    return failed(
      1,
      lines("Invalid option.", "Usage: clpstat [-s] [--long] [--local]  (the lab shows status only)"),
    );
  }
  return ok(renderClusterStatus(ctx.s, ctx.host));
};
