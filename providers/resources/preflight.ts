/**
 * Step 1, Preflight (§2.1, §2.2): checks the live cluster during `pulumi preview` and refuses with one
 * message per problem; records the observed baseline (versions, active host, services, DB parameters).
 * Its delete changes nothing.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { preflight, returnToBaseline } from "../procedures/preflight";
import { StepError } from "../procedures/env";
import { FirewallPort } from "../config/stack";
import { ClusterInput, DbInput, MediaInput, PathsInput, StepBase, VersionsInput } from "./inputs";
import { envOf } from "./support";
import type { StepContext, StepDefinition } from "./step";

const Inputs = StepBase.extend({
  cluster: ClusterInput,
  paths: PathsInput,
  db: DbInput,
  versions: VersionsInput,
  media: MediaInput,
  consoles: z.array(z.string()),
  webConsole: z.boolean(),
  /** §2.2.1: the inbound ports to find let in on both nodes (absent in the state of earlier releases). */
  firewall: z
    .object({ check: z.boolean(), ports: z.array(FirewallPort) })
    .default({ check: true, ports: [] }),
});
type Inputs = z.infer<typeof Inputs>;

const Baseline = z.object({
  managerVersions: z.record(z.string(), z.string()),
  viewVersions: z.record(z.string(), z.string()),
  activeHost: z.string(),
  services: z.record(z.string(), z.record(z.string(), z.string())),
  dbParameters: z.record(z.string(), z.string()),
  sqlServer: z.record(z.string(), z.string()),
});

const Result = z.object({
  baseline: Baseline,
  /** This rolling update's id: tags everything the chain leaves on the nodes. */
  chainId: z.string(),
});

async function run(inputs: Inputs, ctx: StepContext) {
  return preflight(envOf(ctx), { ...inputs, sqlPasswordSet: ctx.settings.sqlPassword !== undefined });
}

export const Preflight: StepDefinition<typeof Inputs, typeof Result> = {
  kind: "Preflight",
  inputs: Inputs,
  result: Result,
  id: () => "preflight",
  checkOnlyInputs: ["firewall"],
  async preflight(inputs, ctx) {
    const { problems, baseline } = await run(inputs, ctx);
    if (problems.length === 0) {
      ctx.progress.say(
        `observed: group active on ${baseline.activeHost}; Manager ${Object.entries(baseline.managerVersions)
          .map(([h, v]) => `${h} ${v}`)
          .join(", ")}` +
          (Object.keys(baseline.viewVersions).length > 0
            ? `; View ${Object.entries(baseline.viewVersions)
                .map(([h, v]) => `${h} ${v}`)
                .join(", ")}`
            : ""),
      );
    }
    return problems;
  },
  async create(inputs, ctx) {
    const { problems, baseline } = await run(inputs, ctx);
    if (problems.length > 0) {
      throw new StepError(
        "Preflight",
        undefined,
        `${problems.length} problem(s) must be fixed first`,
        "§2.1, §2.2",
        problems,
      );
    }
    return { baseline, chainId: randomUUID() };
  },
  // The baseline is history (what was there before the update); refresh keeps it.
  async read(_inputs, result) {
    return result;
  },
  // The last act of a failback: the group where the pre-flight found it (an unintended failover during the
  // update, or a failback that ended elsewhere, is put right), with failover control already restored.
  async delete(i, r, ctx) {
    await returnToBaseline(envOf(ctx), i.cluster.group, i.cluster.hosts, r.baseline.activeHost);
  },
};
