/**
 * The Manager function of one node: §3.1 forward (overwrite install on the standby, services Manual and
 * stopped) and §4.2.5 back (uninstall, old version with the same parameters and update modules, services not
 * automatic, the §2.4.2 backup restored).
 */
import type { Media } from "../config/stack";
import type { TreeBackup } from "./backup";
import { restoreTree } from "./backup";
import { groupOf, reachableCluster } from "./cluster";
import { IncompleteStep, StepError, WORK_DIR, type Env } from "./env";
import { ensureVersion, installedVersion } from "./install";
import { local, winJoin, type NetMgrPaths } from "./paths";
import { makeManualAndStopped, netmgrServices } from "./services";

export interface ManagerStep {
  chain: string;
  host: string;
  hosts: readonly string[];
  group: string;
  updateDataAtStartup: boolean;
  paths: NetMgrPaths;
  fromVersion: string;
  toVersion: string;
  newMedia: Media;
  oldMedia: Media;
  backup: TreeBackup;
}

/** The installer must never run where the group is active (the guide updates the standby only). */
async function refuseActive(env: Env, s: ManagerStep, what: string): Promise<void> {
  const { status } = await reachableCluster(env, s.hosts);
  const g = groupOf(status, s.group);
  if (g.state !== "Offline" && g.current?.toLowerCase() === s.host.toLowerCase()) {
    throw new StepError(
      what,
      s.host,
      `the failover group "${s.group}" is active on ${s.host}; only the standby host is ever updated or failed back (§3.1). ` +
        `Move the group to the other host first, or check netmgr:activeHost`,
      "§3.1",
    );
  }
}

export interface ManagerResult {
  versionBefore: string;
  movedUpdateData: string | null;
  observed: { version: string | null; startTypes: Record<string, string> };
}

export async function observeManager(
  env: Env,
  s: Pick<ManagerStep, "host" | "toVersion">,
): Promise<ManagerResult["observed"]> {
  const host = env.target.host(s.host);
  const services = await netmgrServices(host);
  return {
    version: await installedVersion(host, "Manager", s.toVersion),
    startTypes: Object.fromEntries(services.map((x) => [x.displayName, x.startType])),
  };
}

/** Drift: another version installed, or a NetMgr service no longer Manual (§3.1 step 7). */
export function managerDrift(expectedVersion: string, observed: ManagerResult["observed"]): string[] {
  const drift: string[] = [];
  if (observed.version !== expectedVersion)
    drift.push(`Manager version is ${observed.version ?? "none"}, expected ${expectedVersion}`);
  for (const [name, type] of Object.entries(observed.startTypes)) {
    if (type !== "Manual")
      drift.push(`service "${name}" start type is ${type}, the guide requires Manual (§3.1 step 7)`);
  }
  return drift;
}

export async function installManager(env: Env, s: ManagerStep): Promise<ManagerResult> {
  await refuseActive(env, s, "ManagerInstall");
  const host = env.target.host(s.host);
  const L = local(s.paths);
  const current = await installedVersion(host, "Manager", s.fromVersion);
  let movedUpdateData: string | null = null;
  if (current !== s.toVersion && (await host.stat(L.updateData)) !== null) {
    // §3.1 Caution: an UpdateData folder makes the installer fail; moved aside (not deleted: nothing is lost).
    movedUpdateData = winJoin(WORK_DIR, s.chain, `UpdateData-${s.host}`);
    env.progress.say(`moving ${L.updateData} aside to ${movedUpdateData} (§3.1 Caution)`, s.host);
    await host.remove(movedUpdateData);
    await host.move(L.updateData, movedUpdateData);
  }
  try {
    const before = await ensureVersion(env, s.chain, host, "Manager", s.toVersion, s.newMedia, {
      updateDataAtStartup: s.updateDataAtStartup,
      section: "§3.1",
    });
    const changed = await makeManualAndStopped(host);
    if (changed.length > 0) env.progress.say(`§3.1 step 7: ${changed.join("; ")}`, s.host);
    return {
      versionBefore: before ?? s.fromVersion,
      movedUpdateData,
      observed: await observeManager(env, s),
    };
  } catch (e) {
    // An installer that failed may have left the host half installed; the failback reinstalls the old version.
    throw new IncompleteStep(e as Error, { versionBefore: current ?? s.fromVersion, movedUpdateData });
  }
}

/**
 * Drift repair after the update: start types back to Manual (§3.1 step 7). Services keep running (the host
 * may be the active one now); a changed version is not reinstalled behind the operator's back.
 */
export async function repairManager(env: Env, s: ManagerStep, r: ManagerResult): Promise<ManagerResult> {
  const host = env.target.host(s.host);
  const version = await installedVersion(host, "Manager", s.toVersion);
  if (version !== s.toVersion) {
    throw new StepError(
      "ManagerInstall",
      s.host,
      `the Manager is version ${version ?? "none"} now, not ${s.toVersion}; it is not reinstalled as a drift repair. ` +
        `Reinstall it deliberately (fail back with pulumi destroy, or reinstall on the standby and refresh)`,
      "§3.1",
    );
  }
  for (const svc of await netmgrServices(host)) {
    if (svc.startType !== "Manual") {
      env.progress.say(
        `service "${svc.displayName}" start type ${svc.startType} -> Manual (§3.1 step 7)`,
        s.host,
      );
      await host.setStartType(svc.name, "Manual");
    }
  }
  return { ...r, observed: await observeManager(env, s) };
}

export async function failBackManager(env: Env, s: ManagerStep, r: ManagerResult): Promise<void> {
  await refuseActive(env, s, "ManagerInstall failback");
  const host = env.target.host(s.host);
  const L = local(s.paths);
  // The new version installed with "Update data area at startup" YES stages the shared-disk update in
  // UpdateData; if the group never started there, it is still present and would make the old version's
  // installer fail (§3.1 Caution). Moved into the chain's work folder: kept, not deleted.
  if ((await host.stat(L.updateData)) !== null) {
    const aside = winJoin(WORK_DIR, s.chain, `UpdateData-${s.host}-staged-by-the-update`);
    env.progress.say(`moving ${L.updateData} aside to ${aside} before reinstalling (§3.1 Caution)`, s.host);
    await host.remove(aside);
    await host.move(L.updateData, aside);
  }
  await ensureVersion(env, s.chain, host, "Manager", r.versionBefore, s.oldMedia, {
    updateDataAtStartup: false,
    section: "§4.2.5 steps 1-2",
    uninstallWith: s.newMedia,
    updateModules: s.oldMedia.updateModules,
  });
  // §4.2.5 step 2 Caution: services must not start automatically.
  await makeManualAndStopped(host);
  // §4.2.5 step 3: the §2.4.2 backup over Manager\sg.
  await restoreTree(env, host, s.backup);
  if (r.movedUpdateData && (await host.stat(r.movedUpdateData)) !== null) {
    await host.remove(L.updateData);
    await host.move(r.movedUpdateData, L.updateData);
  }
  const observed = await observeManager(env, { host: s.host, toVersion: r.versionBefore });
  const drift = managerDrift(r.versionBefore, observed);
  if (drift.length > 0)
    throw new StepError(
      "ManagerInstall failback",
      s.host,
      "the host is not back to its state before the update",
      "§4.2.5",
      drift,
    );
}
