/** Stack configurations of the end-to-end scenarios (netmgr:* keys without the prefix). */
export const MEDIA = {
  newMedia: { path: "D:\\media\\NetMgr-9.0", layout: "plain" },
  oldMedia: { path: "D:\\media\\NetMgr-8.0", layout: "plain" },
};

export const internalWithWebConsole = {
  fromVersion: "8.0",
  toVersion: "9.0",
  db: "internal",
  ...MEDIA,
  webConsole: { enabled: true, managerId: "nvpro01", imsAddress: "192.168.1.200", port: 28110, sendEvent: 1 },
  consoles: ["console1", "console2"],
};

export const sqlServerWithSflow = {
  fromVersion: "8.0",
  toVersion: "9.0",
  db: "sqlserver",
  sflowDb: true,
  ...MEDIA,
  webConsole: { enabled: false },
  consoles: [],
};

export const laterSource = {
  fromVersion: "8.1",
  toVersion: "9.1",
  db: "internal",
  newMedia: { path: "D:\\media\\NetMgr-9.1", layout: "masterscope" },
  oldMedia: { path: "D:\\media\\NetMgr-8.1", layout: "masterscope" },
  webConsole: { enabled: false },
  consoles: [],
};
