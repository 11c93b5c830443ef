/**
 * ServiceRegistration (§3.4.1, sources of 8.0 or lower): the three services new in 9.0 registered on the
 * active host with adapter-setup.bat, Manual and stopped. Delete is §4.2.2 steps 3-4 (adapter-remove.bat,
 * NvPROAdapter.ini deleted) and puts back the bin files step 1 overwrote.
 */
import { z } from "zod";
import { ADAPTER_SERVICES } from "../catalogue/versions";
import { SavedFile } from "../procedures/files";
import { adapterServices, registerServices, unregisterServices } from "../procedures/registration";
import { groupOf, placement, reachableCluster } from "../procedures/cluster";
import { ChainStepBase, ClusterInput, MediaInput, PathsInput } from "./inputs";
import { envOf, recordingPartial } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({
  host: z.string(),
  cluster: ClusterInput,
  paths: PathsInput,
  media: MediaInput,
});
const Result = z.object({
  /** Where the group ran when the services were registered (the failback starts it there again). */
  groupOn: z.string().nullable(),
  binFiles: z.array(SavedFile),
  observed: z.object({ startTypes: z.record(z.string(), z.string()) }).default({ startTypes: {} }),
});

async function observe(
  ctx: Parameters<StepDefinition<typeof Inputs, typeof Result>["read"]>[2],
  host: string,
) {
  const services = await adapterServices(ctx.target.host(host));
  return { startTypes: Object.fromEntries(services.map((s) => [s.displayName, s.startType])) };
}

export const ServiceRegistration: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "ServiceRegistration",
  inputs: Inputs,
  result: Result,
  id: (i) => `adapter-services:${i.host}`,
  async create(i, ctx) {
    const env = envOf(ctx);
    const { status } = await reachableCluster(env, i.cluster.hosts);
    const groupOn = placement(groupOf(status, i.cluster.group));
    const binFiles = await recordingPartial({ groupOn }, () =>
      registerServices(env, i.chain, i.host, i.paths, i.media.newMedia),
    );
    return { groupOn, binFiles, observed: await observe(ctx, i.host) };
  },
  async read(i, r, ctx) {
    return { ...r, observed: await observe(ctx, i.host) };
  },
  drift: (_i, r) => {
    const names = Object.keys(r.observed.startTypes);
    const drift = Object.entries(r.observed.startTypes)
      .filter(([, t]) => t !== "Manual")
      .map(([n, t]) => `service "${n}" start type is ${t}, §3.4.1 step 4 requires Manual`);
    if (names.length < ADAPTER_SERVICES.length)
      drift.push(`only ${names.length} of the ${ADAPTER_SERVICES.length} new services are registered`);
    return drift;
  },
  delete: (i, r, ctx) =>
    unregisterServices(envOf(ctx), i.host, i.paths, r.binFiles, {
      name: i.cluster.group,
      hosts: i.cluster.hosts,
      wasOn: r.groupOn,
    }),
};
