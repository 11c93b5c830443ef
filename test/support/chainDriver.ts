/**
 * Drives the chain in-process the way the Pulumi engine does: for each step in order, `check`, then `diff`
 * (if it exists in "state") or `create`; `destroy` deletes in reverse order; `refresh` reads. Values travel as
 * the plain property bags the engine would send, through the same runtime (providers/runtime.ts) the
 * dynamic-provider process loads. Fast enough for a fault matrix; the e2e tests prove the same with the CLI.
 */
import { isRef, planChain, type ChainPlan, type ChainStep } from "../../providers/chain";
import { PROJECT, parseStackConfig } from "../../providers/config/stack";
import * as runtime from "../../providers/runtime";

export interface StoredResource {
  step: ChainStep;
  id: string;
  outputs: Record<string, unknown>;
}

export class ChainDriver {
  readonly plan: ChainPlan;
  /** The "state": created resources by plan key, in creation order. */
  readonly state = new Map<string, StoredResource>();
  readonly log: string[] = [];

  constructor(readonly config: Record<string, unknown>) {
    this.plan = planChain(parseStackConfig((k) => this.raw(k)));
    this.configure();
  }

  private raw(key: string): string | undefined {
    const v = this.config[key];
    if (v === undefined) return undefined;
    return typeof v === "string" ? v : JSON.stringify(v);
  }

  /** Tell the runtime about this driver's stack config (as the engine's Configure would). */
  configure(): void {
    runtime.configure((full) =>
      full.startsWith(`${PROJECT}:`) ? this.raw(full.slice(PROJECT.length + 1)) : undefined,
    );
  }

  private inputs(step: ChainStep): Record<string, unknown> {
    const resolve = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(resolve);
      if (!isRef(v)) return v;
      const source = this.state.get(v.$ref);
      if (!source) throw new Error(`${step.name}: reference to ${v.$ref} which is not created`);
      return source.outputs[v.key];
    };
    return Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, resolve(v)]));
  }

  /** Called before each create (the fault matrix injects faults here). */
  beforeCreate?: (key: string, step: ChainStep) => Promise<void>;

  /** `pulumi up`: stops at the first failure, like the engine, and rethrows it. */
  async up(
    options: { until?: string } = {},
  ): Promise<{ created: string[]; same: string[]; updated: string[] }> {
    this.configure();
    const result = { created: [] as string[], same: [] as string[], updated: [] as string[] };
    for (const step of this.plan.steps) {
      const key = step.inputs.key as string;
      const news = this.inputs(step);
      const existing = this.state.get(key);
      const check = await runtime.check(step.kind, existing?.outputs ?? {}, news);
      if (check.failures && check.failures.length > 0) {
        throw new Error(
          `${step.name}: check failed:\n${check.failures.map((f) => `  - ${f.property}: ${f.reason}`).join("\n")}`,
        );
      }
      if (existing) {
        const diff = await runtime.diff(step.kind, existing.id, existing.outputs, news);
        if (diff.changes) {
          const u = await runtime.update(step.kind, existing.id, existing.outputs, news);
          existing.outputs = u.outs as Record<string, unknown>;
          result.updated.push(key);
        } else result.same.push(key);
      } else {
        this.log.push(`create ${step.name}`);
        await this.beforeCreate?.(key, step);
        try {
          const c = await runtime.create(step.kind, news);
          this.state.set(key, { step, id: c.id, outputs: c.outs as Record<string, unknown> });
        } catch (e) {
          // A partial create (ErrorResourceInitFailed): the engine keeps the resource with these outputs.
          const partial = e as { id?: string; properties?: Record<string, unknown> };
          if (partial.id && partial.properties)
            this.state.set(key, { step, id: partial.id, outputs: partial.properties });
          throw e;
        }
        result.created.push(key);
      }
      if (options.until === key) break;
    }
    return result;
  }

  /** `pulumi destroy`: reverse creation order; a failing delete keeps its resource and stops. */
  async destroy(): Promise<string[]> {
    this.configure();
    const deleted: string[] = [];
    for (const [key, r] of [...this.state.entries()].reverse()) {
      this.log.push(`delete ${r.step.name}`);
      await runtime.delete(r.step.kind, r.id, r.outputs);
      this.state.delete(key);
      deleted.push(key);
    }
    return deleted;
  }

  /** A copy of this driver's "state" working on another config (e.g. a copy of the lab folder). */
  fork(config: Record<string, unknown>): ChainDriver {
    const copy = new ChainDriver(config);
    for (const [key, r] of this.state) copy.state.set(key, { ...r, outputs: structuredClone(r.outputs) });
    return copy;
  }

  /** `pulumi refresh`: each resource's read; returns the keys whose outputs changed. */
  async refresh(): Promise<string[]> {
    this.configure();
    const changed: string[] = [];
    for (const [key, r] of this.state) {
      const read = await runtime.read(r.step.kind, r.id, r.outputs);
      if (JSON.stringify(read.props) !== JSON.stringify(r.outputs)) {
        changed.push(key);
        r.outputs = read.props as Record<string, unknown>;
      }
    }
    return changed;
  }
}
