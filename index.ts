/**
 * The program: read and validate the stack config, then register the chain of the rolling update
 * (providers/chain.ts), one resource per guide step, each depending on the one before.
 *
 * `pulumi preview` shows the plan (stack output `plan`), `pulumi up` rolls forward, `pulumi destroy` fails
 * back from wherever the update stopped. Nothing here touches the cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { describePlan, isRef, planChain, type InputValue } from "./providers/chain";
import { ConfigError, PROJECT, SECRET_KEYS, parseStackConfig } from "./providers/config/stack";
import { STEPS } from "./providers/resources";
import { StepResource } from "./providers/resources/step";

const config = new pulumi.Config(PROJECT);

function readConfig() {
  const problems: string[] = [];
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  for (const key of SECRET_KEYS) {
    if (
      config.get(key) !== undefined &&
      runtime.isConfigSecret &&
      !runtime.isConfigSecret(`${PROJECT}:${key}`)
    ) {
      problems.push(
        `${PROJECT}:${key}: is stored in clear in the stack file; set it with: pulumi config set --secret ${key} <value>`,
      );
    }
  }
  try {
    const parsed = parseStackConfig((key) => config.get(key));
    if (problems.length > 0) throw new ConfigError(problems);
    return parsed;
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError([...problems, ...e.problems]);
    throw e;
  }
}

const stackConfig = readConfig();
const plan = planChain(stackConfig);

const registered = new Map<string, StepResource>();
let previous: StepResource | undefined;
for (const step of plan.steps) {
  const inputs: Record<string, pulumi.Input<unknown>> = {};
  for (const [key, value] of Object.entries(step.inputs)) inputs[key] = resolve(value);
  const definition = STEPS[step.kind];
  if (!definition) throw new Error(`no resource kind ${step.kind}`);
  const resource = new StepResource(step.kind, step.name, inputs, Object.keys(definition.result.shape), {
    dependsOn: previous ? [previous] : [],
  });
  registered.set(step.inputs.key as string, resource);
  previous = resource;
}

function resolve(value: InputValue): pulumi.Input<unknown> {
  if (Array.isArray(value)) return value.map(resolve);
  if (isRef(value)) {
    const source = registered.get(value.$ref);
    if (!source) throw new Error(`step reference to ${value.$ref} before it is registered`);
    return source.get(value.key);
  }
  return value;
}

if (pulumi.runtime.isDryRun()) {
  for (const line of describePlan(plan, stackConfig)) pulumi.log.info(line);
}

/** The change plan in order, with hosts and guide sections, and the steps skipped with the reason. */
export const planLines = describePlan(plan, stackConfig);
export const steps = plan.steps.map((s) => s.name);
export const skipped = plan.skipped.map((s) => `${s.kind} (${s.sections}): ${s.reason}`);
