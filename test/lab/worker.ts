/** A second process for crossprocess.test.ts: increments a counter in the lab and writes files, N times. */
import { openLabTarget, updateLabState } from "../../providers/lab";

async function main(): Promise<void> {
  const [dir, n] = process.argv.slice(2);
  if (!dir || !n) throw new Error("usage: worker <dir> <n>");
  const target = openLabTarget({ dir });
  const h1 = target.host("host1");
  console.log("ready");
  for (let i = 0; i < Number(n); i++) {
    await updateLabState(dir, "worker increment", (s) => {
      const h = s.hosts.host1;
      if (h) h.env.COUNTER = String(Number(h.env.COUNTER ?? "0") + 1);
    });
    await h1.writeFile(`C:\\counter\\child-${i}.txt`, Buffer.from(String(i)));
    await target.clock.sleep(1_000);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
