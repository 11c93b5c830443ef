/**
 * Program output from the node: bytes in the node's OEM code page (what console programs and cmd.exe write),
 * decoded on the controller. The code page comes from the node's registry
 * (HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage OEMCP, e.g. 932 on Japanese Windows); 0 means unknown.
 */
import iconv from "iconv-lite";
import { z } from "zod";

export const CapturedStream = z.object({
  /** Total size of the stream on the node. */
  bytes: z.number().int().nonnegative(),
  /** Its last MAX_PROGRAM_OUTPUT_BYTES, base64. */
  b64: z.string(),
});
export type CapturedStream = z.infer<typeof CapturedStream>;

export const RawRunResult = z.object({
  exitCode: z.number().int(),
  stdout: CapturedStream,
  stderr: CapturedStream,
  codePage: z.number().int().nonnegative(),
});
export type RawRunResult = z.infer<typeof RawRunResult>;

export function decodeBytes(bytes: Buffer, codePage: number): string {
  if (codePage === 0 || codePage === 65001) {
    const text = bytes.toString("utf8");
    return text.startsWith("\uFEFF") ? text.slice(1) : text;
  }
  const name = `cp${codePage}`;
  return iconv.encodingExists(name) ? iconv.decode(bytes, name) : bytes.toString("latin1");
}

function streamText(stream: CapturedStream, codePage: number): string {
  const kept = Buffer.from(stream.b64, "base64");
  const text = decodeBytes(kept, codePage);
  const omitted = stream.bytes - kept.length;
  return omitted > 0 ? `[... first ${omitted} bytes omitted ...]\n${text}` : text;
}

/**
 * RunResult.output: for batch files stdout already holds stderr in the program's order (cmd.exe 2>&1);
 * for programs run by Start-Process the two streams were captured separately, so stderr follows stdout.
 */
export function programOutput(raw: RawRunResult): string {
  const out = raw.stdout.bytes > 0 ? streamText(raw.stdout, raw.codePage) : "";
  const err = raw.stderr.bytes > 0 ? streamText(raw.stderr, raw.codePage) : "";
  if (err.length === 0) return out;
  if (out.length === 0) return err;
  return out.endsWith("\n") ? out + err : `${out}\n${err}`;
}
