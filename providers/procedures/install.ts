/**
 * §3.1 (Manager) and §3.6 (View): overwrite installs from the new media; §4.2.5 and §4.2.3 step 3: back to the
 * old version from the old media. The installer's unattended command line is UNCONFIRMED and lives in
 * providers/catalogue/unconfirmed.ts.
 */
import { mediaPath } from "../catalogue/media";
import {
  INSTALLER_FAILED_LINE,
  UPDATE_MODULE_ARGS,
  VIEW_PROCESS,
  installerArgs,
  uninstallerArgs,
  type NetMgrFunction,
} from "../catalogue/unconfirmed";
import { compareVersions, normalizeVersion, versionSpec } from "../catalogue/versions";
import type { Media } from "../config/stack";
import type { HostOps } from "../hosts/types";
import { lastLines } from "./backup";
import { StepError, WORK_DIR, readText, seconds, type Env } from "./env";
import { winJoin } from "./paths";

/** The installed version of a NetMgr function on a node (Uninstall registry), or null. */
export async function installedVersion(
  host: HostOps,
  fn: NetMgrFunction,
  anyVersion: string,
): Promise<string | null> {
  const spec = versionSpec(anyVersion);
  const name = fn === "Manager" ? spec.managerProductName : spec.viewProductName;
  const found = (await host.installedProducts()).find((p) => p.displayName === name);
  return found ? normalizeVersion(found.version) : null;
}

function mediaDir(media: Media): string {
  return mediaPath(media, "setup").replace(/\\Setup\.exe$/i, "");
}

/**
 * Run Setup.exe and judge it like the Finish screen: exit code 0 and "Failed" 0 (§3.1 step 6, §3.6 step 6).
 */
export async function runInstaller(
  env: Env,
  host: HostOps,
  media: Media,
  args: string[],
  what: string,
  section: string,
): Promise<void> {
  const setup = mediaPath(media, "setup");
  const logFile = args.find((a) => a.startsWith("/LOG="))?.slice(5);
  env.progress.say(`${what}: ${setup} ${args.join(" ")}`, host.host);
  const r = await host.run(setup, args, {
    cwd: mediaDir(media),
    timeoutMs: seconds(env.deadlines.installerSeconds),
  });
  const log = logFile ? ((await readText(env, host, logFile)) ?? "") : "";
  const failed = Number(INSTALLER_FAILED_LINE.exec(log)?.[1] ?? (r.exitCode === 0 ? "0" : "1"));
  if (r.exitCode !== 0 || failed !== 0) {
    throw new StepError(
      what,
      host.host,
      `the installer ended with exit code ${r.exitCode} and Failed ${failed}; solve the cause (see the installer log${logFile ? ` ${logFile}` : ""}) and run pulumi up again`,
      section,
      lastLines(log || r.output),
    );
  }
}

export async function applyUpdateModules(env: Env, host: HostOps, modules: readonly string[]): Promise<void> {
  for (const m of modules) {
    env.progress.say(`applying update module ${m} (§4.2.5 step 2 Caution)`, host.host);
    const r = await host.run(m, UPDATE_MODULE_ARGS, { timeoutMs: seconds(env.deadlines.installerSeconds) });
    if (r.exitCode !== 0)
      throw new StepError(
        "Update module",
        host.host,
        `${m} ended with exit code ${r.exitCode}`,
        "§4.2.5 step 2",
        lastLines(r.output),
      );
  }
}

export function installerLog(chain: string, what: string): string {
  return winJoin(WORK_DIR, chain, `${what}.log`);
}

/** Install `fn` of `version` from `media` unless that version is already there. Returns the version before. */
export async function ensureVersion(
  env: Env,
  chain: string,
  host: HostOps,
  fn: NetMgrFunction,
  version: string,
  media: Media,
  opts: {
    updateDataAtStartup?: boolean;
    section: string;
    /** Uninstall the installed version first, with this (its own) media — §4.2.5 step 1. */
    uninstallWith?: Media;
    updateModules?: readonly string[];
  },
): Promise<string | null> {
  const before = await installedVersion(host, fn, version);
  if (before !== null && compareVersions(before, version) === 0) {
    env.progress.say(`${fn} ${version} is already installed`, host.host);
    return before;
  }
  if (fn === "View") await host.stopProcess(VIEW_PROCESS);
  if (opts.uninstallWith && before !== null) {
    await runInstaller(
      env,
      host,
      opts.uninstallWith,
      uninstallerArgs(fn, installerLog(chain, `uninstall-${fn}-${host.host}`)),
      `Uninstall ${fn} ${before}`,
      opts.section,
    );
  }
  const args = installerArgs(
    fn,
    opts.updateDataAtStartup,
    installerLog(chain, `install-${fn}-${version}-${host.host}`),
  );
  await runInstaller(env, host, media, args, `Install ${fn} ${version}`, opts.section);
  await applyUpdateModules(env, host, opts.updateModules ?? []);
  const after = await installedVersion(host, fn, version);
  if (after === null || compareVersions(after, version) !== 0) {
    throw new StepError(
      `Install ${fn} ${version}`,
      host.host,
      `the installer succeeded but the installed version is ${after ?? "none"}`,
      opts.section,
    );
  }
  return before;
}
