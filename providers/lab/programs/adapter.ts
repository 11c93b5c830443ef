/**
 * adapter-setup.bat / adapter-remove.bat (§3.4.1, §4.2.2 step 3): register or remove the three services
 * added in 9.0. adapter-setup.bat registers them with startup type Auto and starts the Performance Database
 * (§3.4.1 step 4 then sets them Manual and stops them); it creates the Performance Database on the shared
 * disk when the data has none yet (sources earlier than 8.0), and writes NvPROAdapter.ini, which
 * adapter-remove.bat leaves behind (§4.2.2 step 4 deletes it by hand).
 */
import { failed, lines, ok, type Emulator } from "./context";
import { ADAPTER_SERVICES, instantiate } from "../../catalogue/versions";
import { hostOf, sharedReachable, sharedSg } from "../world";
import { mkdirp, statPath, writeBytes } from "../fs";
import { enc } from "../texts";
import { spend } from "../engine";
import { findService, startService, stopService, ServiceError } from "../services";
import { adapterIniPath, adapterIniText } from "../install";
import { dbContentPath, internalDataDir, newDb, serializeDb } from "../db";
import { record } from "../timeline";

export const ADAPTER_MS = 60_000;

const adapterServices = (): { name: string; displayName: string }[] =>
  ADAPTER_SERVICES.map((a) => ({ name: instantiate(a.name, 1), displayName: instantiate(a.displayName, 1) }));

export const adapterSetup: Emulator = (ctx) => {
  const { s, host } = ctx;
  if (ctx.args.length > 0) return failed(1, lines("Usage: adapter-setup.bat (no arguments)"));
  const h = hostOf(s, host);
  if (!h.manager)
    return failed(
      1,
      lines("adapter-setup: the Network Manager Manager function is not installed on this host."),
    );
  spend(s, ADAPTER_MS);
  const existing = adapterServices().filter((a) => findService(s, host, a.name));
  if (existing.length > 0) {
    return failed(
      1,
      lines(
        ...existing.flatMap((a) => [
          `[SC] CreateService FAILED 1073: ${a.name}`,
          "",
          "The specified service already exists.",
        ]),
      ),
    );
  }
  if (!sharedReachable(s, host)) {
    return failed(
      1,
      lines(
        `adapter-setup: cannot create the performance database: ${sharedSg(s)} is not accessible (run it on the active host, §3.4.1).`,
      ),
    );
  }
  const perfDir = internalDataDir(s, "NvPROPerfDB");
  if (statPath(s, host, dbContentPath(s, "perf")) !== "file") {
    mkdirp(s, host, perfDir);
    writeBytes(
      s,
      host,
      dbContentPath(s, "perf"),
      serializeDb(newDb("postgres", "NvPROPerfDB", ctx.version ?? h.manager.version, 0)),
    );
  }
  const out: string[] = [];
  for (const a of adapterServices()) {
    h.services.push({ name: a.name, displayName: a.displayName, startType: "Auto", state: "Stopped" });
    record(s, "note", `${host}: service ${a.displayName} registered (Auto)`, { host });
    out.push(`[SC] CreateService SUCCESS: ${a.name}`);
  }
  writeBytes(s, host, adapterIniPath(s), enc(s, adapterIniText(ctx.version ?? "")));
  try {
    startService(s, host, "NvPROPerfDB", "started by adapter-setup.bat");
    out.push("The NvPRO Performance Database service was started successfully.");
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    out.push(`The NvPRO Performance Database service could not be started: ${e.message}`);
  }
  out.push("adapter-setup completed.");
  return ok(lines(...out));
};

export const adapterRemove: Emulator = (ctx) => {
  const { s, host } = ctx;
  if (ctx.args.length > 0) return failed(1, lines("Usage: adapter-remove.bat (no arguments)"));
  const h = hostOf(s, host);
  spend(s, ADAPTER_MS);
  const out: string[] = [];
  let missing = 0;
  for (const a of adapterServices()) {
    const svc = findService(s, host, a.name);
    if (!svc) {
      missing++;
      out.push(
        `[SC] OpenService FAILED 1060: ${a.name}`,
        "",
        "The specified service does not exist as an installed service.",
      );
      continue;
    }
    if (svc.state === "Running") stopService(s, host, a.name, "stopped by adapter-remove.bat");
    h.services = h.services.filter((x) => x !== svc);
    record(s, "note", `${host}: service ${a.displayName} deleted`, { host });
    out.push(`[SC] DeleteService SUCCESS: ${a.name}`);
  }
  out.push("adapter-remove completed.");
  return missing > 0 ? failed(1, lines(...out)) : ok(lines(...out));
};
