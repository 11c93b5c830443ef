/**
 * Sizes and deadlines of the PowerShell transport, in one place.
 */
import type { OperationName } from "./scripts";

/**
 * readFile / writeFile move bytes as base64 inside the one-line protocol: fine for INI files and logs, not for
 * media (stageMedia copies folders with Copy-Item -ToSession instead). Above this the call fails with a clear
 * error rather than pushing tens of megabytes through the shell's stdin/stdout buffers (node-powershell
 * accumulates output with a Buffer.concat per chunk).
 */
export const MAX_TRANSFER_BYTES = 16 * 1024 * 1024;

/**
 * writeFile sends the content in chunks of this size, one Invoke-Command each: a remoting endpoint refuses a
 * received object over MaximumReceivedObjectSizeMB, 10 MB by default (PSSessionConfiguration docs).
 */
export const WRITE_CHUNK_BYTES = 1024 * 1024;

/** run keeps at most this much of stdout and of stderr (the end of it, where the errors are). */
export const MAX_PROGRAM_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Added to RunOptions.timeoutMs for the transport's own work (temp files, output transfer). */
export const RUN_MARGIN_MS = 60_000;

/** Added to probeTcp's own timeout. */
export const PROBE_MARGIN_MS = 30_000;

/** How long `close` waits for `Get-PSSession | Remove-PSSession` before stopping the shell anyway. */
export const CLOSE_TIMEOUT_MS = 15_000;

/** Between SIGTERM and SIGKILL of a local shell that must go (after a deadline, or at close). */
export const KILL_GRACE_MS = 3_000;

/**
 * Default deadline of each operation (ms). node-powershell never interrupts a running command (its timeout only stops waiting),
 * so every call has one; a call that overruns it costs the shell and its session, and the next call opens new
 * ones. Overridable per operation through the target settings.
 */
export const DEFAULT_TIMEOUTS: Readonly<Record<OperationName, number>> = {
  openSsh: 120_000,
  openWinrm: 120_000,
  closeSession: CLOSE_TIMEOUT_MS,
  localManifest: 30 * 60_000,
  copyToSession: 4 * 3_600_000,
  environment: 120_000,
  freeSpace: 60_000,
  services: 120_000,
  setStartType: 120_000,
  startService: 300_000,
  stopService: 300_000,
  stat: 60_000,
  readFile: 300_000,
  writeFile: 300_000,
  list: 120_000,
  hashTree: 30 * 60_000,
  copy: 3_600_000,
  move: 300_000,
  remove: 15 * 60_000,
  mkdir: 60_000,
  run: 3_600_000,
  installedProducts: 120_000,
  processes: 60_000,
  stopProcess: 120_000,
  firewall: 120_000,
  probeTcp: 60_000,
};
