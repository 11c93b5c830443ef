/** Types of wire.js (the protocol and decoding shared by the fake shells). */

export const MARKER: string;
export const SHELL_OPS: ReadonlySet<string>;

export interface Command {
  /** The wrapper script (UTF-8). */
  script: string;
  /** From the script's `# netmgr:<op>` header, "?" when it has none. */
  op: string;
  /** The payload's arguments, string leaves decoded. */
  args: unknown[];
  /** The third literal (writeFile's content), still base64. */
  blob: string | undefined;
}

export interface CallLog {
  line(text: string): void;
  record(event: Record<string, unknown>): void;
  records(): Record<string, unknown>[];
}

export function strictBase64(s: string): string;
export function strictBase64Bytes(s: string): Buffer;
export function decodeLeaf(leaf: unknown): unknown;
export function decodeCommand(line: string): Command | null;
export function remoteParams(script: string): string[] | null;
export function validate(op: string, script: string, args: readonly unknown[]): string[];
export function argStrings(args: readonly unknown[]): string[];
export function resultLine(json: unknown): string;
export function callLog(dir: string | undefined, nodeOf: () => string | null): CallLog;
export function serve(command: (line: string) => Promise<void>, log: CallLog): void;
