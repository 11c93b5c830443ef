#!/usr/bin/env node
/* global Buffer, setTimeout */
/**
 * A stand-in for `pwsh -NoLogo -NoProfile -NonInteractive -NoExit -Command -` as node-powershell 5 drives it.
 *
 * node-powershell writes, per invoke (child-shell Shell.ts invokeCommand, PowerShell.ts writeTo*):
 *   [Console]::Error.WriteLine("<D>")
 *   [Console]::Out.WriteLine("<D>")
 *   <command>
 *   [Console]::Error.WriteLine("<D>")
 *   [Console]::Out.WriteLine("<D>")
 * and reads stdout and stderr until it has seen <D> twice on each. This fake executes the delimiter lines
 * literally and treats every other line as a command. A command must be a netmgr one-liner
 * (`& ([ScriptBlock]::Create(...base64...)) '<payload>' ['<blob>']`): it is decoded (independently of the
 * transport's own code), checked, recorded, and answered with a `##NETMGR-RESULT##` line as the scenario says.
 *
 * Environment:
 *   NETMGR_FAKE_LOG       folder for stdin.log (every byte received), calls.jsonl (one record per event)
 *   NETMGR_FAKE_SCENARIO  JSON file, read at every command: { "rules": [ { "op", "node"?, "nth"?, "respond" } ] }
 *     respond: { "value": any } | { "error": string, "kind"?: "unreachable"|"failed" } | { "hang": true }
 *              | { "die": exitCode } | { "raw": stdoutText } | { "echoArgs": true }
 *              plus optional "delayMs" and "stderr" (text also written to stderr).
 */
const fs = require("fs");
const path = require("path");
const readline = require("readline");

const LOG = process.env.NETMGR_FAKE_LOG;
const SCENARIO = process.env.NETMGR_FAKE_SCENARIO;
const MARKER = "##NETMGR-RESULT##";
const ONE_LINER =
  /^& \(\[ScriptBlock\]::Create\(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)\)\)\) '([A-Za-z0-9+/=]*)'(?: '([A-Za-z0-9+/=]*)')?$/;
const DELIMITER = /^\[Console\]::(Error|Out)\.WriteLine\("([0-9A-Za-z]+)"\)$/;
const SHELL_OPS = new Set(["openSsh", "openWinrm", "closeSession", "localManifest", "copyToSession"]);

let node = null;

function record(event) {
  if (!LOG) return;
  fs.appendFileSync(
    path.join(LOG, "calls.jsonl"),
    JSON.stringify({ pid: process.pid, node, t: Date.now(), ...event }) + "\n",
  );
}

function strictBase64(s) {
  if (typeof s !== "string" || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s))
    throw new Error("not strict base64: " + String(s).slice(0, 20));
  return Buffer.from(s, "base64").toString("utf8");
}

function decodeLeaf(leaf) {
  if (typeof leaf === "string") return strictBase64(leaf);
  if (Array.isArray(leaf)) return leaf.map(decodeLeaf);
  return leaf;
}

function priorCalls(op) {
  if (!LOG) return [];
  const file = path.join(LOG, "calls.jsonl");
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => r.phase === "start" && r.op === op);
}

function scenarioRule(op) {
  if (!SCENARIO || !fs.existsSync(SCENARIO)) return undefined;
  const scenario = JSON.parse(fs.readFileSync(SCENARIO, "utf8"));
  const prior = priorCalls(op);
  for (const rule of scenario.rules || []) {
    if (rule.op !== op) continue;
    if (rule.node !== undefined && rule.node !== node) continue;
    if (rule.nth !== undefined) {
      const count = prior.filter((r) => rule.node === undefined || r.node === rule.node).length;
      if (count !== rule.nth) continue;
    }
    return rule.respond;
  }
  return undefined;
}

