// ESLint (flat config): typescript-eslint's type-aware rules, and the layer rules — imports only point down:
// server → resolvers → services → events → loaders → upstreams → domain → model → errors / config.
// The emulators stand in for the real products: gateway code never imports them (only src/main.ts starts them).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layer = (name, above) => ({
  group: above.map(folder => `**/${folder}/**`),
  message: `${name} must not import from a layer above it (${above.join(", ")}): imports only point down.`,
});
const emulators = { group: ["**/emulators/**"], message: "Gateway code never imports the emulators (src/main.ts starts them)." };
const restrict = (...patterns) => ({ "no-restricted-imports": ["error", { patterns: [...patterns, emulators] }] });

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/results/**", "coverage/**", "examples/**/generated/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ["eslint.config.js"] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
  { files: ["resolvers/**/*.ts", "src/server/**/*.ts", "src/schema/**/*.ts"], rules: restrict() },
  { files: ["src/services/**/*.ts"], rules: restrict(layer("services", ["server", "resolvers"])) },
  { files: ["src/events/**/*.ts"], rules: restrict(layer("events", ["server", "resolvers", "services"])) },
  { files: ["src/loaders/**/*.ts"], rules: restrict(layer("loaders", ["server", "resolvers", "services", "events"])) },
  { files: ["src/upstreams/**/*.ts"], rules: restrict(layer("upstreams", ["server", "resolvers", "services", "events", "loaders", "model"])) },
  { files: ["src/domain/**/*.ts"], rules: restrict(layer("domain", ["server", "resolvers", "services", "events", "loaders", "upstreams"])) },
  { files: ["src/model/**/*.ts"], rules: restrict(layer("model", ["server", "resolvers", "services", "events", "loaders", "upstreams", "domain"])) },
  { files: ["src/errors/**/*.ts"], rules: restrict(layer("errors", ["server", "resolvers", "services", "events", "loaders", "upstreams", "domain", "model"])) },
);
