/**
 * Reaching EXPRESSCLUSTER: its commands run on a cluster node (any node answers for the whole cluster), through
 * the same HostOps seam as everything else.
 */
import { expressClusterCli } from "../expresscluster/cli";
import type { ClusterOps, ClusterStatus, GroupStatus } from "../expresscluster/cluster";
import { ClpConf } from "../expresscluster/clpconf";
import { HostError } from "../hosts/types";
import { WORK_DIR, seconds, type Env } from "./env";
import { winJoin } from "./paths";

export function clusterVia(env: Env, host: string): ClusterOps {
  return expressClusterCli(env.target.host(host), {
    clock: env.target.clock,
    workDir: winJoin(WORK_DIR, "clpcfg"),
    pollMs: seconds(env.deadlines.pollSeconds),
    onProgress: (line) => env.progress.say(line, host),
  });
}

/** The cluster through the first of `hosts` that answers (a node may be down during a failback). */
export async function reachableCluster(
  env: Env,
  hosts: readonly string[],
): Promise<{ ops: ClusterOps; via: string; status: ClusterStatus }> {
  let last: unknown;
  for (const host of hosts) {
    try {
      const ops = clusterVia(env, host);
      return { ops, via: host, status: await ops.status() };
    } catch (e) {
      if (!(e instanceof HostError) || e.kind !== "unreachable") throw e;
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error(`none of ${hosts.join(", ")} answers`);
}

export function groupOf(status: ClusterStatus, group: string): GroupStatus {
  const g = status.groups.find((x) => x.name === group);
  if (!g)
    throw new Error(
      `the cluster has no failover group "${group}" (groups: ${status.groups.map((x) => x.name).join(", ")}); check netmgr:groupName`,
    );
  return g;
}

/** Where the group is: the host it is Online on, or null when it is stopped. */
export function placement(g: GroupStatus): string | null {
  return g.state === "Online" ? g.current : null;
}

export async function pullClpConf(
  ops: ClusterOps,
): Promise<{ files: Awaited<ReturnType<ClusterOps["pullConfig"]>>; conf: ClpConf }> {
  const files = await ops.pullConfig();
  return { files, conf: ClpConf.parse(files.clpConf) };
}

/** The floating IP of the group (where consoles and the IMS reach the Manager). */
export async function floatingAddress(env: Env, group: string, hosts: readonly string[]): Promise<string> {
  const { ops } = await reachableCluster(env, hosts);
  const { conf } = await pullClpConf(ops);
  const fip = conf.findByType(group, "fip");
  const ip = fip && conf.resourceParam(fip, ["parameters", "ip"]);
  if (!ip) throw new Error(`the group "${group}" has no floating IP resource with an address in clp.conf`);
  return ip;
}
