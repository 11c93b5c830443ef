/**
 * Parse the text of `clpstat --long` (or plain `clpstat` / `clpstat -s`) into a ClusterStatus.
 *
 * Layout (EXPRESSCLUSTER X 3.x … 5.x, Windows and Linux print the same; docs/expresscluster.md "clpstat"):
 *
 *    ========================  CLUSTER STATUS  ===========================
 *     Cluster : nm-cluster
 *     <server>
 *      *nm-host1 .........................: Online           comment
 *         lankhb1                         : Normal           LAN Heartbeat
 *     <group>
 *       failover-nm ......................: Online
 *         current                         : nm-host1
 *         fip                             : Online
 *     <monitor>
 *       fipw1                             : Normal
 *    =====================================================================
 *
 * `*` marks the server the command ran on. A header line (server, group) has a dot leader after its name and
 * is followed by lines indented deeper (heartbeats under a server; `current` and resources under a group).
 * After the state a column may hold the object's comment or type ("LAN Heartbeat"). Plain `clpstat` pads and
 * cuts names to a fixed width, so callers run `--long` (seen in NEC's X 5.0 samples; commands.ts).
 */
import { ClusterStatus, type GroupStatus } from "./cluster";

export class ClpstatParseError extends Error {
  override name = "ClpstatParseError";
}

/** State words that contain a space; any other state is the first word after the colon. */
const MULTI_WORD_STATES = [
  "Online Pending",
  "Offline Pending",
  "Online Failure",
  "Offline Failure",
  "Not Used",
] as const;

type Section = "none" | "server" | "group" | "monitor" | "other";

interface Entry {
  /** Column where the name starts (after the `*` marker), which tells headers from the lines under them. */
  indent: number;
  local: boolean;
  name: string;
  state: string;
  /** A dot leader follows the name ("name ....: state"): servers and groups, never the lines under them. */
  leader: boolean;
}

/** `<indent>[*]<name>[ ....]: <state>[   <comment>]`; the dot leader follows server and group names. */
const ENTRY = /^(\s*\*?\s*)(\S(?:.*?\S)?)\s*?(\s\.+|\.{2,})?\s*:\s*(.*)$/;

export function parseClpstat(text: string): ClusterStatus {
  let cluster: string | undefined;
  let section: Section = "none";
  let sawGroupSection = false;
  let groupIndent: number | undefined;
  let serverIndent: number | undefined;
  const servers: ClusterStatus["servers"] = [];
  const groups: GroupStatus[] = [];
  const monitors: ClusterStatus["monitors"] = [];

  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/\s+$/, "");
    if (line.trim() === "" || /^\s*=+/.test(line) || /^\s*-{3,}\s*$/.test(line)) return;

    const header = /^\s*<(\w+)>\s*$/.exec(line);
    if (header) {
      const name = (header[1] ?? "").toLowerCase();
      section = name === "server" || name === "group" || name === "monitor" ? name : "other";
      if (section === "group") sawGroupSection = true;
      return;
    }

    const clusterLine = /^\s*Cluster\s*:\s*(.*)$/.exec(line);
    if (section === "none" && clusterLine) {
      cluster = (clusterLine[1] ?? "").trim();
      return;
    }

    const entry = parseEntry(line);
    const where = `clpstat line ${i + 1}: "${line.trim()}"`;
    switch (section) {
      case "server": {
        if (!entry) return; // tolerate what we do not need
        serverIndent ??= entry.indent;
        if (entry.leader || entry.indent <= serverIndent) {
          servers.push({ name: entry.name, state: entry.state, local: entry.local });
        }
        return;
      }
      case "group": {
        if (!entry) throw new ClpstatParseError(`cannot read the group status: ${where}`);
        if (entry.leader) groupIndent ??= entry.indent;
        if (entry.leader || (groupIndent !== undefined && entry.indent <= groupIndent)) {
          groups.push({ name: entry.name, state: entry.state, current: null, resources: [] });
          return;
        }
        const group = groups[groups.length - 1];
        if (!group) throw new ClpstatParseError(`a resource line precedes every group: ${where}`);
        if (entry.name === "current")
          group.current = entry.state === "None" || entry.state === "" ? null : entry.state;
        else group.resources.push({ name: entry.name, state: entry.state });
        return;
      }
      case "monitor":
        if (entry) monitors.push({ name: entry.name, state: entry.state });
        return;
      default:
        return;
    }
  });

  if (!sawGroupSection) {
    const first = lines.find((l) => l.trim() !== "")?.trim() ?? "(empty output)";
    throw new ClpstatParseError(`clpstat output has no <group> section (first line: "${first}")`);
  }
  return ClusterStatus.parse({ cluster: cluster ?? "", servers, groups, monitors });
}

function parseEntry(line: string): Entry | undefined {
  const m = ENTRY.exec(line);
  if (!m) return undefined;
  const [, lead = "", name = "", leader, rest = ""] = m;
  if (name.includes(":")) return undefined;
  return {
    indent: lead.length,
    local: lead.includes("*"),
    name,
    state: stateOf(rest),
    leader: leader !== undefined,
  };
}

/** The state, without the comment column that may follow it. */
export function stateOf(rest: string): string {
  const text = rest.trim();
  for (const s of MULTI_WORD_STATES) {
    if (text === s || text.startsWith(`${s} `)) return s;
  }
  return text.split(/\s+/)[0] ?? "";
}
