import { defineConfig } from "vitest/config";

export default defineConfig({
  // Node resolves "graphql" to its CommonJS build (no "exports" field); Vite would pick the .mjs one.
  // type-graphql and Apollo use the CommonJS copy, so the project's code must too: one graphql realm.
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // Bounds on a test, never assertions: generous, because CI is a 2-core machine under load, where stacks start
    // and 200-subscriber tests run several times slower. A test waits for events, so a bound only ends a hang.
    // (No `retry`: a flaky test is fixed, not retried.)
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files each start their own emulators and gateway on port 0.
    pool: "forks",
  },
});
