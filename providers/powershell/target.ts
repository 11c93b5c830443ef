/**
 * The PowerShell target: real Windows nodes reached through PowerShell remoting from the controller.
 *
 * Transport per stack config (netmgr:remoting):
 * - `ssh` (a Linux controller; WSMan remoting is not supported from Linux clients, per "WSMan Remoting in PowerShell"):
 *   `New-PSSession -HostName <address> [-UserName] [-KeyFilePath] [-Port]`, key authentication only.
 * - `winrm` (a Windows controller): `New-PSSession -ComputerName <address> [-Credential] [-ConfigurationName]
 *   [-Port]`; without netmgr:remotingPassword the controller's own Windows logon is used (Kerberos).
 */
import { Remoting, nodeAddress } from "../config/stack";
import type { Secret } from "../hosts/secret";
import type { Clock, SqlOps, StagedMedia, StageMediaOptions, Target } from "../hosts/target";
import { encodePayload, oneLiner } from "./encode";
import { PowerShellHostOps } from "./host-ops";
import { DEFAULT_TIMEOUTS } from "./limits";
import { PAYLOAD_KINDS, scriptFor, type OperationName } from "./scripts";
import { ShellPool, type OpenSpec } from "./shell-pool";
import { stageMedia, stageMediaFolder, type StageOptions } from "./stage";

export interface PowerShellTargetSettings {
  /** netmgr:remoting (parsed again here, so defaults apply even to a hand-built object). */
  remoting: Remoting;
  /** netmgr:remotingPassword, from the provider's configure (WinRM only). */
  password?: Secret;
  /** Every host the procedures may address: the cluster nodes and the monitoring terminals. */
  hosts: readonly string[];
  /** SQL Server access (providers/sql). */
  sql: SqlOps;
  /** Progress and diagnostics, one line each; never carries a secret. */
  log?: (line: string) => void;
  /** Deadline overrides per operation (ms). */
  timeouts?: Partial<Record<OperationName, number>>;
  /** Extra environment variables for the local PowerShell processes. */
  shellEnv?: Readonly<Record<string, string>>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class PowerShellTarget implements Target {
  readonly kind = "powershell" as const;
  readonly clock: Clock = realClock;
  readonly sql: SqlOps;
  private readonly remoting: Remoting;
  private readonly pool: ShellPool;
  private readonly hostOps = new Map<string, PowerShellHostOps>();
  private readonly hosts: readonly string[];
  private readonly log: (line: string) => void;
  private readonly timeouts: Readonly<Record<OperationName, number>>;
  private readonly password: Secret | undefined;

  constructor(settings: PowerShellTargetSettings) {
    this.remoting = Remoting.parse(settings.remoting);
    this.sql = settings.sql;
    this.hosts = [...settings.hosts];
    this.password = settings.password;
    this.log = settings.log ?? (() => undefined);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...settings.timeouts };
    checkSettings(this.remoting, this.hosts, this.password, this.log);
    this.pool = new ShellPool({
      executable: this.remoting.pwsh,
      env: settings.shellEnv,
      open: (node) => this.openSpec(node),
      closeLine: oneLiner(scriptFor("closeSession"), encodePayload(PAYLOAD_KINDS.closeSession, [])),
      secrets: [this.password],
      log: this.log,
    });
  }

  /** A cluster node or monitoring terminal by its configured name (case-insensitive). */
  host(name: string): PowerShellHostOps {
    const configured = this.hosts.find((h) => h.toLowerCase() === name.toLowerCase());
    if (configured === undefined)
      throw new Error(
        `${name} is not a configured host (netmgr:hosts or netmgr:consoles): ${this.hosts.join(", ")}`,
      );
    const key = configured.toLowerCase();
    let ops = this.hostOps.get(key);
    if (!ops) {
      ops = new PowerShellHostOps(configured, {
        pool: this.pool,
        timeouts: this.timeouts,
        secrets: [this.password],
      });
      this.hostOps.set(key, ops);
    }
    return ops;
  }

