import { describe, expect, it } from "vitest";
import { Kind, buildSchema, parse, specifiedRules, validate, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import {
  checkDocumentShape,
  checkOperationLimits,
  computeComplexity,
  countVariableValues,
  documentShapeRule,
  operationDepth,
  repeatedFields,
  type QueryLimits,
  type WalkStats,
} from "../../../src/server/limits.js";

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

/** Each fragment spreads the next twice: 2^n selections when expanded, 2n + 4 in the text. */
const bomb = (n: number) => {
  const frags = [];
  for (let i = 0; i < n; i++) frags.push(`fragment F${i} on Item { ...F${i + 1} ...F${i + 1} }`);
  frags.push(`fragment F${n} on Item { id children(first: 2) { id } }`);
  return `{ items(first: 1) { ...F0 } } ${frags.join(" ")}`;
};
const LIMITS: QueryLimits = {
  maxDepth: 12,
  maxComplexity: 20_000,
  maxTokens: 2000,
  maxQueryLength: 200_000,
  maxAliases: 3,
  maxDirectives: 4,
  maxRepeatedFields: 3,
  maxVariableValues: 100,
};

describe("linear walks: each fragment is looked at once", () => {
  const schema = buildSchema(`
    type Item { id: ID! children(first: Int): [Item!]! }
    type Query { items(first: Int): [Item!]! one: Item }
  `);
  const opOf = (query: string) => {
    const doc = parse(query);
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    return { doc, fragments, op: doc.definitions.find(d => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode };
  };

  it("operationDepth visits each selection of a 2^20 fragment bomb once", () => {
    const { op, fragments } = opOf(bomb(20));
    const stats: WalkStats = { visits: 0 };
    expect(operationDepth(op, fragments, stats)).toBe(3);
    // items, its ...F0, 20 × 2 spreads, then F20's id and children, and children's id
    expect(stats.visits).toBe(1 + 1 + 20 * 2 + 2 + 1);
  });

  it("computeComplexity prices a 2^40 fragment bomb exactly, visiting each selection once", () => {
    const stats: WalkStats = { visits: 0 };
    // items(first: 1): 1 + 1 × F0; F0 = 2^40 × (id + children(first: 2) { id }) = 2^40 × (1 + (1 + 2 × 1))
    expect(computeComplexity(schema, parse(bomb(40)), {}, undefined, stats)).toBe(1 + 2 ** 40 * 4);
    expect(stats.visits).toBe(1 + 1 + 40 * 2 + 2 + 1);
  });

  it("checkDocumentShape counts aliases and directives through fragments, composed per fragment", () => {
    const stats: WalkStats = { visits: 0 };
    const aliases = opOf(`{ items { ...A ...A } } fragment A on Item { x: id y: id }`).doc;
    expect(checkDocumentShape(aliases, LIMITS, stats)?.message).toMatch(/4 aliases, more than the 3 allowed/);
    const directives = opOf(
      `{ items { ...D @skip(if: false) ...D } } fragment D on Item { id @include(if: true) children @skip(if: false) { id } }`,
    ).doc;
    expect(checkDocumentShape(directives, LIMITS)?.message).toMatch(/5 directives, more than the 4 allowed/);
    expect(checkDocumentShape(opOf(`{ items { ...A } } fragment A on Item { x: id y: id z: id }`).doc, LIMITS)).toBeUndefined();
    // A bomb of 2^30 spreads: every figure is composed, not expanded (each selection once per walk).
    const big = parse(bomb(30).replace("{ id children", "{ a: id children"));
    const bigStats: WalkStats = { visits: 0 };
    expect(checkDocumentShape(big, { ...LIMITS, maxAliases: 2 ** 31 }, bigStats)).toBeUndefined();
    expect(bigStats.visits).toBeLessThan(4 * (30 * 2 + 4));
    expect(checkDocumentShape(big, LIMITS)?.message).toMatch(/1073741824 aliases/);
  });

  it("documentShapeRule refuses before the schema rules walk the document: one error, whatever else is wrong", () => {
    const doc = parse(`{ a: one { id } b: one { id } c: one { id } d: one { id } unknown1 unknown2 one { nope } }`);
    expect(validate(schema, doc, specifiedRules).length).toBe(3);
    for (const rules of [
      [documentShapeRule(LIMITS), ...specifiedRules],
      [...specifiedRules, documentShapeRule(LIMITS)],
    ]) {
      const errors = validate(schema, doc, rules);
      expect(errors.map(e => e.message)).toEqual(["The operation has 4 aliases, more than the 3 allowed (MAX_ALIASES)"]);
    }
    expect(validate(schema, parse(`{ a: one { id } }`), [documentShapeRule(LIMITS), ...specifiedRules])).toEqual([]);
  });

  it("repeatedFields counts a response name per response level: inline fragments, fragments once per level, merged parents", () => {
    const count = (query: string) => {
      const { op, fragments } = opOf(query);
      return repeatedFields(op, fragments, 1000);
    };
    expect(count(`{ one { id id ... on Item { id } } }`)).toMatchObject({ max: 3, responseName: "id" });
    expect(count(`{ one { ...F ...F ...F } } fragment F on Item { id }`).max).toBe(1);
    expect(count(`{ one { id ...F } } fragment F on Item { id }`).max).toBe(2);
    // Execution merges the three `children`, so their ids are one level of 3 × 2.
    expect(count(`{ one { ${"children(first: 1) { id id } ".repeat(3)} } }`)).toMatchObject({ max: 6, responseName: "id" });
    expect(checkDocumentShape(parse(`{ one { id id id id } }`), LIMITS)?.message).toMatch(
      /selects "id" 4 times in one place, more than the 3 allowed/,
    );
    // A walk that would expand past the cap stops there.
    const { op, fragments } = opOf(
      `{ one { ${"children { ...F } ".repeat(1)} } } fragment F on Item { a: children { id } b: children { id } c: children { id } }`,
    );
    expect(repeatedFields(op, fragments, 3).visits).toBe(4);
  });

  it("countVariableValues stops past the bound, without recursion for deep nesting", () => {
    expect(countVariableValues({ ids: ["a", "b"], f: { x: 1 } }, 100)).toBe(5);
    expect(countVariableValues(undefined, 100)).toBe(0);
    let deep: unknown = "x";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(countVariableValues({ deep }, 100)).toBe(101);
    expect(countVariableValues({ ids: Array.from({ length: 1_000_000 }, () => true) }, 100)).toBeGreaterThan(100);
  });
});

describe("checkOperationLimits", () => {
  const schema = buildSchema(`
    type Item { id: ID! children(first: Int): [Item!]! }
    type Query { items(first: Int): [Item!]! one: Item }
  `);
  const check = (query: string, variables?: Record<string, unknown>) => {
    const doc = parse(query);
    const op = doc.definitions.find(d => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    return checkOperationLimits(schema, doc, op, variables, LIMITS);
  };

  it("refuses an operation it cannot price with QUERY_TOO_COMPLEX (HTTP 400), never lets it run", () => {
    // Not validated (an argument of the wrong type): the estimator throws.
    const error = check(`{ items(first: "many") { id } }`);
    expect(error?.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX", http: { status: 400 } });
    // No subscription type to price against.
    expect(check(`subscription { items { id } }`)?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
  });

  it("refuses variables holding more values than the bound before coercing them (BAD_USER_INPUT, 400)", () => {
    const error = check(`query($ids: [ID!]) { one { id } }`, { ids: Array.from({ length: 101 }, () => true) });
    expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", maxVariableValues: 100, http: { status: 400 } });
    // Within the bound, variables that do not coerce are left to execution, which refuses them before any resolver.
    expect(check(`query($n: Int) { items(first: $n) { id } }`, { n: "x" })).toBeUndefined();
  });

  it("keeps depth and complexity refusals", () => {
    expect(check(`{ items(first: 100) { children(first: 100) { children(first: 100) { id } } } }`)?.extensions).toMatchObject({
      code: "QUERY_TOO_COMPLEX",
    });
    const deep = `{ one { ${"children { ".repeat(12)} id ${"} ".repeat(12)} } }`;
    expect(check(deep)?.extensions).toMatchObject({ code: "QUERY_TOO_DEEP", depth: 14 });
  });
});