function validate(op, script, args) {
  const problems = [];
  if (!script.startsWith(`# netmgr:${op}\n`)) problems.push("no op header");
  if (!script.includes("$ErrorActionPreference = 'Stop'")) problems.push("no ErrorActionPreference Stop");
  if (!script.includes(`'${MARKER} '`)) problems.push("no result marker");
  if (!SHELL_OPS.has(op)) {
    if (!script.includes("Invoke-Command -Session $NmS -ScriptBlock {"))
      problems.push("no Invoke-Command -Session");
    if (script.split("$ErrorActionPreference = 'Stop'").length < 3)
      problems.push("no ErrorActionPreference Stop inside the remote block");
  }
  const strings = [];
  const collect = (v) =>
    typeof v === "string" ? strings.push(v) : Array.isArray(v) ? v.forEach(collect) : undefined;
  args.forEach(collect);
  for (const s of strings)
    if (s.length >= 6 && script.includes(s)) problems.push("an argument value appears in the script text");
  return problems;
}

function result(json) {
  return `${MARKER} ${Buffer.from(JSON.stringify(json), "utf8").toString("base64")}\n`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function command(line) {
  const m = ONE_LINER.exec(line);
  if (!m) {
    record({ phase: "rejected", reason: "not a one-liner" });
    process.stderr.write("fake-pwsh: not a netmgr one-liner\n");
    return;
  }
  const script = strictBase64(m[1]);
  const op = (/^# netmgr:(\w+)/.exec(script) || [])[1] || "?";
  const payload = JSON.parse(strictBase64(m[2]));
  const args = (payload.a || []).map(decodeLeaf);
  const blob = m[3];
  if (op === "openSsh" || op === "openWinrm") node = args[0];
  const problems = validate(op, script, args);
  // The rule is chosen before this call is recorded, so "nth" counts the calls before it.
  let respond = scenarioRule(op);
  record({
    phase: "start",
    op,
    args,
    blobBytes: blob === undefined ? null : Buffer.from(blob, "base64").length,
    problems,
  });
  if (problems.length > 0) {
    process.stdout.write(
      result({ ok: false, kind: "failed", error: "fake-pwsh: invalid command: " + problems.join("; ") }),
    );
    return;
  }

  if (respond === undefined) {
    if (op === "openSsh" || op === "openWinrm")
      respond = { value: { psVersion: "7.4.6", computerName: String(args[0]).toUpperCase() } };
    else respond = { value: null };
  }
  if (respond.delayMs) await sleep(respond.delayMs);
  if (respond.stderr) process.stderr.write(respond.stderr + "\n");
  if (respond.hang) {
    record({ phase: "hang", op });
    await new Promise(() => undefined);
  }
  if (respond.die !== undefined) {
    record({ phase: "die", op });
    process.exit(respond.die);
  }
  if (respond.raw !== undefined) {
    process.stdout.write(respond.raw + "\n");
  } else if (respond.echoArgs) {
    const strings = [];
    const collect = (v) =>
      typeof v === "string" ? strings.push(v) : Array.isArray(v) ? v.forEach(collect) : undefined;
    args.forEach(collect);
    process.stdout.write(result({ ok: false, error: "remote failure with " + strings.join(" | ") }));
  } else if (respond.error !== undefined) {
    process.stdout.write(
      result({ ok: false, error: respond.error, ...(respond.kind ? { kind: respond.kind } : {}) }),
    );
  } else {
    process.stdout.write(result({ ok: true, value: respond.value === undefined ? null : respond.value }));
  }
  record({ phase: "end", op });
}

let queue = Promise.resolve();
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  if (LOG) fs.appendFileSync(path.join(LOG, "stdin.log"), line + "\n");
  queue = queue.then(async () => {
    const d = DELIMITER.exec(line);
    if (d) {
      (d[1] === "Error" ? process.stderr : process.stdout).write(d[2] + "\n");
      return;
    }
    if (line.trim() === "") return;
    await command(line);
  });
});
rl.on("close", () => {
  queue.then(() => process.exit(0));
});
