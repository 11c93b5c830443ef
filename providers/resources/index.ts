/** Every resource kind of the chain, by kind name (the runtime dispatches on it). */
import type { AnyStep } from "./step";

export const STEPS: Record<string, AnyStep> = {};
