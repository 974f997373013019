import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), "utf8"));

describe("package.json engines", () => {
  it("is a range every locked dependency declares it supports, and includes the Node running the tests", () => {
    const range = read("package.json").engines.node as string;
    const lock = read("package-lock.json") as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };
    const narrower = Object.entries(lock.packages)
      .filter(([path, info]) => path && info.engines && !Array.isArray(info.engines) && info.engines.node)
      .filter(([, info]) => !semver.subset(range, (info.engines as { node: string }).node))
      .map(([path, info]) => `${path.replace(/^.*node_modules\//, "")}@${info.version} wants ${(info.engines as { node: string }).node}`);
    expect(narrower).toEqual([]);
    expect(semver.satisfies(process.version, range)).toBe(true);
  });
});
