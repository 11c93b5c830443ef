/**
 * §3.4.2: the three new services as EXPRESSCLUSTER service resources with the Table 3-2 dependencies, and the
 * NvPRO Performance Database's postmaster.pid deletion in the script resource's start.bat (NORMAL and
 * FAILOVER); then the configuration applied, which stops the group (§3.4.2 step 5 Caution: the move of §3.5
 * follows at once). §4.2.2 steps 1-2 undo it.
 *
 * The configuration as it was before the first attempt (clp.conf and start.bat) is recorded on the nodes
 * before anything is changed and kept in the step's outputs; the undo puts the group's resources, their
 * dependencies and start.bat back to exactly that, whatever an interrupted attempt got to.
 */
import { z } from "zod";
import type { DbMode } from "../catalogue/versions";
import type { ClusterConfigFiles } from "../expresscluster/cluster";
import { ClpConf } from "../expresscluster/clpconf";
import { applyTable32, dependencyDrift, missingAdapterResources } from "../expresscluster/dependencies";
import { addPerfDbPidDeletion, perfDbPidDeletionStatus, startBatPath } from "../expresscluster/startbat";
import { groupOf, placement, pullClpConf, reachableCluster } from "./cluster";
import { IncompleteStep, StepError, WORK_DIR, seconds, type Env } from "./env";
import { forgetOnce, rememberOnce } from "./files";
import { winJoin } from "./paths";
import { suppressionInEffect } from "./suppression";
import { decode, encode } from "./text";

export const OriginalConfig = z.object({
  /** Where the group ran before the apply (the failback starts it there again, §4.2.3). */
  groupWasOn: z.string().nullable(),
  clpConf: z.string(),
  /** The script resource's start.bat, base64 of its bytes. */
  startBat: z.string(),
  scriptResource: z.string(),
});
export type OriginalConfig = z.infer<typeof OriginalConfig>;

export interface ResourcesEdit {
  original: OriginalConfig;
  addedResources: string[];
}

export interface ResourcesObserved {
  /** Human-readable differences from Table 3-2. */
  dependencyDrift: string[];
  startBatHasDeletion: boolean;
}

function scriptOf(conf: ClpConf, group: string): string {
  const scripts = conf.groupResources(group).filter((r) => r.type === "script");
  const [script] = scripts;
  if (!script || scripts.length !== 1) {
    throw new StepError(
      "ClusterResourceDependencies",
      undefined,
      `the group has ${scripts.length} script resources; Table 3-2 needs exactly one`,
      "§3.4.2",
    );
  }
  return script.name;
}

function startBatOf(files: ClusterConfigFiles, path: string): Buffer {
  const bytes = files.scripts[path];
  if (!bytes)
    throw new StepError(
      "ClusterResourceDependencies",
      undefined,
      `the pulled configuration has no ${path}`,
      "§3.4.2 step 2",
    );
  return bytes;
}

export async function configureResources(
  env: Env,
  chain: string,
  group: string,
  hosts: readonly string[],
  active: string,
  db: DbMode,
  sharePath: string,
  /** Start the group again where it was after the apply (a drift repair; the chain's next step starts it otherwise). */
  restartAfterApply = false,
): Promise<ResourcesEdit> {
  const { ops, via, status } = await reachableCluster(env, hosts);
  const { files, conf } = await pullClpConf(ops);
  const script = scriptOf(conf, group);
  const batPath = startBatPath(group, script);
  const original = await rememberOnce(env.target, hosts, configRecord(chain), OriginalConfig, async () => ({
    // A re-run after the apply finds the group stopped; before this step it is on the active host.
    groupWasOn: placement(groupOf(status, group)) ?? active,
    clpConf: files.clpConf,
    startBat: startBatOf(files, batPath).toString("base64"),
    scriptResource: script,
  }));

  // §3.4.2 step 1: the service resources (only those missing: a re-run adds nothing twice).
  const added = missingAdapterResources(conf.groupResourceViews(group));
  for (const r of added) {
    conf.addServiceResource(group, r.resourceName, r.parameterName, []);
    // §2.3 is in effect for the whole update: the new resources get it too (the lift takes it off again).
    if (suppressionInEffect(conf)) conf.setRecovery({ type: "service", name: r.resourceName }, 0, 0);
  }
  // §3.4.2 step 3: Table 3-2 for every resource, new ones included.
  const dependencyChanges = applyTable32(conf, group, { db, adapterServices: true, scriptResource: script });
  // §3.4.2 step 2
  const bat = addPerfDbPidDeletion(decode(startBatOf(files, batPath), env.encoding), sharePath);
  const batChanged = bat.added.normal || bat.added.failover || bat.added.baseVariable;
  const edited = {
    ...files,
    clpConf: conf.toString(),
    scripts: { ...files.scripts, [batPath]: encode(bat.text, env.encoding) },
  };

  const edit = { original, addedResources: added.map((r) => r.resourceName) };
  if (added.length === 0 && dependencyChanges.length === 0 && !batChanged) {
    env.progress.say(
      "the cluster configuration already has the new service resources and Table 3-2 dependencies",
      via,
    );
    return edit;
  }
  // §3.4.2 steps 4-5: Table 3-2 is satisfied by construction; the apply stops the group.
  env.progress.say(
    `adding ${added.map((r) => r.resourceName).join(", ") || "no resources"}, ${dependencyChanges.length} dependency change(s)` +
      `${batChanged ? ", the start.bat postmaster.pid deletion" : ""}; applying (the group stops, §3.4.2 step 5)`,
    via,
  );
  try {
    await ops.applyConfig(edited, "resources", group, seconds(env.deadlines.groupMoveSeconds));
    if (restartAfterApply && original.groupWasOn) {
      env.progress.say(
        `starting the group on ${original.groupWasOn} again (a repair outside the rolling update's move)`,
        via,
      );
      await ops.startGroup(group, original.groupWasOn, seconds(env.deadlines.groupMoveSeconds));
    }
  } catch (e) {
    throw new IncompleteStep(e as Error, { ...edit });
  }
  return edit;
}

