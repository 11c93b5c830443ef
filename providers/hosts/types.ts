/**
 * The host-operations seam (DESIGN: "Host operations: the one seam").
 *
 * Procedures (the guide's steps) talk to a cluster only through these interfaces. There are two
 * implementations: the lab (a simulated cluster on disk, `providers/lab`) and PowerShell remoting
 * (`providers/powershell`). Every operation names its real Windows counterpart, so that what the lab
 * accepts is what a real node would be asked to do.
 *
 * Paths are Windows paths as the guide writes them (`C:\Program Files (x86)\NEC\UMF\Operations\Manager\sg`).
 * File contents cross the seam as bytes: the encoding of NetMgr's INI and log files is a procedure-level
 * setting (see `providers/procedures/text.ts`), never assumed by a transport.
 */
import { z } from "zod";
import type { Arg } from "./secret";

export const StartType = z.enum(["Auto", "Manual", "Disabled"]);
export type StartType = z.infer<typeof StartType>;

export const ServiceState = z.enum(["Running", "Stopped", "StartPending", "StopPending"]);
export type ServiceState = z.infer<typeof ServiceState>;

export const ServiceInfo = z.object({
  /** The service key name (`Get-CimInstance Win32_Service` `Name`). */
  name: z.string(),
  /** What the Services console shows (`DisplayName`); the guide names services by this. */
  displayName: z.string(),
  startType: StartType,
  state: ServiceState,
});
export type ServiceInfo = z.infer<typeof ServiceInfo>;

export const HostEnvironment = z.object({
  /** `hostname` */
  hostName: z.string(),
  /** `[Security.Principal.WindowsPrincipal]::new([Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole('Administrators')` */
  isAdmin: z.boolean(),
  /** `$env:TEMP`, `$env:TMP` (null when undefined) */
  temp: z.string().nullable(),
  tmp: z.string().nullable(),
  /** `$env:SystemDrive`, e.g. `C:` */
  systemDrive: z.string(),
  /** `Test-Path` + write probe on `$env:TEMP` */
  tempWritable: z.boolean(),
});
export type HostEnvironment = z.infer<typeof HostEnvironment>;

export const FileKind = z.enum(["file", "dir"]);
export type FileKind = z.infer<typeof FileKind>;

export const DirEntry = z.object({ name: z.string(), kind: FileKind, size: z.number().int().nonnegative() });
export type DirEntry = z.infer<typeof DirEntry>;

/** One file of a tree with its SHA-256, as `Get-FileHash -Algorithm SHA256` reports it; paths are relative, `\`-separated. */
export const TreeEntry = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
});
export type TreeEntry = z.infer<typeof TreeEntry>;

export const RunResult = z.object({
  /** The native exit code (`$LASTEXITCODE`, or `.ExitCode` of `Start-Process -Wait -PassThru`). */
  exitCode: z.number().int(),
  /** stdout and stderr, interleaved as the program wrote them. */
  output: z.string(),
});
export type RunResult = z.infer<typeof RunResult>;

export const InstalledProduct = z.object({
  /** `DisplayName` under the registry Uninstall keys (both the 64-bit and WOW6432Node views). */
  displayName: z.string(),
  /** `DisplayVersion` */
  version: z.string(),
});
export type InstalledProduct = z.infer<typeof InstalledProduct>;

/** One enabled inbound Allow rule of Windows Firewall, with its port filter (`Get-NetFirewallPortFilter`). */
export const FirewallRule = z.object({
  /** `DisplayName` */
  name: z.string(),
  /** `Protocol`: `TCP`, `UDP`, `Any`, or a protocol number. */
  protocol: z.string(),
  /** `LocalPort`: `Any`, `12520`, `5000-5010`, or keywords such as `RPC`. */
  localPorts: z.array(z.string()),
});
export type FirewallRule = z.infer<typeof FirewallRule>;

export const FirewallState = z.object({
  /** `Get-NetFirewallProfile` names whose `Enabled` is True (empty: the firewall is off). */
  enabledProfiles: z.array(z.string()),
  /** Enabled inbound Allow rules of the active store (local and Group Policy rules). */
  inboundAllow: z.array(FirewallRule),
});
export type FirewallState = z.infer<typeof FirewallState>;

