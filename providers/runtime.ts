/**
 * The implementation behind the shim (providers/shim.ts): the dynamic-provider process loads this module at
 * call time, so destroy and refresh always run the current code. It turns the engine's untyped property bags
 * into validated step inputs/results (zod), opens the target once per process, and applies the rules every
 * step shares: idempotent create, drift-aware diff, guard rails on delete.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";
import { parseProviderSettings, type ProviderSettings } from "./config/provider";
import { PROJECT, SECRET_KEYS, StackConfig } from "./config/stack";
import { openTarget } from "./hosts/open";
import type { Target } from "./hosts/target";
import { StepError } from "./procedures/env";
import { stepProgress } from "./procedures/progress";
import { verifyBackupsFor } from "./procedures/backup";
import { envOf } from "./resources/support";
import { scrub } from "./hosts/secret";
import { STEPS } from "./resources";
import { LABEL_KEYS } from "./resources/inputs";
import { IncompleteStep, OUTPUT_VERSION, type AnyStep, type StepContext } from "./resources/step";

/** What the engine sends for values not known during preview (sdk/nodejs/runtime/rpc.ts `unknownValue`). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROVIDER_KEY = "__provider";

let configGetter: ((key: string) => string | undefined) | undefined;
let settingsCache: ProviderSettings | undefined;
let targetCache: Promise<Target> | undefined;

let configFingerprint: string | undefined;

/**
 * Called by the engine once per distinct provider (every resource kind has its own shim), all with the same
 * stack config: the target (and its remote sessions) is reused unless the config actually differs.
 */
export function configure(get: (key: string) => string | undefined): void {
  const fingerprint = JSON.stringify(CONFIG_KEYS.map((k) => get(`${PROJECT}:${k}`) ?? null));
  configGetter = get;
  if (fingerprint === configFingerprint) return;
  configFingerprint = fingerprint;
  settingsCache = undefined;
  const previous = targetCache;
  targetCache = undefined;
  void previous?.then((t) => t.close()).catch(() => undefined);
}

const CONFIG_KEYS = [...Object.keys(StackConfig.shape), ...SECRET_KEYS, "allowFailbackAfterComplete"];

function settings(): ProviderSettings {
  if (!settingsCache) {
    settingsCache = parseProviderSettings(configGetter ?? (() => undefined));
  }
  return settingsCache;
}

async function target(): Promise<Target> {
  targetCache ??= openTarget(settings());
  return targetCache;
}

function step(kind: string): AnyStep {
  const s = STEPS[kind];
  if (!s)
    throw new Error(
      `unknown resource kind "${kind}"; this version of pulumi-netmgr knows ${Object.keys(STEPS).join(", ")}`,
    );
  return s;
}

async function context(s: AnyStep, inputs: Record<string, unknown>): Promise<StepContext> {
  const t = await target();
  const label = typeof inputs.title === "string" ? inputs.title : s.kind;
  return {
    target: t,
    settings: settings(),
    progress: stepProgress(label, t.clock, (line) => console.log(line)),
  };
}

function withoutProvider(bag: unknown): Record<string, unknown> {
  const { [PROVIDER_KEY]: _drop, ...rest } = (bag ?? {}) as Record<string, unknown>;
  return rest;
}

function hasUnknowns(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknowns);
  if (value && typeof value === "object") return Object.values(value).some(hasUnknowns);
  return false;
}

function parseInputs(s: AnyStep, bag: unknown): Record<string, unknown> {
  const parsed = s.inputs.safeParse(withoutProvider(bag));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i: z.core.$ZodIssue) => `${i.path.join(".") || "(inputs)"}: ${i.message}`,
    );
    throw new Error(`${s.kind}: invalid inputs:\n  - ${problems.join("\n  - ")}`);
  }
  return parsed.data;
}

function parseResult(s: AnyStep, bag: unknown): Record<string, unknown> {
  const parsed = s.result.safeParse(withoutProvider(bag));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i: z.core.$ZodIssue) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(
      `${s.kind}: the saved outputs do not have the shape this version of pulumi-netmgr expects ` +
        `(output version ${String((bag as Record<string, unknown>)?.outputVersion)} vs ${OUTPUT_VERSION}):\n  - ${problems.join("\n  - ")}`,
    );
  }
  return parsed.data;
}

