/**
 * Windows Firewall on the lab's hosts (§2.2.1, HostOps.firewall). A new lab starts with §2.2.1 done: the
 * nodes let in the ports its spec names (from the stack config: the console port, the WebAPI port with the
 * Web Console, netmgr:firewall.ports), beside the usual Windows rules. `netmgr-lab firewall close` takes a
 * port away to rehearse the pre-flight's refusal.
 */
import type { FirewallRule, FirewallState } from "../hosts/types";
import type { LabHostState, LabState } from "./state";
import type { LabSpec } from "./spec";
import { record } from "./timeline";
import { LabError, hostOf } from "./world";

const PROFILES = ["Domain", "Private", "Public"];
export const NETMGR_RULE = "MasterScope Network Manager";

/** Rules every Windows Server has, so that the lab's answers are not only NetMgr's. */
const WINDOWS_RULES: FirewallRule[] = [
  { name: "Remote Desktop - User Mode (TCP-In)", protocol: "TCP", localPorts: ["3389"] },
  { name: "Windows Remote Management (HTTP-In)", protocol: "TCP", localPorts: ["5985"] },
  { name: "File and Printer Sharing (Echo Request - ICMPv4-In)", protocol: "ICMPv4", localPorts: ["Any"] },
  { name: "Remote Service Management (RPC)", protocol: "TCP", localPorts: ["RPC"] },
];

export function initialFirewall(spec: LabSpec, role: LabHostState["role"]): FirewallState {
  const netmgr: FirewallRule[] = [];
  if (role === "node") {
    for (const protocol of ["TCP", "UDP"] as const) {
      const ports = spec.inboundPorts.filter((p) => p.protocol === protocol).map((p) => String(p.port));
      if (ports.length > 0)
        netmgr.push({ name: `${NETMGR_RULE} (${protocol}-In)`, protocol, localPorts: [...new Set(ports)] });
    }
  }
  return { enabledProfiles: [...PROFILES], inboundAllow: [...WINDOWS_RULES, ...netmgr] };
}

/** What the host's firewall lets in; a lab created before the firewall was modelled has it off. */
export function firewallOf(s: LabState, host: string): FirewallState {
  return hostOf(s, host).firewall ?? { enabledProfiles: [], inboundAllow: [] };
}

/** Take `port` out of every Allow rule of the host (rules left with no port are removed). */
export function closePort(s: LabState, host: string, port: number, protocol: "TCP" | "UDP"): number {
  const h = hostOf(s, host);
  const fw = firewallOf(s, host);
  let touched = 0;
  const rules: FirewallRule[] = [];
  for (const rule of fw.inboundAllow) {
    const sameProtocol = rule.protocol.toUpperCase() === protocol;
    const kept = sameProtocol ? rule.localPorts.filter((p) => p !== String(port)) : rule.localPorts;
    if (kept.length !== rule.localPorts.length) touched++;
    if (kept.length > 0) rules.push({ ...rule, localPorts: kept });
  }
  if (touched === 0)
    throw new LabError(`${host}: no Allow rule names ${protocol} ${port} (a rule for Any port is not split)`);
  h.firewall = { ...fw, inboundAllow: rules };
  record(s, "note", `${host}: Windows Firewall no longer lets in ${protocol} ${port}`, { host });
  return touched;
}

/** Add an Allow rule for `port`. */
export function openPort(s: LabState, host: string, port: number, protocol: "TCP" | "UDP"): void {
  const h = hostOf(s, host);
  const fw = firewallOf(s, host);
  const rule = { name: `Opened by hand: ${protocol} ${port}`, protocol, localPorts: [String(port)] };
  h.firewall = {
    enabledProfiles: fw.enabledProfiles.length > 0 ? fw.enabledProfiles : [...PROFILES],
    inboundAllow: [...fw.inboundAllow, rule],
  };
  record(s, "note", `${host}: Windows Firewall lets in ${protocol} ${port}`, { host });
}
