/**
 * Every script the transport can send parses as PowerShell (tree-sitter-powershell), uses nothing that
 * Windows PowerShell 5.1 lacks, and carries no argument value in its text.
 */
import fs from "node:fs";
import { defined } from "./fake";
import { Language, Parser, type Node } from "web-tree-sitter";
import {
  encodePayload,
  fromBase64,
  oneLiner,
  parseOneLiner,
  type ArgKind,
  type ArgValue,
} from "../../providers/powershell/encode";
import {
  ALL_OPERATIONS,
  NODE_OPERATIONS,
  NODE_OPS,
  PAYLOAD_KINDS,
  SHELL_OPERATIONS,
  scriptFor,
} from "../../providers/powershell/scripts";

let parser: Parser;

beforeAll(async () => {
  await Parser.init();
  // Bytes, not a path: Language.load(path) does a dynamic import of fs/promises, which Jest refuses.
  const language = await Language.load(
    fs.readFileSync(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm")),
  );
  parser = new Parser();
  parser.setLanguage(language);
});

function parse(source: string): Node {
  const tree = parser.parse(source);
  if (!tree) throw new Error("no parse tree");
  return tree.rootNode;
}

function problems(root: Node, source: string): string[] {
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.type === "ERROR" || n.isMissing)
      out.push(
        `${n.isMissing ? "missing" : "error"} at ${n.startPosition.row + 1}:${n.startPosition.column + 1}: ${source.slice(n.startIndex, n.startIndex + 60)}`,
      );
    for (const c of n.children) if (c) walk(c);
  };
  walk(root);
  return out;
}

function nodeTypes(root: Node): Set<string> {
  const types = new Set<string>();
  const walk = (n: Node): void => {
    types.add(n.type);
    for (const c of n.children) if (c) walk(c);
  };
  walk(root);
  return types;
}

/** A distinctive value for every argument position, so that a leak into the script text is visible. */
function sampleValues(op: string, kinds: readonly ArgKind[]): ArgValue[] {
  return kinds.map((kind, i) => {
    const text = `V${i}-${op}-'q'‘s’$x\`;日本 C:\\Tëst\\${i}`;
    switch (kind) {
      case "string":
      case "optString":
        return text;
      case "int":
      case "optInt":
        return 40_000 + i;
      case "bool":
        return true;
      case "strings":
        return [text, `${text}-2`];
    }
  });
}

