import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { buildGatewaySchema } from "../src/schema/build.js";
import { renderSdl } from "../src/schema/sdl.js";

describe("schema.graphql", () => {
  it("matches the schema the code builds (run `npm run schema:emit` after changing the graph)", async () => {
    const committed = await readFile(new URL("../schema.graphql", import.meta.url), "utf8");
    expect(renderSdl(await buildGatewaySchema())).toBe(committed);
  });
});
