/**
 * The contract every resource of the chain implements (DESIGN §2): one guide step, `create` = forward,
 * `delete` = its exact undo from saved outputs alone, `read` = the live effect, every create idempotent.
 *
 * A step declares its inputs (fixed in the plan) and its result (what create learned and delete needs, plus
 * `observed`, the live effect that read re-observes). Stored outputs are `{...inputs, ...result}` plus an
 * output-shape version, so delete and read see everything and need nothing from the program.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { ProviderSettings } from "../config/provider";
import type { Target } from "../hosts/target";
import type { Progress } from "../procedures/progress";
import { shimProvider } from "../shim";

/** Bumped when a step's stored output shape changes; loaders migrate older shapes. */
export const OUTPUT_VERSION = 1;

export interface StepContext {
  readonly target: Target;
  readonly settings: ProviderSettings;
  readonly progress: Progress;
}

export interface StepDefinition<I extends z.ZodObject, R extends z.ZodObject> {
  readonly kind: string;
  readonly inputs: I;
  readonly result: R;
  /** A stable id for the resource (e.g. "ManagerInstall:host2"). */
  id(inputs: z.infer<I>): string;
  /**
   * Inputs that only shape the live pre-flight checks, which guard the first create: changing them later
   * changes nothing the step did, so they are left out when deciding whether the step was done differently.
   */
  readonly checkOnlyInputs?: readonly string[];
  /** Live checks that must pass before anything changes (runs during preview). One message per problem. */
  preflight?(inputs: z.infer<I>, ctx: StepContext): Promise<string[]>;
  /** The forward step: observe first, do only what is not done yet, verify, return what delete needs. */
  create(inputs: z.infer<I>, ctx: StepContext): Promise<z.infer<R>>;
  /** Re-observe the live effect; return the result with `observed` refreshed (unchanged when in sync). */
  read(inputs: z.infer<I>, result: z.infer<R>, ctx: StepContext): Promise<z.infer<R>>;
  /** Human-readable differences between what the step left and what is observed now; [] when in sync. */
  drift?(inputs: z.infer<I>, result: z.infer<R>): string[];
  /**
   * Bring the cluster back to what the step requires after drift (an `up` after a refresh that found drift).
   * Defaults to running `create` again, which observes first and redoes only what is missing.
   */
  repair?(inputs: z.infer<I>, result: z.infer<R>, ctx: StepContext): Promise<z.infer<R>>;
  /**
   * Refuse a failback before anything is read or changed (e.g. of a complete update): runs before the backups
   * the step names are verified, which may take long.
   */
  refuseDelete?(inputs: z.infer<I>, ctx: StepContext): void;
  /** The exact undo, from saved outputs only. */
  delete(inputs: z.infer<I>, result: z.infer<R>, ctx: StepContext): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = StepDefinition<any, any>;

export { IncompleteStep } from "../procedures/env";

const shims = new Map<string, pulumi.dynamic.ResourceProvider>();

/**
 * The resource class side, used by the program: every step resource is a dynamic resource with the shim.
 * `resultKeys` are seeded as undefined inputs so the engine exposes those outputs on the object (a dynamic
 * resource only surfaces properties it was given).
 */
export class StepResource extends pulumi.dynamic.Resource {
  constructor(
    kind: string,
    name: string,
    inputs: Record<string, pulumi.Input<unknown>>,
    resultKeys: readonly string[],
    opts?: pulumi.CustomResourceOptions,
  ) {
    let shim = shims.get(kind);
    if (!shim) {
      shim = shimProvider(kind);
      shims.set(kind, shim);
    }
    const props: Record<string, pulumi.Input<unknown>> = { ...inputs };
    for (const key of resultKeys) if (!(key in props)) props[key] = undefined;
    super(shim, name, props, opts, "netmgr", kind);
  }

  /** A stored output (input or result) by name. */
  get(key: string): pulumi.Output<unknown> {
    const output = (this as unknown as Record<string, pulumi.Output<unknown> | undefined>)[key];
    if (!output) throw new Error(`${this.constructor.name} has no output "${key}"`);
    return output;
  }
}
