import "reflect-metadata";
import { writeFile } from "node:fs/promises";
import { buildGatewaySchema } from "./build.js";
import { renderSdl } from "./sdl.js";

const target = new URL("../../schema.graphql", import.meta.url);
await writeFile(target, renderSdl(await buildGatewaySchema()));
console.log(`wrote ${target.pathname}`);
