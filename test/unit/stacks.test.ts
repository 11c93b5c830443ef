/** The stacks shipped in stacks/ are valid configurations (the lab stack needs no editing; the examples work as written). */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { parseStackConfig } from "../../providers/config/stack";
import { planChain } from "../../providers/chain";

const dir = join(__dirname, "../../stacks");

describe.each(readdirSync(dir).filter((f) => f.endsWith(".yaml")))("stacks/%s", (file) => {
  it("validates, and plans a chain", () => {
    const doc = load(readFileSync(join(dir, file), "utf8")) as { config: Record<string, unknown> };
    const get = (key: string) => {
      const v = doc.config[`netmgr:${key}`];
      return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    };
    const config = parseStackConfig(get);
    expect(planChain(config).steps.length).toBeGreaterThan(10);
  });
});
