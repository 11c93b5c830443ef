/**
 * §3.3: NvPROIms.ini from the media, placed on the shared disk from the active host and filled with the
 * Table 2-4 parameters (or, without the Web Console, InstanceID blank and sendEvent=0). Required for sources
 * of 8.0 or lower.
 */
import { mediaPath } from "../catalogue/media";
import type { Media, WebConsole } from "../config/stack";
import type { HostOps } from "../hosts/types";
import { readText, writeText, type Env } from "./env";
import { shared, type NetMgrPaths } from "./paths";
import { findIniValue, parseIni, setIniValue } from "./text";

export interface ImsSettings {
  InstanceID: string;
  MessageQueueIP: string | null;
  MessageQueuePort: string | null;
  sendEvent: string;
}

/** What §3.3 step 2 requires the file to say. */
export function expectedIms(w: WebConsole): ImsSettings {
  return w.enabled
    ? {
        InstanceID: w.managerId,
        MessageQueueIP: w.imsAddress,
        MessageQueuePort: String(w.port),
        sendEvent: String(w.sendEvent),
      }
    : { InstanceID: "", MessageQueueIP: null, MessageQueuePort: null, sendEvent: "0" };
}

export function fillIms(template: string, s: ImsSettings): string {
  let text = setIniValue(template, "NOMS", "InstanceID", s.InstanceID);
  if (s.MessageQueueIP !== null) text = setIniValue(text, "NOMS", "MessageQueueIP", s.MessageQueueIP);
  if (s.MessageQueuePort !== null) text = setIniValue(text, "NOMS", "MessageQueuePort", s.MessageQueuePort);
  return setIniValue(text, "EVENT", "sendEvent", s.sendEvent);
}

export async function observeIms(env: Env, host: HostOps, paths: NetMgrPaths): Promise<ImsSettings | null> {
  const text = await readText(env, host, shared(paths).imsIni);
  if (text === undefined) return null;
  const ini = parseIni(text);
  return {
    InstanceID: findIniValue(ini, "InstanceID") ?? "",
    MessageQueueIP: findIniValue(ini, "MessageQueueIP") ?? null,
    MessageQueuePort: findIniValue(ini, "MessageQueuePort") ?? null,
    sendEvent: findIniValue(ini, "sendEvent") ?? "",
  };
}

/** Does the file say what §3.3 requires? (Unset optional keys are not compared.) */
export function imsMatches(expected: ImsSettings, observed: ImsSettings | null): boolean {
  if (!observed) return false;
  return (
    observed.InstanceID === expected.InstanceID &&
    observed.sendEvent === expected.sendEvent &&
    (expected.MessageQueueIP === null || observed.MessageQueueIP === expected.MessageQueueIP) &&
    (expected.MessageQueuePort === null || observed.MessageQueuePort === expected.MessageQueuePort)
  );
}

/** §3.3 steps 1-2. */
export async function placeImsIni(
  env: Env,
  host: HostOps,
  paths: NetMgrPaths,
  media: Media,
  w: WebConsole,
): Promise<void> {
  const template = (await readText(env, host, mediaPath(media, "imsIni"))) ?? "";
  env.progress.say(
    `placing ${shared(paths).imsIni} from the media (§3.3) with ${w.enabled ? `InstanceID=${w.managerId}, MessageQueueIP=${w.imsAddress}` : "the Web Console off (InstanceID blank, sendEvent=0)"}`,
    host.host,
  );
  await writeText(env, host, shared(paths).imsIni, fillIms(template, expectedIms(w)));
}
