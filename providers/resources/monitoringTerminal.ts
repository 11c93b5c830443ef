/**
 * MonitoringTerminal (§3.6, §3.7), one per console: SysMonSvc stopped, the View function overwritten with the
 * new version, the Manager reachable from the terminal. Delete is §4.2.3 step 3: the old View back.
 */
import { z } from "zod";
import {
  failBackConsole,
  updateConsole,
  type ConsoleStep,
  type ConsoleTerminal,
} from "../procedures/console";
import { installedVersion } from "../procedures/install";
import { floatingAddress } from "../procedures/cluster";
import { ChainStepBase, ClusterInput, MediaInput, VersionsInput } from "./inputs";
import { envOf } from "./support";
import type { StepContext, StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({
  host: z.string(),
  cluster: ClusterInput,
  versions: VersionsInput,
  media: MediaInput,
});
type Inputs = z.infer<typeof Inputs>;
const Result = z.object({
  versionBefore: z.string(),
  observed: z.object({ version: z.string().nullable() }),
});

function terminal(i: Inputs): ConsoleTerminal {
  return {
    chain: i.chain,
    host: i.host,
    fromVersion: i.versions.fromVersion,
    toVersion: i.versions.toVersion,
    newMedia: i.media.newMedia,
    oldMedia: i.media.oldMedia,
  };
}

/** The forward step also needs where the Manager answers (the failback does not reach the cluster). */
async function step(i: Inputs, ctx: StepContext): Promise<ConsoleStep> {
  return {
    ...terminal(i),
    managerAddress: await floatingAddress(envOf(ctx), i.cluster.group, i.cluster.hosts),
  };
}

export const MonitoringTerminal: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "MonitoringTerminal",
  inputs: Inputs,
  result: Result,
  id: (i) => `view:${i.host}`,
  async create(i, ctx) {
    const versionBefore = await updateConsole(envOf(ctx), await step(i, ctx));
    return {
      versionBefore,
      observed: { version: await installedVersion(ctx.target.host(i.host), "View", i.versions.toVersion) },
    };
  },
  async read(i, r, ctx) {
    return {
      ...r,
      observed: { version: await installedVersion(ctx.target.host(i.host), "View", i.versions.toVersion) },
    };
  },
  drift: (i, r) =>
    r.observed.version === i.versions.toVersion
      ? []
      : [`View is ${r.observed.version ?? "not installed"}, expected ${i.versions.toVersion}`],
  delete: (i, r, ctx) => failBackConsole(envOf(ctx), terminal(i), r.versionBefore),
};
