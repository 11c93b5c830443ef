/**
 * The argument path as data: whatever a caller passes comes out on the PowerShell side unchanged, and nothing
 * of it ever sits in a place where PowerShell would parse it.
 */
import {
  RESULT_MARKER,
  decodePayload,
  encodePayload,
  oneLiner,
  parseOneLiner,
  parseResultLine,
  toBase64,
  type ArgKind,
  type ArgValue,
} from "../../providers/powershell/encode";
import { defined } from "./fake";
import { int, nastyString, pick, rng, unicodeString, type Rng } from "./gen";

/**
 * Decode a payload the way the wrapper script does, written independently of encode.ts:
 * [Convert]::FromBase64String → UTF8.GetString → ConvertFrom-Json → `.a` → each string leaf through NmText.
 */
function decodeAsPowerShell(payload: string): unknown[] {
  const fromB64 = (s: string): string => {
    expect(s).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
    expect(s.length % 4).toBe(0);
    // [Text.Encoding]::UTF8.GetString keeps a leading U+FEFF (only stream readers drop a BOM).
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Buffer.from(s, "base64"));
  };
  const json = JSON.parse(fromB64(payload)) as { a: unknown[] };
  const leaf = (v: unknown): unknown =>
    typeof v === "string" ? fromB64(v) : Array.isArray(v) ? v.map(leaf) : v;
  return json.a.map(leaf);
}

/** lang-spec §2.3.5.2: a verbatim-string-literal's content has no single-quote-character unless doubled. */
const SINGLE_QUOTE_CHARACTERS = /['\u2018\u2019\u201A\u201B]/;

function singleQuotedLiterals(line: string): string[] {
  return [...line.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? "");
}

function randomArgs(r: Rng): { kinds: ArgKind[]; values: ArgValue[] } {
  const kinds: ArgKind[] = [];
  const values: ArgValue[] = [];
  const n = int(r, 0, 6);
  for (let i = 0; i < n; i++) {
    const kind = pick<ArgKind>(r, ["string", "string", "optString", "int", "optInt", "bool", "strings"]);
    const text = (): string => (r() < 0.6 ? nastyString(r) : unicodeString(r));
    kinds.push(kind);
    switch (kind) {
      case "string":
        values.push(text());
        break;
      case "optString":
        values.push(r() < 0.3 ? null : text());
        break;
      case "int":
        values.push(int(r, -2_147_483_648, 2_147_483_647));
        break;
      case "optInt":
        values.push(r() < 0.3 ? null : int(r, 0, 65535));
        break;
      case "bool":
        values.push(r() < 0.5);
        break;
      case "strings":
        values.push(Array.from({ length: int(r, 0, 4) }, text));
        break;
    }
  }
  return { kinds, values };
}

describe("argument payload", () => {
  test("random strings (quotes incl. smart quotes, $, backticks, ;, newlines, Japanese, any Unicode) round-trip as data", () => {
    const r = rng(20240611);
    for (let i = 0; i < 1500; i++) {
      const { kinds, values } = randomArgs(r);
      const script = "# netmgr:test\nparam([string]$NmPayload, [string]$NmBlob)";
      const line = oneLiner(script, encodePayload(kinds, values));

      // One ASCII line: nothing for the REPL's multi-line handling or a console code page to change.
      expect(line).not.toMatch(/[\r\n]/);
      expect(line).toMatch(/^[\x20-\x7e]*$/);
      // Every single-quoted literal on the line is a valid verbatim string with nothing to escape.
      for (const literal of singleQuotedLiterals(line)) expect(literal).not.toMatch(SINGLE_QUOTE_CHARACTERS);

      const parts = parseOneLiner(line);
      expect(parts).not.toBeNull();
      expect(defined(parts).script).toBe(script);
      expect(decodeAsPowerShell(defined(parts).payload)).toEqual(values);
      expect(decodePayload(kinds, defined(parts).payload)).toEqual(values);
    }
  });

  test("every string leaf is base64, so pwsh 7's ConvertFrom-Json cannot turn it into a DateTime", () => {
    const values: ArgValue[] = [
      "2020-01-01T00:00:00",
      "/Date(1198908717056)/",
      "\\/Date(0)\\/",
      ["2021-06-01T12:00:00Z"],
    ];
    const json = JSON.parse(
      Buffer.from(encodePayload(["string", "string", "string", "strings"], values), "base64").toString(
        "utf8",
      ),
    ) as { a: unknown[] };
    const leaves = JSON.stringify(json.a).match(/"[^"]*"/g) ?? [];
    expect(leaves.length).toBe(4);
    for (const leaf of leaves) expect(leaf).toMatch(/^"[A-Za-z0-9+/=]*"$/);
  });

  test("the blob is a separate base64 literal and round-trips bytes", () => {
    const r = rng(7);
    for (let i = 0; i < 50; i++) {
      const bytes = Buffer.from(Array.from({ length: int(r, 0, 3000) }, () => int(r, 0, 255)));
      const line = oneLiner("x", encodePayload(["string"], ["C:\\a.ini"]), bytes.toString("base64"));
      const parts = defined(parseOneLiner(line));
      expect(Buffer.from(defined(parts.blob), "base64").equals(bytes)).toBe(true);
    }
  });

  test("values of the wrong kind, lone surrogates and non-base64 literals are refused", () => {
    expect(() => encodePayload(["string"], [1])).toThrow(/argument 0/);
    expect(() => encodePayload(["int"], [1.5])).toThrow(/integer/);
    expect(() => encodePayload(["strings"], [["a", 1 as unknown as string]])).toThrow();
    expect(() => encodePayload(["string"], [])).toThrow(/expected 1/);
    expect(() => encodePayload(["string"], ["a\uD800b"])).toThrow(/surrogate/);
    expect(() => toBase64("\uDC00")).toThrow(/surrogate/);
    expect(() => oneLiner("x", "not base64!")).toThrow();
    expect(() => oneLiner("x", "QQ==", "'; rm -rf /")).toThrow();
  });
});

describe("result line", () => {
  const line = (json: unknown): string =>
    `${RESULT_MARKER} ${Buffer.from(JSON.stringify(json)).toString("base64")}`;

  test("found among noise, with LF or CRLF", () => {
    for (const eol of ["\n", "\r\n"]) {
      const stdout = [
        "WARNING: something",
        line({ ok: true, value: { a: "日本" } }),
        "Write-Host text",
        "",
      ].join(eol);
      expect(parseResultLine(stdout)).toEqual({
        status: "result",
        result: { ok: true, value: { a: "日本" } },
      });
    }
  });

  test("errors carry the wrapper's kind", () => {
    expect(parseResultLine(line({ ok: false, error: "boom", kind: "unreachable" }))).toEqual({
      status: "result",
      result: { ok: false, error: "boom", kind: "unreachable" },
    });
  });

  test("missing, duplicated or malformed result lines are reported, never guessed", () => {
    expect(parseResultLine("just text")).toEqual({ status: "missing" });
    expect(parseResultLine(`${line({ ok: true, value: 1 })}\n${line({ ok: true, value: 2 })}`)).toMatchObject(
      { status: "invalid" },
    );
    expect(parseResultLine(`${RESULT_MARKER} ***`)).toMatchObject({ status: "invalid" });
    expect(parseResultLine(line({ ok: "yes" }))).toMatchObject({ status: "invalid" });
    expect(parseResultLine(line({ ok: false }))).toMatchObject({ status: "invalid" });
  });
});
