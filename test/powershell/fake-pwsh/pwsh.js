#!/usr/bin/env node
/* global Buffer, setTimeout */
/**
 * A stand-in for `pwsh -NoLogo -NoProfile -NonInteractive -NoExit -Command -` as node-powershell 5 drives it
 * (the protocol and the decoding are in ../wire.js). Every command is decoded, checked, recorded, and
 * answered with a `##NETMGR-RESULT##` line as the scenario says.
 *
 * Environment:
 *   NETMGR_FAKE_LOG       folder for stdin.log (every byte received), calls.jsonl (one record per event)
 *   NETMGR_FAKE_SCENARIO  JSON file, read at every command: { "rules": [ { "op", "node"?, "nth"?, "respond" } ] }
 *     respond: { "value": any } | { "error": string, "kind"?: "unreachable"|"failed" } | { "hang": true }
 *              | { "die": exitCode } | { "raw": stdoutText } | { "echoArgs": true }
 *              plus optional "delayMs" and "stderr" (text also written to stderr).
 */
const fs = require("fs");
const wire = require("../wire");

const SCENARIO = process.env.NETMGR_FAKE_SCENARIO;

let node = null;
const log = wire.callLog(process.env.NETMGR_FAKE_LOG, () => node);

function scenarioRule(op) {
  if (!SCENARIO || !fs.existsSync(SCENARIO)) return undefined;
  const scenario = JSON.parse(fs.readFileSync(SCENARIO, "utf8"));
  const prior = log.records().filter((r) => r.phase === "start" && r.op === op);
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function command(line) {
  const decoded = wire.decodeCommand(line);
  if (!decoded) {
    log.record({ phase: "rejected", reason: "not a one-liner" });
    process.stderr.write("fake-pwsh: not a netmgr one-liner\n");
    return;
  }
  const { script, op, args, blob } = decoded;
  if (op === "openSsh" || op === "openWinrm") node = args[0];
  const problems = wire.validate(op, script, args);
  // The rule is chosen before this call is recorded, so "nth" counts the calls before it.
  let respond = scenarioRule(op);
  log.record({
    phase: "start",
    op,
    args,
    blobBytes: blob === undefined ? null : Buffer.from(blob, "base64").length,
    problems,
  });
  if (problems.length > 0) {
    process.stdout.write(
      wire.resultLine({
        ok: false,
        kind: "failed",
        error: "fake-pwsh: invalid command: " + problems.join("; "),
      }),
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
    log.record({ phase: "hang", op });
    await new Promise(() => undefined);
  }
  if (respond.die !== undefined) {
    log.record({ phase: "die", op });
    process.exit(respond.die);
  }
  if (respond.raw !== undefined) {
    process.stdout.write(respond.raw + "\n");
  } else if (respond.echoArgs) {
    process.stdout.write(
      wire.resultLine({ ok: false, error: "remote failure with " + wire.argStrings(args).join(" | ") }),
    );
  } else if (respond.error !== undefined) {
    process.stdout.write(
      wire.resultLine({ ok: false, error: respond.error, ...(respond.kind ? { kind: respond.kind } : {}) }),
    );
  } else {
    process.stdout.write(
      wire.resultLine({ ok: true, value: respond.value === undefined ? null : respond.value }),
    );
  }
  log.record({ phase: "end", op });
}

wire.serve(command, log);
