/**
 * clp.conf bytes ↔ text. The file declares its own encoding in the XML declaration
 * (`<?xml version="1.0" encoding="SJIS"?>`, "ASCII", "EUC-JP"; `<all><charset>` says the same), so it is read
 * and written back in that encoding, never assumed UTF-8: a Japanese cluster's comments are Shift_JIS.
 *
 * SJIS is decoded as Windows code page 932 (Shift_JIS plus the Windows extensions, what a Japanese Windows
 * writes). ASCII is mapped byte for byte (latin1) so that any stray non-ASCII byte survives a round trip.
 */
import * as iconv from "iconv-lite";

const DECLARED = /^\uFEFF?<\?xml[^>]*\sencoding\s*=\s*["']([^"']+)["']/;

/** The codec for a declared encoding name; UTF-8 when the file declares none. */
export function codecFor(declared: string | undefined): string {
  const name = (declared ?? "UTF-8").trim().toUpperCase().replace(/_/g, "-");
  switch (name) {
    case "SJIS":
    case "SHIFT-JIS":
    case "SHIFTJIS":
    case "MS932":
    case "CP932":
    case "WINDOWS-31J":
      return "cp932";
    case "EUC-JP":
    case "EUCJP":
      return "eucjp";
    case "ASCII":
    case "US-ASCII":
    case "ISO-8859-1":
    case "LATIN1":
      return "latin1";
    case "GB2312":
    case "GBK":
      return "gbk";
    case "UTF-8":
    case "UTF8":
      return "utf8";
    default:
      if (iconv.encodingExists(name)) return name;
      throw new Error(`clp.conf declares an encoding this product cannot read: "${declared}"`);
  }
}

/** The encoding the XML declaration names (undefined when there is none). The declaration is ASCII. */
export function declaredEncoding(head: string): string | undefined {
  return DECLARED.exec(head)?.[1];
}

export function decodeClpConf(bytes: Buffer): string {
  const head = bytes.subarray(0, 200).toString("latin1");
  return iconv.decode(bytes, codecFor(declaredEncoding(head)), { stripBOM: false });
}

export function encodeClpConf(text: string): Buffer {
  return iconv.encode(text, codecFor(declaredEncoding(text.slice(0, 200))), { addBOM: false });
}