function outputsOf(
  inputs: Record<string, unknown>,
  result: Record<string, unknown>,
): Record<string, unknown> {
  return { ...inputs, ...result, outputVersion: OUTPUT_VERSION };
}

/** The inputs that say what a step does: without its labels and the settings of its pre-flight checks only. */
function comparableInputs(s: AnyStep, inputs: Record<string, unknown>): Record<string, unknown> {
  const ignored = new Set<string>([...LABEL_KEYS, ...(s.checkOnlyInputs ?? [])]);
  return Object.fromEntries(Object.entries(inputs).filter(([key]) => !ignored.has(key)));
}

export async function check(kind: string, olds: unknown, news: unknown): Promise<pulumi.dynamic.CheckResult> {
  const s = step(kind);
  const bag = withoutProvider(news);
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (hasUnknowns(bag)) return { inputs: news as Record<string, unknown> };
  const parsed = s.inputs.safeParse(bag);
  if (!parsed.success) {
    for (const issue of parsed.error.issues as z.core.$ZodIssue[]) {
      failures.push({ property: issue.path.join(".") || "inputs", reason: issue.message });
    }
    return { inputs: news as Record<string, unknown>, failures };
  }
  // Live pre-flight checks guard the first creation only: once the step is done, later previews must not
  // refuse because the cluster has (rightly) moved on from its starting state.
  if (s.preflight && Object.keys(withoutProvider(olds)).length === 0) {
    const inputs = parsed.data;
    const problems = await s.preflight(inputs, await context(s, inputs));
    // No property: the engine then prints "resource '01-preflight' is invalid: <reason>", one line each.
    for (const reason of problems) failures.push({ property: "", reason });
  }
  return { inputs: news as Record<string, unknown>, failures };
}

export async function diff(
  kind: string,
  _id: string,
  olds: unknown,
  news: unknown,
): Promise<pulumi.dynamic.DiffResult> {
  const s = step(kind);
  const newBag = withoutProvider(news);
  if (hasUnknowns(newBag)) return { changes: true };
  const oldInputs = comparableInputs(s, parseInputs(s, olds));
  const newInputs = comparableInputs(s, parseInputs(s, newBag));
  if (!isDeepStrictEqual(oldInputs, newInputs) || isIncomplete(olds)) return { changes: true };
  // Same inputs: changes only when refresh observed drift (the update re-converges the step).
  const drift = s.drift ? s.drift(parseInputs(s, olds), parseResult(s, olds)) : [];
  const cosmetic = !isDeepStrictEqual(parseInputs(s, olds), parseInputs(s, newBag));
  return { changes: drift.length > 0 || cosmetic };
}

export async function create(kind: string, rawInputs: unknown): Promise<pulumi.dynamic.CreateResult> {
  const s = step(kind);
  const inputs = parseInputs(s, rawInputs);
  try {
    const result = parseResult(
      s,
      await explained(inputs, "", async () => s.create(inputs, await context(s, inputs))),
    );
    return { id: s.id(inputs), outs: outputsOf(inputs, result) };
  } catch (e) {
    throw incomplete(s, inputs, rawInputs, e);
  }
}

/** Outputs of a partly done step carry this flag until a create completes it. */
const INCOMPLETE = "incomplete";

/**
 * The engine's form of a partial create (the dynamic-provider host turns an error with `id` and `properties`
 * into ErrorResourceInitFailed): the resource is kept with these outputs, `__provider` included so that its
 * delete and read can load the provider.
 */
function incomplete(s: AnyStep, inputs: Record<string, unknown>, rawInputs: unknown, e: unknown): unknown {
  if (!(e instanceof IncompleteStep)) return e;
  const err = new Error(e.message) as Error & {
    id: string;
    properties: Record<string, unknown>;
    reasons: string[];
  };
  err.name = e.name;
  err.id = s.id(inputs);
  err.properties = {
    ...outputsOf(inputs, parseResult(s, e.partial)),
    [INCOMPLETE]: true,
    [PROVIDER_KEY]: (rawInputs as Record<string, unknown>)[PROVIDER_KEY],
  };
  err.reasons = [e.message];
  return err;
}

function isIncomplete(props: unknown): boolean {
  return (props as Record<string, unknown> | undefined)?.[INCOMPLETE] === true;
}