export async function observeResources(
  env: Env,
  group: string,
  hosts: readonly string[],
  db: DbMode,
): Promise<ResourcesObserved> {
  const { ops } = await reachableCluster(env, hosts);
  const { files, conf } = await pullClpConf(ops);
  const script = scriptOf(conf, group);
  const report = dependencyDrift(conf.groupResourceViews(group), {
    db,
    adapterServices: true,
    scriptResource: script,
  });
  const bat = files.scripts[startBatPath(group, script)];
  const status = bat
    ? perfDbPidDeletionStatus(decode(bat, env.encoding))
    : { normal: false, failover: false };
  return {
    dependencyDrift: [
      ...report.drift.map((d) =>
        [
          d.missing.length ? `${d.name}: missing ${d.missing.join(", ")}` : "",
          d.extra.length ? `${d.name}: extra ${d.extra.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("; "),
      ),
      ...report.unresolved.map((u) => `${u.resource}: no ${u.needs} resource in the group`),
    ],
    startBatHasDeletion: status.normal && status.failover,
  };
}

/**
 * §4.2.2 steps 1-2: the group's resources, their dependencies and start.bat back to the recorded original,
 * applied. The group stays stopped, as in the guide: §4.2.2 step 3 (adapter-remove.bat) comes before the
 * switch back of §4.2.3 — started now, NvPRO Base Manager would find the Performance Database service
 * registered but outside the cluster and not running. The ServiceRegistration failback starts the group once
 * the services are removed; this is the one place where the failback passes through a state (group stopped)
 * that the roll forward never had.
 */
const configRecord = (chain: string) => winJoin(WORK_DIR, chain, "cluster-config-before-resources.json");

export async function unconfigureResources(
  env: Env,
  chain: string,
  group: string,
  hosts: readonly string[],
  original: OriginalConfig,
): Promise<void> {
  const { ops, via } = await reachableCluster(env, hosts);
  const { files, conf } = await pullClpConf(ops);
  const before = ClpConf.parse(original.clpConf);
  const key = (r: { type: string; name: string }) => `${r.type}@${r.name}`;
  const originalRefs = new Set(before.groupResources(group).map(key));
  const removed: string[] = [];
  for (const r of conf.groupResources(group)) {
    if (!originalRefs.has(key(r))) {
      conf.removeResource(group, r);
      removed.push(r.name);
    }
  }
  for (const r of before.groupResourceViews(group)) {
    if (conf.groupResources(group).some((x) => key(x) === key(r))) conf.setDepends(r, r.depends);
  }
  const batPath = startBatPath(group, original.scriptResource);
  const restored = {
    ...files,
    clpConf: conf.toString(),
    scripts: { ...files.scripts, [batPath]: Buffer.from(original.startBat, "base64") },
  };
  env.progress.say(
    `removing ${removed.join(", ") || "no resources"}, restoring dependencies and start.bat; applying (§4.2.2 steps 1-2)`,
    via,
  );
  await ops.applyConfig(restored, "resources", group, seconds(env.deadlines.groupMoveSeconds));
  env.progress.say(
    "the group stays stopped until the new services are removed (§4.2.2 step 3, then §4.2.3)",
    via,
  );
  await forgetOnce(env.target, hosts, configRecord(chain));
}
