/**
 * The wire format between the controller and its local PowerShell (pure functions, no I/O).
 *
 * Every operation is ONE line on the shell's stdin:
 *
 *     & ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('<script>')))) '<payload>' ['<blob>']
 *
 * - `<script>` is the base64 of the UTF-8 wrapper script. It depends on the operation only, never on a value,
 *   so it can be checked once (tests parse every one) and nothing a caller passes can become code.
 * - `<payload>` is the base64 of the UTF-8 JSON `{"a":[...]}`: the operation's arguments. Every string in it is
 *   itself base64 of UTF-8, because pwsh 7's ConvertFrom-Json silently turns ISO-8601-looking strings (and
 *   `/Date(..)/`) into DateTime values (PowerShell/PowerShell#13592, #3378), which would change a path or a
 *   password. Base64 leaves contain neither `-`, `:` nor `(`, so they always come back as the same string.
 * - `<blob>` (writeFile only) is the raw base64 of the file content, kept out of the JSON so that
 *   ConvertFrom-Json never sees megabytes (Windows PowerShell 5.1's JavaScriptSerializer has a length limit).
 *
 * A single line avoids the `-Command -` REPL traps (a multi-line statement waits for an empty line and can
 * swallow node-powershell's delimiter lines; PowerShell/PowerShell#3223, #21644). All three literals use the base64
 * alphabet only, so no quote character of any kind (`'` or the smart quotes U+2018..U+201B that PowerShell
 * also treats as single quotes) can appear inside them, and the line is pure ASCII (no console code page
 * can garble it, rannn505/child-shell#82, #132).
 *
 * The answer is exactly one stdout line `##NETMGR-RESULT## <base64(UTF-8 JSON)>`; everything else the shell
 * prints (warnings, Write-Host, stderr noise) is ignored (warnings and Write-Host also reach stdout).
 */
import { z } from "zod";

export const RESULT_MARKER = "##NETMGR-RESULT##";

/** How an argument travels: the wrapper script decodes each position according to its kind. */
export type ArgKind = "string" | "optString" | "int" | "optInt" | "bool" | "strings";

export type ArgValue = string | number | boolean | null | readonly string[];

type JsonLeaf = string | number | boolean | null | JsonLeaf[];

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 base64. A lone surrogate has no UTF-8 form (Buffer would silently write U+FFFD), so it is refused. */
export function toBase64(text: string): string {
  if (LONE_SURROGATE.test(text))
    throw new TypeError("the text contains a lone UTF-16 surrogate, which has no UTF-8 form");
  return Buffer.from(text, "utf8").toString("base64");
}

/** Strict base64 → UTF-8 (rejects anything outside the alphabet instead of skipping it, as Buffer would). */
export function fromBase64(b64: string): string {
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) throw new Error("not valid base64");
  return Buffer.from(b64, "base64").toString("utf8");
}

export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64.test(text);
}

function encodeArg(kind: ArgKind, value: ArgValue, index: number): JsonLeaf {
  const fail = (what: string): never => {
    throw new TypeError(`argument ${index}: expected ${what} for kind ${kind}`);
  };
  switch (kind) {
    case "string":
      return typeof value === "string" ? toBase64(value) : fail("a string");
    case "optString":
      return value === null ? null : typeof value === "string" ? toBase64(value) : fail("a string or null");
    case "int":
      return typeof value === "number" && Number.isSafeInteger(value) ? value : fail("a safe integer");
    case "optInt":
      return value === null
        ? null
        : typeof value === "number" && Number.isSafeInteger(value)
          ? value
          : fail("an integer or null");
    case "bool":
      return typeof value === "boolean" ? value : fail("a boolean");
    case "strings":
      return Array.isArray(value) && value.every((v) => typeof v === "string")
        ? value.map((v) => toBase64(v as string))
        : fail("an array of strings");
  }
}

