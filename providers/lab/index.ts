/**
 * The lab: an embedded simulated NetMgr cluster (two Windows nodes running EXPRESSCLUSTER X, monitoring
 * terminals, SQL Server) that the procedures drive through the same HostOps / SqlOps / Clock seam as a real
 * cluster. docs/lab.md describes what it models.
 */
import { LabTarget, type LabTargetOptions } from "./target";
import type { Target } from "../hosts/target";

export { LabSpec, labSpecFromStackConfig, type LabSpecInput, type LabMedia } from "./spec";
export type { LabState, TimelineEvent } from "./state";
export type { LabTargetOptions } from "./target";
export {
  createLabCluster,
  resetLab,
  readLabState,
  updateLabState,
  injectFault,
  clearLabFaults,
  listFaults,
  readTimeline,
  labDowntime,
  snapshot,
  labStatus,
  advanceClock,
  enableWebApi,
  labFirewalls,
  setLabPort,
} from "./api";
export { computeDowntime, formatDuration, type Downtime, type DowntimeInterval } from "./timeline";
export { compareSnapshots, snapshotOf, type LabSnapshot, type SnapshotOptions } from "./snapshot";
export { labExists, LabNotFoundError } from "./store";
export { LAB_EPOCH } from "./create";

/** Open the lab folder as a Target, creating the cluster from `spec` if the folder holds none yet. */
export function openLabTarget(options: LabTargetOptions): Target {
  return new LabTarget(options);
}
