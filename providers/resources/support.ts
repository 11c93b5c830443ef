/** Glue between a step's context (runtime) and the procedures' Env. */
import { IncompleteStep, type Env } from "../procedures/env";
import type { StepContext } from "./step";

export function envOf(ctx: StepContext): Env {
  return {
    target: ctx.target,
    progress: ctx.progress,
    deadlines: ctx.settings.deadlines,
    encoding: ctx.settings.fileEncoding,
  };
}

/** Run a step's work; if it fails half way, add the resource-level facts (`extra`) to what it records. */
export async function recordingPartial<T>(
  extra: Record<string, unknown>,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof IncompleteStep) throw new IncompleteStep(e.failure, { ...e.partial, ...extra });
    throw e;
  }
}
