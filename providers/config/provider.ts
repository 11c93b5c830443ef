/**
 * What the providers read from stack config at call time (through `configure`), as opposed to resource
 * inputs, which are fixed in the plan. Only keys that must follow the operator's current config live here:
 * where the cluster is (target, lab folder, remoting), secrets, deadlines, and the failback guard rails.
 * `pulumi destroy` does not run the program, so this is also all a failback gets besides saved outputs —
 * which is why it is parsed on its own, leniently: a problem in an unrelated key must not block a failback.
 */
import { z } from "zod";
import {
  Deadlines,
  Lab,
  PROJECT,
  Remoting,
  parseStackConfig,
  type StackConfig as StackConfigType,
} from "./stack";
import { Secret } from "../hosts/secret";

export const ProviderSettings = z.object({
  target: z.enum(["lab", "powershell"]).default("lab"),
  lab: Lab.default(Lab.parse({})),
  remoting: Remoting.default(Remoting.parse({})),
  hosts: z.tuple([z.string(), z.string()]).default(["host1", "host2"]),
  consoles: z.array(z.string()).default([]),
  deadlines: Deadlines.default(Deadlines.parse({})),
  fileEncoding: z.enum(["cp932", "utf8", "latin1"]).default("cp932"),
  sqlUser: z.string().default("sa"),
  /** The update is permanent: delete only forgets (README "Finalize"). */
  finalize: z.boolean().default(false),
  /** Deliberately fail back a COMPLETE update, losing what was written since the backups (README "Failback"). */
  allowFailbackAfterComplete: z.boolean().default(false),
});
export type ProviderSettings = z.infer<typeof ProviderSettings> & {
  sqlPassword?: Secret;
  remotingPassword?: Secret;
  /** The full, validated stack config when it is valid (the lab needs it to create a cluster). */
  stackConfig?: StackConfigType;
  /** Why the full stack config is not valid, when it is not. */
  stackConfigProblem?: string;
};

const JSON_KEYS = new Set([
  "lab",
  "remoting",
  "hosts",
  "consoles",
  "deadlines",
  "finalize",
  "allowFailbackAfterComplete",
]);

export function parseProviderSettings(get: (key: string) => string | undefined): ProviderSettings {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ProviderSettings.shape)) {
    const value = get(`${PROJECT}:${key}`);
    if (value === undefined) continue;
    raw[key] = JSON_KEYS.has(key) ? safeJson(value) : value;
  }
  const parsed = ProviderSettings.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${PROJECT}:${i.path.join(".")}: ${i.message}`);
    throw new Error(
      `The provider settings in the stack config are not valid:\n  - ${problems.join("\n  - ")}`,
    );
  }
  const settings: ProviderSettings = { ...parsed.data };
  const sqlPassword = get(`${PROJECT}:sqlPassword`);
  const remotingPassword = get(`${PROJECT}:remotingPassword`);
  if (sqlPassword) settings.sqlPassword = new Secret(sqlPassword);
  if (remotingPassword) settings.remotingPassword = new Secret(remotingPassword);
  try {
    settings.stackConfig = parseFullConfig(get);
  } catch (e) {
    settings.stackConfigProblem = (e as Error).message;
  }
  return settings;
}

/** The program's parser, so that program and providers agree on every default. */
function parseFullConfig(get: (key: string) => string | undefined): StackConfigType {
  return parseStackConfig((key) => get(`${PROJECT}:${key}`));
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
