/**
 * A small cmd.exe batch interpreter for script resources (start.bat / stop.bat, research §8): `rem`, `echo`,
 * `set`, labels, `goto`, `if [not] "a" == "b" <command>`, `exit [/b] [n]`, `del`, and external commands
 * through a callback (net start, clplogcmd, ...). Anything else is "not recognized", as cmd says.
 */

export interface BatchResult {
  exitCode: number;
  output: string;
}

export interface BatchHost {
  /** `del` of one path (already expanded, unquoted). */
  del(path: string): void;
  /** An external command; undefined when there is no such program. */
  exec(command: string, args: string[]): BatchResult | undefined;
}

export function notRecognized(command: string): string {
  return `'${command}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`;
}

/** Split a command line into words; double quotes group and are removed. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inQuote = false;
  let has = false;
  for (const ch of line) {
    if (ch === '"') {
      inQuote = !inQuote;
      has = true;
    } else if (/\s/.test(ch) && !inQuote) {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

function expand(text: string, env: Map<string, string>): string {
  return text.replace(/%%|%([^%\s]+)%/g, (m, name: string | undefined) =>
    name === undefined ? "%" : (env.get(name.toUpperCase()) ?? ""),
  );
}

export function runBatch(
  text: string,
  initialEnv: Record<string, string>,
  host: BatchHost,
  maxSteps = 10_000,
): BatchResult {
  const env = new Map(Object.entries(initialEnv).map(([k, v]) => [k.toUpperCase(), v]));
  const lines = text.split(/\r?\n/);
  const labels = new Map<string, number>();
  lines.forEach((l, i) => {
    const m = /^\s*:([^:\s]\S*)/.exec(l);
    if (m?.[1]) labels.set(m[1].toLowerCase(), i);
  });
  let out = "";
  let errorlevel = 0;
  let pc = 0;
  let steps = 0;

  const gotoLabel = (label: string): boolean => {
    const l = label.replace(/^:/, "").toLowerCase();
    if (l === "eof") {
      pc = lines.length;
      return true;
    }
    const target = labels.get(l);
    if (target === undefined) {
      out += "The system cannot find the batch label specified - " + label + "\r\n";
      errorlevel = 1;
      pc = lines.length;
      return false;
    }
    pc = target + 1;
    return true;
  };

  const runCommand = (raw: string): "continue" | "jumped" | "exit" => {
    const line = raw.trim().replace(/^@/, "");
    if (line === "" || /^rem(\s|$)/i.test(line) || line.startsWith("::") || line.startsWith(":"))
      return "continue";
    const expanded = expand(line, env);
    const word = (/^\S+/.exec(expanded)?.[0] ?? "").toLowerCase();
    const rest = expanded.slice(word.length).trim();
    switch (word) {
      case "echo":
        if (!/^(off|on)$/i.test(rest)) out += `${rest}\r\n`;
        return "continue";
      case "set": {
        const m = /^"?([^=]+)=(.*?)"?$/.exec(rest);
        if (m?.[1]) env.set(m[1].trim().toUpperCase(), m[2] ?? "");
        return "continue";
      }
      case "goto":
        gotoLabel(rest.split(/\s+/)[0] ?? "");
        return "jumped";
      case "exit": {
        const m = /^(\/b\s*)?(-?\d+)?/i.exec(rest);
        if (m?.[2] !== undefined) errorlevel = Number(m[2]);
        return "exit";
      }
      case "if": {
        const m = /^(not\s+)?("[^"]*"|\S+)\s*==\s*("[^"]*"|\S+)\s+(.*)$/i.exec(rest);
        if (!m) {
          out += "The syntax of the command is incorrect.\r\n";
          errorlevel = 1;
          return "exit";
        }
        const [, not, left = "", right = "", then = ""] = m;
        const equal = left.replace(/"/g, "") === right.replace(/"/g, "");
        if (equal !== !!not) return runCommand(then);
        return "continue";
      }
      case "del":
      case "erase": {
        const args = splitArgs(rest.replace(/\s*2>\s*NUL\s*$/i, "").replace(/\s*>\s*NUL\s*$/i, "")).filter(
          (a) => !a.startsWith("/"),
        );
        for (const a of args) host.del(a);
        return "continue";
      }
      default: {
        const parts = splitArgs(expanded.replace(/\s*2?>\s*NUL\s*$/i, ""));
        const cmd = parts[0] ?? "";
        const r = host.exec(cmd, parts.slice(1));
        if (!r) {
          out += notRecognized(cmd);
          errorlevel = 9009;
        } else {
          out += r.output;
          errorlevel = r.exitCode;
        }
        return "continue";
      }
    }
  };

  while (pc < lines.length) {
    if (++steps > maxSteps) {
      out += "(stopped: the script does not end)\r\n";
      return { exitCode: 1, output: out };
    }
    const line = lines[pc] ?? "";
    pc += 1;
    const r = runCommand(line);
    if (r === "exit") return { exitCode: errorlevel, output: out };
  }
  return { exitCode: errorlevel, output: out };
}
