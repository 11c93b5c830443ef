import {
  codecFor,
  declaredEncoding,
  decodeClpConf,
  encodeClpConf,
} from "../../providers/expresscluster/encoding";
import { formatDuration } from "../../providers/expresscluster/wait";
import { clpconfBytes } from "./fixtures";

describe("clp.conf encoding", () => {
  it("maps the names clp.conf declares to codecs", () => {
    expect(codecFor("SJIS")).toBe("cp932");
    expect(codecFor("Shift_JIS")).toBe("cp932");
    expect(codecFor("EUC-JP")).toBe("eucjp");
    expect(codecFor("ASCII")).toBe("latin1");
    expect(codecFor("GB2312")).toBe("gbk");
    expect(codecFor(undefined)).toBe("utf8");
    expect(() => codecFor("EBCDIC-XX")).toThrow(/cannot read: "EBCDIC-XX"/);
  });

  it("reads the declaration", () => {
    expect(declaredEncoding('<?xml version="1.0" encoding="SJIS" standalone="no"?>')).toBe("SJIS");
    expect(declaredEncoding("<?xml version='1.0' encoding='EUC-JP'?>")).toBe("EUC-JP");
    expect(declaredEncoding("<root/>")).toBeUndefined();
  });

  it("decodes and re-encodes SJIS, EUC-JP and ASCII byte for byte", () => {
    const sjis = clpconfBytes("x3-windows-internal-sjis.conf");
    expect(decodeClpConf(sjis)).toContain("共有ディスク X:");
    expect(encodeClpConf(decodeClpConf(sjis)).equals(sjis)).toBe(true);

    const euc = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="EUC-JP"?>\n<root><comment>'),
      Buffer.from([0xa5, 0xaf, 0xa5, 0xe9, 0xa5, 0xb9, 0xa5, 0xbf]),
      Buffer.from("</comment></root>"),
    ]);
    expect(decodeClpConf(euc)).toContain("<comment>クラスタ</comment>");
    expect(encodeClpConf(decodeClpConf(euc)).equals(euc)).toBe(true);

    // A stray high byte in a file declared ASCII survives the round trip.
    const ascii = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ASCII"?><root><c>'),
      Buffer.from([0xe9]),
      Buffer.from("</c></root>"),
    ]);
    expect(encodeClpConf(decodeClpConf(ascii)).equals(ascii)).toBe(true);
  });

  it("keeps a UTF-8 byte order mark", () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('<?xml version="1.0" encoding="UTF-8"?><root>é</root>'),
    ]);
    expect(encodeClpConf(decodeClpConf(bytes)).equals(bytes)).toBe(true);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [45_000, "45s"],
    [60_000, "1m"],
    [80_000, "1m20s"],
    [900_000, "15m"],
    [3_900_000, "1h05m"],
  ])("%d ms -> %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
