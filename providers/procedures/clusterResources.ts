/**
 * §3.4.2: the three new services as EXPRESSCLUSTER service resources with the Table 3-2 dependencies, and the
 * NvPRO Performance Database's postmaster.pid deletion in the script resource's start.bat (NORMAL and
 * FAILOVER); then the configuration applied, which stops the group (§3.4.2 step 5 Caution: the move of §3.5
 * follows at once). §4.2.2 steps 1-2 undo it.
 */
import type { DbMode } from "../catalogue/versions";
import type { ClusterConfigFiles } from "../expresscluster/cluster";
import type { ClpConf } from "../expresscluster/clpconf";
import {
  applyTable32,
  dependencyDrift,
  missingAdapterResources,
  type DependencyChange,
} from "../expresscluster/dependencies";
import {
  addPerfDbPidDeletion,
  perfDbPidDeletionStatus,
  removePerfDbPidDeletion,
  startBatPath,
  type PerfDbPidParts,
} from "../expresscluster/startbat";
import { groupOf, placement, pullClpConf, reachableCluster } from "./cluster";
import { suppressionInEffect } from "./suppression";
import { StepError, seconds, type Env } from "./env";
import { decode, encode } from "./text";

export interface ResourcesEdit {
  /** The group's placement before the apply: where the failback starts it again. */
  groupWasOn: string | null;
  addedResources: { name: string; serviceName: string }[];
  dependencyChanges: DependencyChange[];
  startBatAdded: PerfDbPidParts;
  scriptResource: string;
}

export interface ResourcesObserved {
  /** Human-readable differences from Table 3-2 ("" entries never). */
  dependencyDrift: string[];
  startBatHasDeletion: boolean;
  adapterResources: string[];
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

function editStartBat(
  env: Env,
  files: ClusterConfigFiles,
  path: string,
  edit: (text: string) => string,
): ClusterConfigFiles {
  const bytes = files.scripts[path];
  if (!bytes)
    throw new StepError(
      "ClusterResourceDependencies",
      undefined,
      `the pulled configuration has no ${path}`,
      "§3.4.2 step 2",
    );
  return {
    ...files,
    scripts: { ...files.scripts, [path]: encode(edit(decode(bytes, env.encoding)), env.encoding) },
  };
}

export async function configureResources(
  env: Env,
  group: string,
  hosts: readonly string[],
  active: string,
  db: DbMode,
  sharePath: string,
  /** Start the group again where it was after the apply (a drift repair; the chain's next step starts it otherwise). */
  restartAfterApply = false,
): Promise<ResourcesEdit> {
  const { ops, via, status } = await reachableCluster(env, hosts);
  // A re-run after the apply finds the group stopped; before this step it is always on the active host.
  const groupWasOn = placement(groupOf(status, group)) ?? active;
  const { files, conf } = await pullClpConf(ops);
  const script = scriptOf(conf, group);

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
  const batPath = startBatPath(group, script);
  let startBatAdded: PerfDbPidParts = { normal: false, failover: false, baseVariable: false };
  const edited = editStartBat(env, { ...files, clpConf: conf.toString() }, batPath, (text) => {
    const e = addPerfDbPidDeletion(text, sharePath);
    startBatAdded = e.added;
    return e.text;
  });

  const changed =
    added.length > 0 ||
    dependencyChanges.length > 0 ||
    startBatAdded.normal ||
    startBatAdded.failover ||
    startBatAdded.baseVariable;
  if (changed) {
    // §3.4.2 steps 4-5: checked above by construction (Table 3-2 satisfied); apply stops the group.
    env.progress.say(
      `adding ${added.map((r) => r.resourceName).join(", ") || "no resources"}, ${dependencyChanges.length} dependency change(s), start.bat postmaster.pid deletion; applying (the group stops, §3.4.2 step 5)`,
      via,
    );
    await ops.applyConfig(edited, "resources", group, seconds(env.deadlines.groupMoveSeconds));
    if (restartAfterApply && groupWasOn) {
      env.progress.say(
        `starting the group on ${groupWasOn} again (repair outside the rolling update's move)`,
        via,
      );
      await ops.startGroup(group, groupWasOn, seconds(env.deadlines.groupMoveSeconds));
    }
  } else {
    env.progress.say(
      "the cluster configuration already has the new service resources and Table 3-2 dependencies",
      via,
    );
  }
  return {
    groupWasOn,
    addedResources: added.map((r) => ({ name: r.resourceName, serviceName: r.parameterName })),
    dependencyChanges,
    startBatAdded,
    scriptResource: script,
  };
}

export async function observeResources(
  env: Env,
  group: string,
  hosts: readonly string[],
  db: DbMode,
): Promise<ResourcesObserved> {
  const { ops } = await reachableCluster(env, hosts);
  const { files, conf } = await pullClpConf(ops);
  const views = conf.groupResourceViews(group);
  const report = dependencyDrift(views, { db, adapterServices: true, scriptResource: scriptOf(conf, group) });
  const bat = files.scripts[startBatPath(group, scriptOf(conf, group))];
  const status = bat
    ? perfDbPidDeletionStatus(decode(bat, env.encoding))
    : { normal: false, failover: false };
  return {
    dependencyDrift: [
      ...report.drift.map(
        (d) =>
          `${d.name}: ${d.missing.length ? `missing ${d.missing.join(", ")}` : ""}${d.missing.length && d.extra.length ? "; " : ""}${d.extra.length ? `extra ${d.extra.join(", ")}` : ""}`,
      ),
      ...report.unresolved.map((u) => `${u.resource}: no ${u.needs} resource in the group`),
    ],
    startBatHasDeletion: status.normal && status.failover,
    adapterResources: views
      .filter((v) => v.type === "service" && missingAdapterResources([v]).length < 3)
      .map((v) => v.name),
  };
}

/** §4.2.2 steps 1-2: remove the added resources, restore the dependencies and start.bat, apply; then the group back. */
export async function unconfigureResources(
  env: Env,
  group: string,
  hosts: readonly string[],
  edit: ResourcesEdit,
): Promise<void> {
  const { ops, via } = await reachableCluster(env, hosts);
  const { files, conf } = await pullClpConf(ops);
  for (const r of edit.addedResources) {
    if (conf.groupResources(group).some((x) => x.type === "service" && x.name === r.name))
      conf.removeResource(group, { type: "service", name: r.name });
  }
  for (const c of edit.dependencyChanges) {
    if (conf.groupResources(group).some((x) => x.type === c.type && x.name === c.name))
      conf.setDepends({ type: c.type, name: c.name }, c.before);
  }
  const batPath = startBatPath(group, edit.scriptResource);
  const edited = editStartBat(env, { ...files, clpConf: conf.toString() }, batPath, (text) =>
    removePerfDbPidDeletion(text, edit.startBatAdded),
  );
  env.progress.say(
    `removing ${edit.addedResources.map((r) => r.name).join(", ")} and restoring dependencies; applying (§4.2.2 steps 1-2)`,
    via,
  );
  await ops.applyConfig(edited, "resources", group, seconds(env.deadlines.groupMoveSeconds));
  if (edit.groupWasOn) {
    env.progress.say(`starting the group on ${edit.groupWasOn} again`, via);
    await ops.startGroup(group, edit.groupWasOn, seconds(env.deadlines.groupMoveSeconds));
  }
}
