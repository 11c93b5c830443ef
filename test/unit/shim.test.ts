/**
 * The serialized part of every provider is a thin shim (DESIGN §8): what Pulumi stores in state must be a few
 * hundred bytes that load the implementation at call time, never the implementation itself.
 */
import * as pulumi from "@pulumi/pulumi";
import { shimProvider } from "../../providers/shim";

describe("the dynamic-provider shim", () => {
  it("serializes to a small closure that requires the package at call time", async () => {
    const provider = shimProvider("ManagerInstall");
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    expect(serialized.text.length).toBeLessThan(4000);
    expect(serialized.text).toContain('"pulumi-netmgr/runtime"');
    expect(serialized.text).toContain('"ManagerInstall"');
    // Nothing of the implementation is captured by value.
    for (const absent of ["installManager", "StepError", "zod", "ClpConf", "expressClusterCli"]) {
      expect(serialized.text).not.toContain(absent);
    }
  });

  it("captures no secret and no configuration", async () => {
    const serialized = await pulumi.runtime.serializeFunction(() => shimProvider("Preflight"), {
      allowSecrets: true,
    });
    expect(serialized.containsSecrets).toBe(false);
    expect(serialized.text).not.toMatch(/password|passphrase/i);
  });
});
