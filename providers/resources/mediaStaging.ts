/**
 * MediaStaging (the double hop; §2.1 item 7, §3.1 step 1, §3.6 step 1 run Setup.exe from the media on each
 * host): planned right after the Preflight when a media has `stageFrom`. Create copies each such media from
 * the controller to its `path` on every node and console, verified by SHA-256 (an identical copy is kept), and
 * records per host what is there and whether the step created it. Read re-hashes the copies: one that is gone
 * or changed is drift, and the next `pulumi up` stages it again (the default repair runs create, which keeps
 * what is intact). Delete removes only what the step created — never a folder that was there before — and,
 * being the second step, runs at the end of a failback, after every step that reinstalls from the old media.
 */
import { z } from "zod";
import { StagedCopy, removeStaged, stageAll, stagedProblems } from "../procedures/media";
import { ChainStepBase, MediaInput } from "./inputs";
import { envOf } from "./support";
import type { StepDefinition } from "./step";

const Inputs = ChainStepBase.extend({
  media: MediaInput,
  /** Every host the media goes to: the cluster nodes and the monitoring terminals. */
  hosts: z.array(z.string()),
});

const Result = z.object({
  staged: z.array(StagedCopy),
  /** Copies that are gone or no longer match what was staged ("host2:C:\...\NetMgr-9.0 (newMedia) is gone"). */
  observed: z.object({ problems: z.array(z.string()) }),
});

export const MediaStaging: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "MediaStaging",
  inputs: Inputs,
  result: Result,
  id: () => "media-staging",
  async create(i, ctx) {
    const staged = await stageAll(envOf(ctx), i.chain, i.media, i.hosts);
    return { staged, observed: { problems: [] } };
  },
  async read(_i, r, ctx) {
    return { ...r, observed: { problems: await stagedProblems(envOf(ctx), r.staged) } };
  },
  drift(_i, r) {
    return r.observed.problems.map((p) => `${p}: staging it again`);
  },
  async delete(i, r, ctx) {
    await removeStaged(envOf(ctx), i.chain, r.staged);
  },
};