describe("generated PowerShell", () => {
  test("the list covers every node operation, the session lifecycle and media staging", () => {
    expect(ALL_OPERATIONS).toHaveLength(26);
    expect([...SHELL_OPERATIONS]).toEqual([
      "openSsh",
      "openWinrm",
      "closeSession",
      "localManifest",
      "copyToSession",
    ]);
  });

  test.each([...ALL_OPERATIONS])("%s parses without a syntax error", (op) => {
    const script = scriptFor(op);
    const root = parse(script);
    expect(problems(root, script)).toEqual([]);
    expect(root.hasError).toBe(false);
    // pwsh 7-only syntax would fail on Windows PowerShell 5.1 (the default WinRM endpoint).
    const types = nodeTypes(root);
    expect(types.has("pipeline_chain_tail")).toBe(false); // && ||
    expect(types.has("parallel_statement")).toBe(false);
    expect(script).not.toMatch(/::new\(|\?\?|\?\.|-Parallel\b|\$PSStyle|-AsHashtable|-NoEnumerate/);
  });

  test.each([...ALL_OPERATIONS])(
    "%s: the one-liner parses and its script text holds no argument value",
    (op) => {
      const kinds = PAYLOAD_KINDS[op];
      const values = sampleValues(op, kinds);
      const blob =
        op === "writeFile" ? Buffer.from("[SECTION]\r\nKey=日本\r\n").toString("base64") : undefined;
      const line = oneLiner(scriptFor(op), encodePayload(kinds, values), blob);
      expect(parse(line).hasError).toBe(false);
      expect(line).not.toMatch(/[\r\n]/);

      const parts = defined(parseOneLiner(line));
      expect(parts.script).toBe(scriptFor(op));
      const strings = values.flatMap((v) => (typeof v === "string" ? [v] : Array.isArray(v) ? [...v] : []));
      for (const s of strings) {
        expect(parts.script).not.toContain(s);
        expect(parts.script).not.toContain(Buffer.from(s).toString("base64"));
      }
      expect(parts.script).not.toContain("40000");
      // The values are all in the payload, in order.
      const decoded = (JSON.parse(fromBase64(parts.payload)) as { a: unknown[] }).a;
      expect(decoded).toHaveLength(kinds.length);
    },
  );

  test("the syntax check is real: broken scripts and 7-only operators are flagged", () => {
    const script = scriptFor("readFile");
    expect(parse(script.replace(/}\s*$/, "")).hasError).toBe(true);
    expect(parse(script.replace("param($Path, $MaxBytes)", "param($Path, $MaxBytes")).hasError).toBe(true);
    expect(parse("$x = $a ?? 'b'").hasError).toBe(true);
    expect(parse("$x = $a ? 1 : 2").hasError).toBe(true);
    expect(nodeTypes(parse("a && b")).has("pipeline_chain_tail")).toBe(true);
  });

  test.each([...NODE_OPERATIONS])(
    "%s runs on the node through the session, with Stop inside the remote block",
    (op) => {
      const script = scriptFor(op);
      expect(script.startsWith(`# netmgr:${op}\nparam([string]$NmPayload, [string]$NmBlob)\n`)).toBe(true);
      expect(script).toContain("Invoke-Command -Session $NmS -ScriptBlock {");
      expect(script.split("$ErrorActionPreference = 'Stop'").length - 1).toBeGreaterThanOrEqual(2);
      expect(script).toContain("$ProgressPreference = 'SilentlyContinue'");
      expect(script).toContain("[Console]::OutputEncoding = [Text.Encoding]::UTF8");
      expect(script).toContain("'##NETMGR-RESULT## '");
      // Arguments travel into a param() block: one $NmArgv slot per parameter, in order.
      const params = NODE_OPS[op].params;
      expect(script).toContain(`param(${params.map((p) => "$" + p.name).join(", ")})`);
      if (op !== "writeFile") {
        for (let i = 0; i < params.length; i++) expect(script).toContain(`$NmArgv[${i}] = `);
        expect(script).not.toContain(`$NmArgv[${params.length}] = `);
      }
    },
  );

  test("values are looked up exactly, never as wildcards; installed products never via Win32_Product", () => {
    for (const op of ALL_OPERATIONS) {
      const script = scriptFor(op);
      expect(script).not.toMatch(/ -(Path|Name) \$(?!NmKeys)/); // a parameter, not Join-Path
      expect(script).not.toMatch(/Get-WmiObject|Win32_Product/);
    }
    expect(scriptFor("installedProducts")).toContain("WOW6432Node");
    expect(scriptFor("hashTree")).toContain("Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256");
    expect(scriptFor("run")).toContain("& cmd.exe /d /v:off /s /c $NmCmd");
    expect(scriptFor("run")).toContain("$NmExit = $LASTEXITCODE");
    expect(scriptFor("run")).toContain("Start-Process @NmSp");
    expect(scriptFor("copyToSession")).toContain("-ToSession $NmS");
    expect(scriptFor("openSsh")).toContain("New-PSSession @NmP");
    expect(scriptFor("openWinrm")).toContain("PSCredential");
    expect(scriptFor("closeSession")).toContain("Get-PSSession | Remove-PSSession");
  });

  test("move is a rename, also across volumes; writeFile never replaces a folder (HostOps contract)", () => {
    const move = scriptFor("move");
    // Move-Item puts the source inside an existing destination folder: refused before it can.
    expect(move).toContain("if ($NmFrom.PSIsContainer -or $NmTo.PSIsContainer) { throw");
    // Windows PowerShell 5.1 cannot move a folder to another volume.
    expect(move).toContain("if ($NmFrom.PSIsContainer -and -not $NmSameVolume) {");
    expect(move).toContain("Copy-Item -LiteralPath $NmFrom.FullName -Destination $To -Recurse -Force");
    expect(scriptFor("writeFile")).toContain(
      "if (Test-Path -LiteralPath $Path -PathType Container) { throw ($Path + ' is a folder, not a file') }",
    );
  });
});
