/**
 * ClusterResourceDependencies (§3.4.2, sources of 8.0 or lower): the new service resources with Table 3-2
 * dependencies and the start.bat postmaster.pid deletion, applied — the group stops and the move follows at
 * once. Delete is §4.2.2 steps 1-2 (the configuration back to the recorded original; the group stays stopped
 * until the ServiceRegistration failback starts it, as in the guide).
 */
import { z } from "zod";
import {
  OriginalConfig,
  configureResources,
  observeResources,
  unconfigureResources,
} from "../procedures/clusterResources";
import { ChainStepBase, ClusterInput, DbInput, PathsInput } from "./inputs";
import { envOf } from "./support";
import type { StepContext, StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({ cluster: ClusterInput, paths: PathsInput, db: DbInput });
const Result = z.object({
  /** The configuration this step replaced (restored exactly by the failback). */
  original: OriginalConfig,
  addedResources: z.array(z.string()),
  observed: z
    .object({ dependencyDrift: z.array(z.string()), startBatHasDeletion: z.boolean() })
    .default({ dependencyDrift: [], startBatHasDeletion: false }),
});

/** §3.4.2 on the live cluster; `restartGroup` after a repair (the apply stopped the group). */
function configure(i: z.infer<typeof Inputs>, ctx: StepContext, restartGroup: boolean) {
  return configureResources(
    envOf(ctx),
    i.chain,
    i.cluster.group,
    i.cluster.hosts,
    i.cluster.active,
    i.db.mode,
    i.paths.sharePath,
    restartGroup,
  );
}

export const ClusterResourceDependencies: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "ClusterResourceDependencies",
  inputs: Inputs,
  result: Result,
  id: (i) => `cluster-resources:${i.cluster.group}`,
  // The apply stops the group and the move follows at once: nothing is re-read here (a pull would add
  // seconds to the downtime); the next refresh observes the live configuration.
  async create(i, ctx) {
    const edit = await configure(i, ctx, false);
    return { ...edit, observed: { dependencyDrift: [], startBatHasDeletion: true } };
  },
  // A repair of drift after the update: the apply stops the group, so it is started again where it was; the
  // record of the original configuration (for the failback) stays as it was.
  async repair(i, r, ctx) {
    await configure(i, ctx, true);
    return {
      ...r,
      observed: await observeResources(envOf(ctx), i.cluster.group, i.cluster.hosts, i.db.mode),
    };
  },
  async read(i, r, ctx) {
    return {
      ...r,
      observed: await observeResources(envOf(ctx), i.cluster.group, i.cluster.hosts, i.db.mode),
    };
  },
  drift: (_i, r) => [
    ...r.observed.dependencyDrift.map((d) => `Table 3-2: ${d}`),
    ...(r.observed.startBatHasDeletion
      ? []
      : ["start.bat lacks the NvPROPerfDB postmaster.pid deletion (§3.4.2 step 2)"]),
  ],
  delete: (i, r, ctx) =>
    unconfigureResources(envOf(ctx), i.chain, i.cluster.group, i.cluster.hosts, r.original),
};
