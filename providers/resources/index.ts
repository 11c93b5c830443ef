/** Every resource kind of the chain, by kind name (the runtime dispatches on it). One file per resource. */
import { ActiveBackup } from "./activeBackup";
import { ClusterResourceDependencies } from "./clusterResourceDependencies";
import { DatabaseSchema } from "./databaseSchema";
import { FailoverGroupMove } from "./failoverGroupMove";
import { FailoverSuppression } from "./failoverSuppression";
import { FailoverSuppressionLift } from "./failoverSuppressionLift";
import { ManagerInstall } from "./managerInstall";
import { MediaStaging } from "./mediaStaging";
import { MonitoringTerminal } from "./monitoringTerminal";
import { Preflight } from "./preflight";
import { ServiceRegistration } from "./serviceRegistration";
import { StandbyBackup } from "./standbyBackup";
import type { AnyStep } from "./step";
import { WebApi } from "./webApi";
import { WebConsoleConfig } from "./webConsoleConfig";

export const STEPS: Record<string, AnyStep> = Object.fromEntries(
  [
    Preflight,
    MediaStaging,
    FailoverSuppression,
    StandbyBackup,
    ManagerInstall,
    ActiveBackup,
    DatabaseSchema,
    WebConsoleConfig,
    ServiceRegistration,
    ClusterResourceDependencies,
    FailoverGroupMove,
    MonitoringTerminal,
    WebApi,
    FailoverSuppressionLift,
  ].map((s) => [s.kind, s as AnyStep]),
);