/**
 * Every failure names the step and the guide section to read, and carries no secret. A StepError already
 * says all of it; anything else (a host, cluster or SQL error) gets the step's title and sections.
 */
async function explained<T>(
  inputs: Record<string, unknown>,
  doing: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const cfg = settings();
    const secrets = [cfg.sqlPassword, cfg.remotingPassword];
    const err = e as Error;
    const message =
      err instanceof StepError
        ? err.message
        : `${String(inputs.title)}${doing}: ${err.message}\n  read: ${String(inputs.sections)} of the rolling update guide`;
    const wrapped = new Error(scrub(message, secrets));
    wrapped.name = err.name;
    // The provider host prints the stack of a failed call: the message is what an operator needs.
    wrapped.stack = `${wrapped.name}: ${wrapped.message}`;
    throw e instanceof IncompleteStep ? new IncompleteStep(wrapped, e.partial) : wrapped;
  }
}

export async function read(kind: string, id: string, props: unknown): Promise<pulumi.dynamic.ReadResult> {
  const s = step(kind);
  const inputs = parseInputs(s, props);
  const result = parseResult(s, props);
  // A partly done step is not re-observed: its outputs say what was done, for its delete.
  if (isIncomplete(props)) return { id, props: withoutProvider(props), inputs };
  const live = parseResult(s, await s.read(inputs, result, await context(s, inputs)));
  return { id, props: outputsOf(inputs, live), inputs };
}

export async function update(
  kind: string,
  _id: string,
  olds: unknown,
  news: unknown,
): Promise<pulumi.dynamic.UpdateResult> {
  const s = step(kind);
  const oldInputs = parseInputs(s, olds);
  const newInputs = parseInputs(s, news);
  const changed = Object.keys({
    ...comparableInputs(s, oldInputs),
    ...comparableInputs(s, newInputs),
  }).filter((k) => !isDeepStrictEqual(oldInputs[k], newInputs[k]));
  if (changed.length > 0) {
    throw new Error(
      `${s.kind} ${s.id(oldInputs)} was already carried out with other parameters (${changed.join(", ")} changed). ` +
        `A step that is done is not redone with new parameters: revert the stack config, or fail back with ` +
        `'pulumi destroy' and roll forward again.`,
    );
  }
  // Same parameters and no drift: only labels (a renumbered chain) or check-only settings changed. They are
  // recorded; the step is not run again (a move would move the group, a backup would be taken anew).
  const drift = !isIncomplete(olds) && s.drift ? s.drift(oldInputs, parseResult(s, olds)) : [];
  if (!isIncomplete(olds) && drift.length === 0) return { outs: outputsOf(newInputs, parseResult(s, olds)) };
  // A step that failed half way (its create runs again and finishes it), or drift seen by refresh. Creates are
  // idempotent and observe first, so running the step again (or its own repair) re-converges the cluster to
  // what the step requires.
  try {
    const result = await explained(newInputs, isIncomplete(olds) ? "" : " (repair)", async () => {
      const ctx = await context(s, newInputs);
      if (isIncomplete(olds)) {
        ctx.progress.say("resuming the step that stopped half way");
        return parseResult(s, await s.create(newInputs, ctx));
      }
      ctx.progress.say(`repairing drift: ${drift.join("; ")}`);
      return parseResult(
        s,
        s.repair ? await s.repair(newInputs, parseResult(s, olds), ctx) : await s.create(newInputs, ctx),
      );
    });
    return { outs: outputsOf(newInputs, result) };
  } catch (e) {
    throw incomplete(s, newInputs, news, e);
  }
}

export async function destroy(kind: string, _id: string, props: unknown): Promise<void> {
  const s = step(kind);
  const cfg = settings();
  const inputs = parseInputs(s, props);
  if (cfg.finalize) {
    console.log(
      `[${s.kind}] the update is finalized (netmgr:finalize): forgetting the step, the cluster is not changed`,
    );
    return;
  }
  await explained(inputs, " (failback)", async () => {
    const ctx = await context(s, inputs);
    s.refuseDelete?.(inputs, ctx);
    // The one verification of every backup the undo may restore from (the procedures rely on it).
    await verifyBackupsFor(envOf(ctx), inputs);
    return s.delete(inputs, parseResult(s, props), ctx);
  });
}

export { destroy as delete };