/** The payload literal: base64(UTF-8(JSON {"a":[...]})) with base64 string leaves. */
export function encodePayload(kinds: readonly ArgKind[], values: readonly ArgValue[]): string {
  if (kinds.length !== values.length)
    throw new TypeError(`expected ${kinds.length} arguments, got ${values.length}`);
  const a = kinds.map((kind, i) => encodeArg(kind, values[i] as ArgValue, i));
  return toBase64(JSON.stringify({ a }));
}

/**
 * The inverse, as the wrapper script does it in PowerShell (base64 → UTF-8 → ConvertFrom-Json → per-kind
 * decoding). Used by the tests to prove the round trip; the fake shell has its own independent copy.
 */
export function decodePayload(kinds: readonly ArgKind[], payload: string): ArgValue[] {
  const parsed = z.object({ a: z.array(z.unknown()) }).parse(JSON.parse(fromBase64(payload)));
  if (parsed.a.length !== kinds.length)
    throw new Error(`payload has ${parsed.a.length} arguments, expected ${kinds.length}`);
  return kinds.map((kind, i) => {
    const leaf = parsed.a[i];
    switch (kind) {
      case "string":
        return fromBase64(z.string().parse(leaf));
      case "optString":
        return leaf === null ? null : fromBase64(z.string().parse(leaf));
      case "int":
        return z.number().int().parse(leaf);
      case "optInt":
        return leaf === null ? null : z.number().int().parse(leaf);
      case "bool":
        return z.boolean().parse(leaf);
      case "strings":
        return z
          .array(z.string())
          .parse(leaf)
          .map((s) => fromBase64(s));
    }
  });
}

const ONE_LINER =
  /^& \(\[ScriptBlock\]::Create\(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)\)\)\) '([A-Za-z0-9+/=]*)'(?: '([A-Za-z0-9+/=]*)')?$/;

/** The single stdin line for one operation. */
export function oneLiner(script: string, payload: string, blob?: string): string {
  if (!isBase64(payload) || (blob !== undefined && !isBase64(blob)))
    throw new TypeError("payload and blob must be base64");
  const head = `& ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${toBase64(script)}'))))`;
  return blob === undefined ? `${head} '${payload}'` : `${head} '${payload}' '${blob}'`;
}

/** Split a line made by `oneLiner` back into its parts (tests and diagnostics); null when it is not one. */
export function parseOneLiner(line: string): { script: string; payload: string; blob?: string } | null {
  const m = ONE_LINER.exec(line);
  if (!m) return null;
  const script = fromBase64(m[1] ?? "");
  const payload = m[2] ?? "";
  return m[3] === undefined ? { script, payload } : { script, payload, blob: m[3] };
}

/** What the wrapper script reports. `kind` is set by the local wrapper when the remoting session itself failed. */
export const WireResult = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string(), kind: z.enum(["unreachable", "failed"]).optional() }),
]);
export type WireResult = z.infer<typeof WireResult>;

export type ParsedOutput =
  { status: "result"; result: WireResult } | { status: "missing" } | { status: "invalid"; reason: string };

/** Find and decode the one marked line in the shell's stdout (CRLF or LF, any other noise ignored). */
export function parseResultLine(stdout: string): ParsedOutput {
  const lines = stdout.split(/\r?\n/).filter((l) => l.startsWith(`${RESULT_MARKER} `));
  if (lines.length === 0) return { status: "missing" };
  if (lines.length > 1) return { status: "invalid", reason: `${lines.length} result lines instead of one` };
  const b64 = (lines[0] ?? "").slice(RESULT_MARKER.length + 1).trim();
  let json: unknown;
  try {
    json = JSON.parse(fromBase64(b64));
  } catch (e) {
    return { status: "invalid", reason: `the result line is not base64 JSON (${(e as Error).message})` };
  }
  const parsed = WireResult.safeParse(json);
  if (!parsed.success)
    return {
      status: "invalid",
      reason: `the result has an unexpected shape (${parsed.error.issues[0]?.message ?? "?"})`,
    };
  return { status: "result", result: parsed.data };
}