  /**
   * Copy an installer media folder from the controller (a local path, or a UNC share on a Windows controller)
   * to `<netmgr:remoting.stagingDir>\<name>` on the node, verified by SHA-256; returns the node-local path to
   * give Setup.exe. An identical copy already there is kept. See stage.ts.
   */
  async stageMedia(source: string, node: string, options: StageOptions = {}): Promise<string> {
    return stageMedia(this.host(node), source, this.remoting.stagingDir, options, this.log);
  }

  /**
   * Target.stageMediaTo: the same copy into any node folder (the chain's MediaStaging stages each media to its
   * `path`). Progress goes to `onProgress` when given, else to the target's log.
   */
  async stageMediaTo(
    source: string,
    node: string,
    destination: string,
    options: StageMediaOptions = {},
  ): Promise<StagedMedia> {
    const ops = this.host(node);
    const shared = options.sourceManifests;
    let sourceManifest = shared?.get(source);
    if (shared && !sourceManifest) {
      sourceManifest = ops.controllerManifest(source);
      shared.set(source, sourceManifest);
    }
    return stageMediaFolder(
      ops,
      source,
      destination,
      {
        ...(options.replace !== undefined ? { replace: options.replace } : {}),
        ...(sourceManifest ? { sourceManifest } : {}),
      },
      options.onProgress ?? this.log,
    );
  }

  /** Remove every remoting session, stop the local shells, and close the SQL Server connections. */
  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.sql.close?.()]);
  }

  private addressOf(node: string): string {
    return nodeAddress(this.remoting, node);
  }

  private openSpec(node: string): OpenSpec {
    const r = this.remoting;
    const address = this.addressOf(node);
    if (r.transport === "ssh") {
      const timeoutMs = this.timeouts.openSsh;
      const values = [address, r.user ?? null, r.keyFile ?? null, r.port ?? null, timeoutMs];
      return {
        line: oneLiner(scriptFor("openSsh"), encodePayload(PAYLOAD_KINDS.openSsh, values)),
        timeoutMs,
        describe: `SSH remoting session to ${address}${r.user ? ` as ${r.user}` : ""}`,
      };
    }
    const timeoutMs = this.timeouts.openWinrm;
    // Revealed here, at the last moment, into the payload only (see OPEN_WINRM_LOCAL in scripts.ts).
    const values = [
      address,
      r.user ?? null,
      this.password?.reveal() ?? null,
      r.configurationName ?? null,
      r.port ?? null,
      timeoutMs,
    ];
    const hint =
      process.platform === "win32" ? "" : " (WinRM needs a Windows controller; from Linux use transport ssh)";
    return {
      line: oneLiner(scriptFor("openWinrm"), encodePayload(PAYLOAD_KINDS.openWinrm, values)),
      timeoutMs,
      describe: `WinRM remoting session to ${address}${r.user ? ` as ${r.user}` : ""}${r.configurationName ? ` (${r.configurationName})` : ""}${hint}`,
    };
  }
}

function checkSettings(
  remoting: Remoting,
  hosts: readonly string[],
  password: Secret | undefined,
  log: (line: string) => void,
): void {
  if (hosts.length === 0) throw new Error("the PowerShell target needs at least one host");
  const seen = new Set<string>();
  for (const h of hosts) {
    if (h.trim().length === 0) throw new Error("a host name is empty");
    if (seen.has(h.toLowerCase())) throw new Error(`host ${h} is listed twice`);
    seen.add(h.toLowerCase());
  }
  if (remoting.transport === "winrm" && password !== undefined && !remoting.user) {
    throw new Error(
      "netmgr:remotingPassword is set but netmgr:remoting.user is not: set the user the password belongs to",
    );
  }
  if (remoting.transport === "ssh" && password !== undefined) {
    log(
      "netmgr:remotingPassword is not used with SSH remoting (key authentication, netmgr:remoting.keyFile)",
    );
  }
}

/** Build the PowerShell target from the provider's settings. Nothing is contacted until the first operation. */
export function openPowerShellTarget(settings: PowerShellTargetSettings): PowerShellTarget {
  return new PowerShellTarget(settings);
}
