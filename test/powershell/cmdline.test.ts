/**
 * Command lines for `run`, checked against models of how Windows splits them (no Windows here):
 * - CommandLineToArgvW / the MSVCRT startup code, for programs started by Start-Process;
 * - cmd.exe `/s /c "<line>"` plus batch-parameter splitting, for .bat files started through cmd.exe.
 */
import {
  CommandLineError,
  cmdLine,
  isBatchFile,
  quoteWindowsArg,
  windowsArgLine,
} from "../../providers/powershell/cmdline";
import { int, nastyString, rng, unicodeString } from "./gen";
// The one model of CommandLineToArgvW / the MSVCRT rules, shared with the lab-backed pwsh.
import { parseWindowsArgs } from "./lab-pwsh/labShell";

/**
 * Windows PowerShell 5.1's NativeCommandParameterBinder.NeedQuotes (also 7.x "Legacy", used for cmd.exe):
 * an argument with whitespace outside (unescaped) double quotes is wrapped in quotes, as is.
 */
function legacyNeedsQuotes(arg: string): boolean {
  let quotes = 0;
  let afterBackslash = false;
  for (const ch of arg) {
    if (ch === '"' && !afterBackslash) quotes++;
    else if (/\s/.test(ch) && quotes % 2 === 0) return true;
    afterBackslash = ch === "\\";
  }
  return false;
}

/** What cmd.exe runs for `cmd.exe /d /v:off /s /c <tail>`: with /s, the first and last quote are removed. */
function cmdSlashS(tail: string): string {
  const first = tail.indexOf('"');
  const last = tail.lastIndexOf('"');
  if (first < 0 || first === last) return tail;
  return tail.slice(0, first) + tail.slice(first + 1, last) + tail.slice(last + 1);
}

/** Characters cmd.exe acts on outside quotes, in a line with no redirection of our own. */
function unquotedMetacharacters(line: string): string[] {
  const found: string[] = [];
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && "&|<>^()".includes(ch)) found.push(ch);
  }
  return found;
}

/** Batch parameters %0..%n: split on unquoted whitespace , ; = (quotes kept), then %~n strips outer quotes. */
function batchParameters(line: string): string[] {
  const params: string[] = [];
  let current = "";
  let quoted = false;
  let inToken = false;
  for (const ch of line) {
    if (ch === '"') {
      quoted = !quoted;
      current += ch;
      inToken = true;
    } else if (!quoted && /[\s,;=]/.test(ch)) {
      if (inToken) params.push(current);
      current = "";
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (inToken) params.push(current);
  return params.map((p) => (p.startsWith('"') && p.endsWith('"') && p.length >= 2 ? p.slice(1, -1) : p));
}

describe("program arguments (Start-Process -ArgumentList, MSVCRT rules)", () => {
  test("random arguments, incl. quotes, backslashes before quotes and at the end, round-trip", () => {
    const r = rng(424242);
    const pieces = [
      "\\",
      "\\\\",
      '"',
      '\\"',
      " ",
      "\t",
      "a",
      "C:\\x y\\",
      "/LOG=C:\\Program Files\\a.log",
      "日本",
      "'",
      "$x",
      "%P%",
      "",
    ];
    for (let i = 0; i < 2000; i++) {
      const args = Array.from({ length: int(r, 0, 5) }, () => {
        const n = int(r, 0, 6);
        let s = "";
        for (let j = 0; j < n; j++)
          s +=
            r() < 0.7
              ? (pieces[int(r, 0, pieces.length - 1)] ?? "")
              : r() < 0.5
                ? nastyString(r, 3)
                : unicodeString(r, 3);
        return s.replace(/[\r\n\v]/g, "");
      });
      expect(parseWindowsArgs(windowsArgLine(args))).toEqual(args);
    }
  });

  test("plain arguments stay unquoted; empty ones become a quoted empty string", () => {
    expect(windowsArgLine(["/S", "/FUNCTION=Manager", "", "a b", 'say "hi"', "C:\\dir\\"])).toBe(
      '/S /FUNCTION=Manager "" "a b" "say \\"hi\\"" C:\\dir\\',
    );
    expect(quoteWindowsArg("C:\\dir with space\\")).toBe('"C:\\dir with space\\\\"');
    expect(() => quoteWindowsArg("a\0b")).toThrow(CommandLineError);
  });
});

describe("batch files (cmd.exe /d /v:off /s /c)", () => {
  const program = "C:\\Program Files (x86)\\NEC\\UMF\\Operations\\Manager\\bin\\WfdbCmdSetup.bat";

  test("random arguments reach the batch file as %~1..%~n, with no cmd.exe metacharacter outside quotes", () => {
    const r = rng(99);
    for (let i = 0; i < 2000; i++) {
      const args = Array.from({ length: int(r, 0, 6) }, () =>
        (r() < 0.7 ? nastyString(r, 5) : unicodeString(r, 4)).replace(/["\r\n\0]/g, ""),
      );
      const line = cmdLine(program, args);
      // What the node appends; PowerShell (5.1, 7.x Legacy) then wraps the whole tail in quotes...
      const tail = `${line} > "C:\\Users\\ADMINI~1\\AppData\\Local\\Temp\\tmp1A2B.tmp" 2>&1`;
      expect(legacyNeedsQuotes(tail)).toBe(true);
      // ...and /s takes exactly those off again.
      expect(cmdSlashS(`"${tail}"`)).toBe(tail);
      expect(unquotedMetacharacters(line)).toEqual([]);
      expect(batchParameters(line)).toEqual([program, ...args]);
    }
  });

  test("the guide's own examples", () => {
    expect(cmdLine("C:\\x\\WfdbCmdbSetup.bat", ["wfdb", "localhost", "\\", "SQL Server"])).toBe(
      '"C:\\x\\WfdbCmdbSetup.bat" wfdb localhost \\ "SQL Server"',
    );
    expect(cmdLine("C:\\x\\adapter-setup.bat", [])).toBe('"C:\\x\\adapter-setup.bat"');
    expect(cmdLine("C:\\x\\a.bat", ["sa@Pass&word", "a=b", "", "x^y"])).toBe(
      '"C:\\x\\a.bat" "sa@Pass&word" "a=b" "" "x^y"',
    );
  });

  test("what cmd.exe cannot carry is refused, naming the argument by position, never by value", () => {
    const cases: [string[], RegExp][] = [
      [['pa"ss'], /argument 1 contains a double quote/],
      [["ok", "line\nbreak"], /argument 2 contains a line break/],
      [["a\rb"], /line break/],
      [["a\0b"], /NUL/],
    ];
    for (const [args, message] of cases) {
      let error: unknown;
      try {
        cmdLine(program, args);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CommandLineError);
      expect((error as Error).message).toMatch(message);
      for (const a of args) expect((error as Error).message).not.toContain(a);
    }
    expect(() => cmdLine('C:\\a"b.bat', [])).toThrow(/batch file path/);
  });

  test("batch files are recognised by extension", () => {
    expect(isBatchFile("C:\\x\\adapter-setup.BAT")).toBe(true);
    expect(isBatchFile("C:\\x\\run.cmd")).toBe(true);
    expect(isBatchFile("C:\\x\\Setup.exe")).toBe(false);
    expect(isBatchFile("clpstat")).toBe(false);
  });
});
