/**
 * ClusterResourceDependencies (§3.4.2, sources of 8.0 or lower): the new service resources with Table 3-2
 * dependencies and the start.bat postmaster.pid deletion, applied — the group stops and the move follows at
 * once. Delete is §4.2.2 steps 1-2, then the group is started where it was.
 */
import { z } from "zod";
import { configureResources, observeResources, unconfigureResources } from "../procedures/clusterResources";
import { ChainStepBase, ClusterInput, DbInput, PathsInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({ cluster: ClusterInput, paths: PathsInput, db: DbInput });
const Parts = z.object({ normal: z.boolean(), failover: z.boolean(), baseVariable: z.boolean() });
const Result = z.object({
  groupWasOn: z.string().nullable(),
  addedResources: z.array(z.object({ name: z.string(), serviceName: z.string() })),
  dependencyChanges: z.array(
    z.object({ type: z.string(), name: z.string(), before: z.array(z.string()), after: z.array(z.string()) }),
  ),
  startBatAdded: Parts,
  scriptResource: z.string(),
  observed: z.object({
    dependencyDrift: z.array(z.string()),
    startBatHasDeletion: z.boolean(),
    adapterResources: z.array(z.string()),
  }),
});

export const ClusterResourceDependencies: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "ClusterResourceDependencies",
  inputs: Inputs,
  result: Result,
  cosmetic: ["title"],
  id: (i) => `cluster-resources:${i.cluster.group}`,
  async create(i, ctx) {
    const env = envOf(ctx);
    const edit = await configureResources(
      env,
      i.cluster.group,
      i.cluster.hosts,
      i.cluster.active,
      i.db.mode,
      i.paths.sharePath,
    );
    return { ...edit, observed: await observeResources(env, i.cluster.group, i.cluster.hosts, i.db.mode) };
  },
  // A repair of drift after the update: the apply stops the group, so it is started again where it was; the
  // original edit's record (what was added, dependencies before) is kept for the failback.
  async repair(i, r, ctx) {
    const env = envOf(ctx);
    const edit = await configureResources(
      env,
      i.cluster.group,
      i.cluster.hosts,
      i.cluster.active,
      i.db.mode,
      i.paths.sharePath,
      true,
    );
    return {
      ...r,
      addedResources: [...r.addedResources, ...edit.addedResources],
      dependencyChanges: [
        ...r.dependencyChanges,
        ...edit.dependencyChanges.filter((c) => !r.dependencyChanges.some((x) => x.name === c.name)),
      ],
      observed: await observeResources(env, i.cluster.group, i.cluster.hosts, i.db.mode),
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
  delete: (i, r, ctx) => unconfigureResources(envOf(ctx), i.cluster.group, i.cluster.hosts, r),
};
