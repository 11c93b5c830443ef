/**
 * A secret value (SQL sa password, CMDB password from WFDB.INI, remoting credentials) that can travel through
 * the code without leaking: printing, string interpolation and JSON all give "[secret]". Only a transport,
 * at the last moment, calls `reveal()`; error messages pass through `scrub()` first.
 */
import { inspect } from "node:util";

const REDACTED = "[secret]";

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** A program argument: plain text, or a secret that a transport passes as data and logs as "[secret]". */
export type Arg = string | Secret;

export function argText(arg: Arg): string {
  return typeof arg === "string" ? arg : REDACTED;
}

/** Replace every occurrence of the secrets' values in `text` (for errors and program output). */
export function scrub(text: string, secrets: readonly (Secret | string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    const value = s instanceof Secret ? s.reveal() : s;
    if (value && value.length > 0) out = out.split(value).join(REDACTED);
  }
  return out;
}
