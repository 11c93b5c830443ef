/**
 * A later release may renumber the chain or reword a step's sections: only labels change. The engine then
 * asks for an update of every step; the steps must record the new labels and leave the cluster alone (a
 * move run again would move the group, a backup run again would replace the one the failback needs).
 */
import { readTimeline } from "../../providers/lab";
import { LabChain, quietProgress } from "../support/labChain";

describe("a label-only change after a complete update", () => {
  let chain: LabChain;
  let quiet: jest.SpyInstance;
  beforeAll(() => (quiet = quietProgress()));
  afterAll(() => {
    quiet.mockRestore();
    chain?.dispose();
  });

  it("updates every step's record and changes nothing on the cluster", async () => {
    chain = new LabChain({ fromVersion: "8.1", toVersion: "9.1" });
    await chain.rollForward();
    const before = await chain.snapshot();
    const events = (await readTimeline(chain.dir)).filter((e) => e.kind !== "note").length;
    // State written by a release whose chain had other titles and section strings.
    for (const r of chain.driver.state.values()) {
      r.outputs.title = `old ${String(r.outputs.title)}`;
      r.outputs.sections = `old ${String(r.outputs.sections)}`;
    }

    const result = await chain.driver.up();
    expect(result.updated).toEqual([...chain.driver.state.keys()]);
    expect(result.created).toEqual([]);
    for (const r of chain.driver.state.values()) expect(String(r.outputs.title)).not.toMatch(/^old /);
    expect(await chain.snapshot()).toEqual(before);
    expect((await readTimeline(chain.dir)).filter((e) => e.kind !== "note").length).toBe(events);
  });
});
