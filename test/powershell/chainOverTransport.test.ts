/**
 * The chain that passes on the lab, pointed at hosts through the PowerShell backend by stack config alone
 * (`netmgr:target: powershell`, `netmgr:remoting`): every host operation goes through the real transport
 * (one-line base64 scripts, payload encoding, the session pool over node-powershell, the marked result line,
 * zod) to a lab-backed pwsh (lab-pwsh/pwsh.js) that carries it out on a lab folder. Roll forward completes,
 * a second up and a refresh change nothing, and the failback returns the cluster to its state after the
 * preflight — the same checks as test/chain/rollForward.test.ts.
 *
 * The PowerShell target's clock is the real one (the lab's time passes only with what the operations take), so
 * the waits poll quickly and the §3.5 watch is short; everything else is the stack config of a real cluster.
 *
 * Both media come from folders on the controller (`stageFrom`): the MediaStaging step copies them through the
 * sessions (localManifest, copyToSession) to `C:\Media\...` on the nodes, and the failback removes the copies it
 * made. The controller folders hold the lab's own media files (programs the lab recognises when run). host1
 * already has an identical copy of the old media there before the update: it is used and kept.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT, parseStackConfig } from "../../providers/config/stack";
import type { HostOps } from "../../providers/hosts/types";
import { labSpecFromStackConfig, openLabTarget, snapshot } from "../../providers/lab";
import * as runtime from "../../providers/runtime";
import { ChainDriver } from "../support/chainDriver";
import { completedUpdateProblems, monitorNoRecovery } from "../support/labChecks";
import {
  INVARIANT_EXCLUDES,
  MEDIA,
  invariantDifferences,
  quietProgress,
  rollForwardPlayingGui,
} from "../support/labChain";
import { LAB_PWSH, LabShells } from "./labShells";

const ENV_KEYS = ["NODE_POWERSHELL", "NETMGR_LAB_DIR", "NETMGR_FAKE_LOG"] as const;

describe("the chain through the PowerShell transport, against a lab-backed pwsh", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netmgr-chain-pwsh-"));
  const shells = new LabShells(dir);
  const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  let quiet: jest.SpyInstance;

  const sources = fs.mkdtempSync(path.join(os.tmpdir(), "netmgr-media-src-"));
  const staged = { newMedia: "C:\\Media\\NetMgr-9.0", oldMedia: "C:\\Media\\NetMgr-8.0" } as const;
  const config: Record<string, unknown> = {
    newMedia: { ...MEDIA.newMedia, path: staged.newMedia, stageFrom: path.join(sources, "NetMgr-9.0") },
    oldMedia: { ...MEDIA.oldMedia, path: staged.oldMedia, stageFrom: path.join(sources, "NetMgr-8.0") },
    fromVersion: "8.0",
    target: "powershell",
    remoting: { transport: "ssh", user: "lab", keyFile: "/dev/null" },
    // Real time: poll every 50 ms, watch Operations Manager for 1 s after the first start (§3.5 step 1).
    deadlines: { pollSeconds: 0.05, operationsManagerWatchSeconds: 1 },
  };

  beforeAll(async () => {
    quiet = quietProgress();
    // The cluster the stack config describes, in the lab folder the fake shells serve; the lab's media at
    // D:\media (MEDIA) is where the controller's folders are filled from.
    const labConfig: Record<string, unknown> = { ...config, ...MEDIA };
    const stack = parseStackConfig((k) => {
      const v = labConfig[k];
      return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    });
    const lab = openLabTarget({ dir, spec: labSpecFromStackConfig(stack) });
    await copyToController(lab.host("host1"), MEDIA.newMedia.path, path.join(sources, "NetMgr-9.0"));
    await copyToController(lab.host("host1"), MEDIA.oldMedia.path, path.join(sources, "NetMgr-8.0"));
    // An operator's identical copy of the old media on host1, there before the update.
    await lab.host("host1").copy(MEDIA.oldMedia.path, staged.oldMedia);
    process.env.NODE_POWERSHELL = LAB_PWSH;
    Object.assign(process.env, shells.env);
  });

  afterAll(async () => {
    // A config the runtime has not seen closes its cached target: every session is removed, every shell stops.
    runtime.configure((key) => (key === `${PROJECT}:target` ? "lab" : undefined));
    const exited = await shells.allExited(20_000);
    // Every session that was opened was removed again (Get-PSSession | Remove-PSSession), none left to time out.
    const opened = shells.ends("openSsh").filter((c) => c.ok).length;
    const closed = shells.ends("closeSession").length;
    for (const k of ENV_KEYS) {
      if (savedEnv[k] === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = savedEnv[k];
    }
    quiet.mockRestore();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(sources, { recursive: true, force: true });
    shells.cleanup();
    expect(exited).toBe(true);
    expect(closed).toBe(opened);
  });

  it("stages the media, rolls forward, stays unchanged, and fails back to the exact starting state", async () => {
    const driver = new ChainDriver(config);
    expect(driver.plan.steps.slice(0, 3).map((s) => s.name)).toEqual([
      "01-preflight",
      "02-media-staging",
      "03-suppression",
    ]);
    await driver.up({ until: "preflight" });
    const before = await snapshot(dir, INVARIANT_EXCLUDES);
    const monitorBefore = await monitorNoRecovery(dir);
    const lab = openLabTarget({ dir });
    expect(await lab.host("host2").stat("C:\\Media")).toBeNull();

    await rollForwardPlayingGui(driver, dir);
    // Staged through the sessions onto both nodes; host1's old media was there already and is kept as it is.
    const staging = driver.state.get("media-staging")!.outputs.staged as {
      media: string;
      host: string;
      existedBefore: boolean;
      createdFolders: string[];
    }[];
    expect(staging.map((r) => [r.host, r.media, r.existedBefore, r.createdFolders])).toEqual(
      expect.arrayContaining([
        ["host1", "newMedia", false, []],
        ["host1", "oldMedia", true, []],
        ["host2", "newMedia", false, ["C:\\Media"]],
        ["host2", "oldMedia", false, []],
      ]),
    );
    const progress = quiet.mock.calls.map((c) => String(c[0]));
    const files = fs.readdirSync(path.join(sources, "NetMgr-9.0"), { recursive: true, withFileTypes: true });
    const count = files.filter((f) => f.isFile()).length;
    expect(progress).toContain(
      `[2/${driver.plan.steps.length} MediaStaging host2] staging ${path.join(sources, "NetMgr-9.0")} to host2:${staged.newMedia} (${count} files)`,
    );
    for (const h of ["host1", "host2"])
      expect(await lab.host(h).stat(`${staged.newMedia}\\NvPRO\\Windows\\Setup.exe`)).toBe("file");
    const chainId = driver.state.get("preflight")!.outputs.chainId as string;
    expect(
      await completedUpdateProblems(dir, {
        toVersion: "9.0",
        activeHost: "host1",
        db: "internal",
        monitorNoRecoveryBefore: monitorBefore,
      }),
    ).toEqual([]);
    expect(await driver.up()).toMatchObject({ created: [], updated: [] });
    expect(await driver.refresh()).toEqual([]);
    // A staged copy that changed is drift: refresh sees it, up stages it again.
    await lab.host("host2").remove(`${staged.oldMedia}\\NvPRO\\Windows\\Setup.exe`);
    expect(await driver.refresh()).toEqual(["media-staging"]);
    expect(await driver.up()).toMatchObject({ created: [], updated: ["media-staging"] });
    expect(await driver.refresh()).toEqual([]);

    await expect(driver.destroy()).rejects.toThrow(/the rolling update completed/);
    driver.config.allowFailbackAfterComplete = true;
    await driver.destroy();
    expect(invariantDifferences(before, await snapshot(dir, INVARIANT_EXCLUDES))).toEqual([]);
    // The copies the chain made are gone (with the folder it created on host2); host1's own copy is kept.
    expect(await lab.host("host2").stat("C:\\Media")).toBeNull();
    expect(await lab.host("host1").stat(staged.newMedia)).toBeNull();
    expect(await lab.host("host1").stat(`${staged.oldMedia}\\NvPRO\\Windows\\Setup.exe`)).toBe("file");
    // Nothing lost: the backups the chain took through the transport are still on both nodes.
    for (const h of ["host1", "host2"]) {
      const host = lab.host(h);
      expect(await host.stat(`C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\backup\\001`)).toBe(
        "dir",
      );
      expect(await host.stat(`C:\\NetMgrRollingUpdate\\${chainId}\\backup-${h}-sg`)).toBe("dir");
    }

    // The transport really carried the work: hundreds of node operations on both nodes, every one answered.
    const ends = shells.ends();
    const failed = ends.filter((c) => !c.ok);
    const nodeOps = ends.filter((c) => c.node !== null && !["openSsh", "closeSession"].includes(c.op));
    expect(nodeOps.length).toBeGreaterThan(500);
    for (const h of ["host1", "host2"])
      expect(nodeOps.filter((c) => c.node === h).length).toBeGreaterThan(50);
    expect([...new Set(nodeOps.map((c) => c.op))]).toEqual(
      expect.arrayContaining([
        "run",
        "services",
        "hashTree",
        "copy",
        "writeFile",
        "readFile",
        "stat",
        "localManifest",
        "copyToSession",
      ]),
    );
    // No operation failed on a node: the chain looks before it reads (stat first), and the refused failback
    // of the complete update stops at its guard rail before any host call.
    expect(failed.map((c) => `${c.node}: ${c.op}: ${c.error}`)).toEqual([]);
    expect(shells.calls().filter((c) => c.phase === "rejected" || c.phase === "crashed")).toEqual([]);
  }, 600_000);
});

/** A lab host's folder, file by file, to a folder on the controller (the files the lab creates as media). */
async function copyToController(host: HostOps, from: string, to: string): Promise<void> {
  for (const e of await host.hashTree(from)) {
    const file = path.join(to, ...e.path.split("\\"));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await host.readFile(`${from}\\${e.path}`));
  }
}
