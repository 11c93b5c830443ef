/**
 * §3.4.1: register the three services new in 9.0 on the active host with adapter-setup.bat from the media
 * (sources of 8.0 or lower), Manual and stopped; §4.2.2 steps 3-4: adapter-remove.bat and NvPROAdapter.ini
 * deleted.
 */
import { mediaPath } from "../catalogue/media";
import { ADAPTER_SERVICES } from "../catalogue/versions";
import type { Media } from "../config/stack";
import type { HostOps } from "../hosts/types";
import { lastLines } from "./backup";
import { IncompleteStep, StepError, WORK_DIR, seconds, type Env } from "./env";
import { restoreSavedFiles, saveCopy, type SavedFile } from "./files";
import { groupOf, placement, reachableCluster } from "./cluster";
import { judge } from "./database";
import { local, winJoin, type NetMgrPaths } from "./paths";
import { makeManualAndStopped, netmgrServices } from "./services";

export async function adapterServices(host: HostOps) {
  return (await netmgrServices(host)).filter((s) => s.spec.adapter);
}

/** The files of the media's bin folder, relative to it (what §3.4.1 step 1 copies). */
async function mediaFiles(host: HostOps, media: Media): Promise<string[]> {
  return (await host.hashTree(mediaPath(media, "adapterBin"))).map((e) => e.path);
}

export async function registerServices(
  env: Env,
  chain: string,
  hostName: string,
  paths: NetMgrPaths,
  media: Media,
): Promise<SavedFile[]> {
  const host = env.target.host(hostName);
  const L = local(paths);
  // §3.4.1 step 1: the media's bin folder into Manager\bin, keeping what it overwrites.
  const saved: SavedFile[] = [];
  try {
    return await register(env, host, L, chain, media, saved);
  } catch (e) {
    // Files were copied (and adapter-setup.bat may have registered some services): the failback undoes them.
    throw new IncompleteStep(e as Error, { binFiles: [...saved] });
  }
}

async function register(
  env: Env,
  host: HostOps,
  L: ReturnType<typeof local>,
  chain: string,
  media: Media,
  saved: SavedFile[],
): Promise<SavedFile[]> {
  const hostName = host.host;
  for (const rel of await mediaFiles(host, media)) {
    const dest = winJoin(L.bin, rel);
    saved.push(
      await saveCopy(
        host,
        dest,
        winJoin(WORK_DIR, chain, "before-service-registration", rel.replace(/\\[^\\]+$/, "")),
      ),
    );
    await host.writeFile(dest, await host.readFile(winJoin(mediaPath(media, "adapterBin"), rel)));
  }
  const registered = await adapterServices(host);
  if (registered.length < ADAPTER_SERVICES.length) {
    // §3.4.1 steps 2-3
    env.progress.say("adapter-setup.bat (registering the services new in 9.0, §3.4.1)", hostName);
    const r = await host.run(winJoin(L.adapterDir, "adapter-setup.bat"), [], {
      cwd: L.adapterDir,
      timeoutMs: seconds(env.deadlines.serviceSeconds),
    });
    const v = judge("adapter-setup.bat", r.output, []);
    if (r.exitCode !== 0 || v.errors.length > 0) {
      throw new StepError(
        "ServiceRegistration",
        hostName,
        `adapter-setup.bat failed (exit code ${r.exitCode})`,
        "§3.4.1 step 3",
        v.errors.length ? v.errors : lastLines(r.output),
      );
    }
  }
  // §3.4.1 step 4: registered, Manual, stopped.
  const now = await adapterServices(host);
  const missing = ADAPTER_SERVICES.filter((spec) => !now.some((s) => s.spec === spec)).map(
    (s) => s.displayName,
  );
  if (missing.length > 0)
    throw new StepError(
      "ServiceRegistration",
      hostName,
      `not registered after adapter-setup.bat: ${missing.join(", ")}`,
      "§3.4.1 step 4",
    );
  await makeManualAndStopped(host, (s) => s.spec.adapter);
  return saved;
}

export async function unregisterServices(
  env: Env,
  hostName: string,
  paths: NetMgrPaths,
  saved: readonly SavedFile[],
  group: { name: string; hosts: readonly string[]; wasOn: string | null },
): Promise<void> {
  const host = env.target.host(hostName);
  const L = local(paths);
  const registered = await adapterServices(host);
  if (registered.length > 0) {
    for (const s of [...registered].reverse()) if (s.state !== "Stopped") await host.stopService(s.name);
    // §4.2.2 step 3
    env.progress.say("adapter-remove.bat (§4.2.2 step 3)", hostName);
    const r = await host.run(winJoin(L.adapterDir, "adapter-remove.bat"), [], {
      cwd: L.adapterDir,
      timeoutMs: seconds(env.deadlines.serviceSeconds),
    });
    const v = judge("adapter-remove.bat", r.output, []);
    if (r.exitCode !== 0 || v.errors.length > 0) {
      throw new StepError(
        "ServiceRegistration failback",
        hostName,
        `adapter-remove.bat failed (exit code ${r.exitCode})`,
        "§4.2.2 step 3",
        v.errors.length ? v.errors : lastLines(r.output),
      );
    }
  }
  // §4.2.2 step 4
  await host.remove(L.adapterIni);
  // The bin files §3.4.1 step 1 copied: back as they were.
  await restoreSavedFiles(env.target, host, saved);
  const left = await adapterServices(host);
  if (left.length > 0)
    throw new StepError(
      "ServiceRegistration failback",
      hostName,
      `still registered: ${left.map((s) => s.displayName).join(", ")}`,
      "§4.2.2 step 3",
    );
  await restartGroup(env, group);
}

/**
 * §4.2.3 step 1: the group back on the host it ran on before the services were registered, if the §4.2.2
 * apply left it stopped (ClusterResourceDependencies' failback).
 */
async function restartGroup(
  env: Env,
  group: { name: string; hosts: readonly string[]; wasOn: string | null },
): Promise<void> {
  if (!group.wasOn) return;
  const { ops, via, status } = await reachableCluster(env, group.hosts);
  if (placement(groupOf(status, group.name))) return;
  env.progress.say(`starting the group on ${group.wasOn} again (§4.2.3 step 1)`, via);
  await ops.startGroup(group.name, group.wasOn, seconds(env.deadlines.groupMoveSeconds));
}
