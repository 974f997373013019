import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The layer rules of eslint.config.js, run on code that breaks them: `npm run lint` (and CI) must refuse it.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter(m => m.ruleId === "no-restricted-imports").map(m => m.message);
}

describe("layer rules (eslint.config.js)", () => {
  it("refuse imports that point up: backends → server, services → server, domain → backends, errors → domain", { timeout: 120_000 }, async () => {
    expect(
      await restrictedImports("src/backends/http.ts", 'import { createLogger } from "../server/logger.js";\nexport const x = createLogger;\n'),
    ).toEqual([expect.stringContaining("backends must not import from a layer above it")]);
    expect(
      await restrictedImports(
        "src/services/node-lookup.ts",
        'import type { GatewayContext } from "../server/context.js";\nexport type X = GatewayContext;\n',
      ),
    ).toEqual([expect.stringContaining("services must not import from a layer above it")]);
    expect(
      await restrictedImports("src/domain/ids.ts", 'import { backendKeyOf } from "../backends/registry.js";\nexport const x = backendKeyOf;\n'),
    ).toEqual([expect.stringContaining("domain and model must not import from a layer above it")]);
    expect(
      await restrictedImports("src/errors/gateway-error.ts", 'import { toGlobalId } from "../domain/ids.js";\nexport const x = toGlobalId;\n'),
    ).toEqual([expect.stringContaining("errors, lib and config must not import from a layer above it")]);
  });

  it("refuse gateway code that imports an emulator, and allow imports that point down", { timeout: 120_000 }, async () => {
    expect(
      await restrictedImports(
        "src/services/node-lookup.ts",
        'import { startHorizonEmulator } from "../emulators/horizon/horizon.emulator.js";\nexport const x = startHorizonEmulator;\n',
      ),
    ).toEqual([expect.stringContaining("never imports the emulators")]);
    expect(
      await restrictedImports(
        "src/services/node-lookup.ts",
        'import { backendKeyOf } from "../backends/registry.js";\nexport const x = backendKeyOf;\n',
      ),
    ).toEqual([]);
  });
});
