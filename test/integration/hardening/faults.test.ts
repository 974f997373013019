/**
 * Fault injection through the emulators (http-kit `faults`): a backend down, slow past the timeout,
 * answering 5xx, resetting the connection, or sending a body that is not JSON. The gateway never
 * crashes, answers every query with typed (partial) errors, recovers when the backend returns,
 * and its circuit breaker stops calling a dead backend. Assertions count requests, never time: a backend
 * "slower than the timeout" never answers at all (held), and breaker cooldowns run on a manual clock.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { manualClock } from "../../support/clock.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { noFaults } from "../../../src/emulators/http-kit.js";
import { baseOf, codesOf, expectTypedAnswer, inBatches, metric, post, send } from "./support.js";

const PAGE = `query($f: CertificateFilter) {
  certificates(first: 50, filter: $f) { totalCount edges { node { id backend subject { commonName } } } pageInfo { hasNextPage } }
}`;
const ONE = `query($id: ID!) { certificate(id: $id) { id backend state serialNumber } }`;
const HZ_SEARCH = "/api/v1/certificates/search";
const HZ_BATCH = /^\/api\/v1\/certificates$/;
const HZ_SUBMIT = "/api/v1/requests/submit";

const HORIZON_ONLY = { backends: ["HORIZON"] };

/**
 * One retry for reads; a breaker that never opens here (it has its own suites below). Short timeouts (3 s),
 * as each timed-out attempt is waited for: the healthy calls here are light reads and simple issuances, well
 * within them on a loaded machine, and a timeout is caused by a backend that never answers (`faults.hang`),
 * not by one that answers "late".
 */
const FAULT_ENV = {
  HORIZON_TIMEOUT_MS: "3000",
  CZERTAINLY_TIMEOUT_MS: "3000",
  HORIZON_READ_RETRIES: "1",
  CZERTAINLY_READ_RETRIES: "1",
  CIRCUIT_BREAKER_THRESHOLD: "1000",
  RATE_LIMIT_PER_MINUTE: "0",
};

function clearFaults(stack: TestStack): void {
  Object.assign(stack.hz.faults, noFaults());
  Object.assign(stack.cz.faults, noFaults());
  stack.hz.clearLog();
  stack.cz.clearLog();
}

async function healthy(stack: TestStack): Promise<void> {
  const health = await send(`${baseOf(stack)}/healthz`, { method: "GET" });
  expect(health.status).toBe(200);
}

