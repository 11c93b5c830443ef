/** The shared disk is reachable only from the node the group is active on. */
import { StepError, type Env } from "./env";
import { groupOf, reachableCluster } from "./cluster";

export async function sharedDiskHost(
  env: Env,
  group: string,
  hosts: readonly string[],
  what: string,
): Promise<string> {
  const { status } = await reachableCluster(env, hosts);
  const g = groupOf(status, group);
  if (g.state !== "Online" || !g.current) {
    throw new StepError(
      what,
      undefined,
      `the failover group "${group}" is ${g.state}, so the shared disk is not reachable; start it first`,
      "§3.3",
    );
  }
  return g.current;
}
