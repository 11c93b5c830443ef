/**
 * Windows command lines for `run` (pure functions).
 *
 * A Windows process receives ONE command-line string; how it is split into arguments depends on the program.
 * PowerShell's own native-argument passing differs between 5.1 and 7.x (and by `$PSNativeCommandArgumentPassing`),
 * so the controller builds the exact command-line tail here, where it is tested, and the node receives it as a
 * string argument (data, never script text):
 *
 * - programs (`Setup.exe`, `SysMonMgr.exe`, `clp*`): the MSVCRT / CommandLineToArgvW convention, passed as the
 *   single pre-quoted `-ArgumentList` string that the Start-Process docs recommend;
 * - batch files (`*.bat`, `*.cmd`): a cmd.exe line `"<bat>" <args>` run as `cmd.exe /d /v:off /s /c "<line>"`.
 *   cmd.exe cannot carry a double quote, a line break or NUL inside one argument, so those are refused here
 *   with a clear error; `%NAME%` sequences are checked on the node, which knows its environment.
 */

export class CommandLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandLineError";
  }
}

/** Quote one argument for the MSVCRT parser (backslashes before a quote are doubled, the quote escaped). */
export function quoteWindowsArg(arg: string): string {
  if (arg.includes("\0")) throw new CommandLineError("an argument contains a NUL character");
  if (arg.length > 0 && !/[ \t\n\v"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === "\\") {
      backslashes++;
      continue;
    }
    out += ch === '"' ? "\\".repeat(backslashes * 2 + 1) + '"' : "\\".repeat(backslashes) + ch;
    backslashes = 0;
  }
  return out + "\\".repeat(backslashes * 2) + '"';
}

/** The `-ArgumentList` string for Start-Process: every argument quoted as the program's C runtime expects. */
export function windowsArgLine(args: readonly string[]): string {
  return args.map(quoteWindowsArg).join(" ");
}

/** Characters that end or split an unquoted batch argument, or that cmd.exe interprets outside quotes. */
const CMD_NEEDS_QUOTES = /[\s&|<>^(),;=]/;

export function isBatchFile(program: string): boolean {
  return /\.(bat|cmd)$/i.test(program.trim());
}

function checkCmdText(text: string, what: string): void {
  if (text.includes('"'))
    throw new CommandLineError(`${what} contains a double quote, which cmd.exe cannot pass to a batch file`);
  if (/[\r\n]/.test(text))
    throw new CommandLineError(`${what} contains a line break, which would end the cmd.exe command line`);
  if (text.includes("\0")) throw new CommandLineError(`${what} contains a NUL character`);
}

/**
 * The cmd.exe line that runs a batch file: the program always quoted, each argument quoted when it holds
 * whitespace, a cmd.exe metacharacter (`& | < > ^ ( )`) or a batch delimiter (`, ; =`). Inside quotes those are
 * literal for cmd.exe; the batch file sees the argument with its quotes (`%~1` strips them). Messages name the
 * argument by position, never by value (it may be a secret).
 */
export function cmdLine(program: string, args: readonly string[]): string {
  checkCmdText(program, "the batch file path");
  const parts = [`"${program}"`];
  args.forEach((arg, i) => {
    checkCmdText(arg, `argument ${i + 1}`);
    parts.push(arg.length === 0 || CMD_NEEDS_QUOTES.test(arg) ? `"${arg}"` : arg);
  });
  return parts.join(" ");
}
