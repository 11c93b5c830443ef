/** Reading the test fixtures (test/fixtures/clpconf, test/fixtures/clpstat). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "fixtures");

export function clpstatFixture(name: string): string {
  return readFileSync(join(ROOT, "clpstat", name), "utf8");
}

export function clpconfBytes(name: string): Buffer {
  return readFileSync(join(ROOT, "clpconf", name));
}

export const CLPCONF_FIXTURES = [
  "x3-windows-internal-sjis.conf",
  "x4-windows-external-md.conf",
  "x5-windows-internal-updated.conf",
  "clpcreate-tabs.conf",
] as const;

/** The value, or a failed test when it is missing. */
export function must<T>(value: T | undefined | null, what = "value"): T {
  if (value === undefined || value === null) throw new Error(`expected a ${what}`);
  return value;
}