describe("faults: each kind of backend failure gives typed partial errors, then recovery", () => {
  let stack: TestStack;
  let hzCertId: string;
  let czCertId: string;

  beforeAll(async () => {
    stack = await startTestStack(FAULT_ENV);
    const page = await post(stack, PAGE);
    expectTypedAnswer(page, "baseline");
    expect(page.json!.errors).toBeUndefined();
    const nodes = page.json!.data.certificates.edges.map((e: any) => e.node);
    hzCertId = nodes.find((n: any) => n.backend === "HORIZON").id;
    czCertId = nodes.find((n: any) => n.backend === "CZERTAINLY").id;
  });
  // Every test starts from a clean plan and an empty request log, whichever ran before it (or only beforeAll).
  beforeEach(() => clearFaults(stack));
  afterEach(() => clearFaults(stack));
  afterAll(() => stack.close());

  it("a backend that is down: the other backend's certificates and an UPSTREAM_UNAVAILABLE error for the down one", async () => {
    stack.hz.faults.down = true;
    const page = await post(stack, PAGE);
    expectTypedAnswer(page, "horizon down");
    expect(page.status).toBe(200);
    const backends = new Set(page.json!.data.certificates.edges.map((e: any) => e.node.backend));
    expect([...backends]).toEqual(["CZERTAINLY"]);
    expect(page.json!.data.certificates.totalCount).toBeNull();
    expect(page.json!.errors).toHaveLength(1);
    expect(page.json!.errors![0]).toMatchObject({
      path: ["certificates"],
      extensions: { code: "UPSTREAM_UNAVAILABLE", backend: "horizon", backendStatus: 503, retryable: true },
    });

    // Lookups by id: null data and a typed error with the field's path.
    const one = await post(stack, ONE, { id: hzCertId });
    expectTypedAnswer(one, "lookup while down");
    expect(one.json!.data).toEqual({ certificate: null });
    expect(one.json!.errors![0]).toMatchObject({ path: ["certificate"], extensions: { code: "UPSTREAM_UNAVAILABLE", backend: "horizon" } });

    // CZERTAINLY down the other way round.
    stack.hz.faults.down = false;
    stack.cz.faults.down = true;
    const other = await post(stack, PAGE);
    expectTypedAnswer(other, "czertainly down");
    expect(new Set(other.json!.data.certificates.edges.map((e: any) => e.node.backend))).toEqual(new Set(["HORIZON"]));
    expect(other.json!.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", backend: "czertainly" });

    // Both down: no data for the field, and one typed error per backend.
    stack.hz.faults.down = true;
    const both = await post(stack, PAGE);
    expectTypedAnswer(both, "both down");
    expect(both.json!.data).toBeNull();
    expect(both.json!.errors!.map(e => e.extensions?.backend).sort()).toEqual(["czertainly", "horizon"]);
    expect(new Set(codesOf(both))).toEqual(new Set(["UPSTREAM_UNAVAILABLE"]));

    // The backends return: the same query answers whole again.
    clearFaults(stack);
    const back = await post(stack, PAGE);
    expect(back.json!.errors).toBeUndefined();
    expect(new Set(back.json!.data.certificates.edges.map((e: any) => e.node.backend))).toEqual(new Set(["CZERTAINLY", "HORIZON"]));
    await healthy(stack);
  });

  it("a mutation against a down backend fails typed and is sent once (never retried)", async () => {
    const { pem } = await makeCsr("down.faults.example");
    const input = { horizonProfile: "auto-profile", csr: pem, subject: [{ element: "cn.1", value: "down.faults.example" }] };
    stack.hz.faults.down = true;
    const res = await post(stack, `mutation($i: IssueInput!) { issue(input: $i) { certificate { id } } }`, { i: input });
    expectTypedAnswer(res, "issue while down");
    expect(res.json!.data).toBeNull();
    expect(res.json!.errors![0]).toMatchObject({ path: ["issue"], extensions: { code: "UPSTREAM_UNAVAILABLE", backend: "horizon" } });
    expect(stack.hz.count("POST", HZ_SUBMIT)).toBe(1);

    stack.hz.faults.down = false;
    const ok = await post(stack, `mutation($i: IssueInput!) { issue(input: $i) { certificate { id state } } }`, { i: input });
    expect(ok.json!.errors).toBeUndefined();
    expect(ok.json!.data.issue.certificate.state).toBe("ISSUED");
    expect(stack.hz.count("POST", HZ_SUBMIT)).toBe(2);
  });

  it("a backend slower than the timeout: UPSTREAM_TIMEOUT after the configured retries, then recovery", async () => {
    stack.hz.faults.hang = true; // never answers: every attempt runs into HORIZON_TIMEOUT_MS
    const page = await post(stack, PAGE, { f: HORIZON_ONLY });
    expectTypedAnswer(page, "slow horizon");
    expect(page.json!.data).toBeNull();
    expect(page.json!.errors![0]).toMatchObject({
      path: ["certificates"],
      extensions: { code: "UPSTREAM_TIMEOUT", backend: "horizon", retryable: true },
    });
    // One try and HORIZON_READ_RETRIES=1 retry: two calls, then the gateway gives up.
    expect(stack.hz.count("POST", HZ_SEARCH)).toBe(2);

    // Slow CZERTAINLY only slows CZERTAINLY's part: Horizon's certificates still come.
    stack.hz.faults.hang = false;
    stack.cz.faults.hang = true;
    const mixed = await post(stack, PAGE);
    expectTypedAnswer(mixed, "slow czertainly");
    expect(new Set(mixed.json!.data.certificates.edges.map((e: any) => e.node.backend))).toEqual(new Set(["HORIZON"]));
    expect(mixed.json!.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_TIMEOUT", backend: "czertainly" });

    stack.cz.faults.hang = false;
    const back = await post(stack, PAGE);
    expect(back.json!.errors).toBeUndefined();
    // Room for six timed-out attempts of 3 s (a bound on the test, not an assertion on time).
  }, 60_000);

  it("5xx: a read is retried and succeeds; past the retries it is UPSTREAM_UNAVAILABLE with the backend status", async () => {
    stack.hz.faults.failNext = 1;
    stack.hz.faults.failStatus = 502;
    const retried = await post(stack, PAGE, { f: HORIZON_ONLY });
    expect(retried.json!.errors).toBeUndefined();
    expect(retried.json!.data.certificates.edges.length).toBeGreaterThan(0);
    expect(stack.hz.count("POST", HZ_SEARCH)).toBe(2);

    stack.hz.clearLog();
    stack.hz.faults.failNext = 2;
    stack.hz.faults.failStatus = 500;
    const failed = await post(stack, PAGE, { f: HORIZON_ONLY });
    expectTypedAnswer(failed, "5xx twice");
    expect(failed.json!.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", backend: "horizon", backendStatus: 500 });
    // The upstream's own error body (problem+json "Injected failure") never reaches the client.
    expect(failed.text).not.toContain("Injected failure");
    expect(stack.hz.count("POST", HZ_SEARCH)).toBe(2);

    stack.cz.faults.failNext = 10;
    stack.cz.faults.failStatus = 503;
    const cz = await post(stack, ONE, { id: czCertId });
    expectTypedAnswer(cz, "czertainly 5xx");
    expect(cz.json!.errors![0]).toMatchObject({
      path: ["certificate"],
      extensions: { code: "UPSTREAM_UNAVAILABLE", backend: "czertainly", backendStatus: 503 },
    });
  });

  it("a 5xx on a mutation is not retried: the caller sees it and may retry with the same idempotency key", async () => {
    const { pem } = await makeCsr("fivexx.faults.example");
    const input = {
      horizonProfile: "auto-profile",
      csr: pem,
      subject: [{ element: "cn.1", value: "fivexx.faults.example" }],
      idempotencyKey: "faults-5xx-once",
    };
    const mutation = `mutation($i: IssueInput!) { issue(input: $i) { replayed certificate { id } } }`;
    stack.hz.faults.failNext = 1;
    stack.hz.faults.failStatus = 500;
    const failed = await post(stack, mutation, { i: input });
    expectTypedAnswer(failed, "issue 5xx");
    expect(codesOf(failed)).toEqual(["UPSTREAM_UNAVAILABLE"]);
    expect(stack.hz.count("POST", HZ_SUBMIT)).toBe(1);
    // A failed attempt is not remembered: the retry acts, once.
    const retry = await post(stack, mutation, { i: input });
    expect(retry.json!.errors).toBeUndefined();
    expect(retry.json!.data.issue.replayed).toBe(false);
    const again = await post(stack, mutation, { i: input });
    expect(again.json!.data.issue).toMatchObject({ replayed: true, certificate: retry.json!.data.issue.certificate });
    expect(stack.hz.count("POST", HZ_SUBMIT)).toBe(2);
  });

  it("a connection reset: a read is retried; resets past the retries are UPSTREAM_UNAVAILABLE", async () => {
    stack.hz.faults.resetNext = 1;
    const retried = await post(stack, ONE, { id: hzCertId });
    expect(retried.json!.errors).toBeUndefined();
    expect(retried.json!.data.certificate.id).toBe(hzCertId);
    expect(stack.hz.count("POST", HZ_BATCH)).toBe(2);

    stack.hz.faults.resetNext = 5;
    const failed = await post(stack, ONE, { id: hzCertId });
    expectTypedAnswer(failed, "reset");
    expect(failed.json!.data).toEqual({ certificate: null });
    expect(failed.json!.errors![0]).toMatchObject({ path: ["certificate"], extensions: { code: "UPSTREAM_UNAVAILABLE", backend: "horizon" } });

    stack.hz.faults.resetNext = 0;
    stack.cz.faults.resetNext = 5;
    const page = await post(stack, PAGE);
    expectTypedAnswer(page, "czertainly reset");
    expect(page.json!.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", backend: "czertainly" });
    expect(page.json!.data.certificates.edges.length).toBeGreaterThan(0);

    clearFaults(stack);
    const back = await post(stack, ONE, { id: hzCertId });
    expect(back.json!.errors).toBeUndefined();
  });

  it("a body that is not JSON: UPSTREAM_BAD_RESPONSE, not retried, nothing of the body shown", async () => {
    stack.hz.faults.garbageNext = 1;
    const res = await post(stack, ONE, { id: hzCertId });
    expectTypedAnswer(res, "garbage");
    expect(res.json!.data).toEqual({ certificate: null });
    expect(res.json!.errors![0]).toMatchObject({ path: ["certificate"], extensions: { code: "UPSTREAM_BAD_RESPONSE", backend: "horizon" } });
    expect(res.text).not.toContain("<html>");
    expect(stack.hz.count("POST", HZ_BATCH)).toBe(1);

    stack.cz.faults.garbageNext = 1;
    const cz = await post(stack, ONE, { id: czCertId });
    expectTypedAnswer(cz, "czertainly garbage");
    expect(cz.json!.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_BAD_RESPONSE", backend: "czertainly" });

    const back = await post(stack, ONE, { id: czCertId });
    expect(back.json!.errors).toBeUndefined();
    expect(back.json!.data.certificate.id).toBe(czCertId);
  });

  it("JSON of the wrong shape (a backend at another version): UPSTREAM_BAD_RESPONSE on the field, partial data elsewhere", async () => {
    stack.cz.faults.wrongShapeNext = 1;
    const cz = await post(stack, ONE, { id: czCertId });
    expectTypedAnswer(cz, "czertainly wrong shape");
    expect(cz.json!.errors![0]).toMatchObject({ path: ["certificate"], extensions: { code: "UPSTREAM_BAD_RESPONSE", backend: "czertainly" } });
    expect(cz.text).not.toContain("unexpected");

    stack.hz.faults.wrongShapeNext = 1;
    const page = await post(stack, PAGE, {});
    expectTypedAnswer(page, "horizon search wrong shape");
    expect(page.json!.errors).toHaveLength(1);
    expect(page.json!.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_BAD_RESPONSE", backend: "horizon" });
    expect(page.json!.data.certificates.edges.length).toBeGreaterThan(0); // CZERTAINLY's part

    const back = await post(stack, ONE, { id: czCertId });
    expect(back.json!.errors).toBeUndefined();
  });

  it("every fault at once under concurrent load: every answer typed, the gateway keeps serving", async () => {
    Object.assign(stack.hz.faults, { resetNext: 4, failNext: 6, failStatus: 502, garbageNext: 4 });
    Object.assign(stack.cz.faults, { resetNext: 4, failNext: 6, failStatus: 500, garbageNext: 4 });
    const queries = [
      () => post(stack, PAGE),
      () => post(stack, ONE, { id: hzCertId }),
      () => post(stack, ONE, { id: czCertId }),
      () => post(stack, `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Certificate { state } } }`, { ids: [hzCertId, czCertId] }),
      () => post(stack, `{ requests(first: 5) { edges { node { id status } } } raProfiles { id name } }`),
      () => post(stack, `{ backends { backend reachable } }`),
    ];
    const answers = await inBatches(
      Array.from({ length: 48 }, (_, i) => i),
      8,
      i => queries[i % queries.length]!(),
    );
    answers.forEach((a, i) => expectTypedAnswer(a, `concurrent #${i}`));
    expect(answers.some(a => a.json!.errors?.length)).toBe(true);

    clearFaults(stack);
    await healthy(stack);
    const back = await post(stack, PAGE);
    expect(back.json!.errors).toBeUndefined();
  });

  it("counts upstream outcomes per backend and operation in /metrics", async () => {
    // Its own faults (not those of the tests before it: any order): a body that is not JSON, and a timeout
    // of a mutation (one call, never retried) against a backend that does not answer.
    stack.hz.faults.garbageNext = 1;
    await post(stack, ONE, { id: hzCertId });
    const { pem } = await makeCsr("timeout.faults.example");
    stack.hz.faults.hang = true;
    const timedOut = await post(stack, `mutation($i: IssueInput!) { issue(input: $i) { certificate { id } } }`, {
      i: { horizonProfile: "auto-profile", csr: pem, subject: [{ element: "cn.1", value: "timeout.faults.example" }] },
    });
    expect(codesOf(timedOut)).toEqual(["UPSTREAM_TIMEOUT"]);
    expect(stack.hz.count("POST", HZ_SUBMIT)).toBe(1);
    stack.hz.faults.hang = false;
    const bad = await metric(stack, "pki_graph_upstream_request_duration_seconds_count", {
      backend: "horizon",
      operation: "horizon.getCertificates",
      outcome: "bad_response",
    });
    expect(bad).toBeGreaterThanOrEqual(1);
    const okSearches = await metric(stack, "pki_graph_upstream_request_duration_seconds_count", {
      backend: "czertainly",
      operation: "czertainly.searchCertificates",
      outcome: "ok",
    });
    expect(okSearches).toBeGreaterThanOrEqual(1);
    expect(await metric(stack, "pki_graph_graphql_errors_total", { code: "UPSTREAM_BAD_RESPONSE" })).toBeGreaterThanOrEqual(1);
    expect(await metric(stack, "pki_graph_graphql_errors_total", { code: "UPSTREAM_TIMEOUT" })).toBeGreaterThanOrEqual(1);
  });
});

describe("faults: the circuit breaker stops calling a dead backend", () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The breakers' clock never moves in this suite: an open breaker never half-opens, however long it takes.
    stack = await startTestStack(
      { ...FAULT_ENV, HORIZON_READ_RETRIES: "0", CIRCUIT_BREAKER_THRESHOLD: "3", CIRCUIT_BREAKER_COOLDOWN_MS: "10000" },
      undefined,
      { now: manualClock().now },
    );
  });
  afterAll(() => stack.close());

  it("after THRESHOLD consecutive failures the backend gets no more calls, answers stay typed, the other backend is untouched", async () => {
    stack.hz.faults.down = true;
    stack.hz.clearLog();
    stack.cz.clearLog();
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await post(stack, PAGE));
    for (const a of answers) {
      expectTypedAnswer(a, "breaker");
      expect(a.json!.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", backend: "horizon" });
      // CZERTAINLY keeps answering its part.
      expect(a.json!.data.certificates.edges.length).toBeGreaterThan(0);
    }
    // 12 queries, 3 calls: the breaker opened after the third failure.
    expect(stack.hz.requests.length).toBe(3);
    expect(stack.cz.count("POST", "/api/v1/certificates")).toBeGreaterThanOrEqual(12);

    // Even once the backend is back, the open breaker fails fast until its cooldown ends.
    stack.hz.faults.down = false;
    const stillOpen = await post(stack, PAGE, { f: HORIZON_ONLY });
    expect(codesOf(stillOpen)).toEqual(["UPSTREAM_UNAVAILABLE"]);
    expect(stack.hz.requests.length).toBe(3);

    // Readiness tells the truth without calling the dead backend either.
    const ready = await send(`${baseOf(stack)}/readyz`, { method: "GET" });
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ backends: { czertainly: true, horizon: false } });
    expect(stack.hz.requests.length).toBe(3);
    await healthy(stack);
  });
});

describe("faults: after the cooldown one probe closes the breaker again", () => {
  const COOLDOWN_MS = 10_000;
  // The breakers' clock: the cooldown ends when the test moves it, not when the machine gets round to it.
  const clock = manualClock();
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack(
      { ...FAULT_ENV, HORIZON_READ_RETRIES: "0", CIRCUIT_BREAKER_THRESHOLD: "2", CIRCUIT_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS) },
      undefined,
      { now: clock.now },
    );
  });
  afterAll(() => stack.close());
  const horizonPage = () => post(stack, PAGE, { f: HORIZON_ONLY });

  it("recovers by itself when the backend returns", async () => {
    stack.hz.faults.down = true;
    for (let i = 0; i < 2; i++) await horizonPage();
    stack.hz.clearLog();
    const open = await horizonPage();
    expect(codesOf(open)).toEqual(["UPSTREAM_UNAVAILABLE"]);
    expect(stack.hz.requests.length).toBe(0); // failed fast

    stack.hz.faults.down = false;
    // Before the cooldown ends the breaker still fails fast; once it ended, the next query is the probe.
    clock.advance(COOLDOWN_MS - 1);
    expect(codesOf(await horizonPage())).toEqual(["UPSTREAM_UNAVAILABLE"]);
    expect(stack.hz.requests.length).toBe(0);
    clock.advance(1);
    const probe = await horizonPage();
    expect(probe.json!.errors).toBeUndefined();
    expect(stack.hz.count("POST", HZ_SEARCH)).toBe(1);
    // Closed again: every query reaches the backend.
    stack.hz.clearLog();
    for (let i = 0; i < 3; i++) expect((await post(stack, PAGE, { f: HORIZON_ONLY })).json!.errors).toBeUndefined();
    expect(stack.hz.count("POST", HZ_SEARCH)).toBe(3);
  });

  it("a failed probe opens the breaker again: one call per cooldown while the backend stays down", async () => {
    stack.hz.faults.down = true;
    for (let i = 0; i < 2; i++) await horizonPage();
    stack.hz.clearLog();
    // Many concurrent queries while down: only the one probe after each cooldown reaches the backend.
    const burst = () =>
      inBatches(
        Array.from({ length: 30 }, (_, i) => i),
        5,
        () => horizonPage(),
      );
    for (let cooldowns = 0; cooldowns <= 2; cooldowns++) {
      const answers = await burst();
      answers.forEach(a => expect(codesOf(a)).toEqual(["UPSTREAM_UNAVAILABLE"]));
      expect(stack.hz.requests.length).toBe(cooldowns);
      clock.advance(COOLDOWN_MS);
    }
    stack.hz.faults.down = false;
    expect((await horizonPage()).json!.errors).toBeUndefined();
  });
});
