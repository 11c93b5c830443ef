/** Two processes on one lab folder see one cluster, and the lock serializes their read-modify-write cycles. */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { readLabState, updateLabState } from "../../providers/lab";
import { newLab } from "./guide";

const N = 25;

function startWorker(dir: string): { ready: Promise<void>; done: Promise<number> } {
  const root = resolve(__dirname, "../..");
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", join(__dirname, "worker.ts"), dir, String(N)],
    {
      cwd: root,
      env: { ...process.env, TS_NODE_PROJECT: join(root, "tsconfig.json") },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((res) =>
    child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && res()),
  );
  const done = new Promise<number>((res, rej) =>
    child.on("exit", (code) =>
      code === 0 ? res(code) : rej(new Error(`worker exited ${String(code)}: ${err}`)),
    ),
  );
  return { ready, done };
}

describe("the lab across processes", () => {
  it("serializes concurrent writers: no increment, file or clock advance is lost", async () => {
    const lab = newLab();
    const t0 = lab.target.clock.now();
    const worker = startWorker(lab.dir);
    await worker.ready;
    for (let i = 0; i < N; i++) {
      await updateLabState(lab.dir, "test increment", (s) => {
        const h = s.hosts.host1;
        if (h) h.env.COUNTER = String(Number(h.env.COUNTER ?? "0") + 1);
      });
      await lab.h1.writeFile(`C:\\counter\\parent-${i}.txt`, Buffer.from(String(i)));
      // What the other process wrote is visible here.
      await lab.h1.stat(`C:\\counter\\child-${i}.txt`);
      await lab.target.clock.sleep(1_000);
    }
    await worker.done;
    // Every sleep (1 s) and write (0.2 s) of both processes advanced the one clock; the parent's stats add 0.2 s each.
    expect(lab.target.clock.now() - t0).toBe(2 * N * 1_200 + N * 200);
    const s = await readLabState(lab.dir);
    expect(s.hosts.host1?.env.COUNTER).toBe(String(2 * N));
    const files = (await lab.h1.list("C:\\counter")).map((e) => e.name);
    expect(files.filter((f) => f.startsWith("child-"))).toHaveLength(N);
    expect(files.filter((f) => f.startsWith("parent-"))).toHaveLength(N);
  }, 60_000);
});
