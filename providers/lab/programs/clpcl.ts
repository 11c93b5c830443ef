/**
 * clpcl --suspend | --resume [-a] [--force] (research expresscluster.md §3). Suspended, the cluster stops
 * monitoring (no recovery), refuses group operations, and takes a pushed configuration into effect at resume
 * (§3.4.2 step 5: "stop of the failover group and cluster suspend are executed ... execute cluster resume").
 */
import { failed, lines, ok, type Emulator } from "./context";
import { spend } from "../engine";
import { record } from "../timeline";
import { sameScripts } from "./clpcfctrl";

export const CLPCL_MS = 5_000;

export const clpcl: Emulator = (ctx) => {
  const { s } = ctx;
  const [op, ...rest] = ctx.args;
  if ((op !== "--suspend" && op !== "--resume") || rest.some((x) => x !== "-a" && x !== "--force")) {
    return failed(
      1,
      lines(
        "Invalid option.",
        "Usage: clpcl --suspend [-a] [--force] | --resume [-a]  (the lab models suspend and resume only)",
      ),
    );
  }
  spend(s, CLPCL_MS);
  if (op === "--suspend") {
    if (!s.cluster.suspended) {
      s.cluster.suspended = true;
      record(s, "cluster", "cluster suspended");
    }
    return ok(lines(...s.spec.hosts.map((h) => `Suspend ${h} : Command succeeded.`)));
  }
  if (s.cluster.suspended || s.cluster.pendingSettings) {
    const changed =
      s.cluster.effective !== s.cluster.conf || !sameScripts(s.cluster.effectiveScripts, s.cluster.scripts);
    s.cluster.effective = s.cluster.conf;
    s.cluster.effectiveScripts = { ...s.cluster.scripts };
    s.cluster.pendingSettings = false;
    if (s.cluster.suspended) {
      s.cluster.suspended = false;
      record(s, "cluster", `cluster resumed${changed ? ": the pushed configuration is in effect" : ""}`);
    }
  }
  return ok(lines(...s.spec.hosts.map((h) => `Resume ${h} : Command succeeded.`)));
};
