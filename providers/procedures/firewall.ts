/**
 * §2.2.1 "Confirming the firewall settings": the ports the updated Manager uses must be let in on both nodes
 * (the group runs on each in turn). What is let in is read from Windows Firewall (HostOps.firewall); whether a
 * port is covered is decided here, on the controller, so the rule matching is tested without Windows.
 *
 * Limits, said in the message and in docs/real-cluster.md: Block rules and per-profile scoping are not
 * weighed (an Allow rule for any enabled profile counts), and a firewall outside Windows is not seen; when
 * another firewall manages the nodes, netmgr:firewall.check false skips this check.
 */
import type { FirewallPort } from "../config/stack";
import type { FirewallRule, FirewallState } from "../hosts/types";

/** Does one LocalPort entry (`Any`, `12520`, `5000-5010`, a keyword) cover `port`? */
export function localPortCovers(entry: string, port: number): boolean {
  const e = entry.trim();
  if (/^any$/i.test(e)) return true;
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(e);
  if (range) return Number(range[1]) <= port && port <= Number(range[2]);
  return /^\d+$/.test(e) && Number(e) === port;
}

/** Does the rule let `port` in? */
export function ruleAllows(rule: FirewallRule, port: FirewallPort): boolean {
  const protocol = rule.protocol.trim().toUpperCase();
  // IANA numbers as Get-NetFirewallPortFilter may show them: 6 TCP, 17 UDP.
  const matches =
    protocol === "ANY" ||
    protocol === port.protocol ||
    (port.protocol === "TCP" && protocol === "6") ||
    (port.protocol === "UDP" && protocol === "17");
  return matches && rule.localPorts.some((entry) => localPortCovers(entry, port.port));
}

/** One message per required port that Windows Firewall on `host` does not let in; [] when the firewall is off. */
export function firewallProblems(
  host: string,
  state: FirewallState,
  required: readonly FirewallPort[],
): string[] {
  if (state.enabledProfiles.length === 0) return [];
  const on = state.enabledProfiles.join(", ");
  return required
    .filter((port) => !state.inboundAllow.some((rule) => ruleAllows(rule, port)))
    .map(
      (port) =>
        `${host}: Windows Firewall (on for ${on}) has no enabled inbound Allow rule for ${port.protocol} ${port.port} ` +
        `(${port.purpose}; §2.2.1): add one, e.g. New-NetFirewallRule -DisplayName 'NetMgr ${port.protocol} ${port.port}' ` +
        `-Direction Inbound -Action Allow -Protocol ${port.protocol} -LocalPort ${port.port}, or set ` +
        `netmgr:firewall.check false when another firewall manages the nodes`,
    );
}
