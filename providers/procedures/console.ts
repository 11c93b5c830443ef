/**
 * §3.6 and §3.7: the monitoring terminal (View function) overwritten with the new version, then its connection
 * to the Manager confirmed; §4.2.3 step 3: the old View back.
 *
 * §3.7 is a GUI login. What can be checked without a person: the new View is installed, and the Manager
 * answers on its console port from the terminal (UNCONFIRMED port, providers/catalogue/unconfirmed.ts).
 */
import { MANAGER_CONSOLE_PORT } from "../catalogue/unconfirmed";
import type { Media } from "../config/stack";
import { StepError, type Env } from "./env";
import { ensureVersion, installedVersion } from "./install";

export interface ConsoleTerminal {
  chain: string;
  host: string;
  fromVersion: string;
  toVersion: string;
  newMedia: Media;
  oldMedia: Media;
}

/** The forward step: the terminal, and the Manager's address it must reach (§3.7). */
export interface ConsoleStep extends ConsoleTerminal {
  managerAddress: string;
}

export async function checkConnection(env: Env, s: ConsoleStep): Promise<void> {
  const ok = await env.target.host(s.host).probeTcp(s.managerAddress, MANAGER_CONSOLE_PORT, 10_000);
  if (!ok) {
    throw new StepError(
      "MonitoringTerminal",
      s.host,
      `the Manager at ${s.managerAddress} does not answer on port ${MANAGER_CONSOLE_PORT} from this terminal; confirm the Manager's services are started (§3.7 step 2)`,
      "§3.7",
    );
  }
  env.progress.say(
    `the Manager answers at ${s.managerAddress}:${MANAGER_CONSOLE_PORT}; a person confirms the console login when convenient (§3.7)`,
    s.host,
  );
}

export async function updateConsole(env: Env, s: ConsoleStep): Promise<string> {
  const host = env.target.host(s.host);
  const before = await ensureVersion(env, s.chain, host, "View", s.toVersion, s.newMedia, {
    section: "§3.6",
  });
  await checkConnection(env, s);
  return before ?? s.fromVersion;
}

export async function failBackConsole(env: Env, s: ConsoleTerminal, versionBefore: string): Promise<void> {
  const host = env.target.host(s.host);
  await ensureVersion(env, s.chain, host, "View", versionBefore, s.oldMedia, {
    section: "§4.2.3 step 3",
    uninstallWith: s.newMedia,
    updateModules: s.oldMedia.updateModules,
  });
  const now = await installedVersion(host, "View", versionBefore);
  if (now !== versionBefore)
    throw new StepError(
      "MonitoringTerminal failback",
      s.host,
      `View is ${now ?? "not installed"}, expected ${versionBefore}`,
      "§4.2.3 step 3",
    );
}
