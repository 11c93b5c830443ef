/**
 * Turning transport failures into HostErrors an operator can act on, with every known secret scrubbed.
 */
import { HostError } from "../hosts/types";
import { scrub, type Secret } from "../hosts/secret";

export type Kind = HostError["kind"];
export type Secrets = readonly (Secret | string | undefined)[];

/** The only way this transport builds a HostError: host, operation and message all pass through scrub(). */
export function hostError(
  host: string,
  operation: string,
  message: string,
  kind: Kind,
  secrets: Secrets,
): HostError {
  return new HostError(scrub(host, secrets), scrub(operation, secrets), scrub(message, secrets), kind);
}

/** Why the local PowerShell process is gone, from a node-powershell ProcessError (or anything else). */
export function describeShellExit(error: unknown, executable: string): string {
  const e = error as {
    originalError?: { code?: string; message?: string };
    exitCode?: number | null;
    signalCode?: string | null;
    message?: string;
  };
  if (e?.originalError?.code === "ENOENT") {
    return (
      `the local PowerShell executable "${executable}" was not found on the controller (spawn ENOENT); ` +
      `install PowerShell 7 or set netmgr:remoting.pwsh to its path`
    );
  }
  if (e?.originalError?.code === "EACCES") {
    return `the local PowerShell executable "${executable}" cannot be run (spawn EACCES)`;
  }
  const parts: string[] = [];
  if (typeof e?.exitCode === "number") parts.push(`exit code ${e.exitCode}`);
  if (e?.signalCode) parts.push(`signal ${e.signalCode}`);
  const detail = e?.originalError?.message?.trim();
  return `the local PowerShell ("${executable}") exited${parts.length > 0 ? ` (${parts.join(", ")})` : ""}${detail ? `: ${detail}` : ""}`;
}

/** Trim a diagnostic (stderr, stray stdout) to something that fits in one error message. */
export function excerpt(text: string, max = 600): string {
  const t = text.replace(/\r\n/g, "\n").trim();
  return t.length <= max ? t : `${t.slice(0, max)}… (${t.length - max} more characters)`;
}
