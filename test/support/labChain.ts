/** A lab in a temp folder driven in-process by the chain, for the roll-forward and failback suites. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WORK_DIR } from "../../providers/procedures/env";
import { compareSnapshots, enableWebApi, snapshot, type LabSnapshot } from "../../providers/lab";
import { ChainDriver } from "./chainDriver";

export const MEDIA = {
  newMedia: { path: "D:\\media\\NetMgr-9.0", layout: "plain" },
  oldMedia: { path: "D:\\media\\NetMgr-8.0", layout: "plain" },
};

/**
 * What the failback invariant leaves out besides logs and backups (the lab's own exclusions): the chain's
 * work folder (backups, saved copies, records), and the monitoring terminal's SysMonSvc process, which the
 * View installer stops and a person starts again with the console (§3.6 Caution, §3.7 step 1).
 */
export const INVARIANT_EXCLUDES = { excludeRoots: [WORK_DIR] };

export function invariantDifferences(a: LabSnapshot, b: LabSnapshot): string[] {
  return compareSnapshots(a, b).filter((d) => !/: process SysMonSvc (added|removed)$/.test(d));
}

export class LabChain {
  readonly dir = mkdtempSync(join(tmpdir(), "netmgr-chain-"));
  readonly driver: ChainDriver;

  constructor(config: Record<string, unknown>) {
    this.driver = new ChainDriver({
      ...MEDIA,
      ...config,
      lab: { ...((config.lab as object) ?? {}), dir: this.dir },
    });
  }

  get config(): Record<string, unknown> {
    return this.driver.config;
  }

  snapshot(): Promise<LabSnapshot> {
    return snapshot(this.dir, INVARIANT_EXCLUDES);
  }

  /** Roll forward to the end, playing the §3.8 GUI step when the chain stops for it. */
  rollForward(): Promise<void> {
    return rollForwardPlayingGui(this.driver, this.dir);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `up` to the end; when the chain stops at §3.8 (a GUI step), play the person who ticks the box, and resume. */
export async function rollForwardPlayingGui(driver: ChainDriver, dir: string): Promise<void> {
  try {
    await driver.up();
  } catch (e) {
    if (!/Use Web API Function/.test((e as Error).message)) throw e;
    await enableWebApi(dir);
    await driver.up();
  }
}

/** Silence the providers' progress lines (they go to console.log, as in the provider process). */
export function quietProgress(): jest.SpyInstance {
  return jest.spyOn(console, "log").mockImplementation(() => undefined);
}
