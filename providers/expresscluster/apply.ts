/**
 * How an edited configuration is applied ("reflected") to the cluster, per kind of change: ONE table
 * (docs/expresscluster.md "Applying a change").
 *
 * - `resources` (group resources added or removed, their dependencies changed): the guide's §3.4.2 step 5
 *   and §4.2.2 step 2 say "stop of the failover group and cluster suspend are executed … after reflecting the
 *   configuration, execute cluster resume". So: stop the group and wait until it is Offline, suspend, push,
 *   resume. The group stays stopped; the caller starts or moves it next (§3.5).
 * - `settings` (recovery thresholds, cluster-wide recovery suppression, §2.3): suspend, push, resume, the
 *   sequence NEC's samples use for parameter changes; the group keeps running.
 *
 * UNCONFIRMED: the official rule of which change needs which sequence (Cluster WebUI works it out when it
 * applies a configuration). To confirm on a test cluster: make the same edit in Cluster WebUI and note what it
 * announces before applying ("suspend/resume", "group stop", "cluster stop"); correct the table here.
 */
import type { ConfigChange } from "./cluster";
import { CLP, commandLine, type ClpCommand } from "./commands";

export type ApplyStep = "stopGroup" | "suspend" | "push" | "resume";

export const APPLY_SEQUENCES: Readonly<Record<ConfigChange, readonly ApplyStep[]>> = {
  resources: ["stopGroup", "suspend", "push", "resume"],
  settings: ["suspend", "push", "resume"],
};

/** The command each step runs (stopGroup is then followed by a wait until the group is Offline). */
export function stepCommand(step: ApplyStep, group: string, dir: string): ClpCommand {
  switch (step) {
    case "stopGroup":
      return CLP.stopGroup(group);
    case "suspend":
      return CLP.suspend();
    case "push":
      return CLP.push(dir);
    case "resume":
      return CLP.resume();
  }
}

/** The command lines of an apply, for the change plan and the runbook. */
export function applyCommandLines(change: ConfigChange, group: string, dir: string): string[] {
  return APPLY_SEQUENCES[change].map((s) => commandLine(stepCommand(s, group, dir)));
}
