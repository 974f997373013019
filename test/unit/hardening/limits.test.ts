import { describe, expect, it } from "vitest";
import { Kind, buildSchema, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { computeComplexity, operationDepth } from "../../../src/server/limits.js";

const depthOf = (query: string) => {
  const doc = parse(query);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const op = doc.definitions.find(d => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return operationDepth(op, fragments);
};

describe("operationDepth", () => {
  it("counts nested fields, through fragments and inline fragments, not __typename", () => {
    expect(depthOf("{ a }")).toBe(1);
    expect(depthOf("{ a { b { c } } }")).toBe(3);
    expect(depthOf("{ a { ...F } } fragment F on T { b { c { __typename } } }")).toBe(3);
    expect(depthOf("{ a { ... on T { b } } }")).toBe(2);
  });
});

describe("computeComplexity", () => {
  const schema = buildSchema(`
    type Item { id: ID! children(first: Int): [Item!]! }
    type Query { items(first: Int): [Item!]! one: Item }
  `);
  it("multiplies children by the page size asked for", () => {
    const small = computeComplexity(schema, parse("{ items(first: 2) { id } }"), {});
    const big = computeComplexity(schema, parse("{ items(first: 100) { id children(first: 100) { id } } }"), {});
    expect(small).toBeLessThan(10);
    expect(big).toBeGreaterThan(10_000);
  });
  it("reads page sizes from variables", () => {
    const c = computeComplexity(schema, parse("query Q($n: Int) { items(first: $n) { id } }"), { n: 50 });
    expect(c).toBeGreaterThanOrEqual(50);
  });
});
