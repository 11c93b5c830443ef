/** Glue between a step's context (runtime) and the procedures' Env. */
import type { Env } from "../procedures/env";
import type { StepContext } from "./step";

export function envOf(ctx: StepContext): Env {
  return {
    target: ctx.target,
    progress: ctx.progress,
    deadlines: ctx.settings.deadlines,
    encoding: ctx.settings.fileEncoding,
  };
}