export interface RunOptions {
  /** Working directory (`Set-Location` / `cmd /c cd /d`). */
  cwd?: string;
  /** Deadline for the program; a transport that cannot stop the program reports the overrun as an error. */
  timeoutMs?: number;
}

/** Operations on one Windows node. Every method may throw a `HostError`. */
export interface HostOps {
  /** The node name as configured in the stack (also the EXPRESSCLUSTER server name). */
  readonly host: string;

  /** `hostname`, `$env:TEMP`/`$env:TMP`, admin check. */
  environment(): Promise<HostEnvironment>;
  /** Free bytes on the volume holding `path` (`Get-CimInstance Win32_LogicalDisk` / `Get-PSDrive`). */
  freeSpace(path: string): Promise<number>;

  /** `Get-CimInstance Win32_Service`, all services (callers filter). */
  services(): Promise<ServiceInfo[]>;
  /** `Set-Service -Name <name> -StartupType <type>` */
  setStartType(name: string, startType: StartType): Promise<void>;
  /** `Start-Service -Name <name>`; waits until Running or throws. */
  startService(name: string): Promise<void>;
  /** `Stop-Service -Name <name> -Force`; waits until Stopped or throws. */
  stopService(name: string): Promise<void>;

  /** `Test-Path` + `Get-Item`: what `path` is, or null when it does not exist. */
  stat(path: string): Promise<FileKind | null>;
  /** `[IO.File]::ReadAllBytes` */
  readFile(path: string): Promise<Buffer>;
  /** `[IO.File]::WriteAllBytes`, creating parent folders (`New-Item -ItemType Directory -Force`). */
  writeFile(path: string, content: Buffer): Promise<void>;
  /** `Get-ChildItem` of one folder. */
  list(dir: string): Promise<DirEntry[]>;
  /** `Get-ChildItem -Recurse -File | Get-FileHash -Algorithm SHA256`: the manifest of a tree. */
  hashTree(dir: string): Promise<TreeEntry[]>;
  /** `Copy-Item -Recurse -Force` on the node (file or folder; the destination is replaced). */
  copy(from: string, to: string): Promise<void>;
  /** `Move-Item -Force` (rename) on the node. */
  move(from: string, to: string): Promise<void>;
  /** `Remove-Item -Recurse -Force`; no error when absent (`rmdir /q /s`, `del`). */
  remove(path: string): Promise<void>;
  /** `New-Item -ItemType Directory -Force` */
  mkdir(path: string): Promise<void>;

  /**
   * Run a program or .bat with arguments and wait: `& cmd.exe /c <bat> <args>` or
   * `Start-Process -Wait -PassThru` for installers. Arguments are passed as data, one element each; a
   * `Secret` argument never appears in a log, a timeline or an error.
   */
  run(program: string, args: readonly Arg[], options?: RunOptions): Promise<RunResult>;

  /** Registry Uninstall keys (both views): installed products and versions. Never `Win32_Product`. */
  installedProducts(): Promise<InstalledProduct[]>;

  /** `Get-Process`: image names (without .exe) of running processes. */
  processes(): Promise<string[]>;
  /** `Stop-Process -Name <name> -Force`; no error when none runs. */
  stopProcess(name: string): Promise<void>;

  /**
   * `Get-NetFirewallProfile` and `Get-NetFirewallRule -Direction Inbound -Action Allow -Enabled True` with
   * their `Get-NetFirewallPortFilter` (ActiveStore): what Windows Firewall lets in (§2.2.1).
   */
  firewall(): Promise<FirewallState>;

  /** `Test-NetConnection -ComputerName <address> -Port <port>` from this node: does something answer? */
  probeTcp(address: string, port: number, timeoutMs: number): Promise<boolean>;
}

/** What went wrong on a host, with enough context for an operator; never carries a secret. */
export class HostError extends Error {
  constructor(
    readonly host: string,
    readonly operation: string,
    message: string,
    readonly kind: "unreachable" | "timeout" | "failed" = "failed",
  ) {
    super(`${host}: ${operation}: ${message}`);
    this.name = "HostError";
  }
}
