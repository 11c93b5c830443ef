/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }] },
  roots: ["<rootDir>/test", "<rootDir>/providers"],
  testMatch: ["**/*.test.ts"],
  // End-to-end tests drive the real pulumi CLI and take minutes; they have their own project (see jest.e2e.config.js).
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/test/e2e/"],
  testTimeout: 60_000,
};
