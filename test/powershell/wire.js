/* global Buffer */
/**
 * What the fake shells (fake-pwsh/pwsh.js, lab-pwsh/pwsh.js) share: node-powershell 5's delimiter protocol and
 * the decoding of our one-liners, written independently of the transport's own code (providers/powershell).
 *
 * node-powershell writes, per invoke (child-shell Shell.ts invokeCommand, PowerShell.ts writeTo*):
 *   [Console]::Error.WriteLine("<D>")
 *   [Console]::Out.WriteLine("<D>")
 *   <command>
 *   [Console]::Error.WriteLine("<D>")
 *   [Console]::Out.WriteLine("<D>")
 * and reads stdout and stderr until it has seen <D> twice on each. A fake executes the delimiter lines
 * literally and hands every other non-empty line to its command handler, one at a time, in order.
 *
 * A command must be a netmgr one-liner
 * (`& ([ScriptBlock]::Create(...base64...)) '<payload>' ['<blob>']`); the payload is base64(UTF-8 JSON
 * {"a":[...]}) whose string leaves are base64 of UTF-8 themselves.
 */
const fs = require("fs");
const path = require("path");
const readline = require("readline");

const MARKER = "##NETMGR-RESULT##";
const ONE_LINER =
  /^& \(\[ScriptBlock\]::Create\(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)\)\)\) '([A-Za-z0-9+/=]*)'(?: '([A-Za-z0-9+/=]*)')?$/;
const DELIMITER = /^\[Console\]::(Error|Out)\.WriteLine\("([0-9A-Za-z]+)"\)$/;
/** Operations of the local shell itself (no Invoke-Command to a node). */
const SHELL_OPS = new Set(["openSsh", "openWinrm", "closeSession", "localManifest", "copyToSession"]);

function strictBase64Bytes(s) {
  if (typeof s !== "string" || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s))
    throw new Error("not strict base64: " + String(s).slice(0, 20));
  return Buffer.from(s, "base64");
}

function strictBase64(s) {
  return strictBase64Bytes(s).toString("utf8");
}

/** A payload leaf: strings are base64 of UTF-8, arrays hold leaves, numbers, booleans and null stay as they are. */
function decodeLeaf(leaf) {
  if (typeof leaf === "string") return strictBase64(leaf);
  if (Array.isArray(leaf)) return leaf.map(decodeLeaf);
  return leaf;
}

/** The parts of a one-liner, or null when the line is not one. Throws when a part is not what it must be. */
function decodeCommand(line) {
  const m = ONE_LINER.exec(line);
  if (!m) return null;
  const script = strictBase64(m[1]);
  const op = (/^# netmgr:(\w+)/.exec(script) || [])[1] || "?";
  const payload = JSON.parse(strictBase64(m[2]));
  const args = (payload.a || []).map(decodeLeaf);
  return { script, op, args, blob: m[3] };
}

/** The names of the remote block's `param(...)` (node operations), in order; null when there is none. */
function remoteParams(script) {
  const m = /^\s+param\(((?:\$\w+(?:, )?)*)\)$/m.exec(script);
  if (!m) return null;
  return m[1] === "" ? [] : m[1].split(", ").map((p) => p.slice(1));
}

/** Structural checks every wrapper must pass; a problem list, empty when it is fine. */
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
  for (const s of argStrings(args))
    if (s.length >= 6 && script.includes(s)) problems.push("an argument value appears in the script text");
  return problems;
}

/** Every string among the decoded arguments (nested arrays included). */
function argStrings(args) {
  const strings = [];
  const collect = (v) =>
    typeof v === "string" ? strings.push(v) : Array.isArray(v) ? v.forEach(collect) : undefined;
  args.forEach(collect);
  return strings;
}

/** The one marked stdout line carrying a result object. */
function resultLine(json) {
  return `${MARKER} ${Buffer.from(JSON.stringify(json), "utf8").toString("base64")}\n`;
}

/**
 * A call log in `dir` (NETMGR_FAKE_LOG): `stdin.log` (every line received) and `calls.jsonl` (one record per
 * event, with the process id and the shell's node). Without a folder nothing is written.
 */
function callLog(dir, nodeOf) {
  return {
    line(text) {
      if (dir) fs.appendFileSync(path.join(dir, "stdin.log"), text + "\n");
    },
    record(event) {
      if (!dir) return;
      fs.appendFileSync(
        path.join(dir, "calls.jsonl"),
        JSON.stringify({ pid: process.pid, node: nodeOf(), t: Date.now(), ...event }) + "\n",
      );
    },
    /** Earlier records of this log (every shell writing to the folder). */
    records() {
      if (!dir) return [];
      const file = path.join(dir, "calls.jsonl");
      if (!fs.existsSync(file)) return [];
      return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
  };
}

/**
 * Serve node-powershell's protocol on stdin/stdout/stderr: delimiter lines are echoed to their stream, every
 * other non-empty line goes to `command(line)`, one at a time. A command that throws is answered with a
 * failed result (a shell that stops answering would only hang the caller until its deadline).
 */
function serve(command, log) {
  let queue = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    log.line(line);
    queue = queue.then(async () => {
      const d = DELIMITER.exec(line);
      if (d) {
        (d[1] === "Error" ? process.stderr : process.stdout).write(d[2] + "\n");
        return;
      }
      if (line.trim() === "") return;
      try {
        await command(line);
      } catch (e) {
        log.record({ phase: "crashed", error: String((e && e.stack) || e) });
        process.stdout.write(resultLine({ ok: false, kind: "failed", error: "fake shell: " + String(e) }));
      }
    });
  });
  rl.on("close", () => {
    queue.then(() => process.exit(0));
  });
}

module.exports = {
  MARKER,
  SHELL_OPS,
  strictBase64,
  strictBase64Bytes,
  decodeLeaf,
  decodeCommand,
  remoteParams,
  validate,
  argStrings,
  resultLine,
  callLog,
  serve,
};
