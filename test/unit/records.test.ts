/** The JSON records the chain leaves on the nodes are read back validated: absent is undefined, anything else unlike the record is an error that names the file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { Target } from "../../providers/hosts/target";
import { openLabTarget } from "../../providers/lab";
import { readJson, rememberOnce } from "../../providers/procedures/files";

const Record = z.object({ groupWasOn: z.string() });
const FILE = "C:\\NetMgrRollingUpdate\\chain\\record.json";

describe("records on the nodes", () => {
  let dir: string;
  let target: Target;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "netmgr-records-"));
    target = openLabTarget({ dir, spec: { fromVersion: "8.0" } });
  });
  afterAll(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a record, undefined when absent, and refuses what is not one", async () => {
    const h1 = target.host("host1");
    expect(await readJson(h1, FILE, Record)).toBeUndefined();
    await h1.writeFile(FILE, Buffer.from(JSON.stringify({ groupWasOn: "host1" })));
    expect(await readJson(h1, FILE, Record)).toEqual({ groupWasOn: "host1" });
    await h1.writeFile(FILE, Buffer.from("{ not json"));
    await expect(readJson(h1, FILE, Record)).rejects.toThrow(/^host1: .*record\.json is not JSON/);
    await h1.writeFile(FILE, Buffer.from(JSON.stringify({ groupWasOn: 1 })));
    await expect(readJson(h1, FILE, Record)).rejects.toThrow(
      /^host1: .*record\.json is not a record of the expected shape/,
    );
    await h1.remove(FILE);
  });

  it("rememberOnce computes once, records on every node, and reads the record back validated", async () => {
    let computed = 0;
    const compute = async () => ({ groupWasOn: `host${++computed}` });
    expect(await rememberOnce(target, ["host1", "host2"], FILE, Record, compute)).toEqual({
      groupWasOn: "host1",
    });
    expect(await rememberOnce(target, ["host2", "host1"], FILE, Record, compute)).toEqual({
      groupWasOn: "host1",
    });
    expect(computed).toBe(1);
    await target.host("host2").writeFile(FILE, Buffer.from(JSON.stringify({ other: true })));
    await expect(rememberOnce(target, ["host2", "host1"], FILE, Record, compute)).rejects.toThrow(
      /host2: .* is not a record of the expected shape/,
    );
  });
});
