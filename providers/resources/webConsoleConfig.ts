/**
 * WebConsoleConfig (§3.3, sources of 8.0 or lower): NvPROIms.ini on the shared disk, filled per Table 2-4.
 * Delete puts back exactly what was there before (the file, or its absence).
 */
import { z } from "zod";
import { WebConsole } from "../config/stack";
import { SavedFile, restoreSavedFiles, saveCopy } from "../procedures/files";
import { shared, winJoin } from "../procedures/paths";
import { sharedDiskHost } from "../procedures/shared";
import { expectedIms, imsMatches, observeIms, placeImsIni } from "../procedures/webconsole";
import { WORK_DIR } from "../procedures/env";
import { ChainStepBase, ClusterInput, MediaInput, PathsInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Ims = z.object({
  InstanceID: z.string(),
  MessageQueueIP: z.string().nullable(),
  MessageQueuePort: z.string().nullable(),
  sendEvent: z.string(),
});

const Inputs = ChainStepBase.extend({
  host: z.string(),
  cluster: ClusterInput,
  paths: PathsInput,
  media: MediaInput,
  webConsole: WebConsole,
});
const Result = z.object({ previous: SavedFile, observed: Ims.nullable() });

export const WebConsoleConfig: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "WebConsoleConfig",
  inputs: Inputs,
  result: Result,
  id: () => "nvproims-ini",
  async create(i, ctx) {
    const env = envOf(ctx);
    const on = await sharedDiskHost(env, i.cluster.group, i.cluster.hosts, "WebConsoleConfig");
    const host = ctx.target.host(on);
    const file = shared(i.paths).imsIni;
    const previous = await saveCopy(host, file, winJoin(WORK_DIR, i.chain, "before-web-console-config"));
    if (!imsMatches(expectedIms(i.webConsole), await observeIms(env, host, i.paths))) {
      await placeImsIni(env, host, i.paths, i.media.newMedia, i.webConsole);
    }
    return { previous, observed: await observeIms(env, host, i.paths) };
  },
  async read(i, r, ctx) {
    const env = envOf(ctx);
    // With the group stopped (mid-update, between the §3.4.2 apply and the move) the shared disk cannot be
    // read: the last observation stands rather than failing the refresh.
    const on = await sharedDiskHost(env, i.cluster.group, i.cluster.hosts, "WebConsoleConfig").catch(
      () => undefined,
    );
    return on ? { ...r, observed: await observeIms(env, ctx.target.host(on), i.paths) } : r;
  },
  drift: (i, r) =>
    imsMatches(expectedIms(i.webConsole), r.observed)
      ? []
      : [`NvPROIms.ini does not hold the Table 2-4 values (§3.3)`],
  async delete(i, r, ctx) {
    const env = envOf(ctx);
    const on = await sharedDiskHost(env, i.cluster.group, i.cluster.hosts, "WebConsoleConfig failback");
    ctx.progress.say(
      r.previous.savedAs
        ? "putting back the NvPROIms.ini of before the update"
        : "removing NvPROIms.ini (there was none before)",
      on,
    );
    await restoreSavedFiles(ctx.target, ctx.target.host(on), [r.previous]);
  },
};
