/**
 * Before any end-to-end test: build the package (the dynamic-provider process runs compiled JavaScript),
 * make sure the real pulumi CLI exists, and print its version so the test output shows which binary ran.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { REPO, pulumiBinDir } from "./pulumi";

export default async function globalSetup(): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO, stdio: "inherit" });
  const bin = await pulumiBinDir();
  const version = execFileSync(join(bin, "pulumi"), ["version"], { encoding: "utf8" }).trim();
  process.stdout.write(`\nend-to-end tests drive the real pulumi CLI: ${join(bin, "pulumi")} ${version}\n`);
}
