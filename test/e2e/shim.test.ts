/**
 * The serialized provider is a shim (DESIGN §8): destroy runs the implementation installed NOW, not the code
 * of the day of the up. Proven with the real engine: change the installed implementation between up and
 * destroy and observe that destroy ran the new code.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { laterSource } from "./config";
import { LabProject, expectOk } from "./pulumi";

describe("the dynamic-provider shim with the real engine", () => {
  let project: LabProject;
  afterAll(() => project?.dispose());

  it("runs the current implementation on destroy", async () => {
    project = await LabProject.create({
      config: { ...laterSource, allowFailbackAfterComplete: true },
      packageCopy: true,
    });
    expectOk(await project.up(), "up");

    // The state holds the shim, not the implementation.
    const resources = (await project.state()).resources.filter((r) =>
      r.type.startsWith("pulumi-nodejs:dynamic/netmgr:"),
    );
    for (const r of resources) {
      const provider = String(r.inputs?.__provider ?? "");
      expect(provider.length).toBeLessThan(4000);
      expect(provider).toContain("pulumi-netmgr/runtime");
      expect(provider).not.toContain("installManager");
    }

    // A newer implementation is installed after the up.
    const marker = join(project.dir, "deleted-by-new-code.txt");
    appendFileSync(
      join(project.packageDir!, "dist/providers/runtime.js"),
      `\nconst __oldDelete = exports.delete;\nexports.delete = async (kind, id, props) => {\n` +
        `  require("fs").appendFileSync(${JSON.stringify(marker)}, kind + "\\n");\n  return __oldDelete(kind, id, props);\n};\n`,
    );
    expectOk(await project.destroy(), "destroy");
    expect(existsSync(marker)).toBe(true);
    const kinds = readFileSync(marker, "utf8").trim().split("\n");
    expect(kinds[0]).toBe("FailoverSuppressionLift");
    expect(kinds).toHaveLength(resources.length);
    expect(kinds[kinds.length - 1]).toBe("Preflight");
  });
});
