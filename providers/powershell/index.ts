/**
 * The PowerShell transport: the real-Windows backend of the host-operations seam (see providers/hosts/types.ts and docs/real-cluster.md).
 */
export { openPowerShellTarget, PowerShellTarget, realClock, type PowerShellTargetSettings } from "./target";
export { PowerShellHostOps } from "./host-ops";
export type { StageOptions } from "./stage";
export type { OperationName } from "./scripts";
export { DEFAULT_TIMEOUTS, MAX_TRANSFER_BYTES } from "./limits";
