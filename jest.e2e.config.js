/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  roots: ["<rootDir>/test/e2e"],
  testMatch: ["**/*.test.ts"],
  globalSetup: "<rootDir>/test/e2e/globalSetup.ts",
  testTimeout: 15 * 60_000,
  // Each e2e file runs many pulumi processes; two workers keep a 2-core machine busy without thrashing.
  maxWorkers: 2,
};
