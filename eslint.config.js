// ESLint (flat config): typescript-eslint's type-aware rules, and the layer rules. Imports only point down:
//   server → resolvers → services → events → loaders → backends → domain + model → errors, lib, config
// (src/errors' mapping to GraphQL errors sits above the backends: it knows every failure they raise).
// The emulators stand in for the real products: gateway code never imports them (src/main.ts starts them).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const ORDER = ["server", "resolvers", "services", "events", "loaders", "backends", "domain", "model"];
const above = layer => ORDER.slice(0, ORDER.indexOf(layer));
const emulators = {
  group: ["**/emulators/**", "!**/src/emulators/**/*.test.ts"],
  message: "Gateway code never imports the emulators (only src/main.ts starts them).",
};
const restrict = (name, folders) => ({
  "no-restricted-imports": [
    "error",
    {
      patterns: [
        ...(folders.length
          ? [
              {
                group: folders.map(f => (f.endsWith(".js") ? `**/${f}` : `**/${f}/**`)),
                message: `${name} must not import from a layer above it (${folders.join(", ")}): imports only point down.`,
              },
            ]
          : []),
        emulators,
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/results/**", "coverage/**", ".test-build-*/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ["eslint.config.js"] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: false }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
  // The gateway's layers (src/main.ts, the composition root, may start the emulators).
  { files: ["src/server/**/*.ts", "src/schema/**/*.ts", "resolvers/**/*.ts"], rules: restrict("server and resolvers", []) },
  { files: ["src/services/**/*.ts"], rules: restrict("services", above("services")) },
  { files: ["src/events/**/*.ts"], rules: restrict("events", above("events")) },
  { files: ["src/loaders/**/*.ts"], rules: restrict("loaders", above("loaders")) },
  { files: ["src/backends/**/*.ts"], rules: restrict("backends", above("backends")) },
  { files: ["src/domain/**/*.ts", "src/model/**/*.ts"], rules: restrict("domain and model", above("domain")) },
  { files: ["src/errors/to-graphql-error.ts", "src/errors/partial.ts"], rules: restrict("the error mapping", above("backends")) },
  {
    files: ["src/errors/error-codes.ts", "src/errors/gateway-error.ts", "src/lib/**/*.ts", "src/config.ts"],
    rules: restrict("errors, lib and config", [...ORDER, "to-graphql-error.js", "partial.js"]),
  },
);
