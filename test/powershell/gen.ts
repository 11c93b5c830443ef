/**
 * A small seeded generator for property-style tests (no dependency): mulberry32 plus string pools of the
 * characters that break quoting.
 */
export type Rng = () => number;

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(r: Rng, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

export function pick<T>(r: Rng, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)] as T;
}

/** Quotes (ASCII, the four PowerShell single-quote characters, the double-quote variants), $, backtick, ... */
export const NASTY = [
  "'",
  "\u2018",
  "\u2019",
  "\u201A",
  "\u201B",
  '"',
  "\u201C",
  "\u201D",
  "\u201E",
  "$",
  "`",
  ";",
  " ",
  "\t",
  "\n",
  "\r\n",
  "\r",
  "&",
  "|",
  "<",
  ">",
  "^",
  "%",
  "!",
  "(",
  ")",
  "{",
  "}",
  "@",
  "#",
  "\\",
  "/",
  ",",
  "=",
  ":",
  "-",
  "\u2013",
  "\u2014",
  "*",
  "?",
  "[",
  "]",
  "$env:PATH",
  "$(Get-Date)",
  "${x}",
  "`n",
  "'+'",
  "@'",
  "'@",
  "%PATH%",
  "2020-01-01T00:00:00",
  "/Date(0)/",
];

export const TEXT = [
  "a",
  "Z",
  "0",
  "9",
  "_",
  ".",
  "C:\\Program Files (x86)\\NEC",
  "sa@Password",
  "日本語",
  "ﾃｽﾄ",
  "表",
  "ソ",
  "能",
  "𠮷",
  "😀",
  "é",
  "ß",
  "\u00a0",
  "\u3000",
  "\u200b",
  "\ufeff",
  "\u0001",
  "\u001f",
  "\u007f",
];

/** A random NUL-free, well-formed string of up to `max` pieces. */
export function nastyString(r: Rng, max = 12): string {
  const n = int(r, 0, max);
  let s = "";
  for (let i = 0; i < n; i++) s += r() < 0.5 ? pick(r, NASTY) : pick(r, TEXT);
  return s;
}

/** Random code points from the whole of Unicode (no NUL, no lone surrogates). */
export function unicodeString(r: Rng, max = 16): string {
  const n = int(r, 0, max);
  let s = "";
  for (let i = 0; i < n; i++) {
    let cp = r() < 0.7 ? int(r, 1, 0xffff) : int(r, 0x10000, 0x10ffff);
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41;
    s += String.fromCodePoint(cp);
  }
  return s;
}
