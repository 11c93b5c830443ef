/** WebApi (§3.8, only with the Web Console): verify the GUI setting, or stop with its exact instructions. */
import { z } from "zod";
import { floatingAddress } from "../procedures/cluster";
import { observeWebApi, verifyWebApi } from "../procedures/webapi";
import { ChainStepBase, ClusterInput, PathsInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({
  host: z.string(),
  cluster: ClusterInput,
  paths: PathsInput,
  port: z.number().int(),
});
const Result = z.object({ observed: z.object({ enabled: z.boolean(), answering: z.boolean() }) });

export const WebApi: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "WebApi",
  inputs: Inputs,
  result: Result,
  id: () => "webapi",
  async create(i, ctx) {
    const env = envOf(ctx);
    const address = await floatingAddress(env, i.cluster.group, i.cluster.hosts);
    return { observed: await verifyWebApi(env, i.host, address, i.port, i.paths) };
  },
  async read(i, _r, ctx) {
    const env = envOf(ctx);
    const address = await floatingAddress(env, i.cluster.group, i.cluster.hosts);
    return { observed: await observeWebApi(env, i.host, address, i.port, i.paths) };
  },
  drift: (_i, r) => (r.observed.enabled ? [] : ["WebAPI communication is no longer enabled (§3.8)"]),
  async delete(i, _r, ctx) {
    ctx.progress.say(
      "nothing to undo for §3.8 (the option lives in the shared data the failback restores)",
      i.host,
    );
  },
};
