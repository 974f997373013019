import { defineConfig } from "vitest/config";

export default defineConfig({
  // Node resolves "graphql" to its CommonJS build (no "exports" field); Vite would pick the .mjs one.
  // type-graphql and Apollo use the CommonJS copy, so the project's code must too: one graphql realm.
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each start their own emulators and gateway on port 0.
    pool: "forks",
  },
});
