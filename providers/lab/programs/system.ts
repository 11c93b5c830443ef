/** cmd.exe /c, net start|stop and hostname: the Windows commands the guide itself uses (§4.2.1 step 4a). */
import { failed, lines, ok, type Emulator } from "./context";
import { ServiceError, findService, startService, stopService } from "../services";
import { hostOf } from "../world";

export const net: Emulator = (ctx) => {
  const [verb, ...rest] = ctx.args;
  const name = rest.join(" ");
  if (!verb || !["start", "stop"].includes(verb.toLowerCase()) || !name) {
    return failed(1, lines("The syntax of this command is:", "", "NET START | STOP service"));
  }
  const svc = findService(ctx.s, ctx.host, name);
  if (!svc)
    return failed(
      2,
      lines("The service name is invalid.", "", "More help is available by typing NET HELPMSG 2185."),
    );
  try {
    if (verb.toLowerCase() === "start") {
      if (svc.state === "Running") return failed(2, lines("The requested service has already been started."));
      startService(ctx.s, ctx.host, svc.name, "net start");
      return ok(
        lines(
          `The ${svc.displayName} service is starting.`,
          `The ${svc.displayName} service was started successfully.`,
        ),
      );
    }
    if (svc.state === "Stopped") return failed(2, lines(`The ${svc.displayName} service is not started.`));
    stopService(ctx.s, ctx.host, svc.name, "net stop");
    return ok(
      lines(
        `The ${svc.displayName} service is stopping.`,
        `The ${svc.displayName} service was stopped successfully.`,
      ),
    );
  } catch (e) {
    if (e instanceof ServiceError)
      return failed(2, lines(`The ${svc.displayName} service could not be started.`, e.message));
    throw e;
  }
};

export const hostname: Emulator = (ctx) =>
  ctx.args.length > 0
    ? failed(1, lines("sethostname: Use the Network Control Panel Applet to set hostname."))
    : ok(lines(hostOf(ctx.s, ctx.host).name));
