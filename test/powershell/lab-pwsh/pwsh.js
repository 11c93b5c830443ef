#!/usr/bin/env node
/**
 * A lab-backed stand-in for `pwsh` as node-powershell 5 drives it (see labShell.ts). It runs the lab's
 * TypeScript sources directly (ts-node, transpile only), so it always carries out operations with the
 * current lab code, without a build.
 *
 * Environment: NETMGR_LAB_DIR (the lab folder), NETMGR_FAKE_LOG (optional call log, see ../wire.js).
 */
const path = require("path");

require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "..", "..", "..", "tsconfig.json"),
});
require("./labShell.ts").main();
