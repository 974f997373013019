import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../support/stack.js";

/**
 * Upstream call counts, read from the emulators' request logs. CZERTAINLY has no many-at-once
 * detail or key lookup: those are deduplicated and fanned out.
 */
describe("batched upstream lookups", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.cz.clearLog();
    stack.hz.clearLog();
  });

  it("a page of CZERTAINLY certificates with RA profile and authority costs a constant number of calls", async () => {
    const res = await stack.gql(`{ certificates(first: 100, filter: { backends: [CZERTAINLY] }) {
      nodes { id subject { commonName } notAfter raProfile { name authority { name } } } } }`);
    expect(res.errors).toBeUndefined();
    const nodes = res.data.certificates.nodes;
    expect(nodes.length).toBeGreaterThanOrEqual(20);
    expect(nodes.every((n: any) => n.raProfile?.authority?.name)).toBe(true);
    expect(stack.cz.count("POST", /^\/api\/v1\/certificates$/)).toBe(1); // the search page
    expect(stack.cz.count("POST", "/api/v1/certificates/content")).toBe(1); // X.509 content, all at once
    expect(stack.cz.count("GET", /^\/api\/v1\/raProfiles$/)).toBe(1);
    expect(stack.cz.count("GET", /^\/api\/v1\/authorities$/)).toBe(1);
    expect(stack.cz.requests.length).toBe(4);
  });

  it("keys cost one detail per certificate the first time, then only one lookup per distinct key (key index)", async () => {
    const query = `{ certificates(first: 100, filter: { backends: [CZERTAINLY] }) {
      nodes { backendId key { id name items { algorithm } } sameAgain: key { id } } } }`;
    const calls = (pattern: RegExp) => stack.cz.requests.filter(r => r.method === "GET" && pattern.test(r.path));
    const res = await stack.gql(query);
    expect(res.errors).toBeUndefined();
    const nodes = res.data.certificates.nodes;
    const distinctKeys = new Set(nodes.filter((n: any) => n.key).map((n: any) => n.key.id));
    expect(distinctKeys.size).toBeGreaterThan(0);
    const details = calls(/^\/api\/v1\/certificates\/[^/]+$/);
    expect(new Set(details.map(r => r.path)).size).toBe(details.length);
    expect(details.length).toBe(nodes.length);
    expect(calls(/^\/api\/v1\/keys\/[^/]+$/).length).toBe(distinctKeys.size);

    stack.cz.clearLog();
    const again = await stack.gql(query);
    expect(again.data).toEqual(res.data);
    expect(calls(/^\/api\/v1\/certificates\/[^/]+$/)).toHaveLength(0);
    expect(calls(/^\/api\/v1\/keys\/[^/]+$/).length).toBe(distinctKeys.size);
    const others = stack.cz.requests.filter(r => !/^\/api\/v1\/keys\//.test(r.path)).map(r => `${r.method} ${r.path}`);
    expect(others.length).toBeLessThanOrEqual(3);
    expect(others).toContain("POST /api/v1/certificates");
  });

  it("a page of Horizon certificates costs one call; Horizon certificates by id are fetched in one batch", async () => {
    const page = await stack.gql(`{ certificates(first: 100, filter: { backends: [HORIZON] }) { nodes { id subject { commonName } pem } } }`);
    expect(page.errors).toBeUndefined();
    expect(stack.hz.requests.length).toBe(1);
    const ids = page.data.certificates.nodes.map((n: any) => n.id);
    expect(ids.length).toBeGreaterThanOrEqual(20);

    stack.hz.clearLog();
    const many = await stack.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Certificate { subject { commonName } } } }`, { ids });
    expect(many.errors).toBeUndefined();
    expect(many.data.nodes.map((n: any) => n.id)).toEqual(ids);
    expect(stack.hz.count("POST", /^\/api\/v1\/certificates$/)).toBe(1);
    expect(stack.hz.requests.length).toBe(1);
  });

  it("a page of Horizon requests with their certificates costs one search", async () => {
    const res = await stack.gql(`{ requests(first: 100) { nodes { id status certificate { id subject { commonName } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.requests.nodes.length).toBeGreaterThan(0);
    expect(stack.hz.count("POST", "/api/v1/requests/search")).toBe(1);
    expect(stack.hz.requests.length).toBeLessThanOrEqual(2); // + one batch when results carry only certificate ids
  });
});
