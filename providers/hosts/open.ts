/**
 * Open the target the provider settings name: the lab (default) or real nodes through PowerShell remoting.
 * Backends are loaded on demand, so a lab run never loads node-powershell or mssql and a real run never
 * loads the lab.
 */
import { resolve } from "node:path";
import type { ProviderSettings } from "../config/provider";
import { nodeAddress } from "../config/stack";
import type { Secret } from "./secret";
import type { SqlOps, Target } from "./target";

export async function openTarget(settings: ProviderSettings): Promise<Target> {
  return settings.target === "lab" ? openLab(settings) : openPowerShell(settings);
}

async function openLab(settings: ProviderSettings): Promise<Target> {
  const lab = await import("../lab");
  // The provider process runs in the project folder; a relative lab folder is relative to it.
  const dir = resolve(process.cwd(), settings.lab.dir);
  if (!lab.labExists(dir) && !settings.stackConfig) {
    throw new Error(
      `the lab folder ${dir} holds no cluster yet, and the stack config cannot describe one: ${settings.stackConfigProblem ?? "unknown problem"}`,
    );
  }
  return lab.openLabTarget({
    dir,
    ...(settings.stackConfig ? { spec: lab.labSpecFromStackConfig(settings.stackConfig) } : {}),
    timeScale: settings.lab.timeScale,
    faults: settings.lab.faults,
  });
}

async function openPowerShell(settings: ProviderSettings): Promise<Target> {
  const { openPowerShellTarget } = await import("../powershell");
  const sql = settings.sqlPassword ? await mssql(settings, settings.sqlPassword) : withoutSql();
  return openPowerShellTarget({
    remoting: settings.remoting,
    ...(settings.remotingPassword ? { password: settings.remotingPassword } : {}),
    hosts: [...settings.hosts, ...settings.consoles],
    sql,
    log: (line) => console.log(line),
  });
}

async function mssql(settings: ProviderSettings, password: Secret): Promise<SqlOps> {
  const { mssqlOps } = await import("../sql/mssql");
  return mssqlOps({
    servers: Object.fromEntries(settings.hosts.map((h) => [h, nodeAddress(settings.remoting, h)])),
    user: settings.sqlUser,
    password,
  });
}

/** Internal-DB clusters never reach SQL Server; asking anyway names the missing setting. */
function withoutSql(): SqlOps {
  const refuse = async (): Promise<never> => {
    throw new Error(
      "netmgr:sqlPassword is not set: pulumi config set --secret sqlPassword <password of netmgr:sqlUser>",
    );
  };
  return {
    instanceInfo: refuse,
    databases: refuse,
    backup: refuse,
    verify: refuse,
    restore: refuse,
    detach: refuse,
  };
}
