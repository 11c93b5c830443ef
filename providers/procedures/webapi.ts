/**
 * §3.8: WebAPI communication for the Web Console. The guide does it in the console GUI; this step verifies it
 * (the option recorded on the shared disk and the WebAPI port answering) or stops with the exact GUI steps.
 * Where the option is stored is UNCONFIRMED (providers/catalogue/unconfirmed.ts WEBAPI_INI).
 */
import { WEBAPI_INI } from "../catalogue/unconfirmed";
import { StepError, readText, type Env } from "./env";
import { winJoin, type NetMgrPaths } from "./paths";
import { findIniValue, parseIni } from "./text";

export interface WebApiObserved {
  enabled: boolean;
  answering: boolean;
}

export async function observeWebApi(
  env: Env,
  host: string,
  address: string,
  port: number,
  paths: NetMgrPaths,
): Promise<WebApiObserved> {
  const h = env.target.host(host);
  const text = await readText(env, h, winJoin(paths.sharePath, WEBAPI_INI.relativeToShare));
  const ini = text ? parseIni(text) : {};
  const enabled = findIniValue(ini, "Use") === "1";
  return { enabled, answering: await h.probeTcp(address, port, 10_000) };
}

export const GUI_STEPS = (port: number) => [
  `1. Start the NetMgr monitoring terminal: double-click the "Console" icon on the desktop.`,
  `2. Setting > Configuration Mode.`,
  `3. Setting > Option: the Option Setting dialog opens.`,
  `4. Open the Web Monitoring View tab.`,
  `5. Check "Use Web API Function".`,
  `6. Port: ${port} (and "Use HTTPS cryptogram" as ims-conf.ini of the IMS component says).`,
  `7. Click OK, then run pulumi up again: this step verifies the setting and the port.`,
];

export async function verifyWebApi(
  env: Env,
  host: string,
  address: string,
  port: number,
  paths: NetMgrPaths,
): Promise<WebApiObserved> {
  const o = await observeWebApi(env, host, address, port, paths);
  if (o.enabled && o.answering) {
    env.progress.say(`WebAPI is enabled and answers at ${address}:${port} (§3.8)`, host);
    return o;
  }
  throw new StepError(
    "WebApi",
    host,
    `WebAPI communication is ${o.enabled ? "enabled but nothing answers" : "not enabled"} on port ${port}. It is a GUI setting; do this on a monitoring terminal connected to the Manager`,
    "§3.8",
    GUI_STEPS(port),
    "do this",
  );
}
