/**
 * Structured JSON logs with a request id, and no secrets: PKCS#12 files and their passwords
 * (sent or generated), API keys, client certificates, private keys, legacy end-entity and SCEP
 * passwords never appear in what the gateway logs — on success, on refusal, on upstream errors,
 * and on requests that never parse. The log is captured at the most verbose level (trace).
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { LogCapture, codesOf, expectTypedAnswer, post, send } from "./support.js";

const P12_PASSWORD = "Redaction-P12-pass-7f3a91";
const LEGACY_PASSWORD = "legacy-end-entity-pw-52c0e1";
const SCEP_CHALLENGE = "scep-challenge-pw-0b9d44";
const PARSE_SECRET = "never-parsed-secret-19ad";

describe("redaction: secrets never reach the log", () => {
  let stack: TestStack;
  const log = new LogCapture();
  let ADMIN: Record<string, string>;
  let CERT: Record<string, string>;
  /** Every secret the callers sent or the backends gave back during the suite. */
  const secrets: { label: string; value: string }[] = [];
  const remember = (label: string, value: string | null | undefined) => {
    expect(value, label).toBeTruthy();
    secrets.push({ label, value: value! });
  };
  /** A long secret (base64 of a PKCS#12 or a key) must not appear even in part. */
  const rememberLong = (label: string, value: string | null | undefined) => {
    remember(label, value);
    const compact = value!.replace(/-----[^-]+-----|\s+/g, "");
    for (let i = 0; i + 48 <= compact.length; i += Math.max(48, Math.floor(compact.length / 8))) {
      secrets.push({ label: `${label} [${i}..]`, value: compact.slice(i, i + 48) });
    }
  };

  beforeAll(async () => {
    stack = await startTestStack(
      { HORIZON_CREDENTIALS: "forward", CZERTAINLY_CREDENTIALS: "forward", LOG_LEVEL: "trace", RATE_LIMIT_PER_MINUTE: "0" },
      log,
    );
    ADMIN = { "x-api-id": stack.hz.accounts.admin.apiId, "x-api-key": stack.hz.accounts.admin.apiKey };
    CERT = { "ssl-client-cert": stack.cz.clientCert.header };
    remember("Horizon API key", stack.hz.accounts.admin.apiKey);
    remember("Horizon API key (requester)", stack.hz.accounts.requester.apiKey);
    remember("client certificate header", stack.cz.clientCert.header);
    rememberLong("client certificate", stack.cz.clientCert.pem);
    remember("P12 password", P12_PASSWORD);
    remember("legacy password", LEGACY_PASSWORD);
    remember("SCEP challenge", SCEP_CHALLENGE);
    remember("secret in an unparsable query", PARSE_SECRET);
  });
  afterAll(() => stack.close());

  /** None of the secrets remembered so far, plain or URL-encoded, nor any PEM, is in the log. */
  const expectCleanLog = (text: string) => {
    for (const { label, value } of secrets) {
      expect(text.includes(value), `${label} appears in the log`).toBe(false);
      expect(text.includes(encodeURIComponent(value)), `${label} (URL-encoded) appears in the log`).toBe(false);
    }
    expect(text).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  };
  // After every test, whatever ran before it (any order): the last one checks the whole suite's log.
  afterEach(() => expectCleanLog(log.text()));

  const gql = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
    post(stack, query, variables, { ...ADMIN, ...CERT, ...headers });

  it("a centralized enrollment on central-profile: the PKCS#12 and its password reach the caller, not the log", async () => {
    const res = await gql(`mutation($i: IssueInput!) { issue(input: $i) { pkcs12 generatedPassword certificate { id } } }`, {
      i: {
        horizonProfile: "central-profile",
        keyType: "rsa-2048",
        subject: [{ element: "cn.1", value: "central.redaction.example" }],
        password: P12_PASSWORD,
        idempotencyKey: "redaction-central",
      },
    });
    expect(res.json!.errors).toBeUndefined();
    rememberLong("PKCS#12 (central-profile)", res.json!.data.issue.pkcs12);
    expect(res.json!.data.issue.generatedPassword).toBeNull();
  });

  it("a centralized enrollment with a password Horizon generates (auto-profile)", async () => {
    const res = await gql(`mutation($i: IssueInput!) { issue(input: $i) { pkcs12 generatedPassword } }`, {
      i: { horizonProfile: "auto-profile", keyType: "rsa-2048", subject: [{ element: "cn.1", value: "generated.redaction.example" }] },
    });
    expect(res.json!.errors).toBeUndefined();
    rememberLong("PKCS#12 (auto-profile)", res.json!.data.issue.pkcs12);
    remember("generated P12 password", res.json!.data.issue.generatedPassword);
  });

  it("a private key sent for an import, and secrets in requests that fail upstream or never parse", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    rememberLong("private key", keyPem);
    const hzCert = await gql(`{ certificates(first: 1, filter: { backends: [HORIZON] }) { edges { node { pem } } } }`);
    const imported = await gql(`mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { status } } }`, {
      i: { webraImport: { profile: "auto-profile", certificatePem: hzCert.json!.data.certificates.edges[0].node.pem, privateKey: keyPem } },
    });
    expectTypedAnswer(imported, "import");

    // Refused upstream (disabled profile) with a password in the input.
    const refused = await gql(`mutation($i: IssueInput!) { issue(input: $i) { pkcs12 } }`, {
      i: { horizonProfile: "disabled-profile", keyType: "rsa-2048", subject: [{ element: "cn.1", value: "x.example" }], password: P12_PASSWORD },
    });
    expect(codesOf(refused).length).toBeGreaterThan(0);

    // A wrong API key (the one sent must not be logged either).
    remember("wrong API key", "wrong-api-key-3e7c");
    const wrongKey = await gql(`{ requests(first: 1) { totalCount } }`, undefined, { "x-api-key": "wrong-api-key-3e7c" });
    expect(codesOf(wrongKey)).toEqual(["UNAUTHENTICATED"]);

    // Secrets inside documents that do not parse, and values graphql-js quotes in its own messages.
    const broken = await gql(`mutation { issue(input: { password: "${PARSE_SECRET}" `);
    expect(codesOf(broken)).toEqual(["GRAPHQL_PARSE_FAILED"]);
    const coerced = await gql(`query($n: Int!) { certificates(first: $n) { totalCount } }`, { n: PARSE_SECRET });
    expect(codesOf(coerced)).toEqual(["BAD_USER_INPUT"]);

    // SCEP challenge password.
    const scep = await gql(`mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { status } } }`, {
      i: { scepEnroll: { profile: "scep-profile", password: SCEP_CHALLENGE } },
    });
    expect(scep.json!.errors).toBeUndefined();
  });

  it("legacy CZERTAINLY end-entity passwords", async () => {
    const profiles = await gql(`{ raProfiles { id name } }`);
    const legacy = profiles.json!.data.raProfiles.find((p: any) => p.name === "legacy-profile").id;
    const added = await gql(`mutation($i: EndEntityInput!) { addEndEntity(input: $i) { __typename } }`, {
      i: { raProfileId: legacy, username: "redaction-user", password: LEGACY_PASSWORD, subjectDn: "CN=redaction-user,O=Demo Corp,C=CZ" },
    });
    expectTypedAnswer(added, "addEndEntity");
    const { pem } = await makeCsr("redaction-user");
    const issued = await gql(`mutation($i: LegacyIssueInput!) { legacyIssue(input: $i) { certificate { id } } }`, {
      i: { raProfileId: legacy, username: "redaction-user", password: LEGACY_PASSWORD, csr: pem },
    });
    expectTypedAnswer(issued, "legacyIssue");
  });

  it("the whole log holds none of them", async () => {
    // A request of its own: the log is not empty even when this test runs first.
    expect((await gql(`{ __typename }`)).json!.data).toEqual({ __typename: "Query" });
    const text = log.text();
    expect(text.length).toBeGreaterThan(0);
    expectCleanLog(text);
  });
});

describe("structured logs: one JSON line per request, with its request id", () => {
  let stack: TestStack;
  const log = new LogCapture();
  beforeAll(async () => {
    stack = await startTestStack({ LOG_LEVEL: "info", RATE_LIMIT_PER_MINUTE: "0" }, log);
  });
  afterAll(() => stack.close());

  it("logs JSON with a request id, operation, status and error codes, and echoes the id as x-request-id", async () => {
    log.clear();
    const ok = await post(stack, `query Page { certificates(first: 2) { edges { node { id } } } }`);
    const failed = await post(stack, `query Lookup { certificate(id: "!!!") { id } }`);
    const supplied = await post(stack, `{ __typename }`, undefined, { "x-request-id": "trace-abc.123" });
    const hostile = await post(stack, `{ __typename }`, undefined, { "x-request-id": `bad id <script>${"x".repeat(100)}` });

    const lines = log.lines();
    const requests = lines.filter(l => l.msg === "graphql request");
    expect(requests).toHaveLength(4);
    for (const line of lines) {
      expect(typeof line.time).toBe("number");
      expect(typeof line.level).toBe("number");
      expect(line.service).toBe("pki-graph");
    }
    const byId = new Map(requests.map(l => [l.requestId, l]));
    expect(byId.get(ok.headers["x-request-id"])).toMatchObject({ operationName: "Page", operationType: "query", status: 200, errorCodes: [] });
    expect(byId.get(failed.headers["x-request-id"])).toMatchObject({ operationName: "Lookup", errorCodes: ["BAD_USER_INPUT"] });
    expect(supplied.headers["x-request-id"]).toBe("trace-abc.123");
    expect(byId.has("trace-abc.123")).toBe(true);
    // An id that is not a plain token is replaced, never logged as sent.
    expect(hostile.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(log.text()).not.toContain("bad id");
    // The query text and variables are never logged.
    expect(log.text()).not.toContain("certificates(first");
  });

  it("a body over the limit is refused without any of it reaching the log", async () => {
    log.clear();
    const tooBig = await send(stack.gateway.url, {
      body: JSON.stringify({ query: "{ __typename }", variables: { secret: `body-secret-${"x".repeat(1_100_000)}` } }),
      headers: { "content-type": "application/json" },
    });
    expect(tooBig.status).toBe(413);
    expect(log.text()).not.toContain("body-secret");
    // The refusal itself is logged (code only), as are bodies that are not JSON.
    expect(log.lines().some(l => l.msg === "request refused" && l.errorCodes?.includes("PAYLOAD_TOO_LARGE"))).toBe(true);
    log.clear();
    const broken = await send(stack.gateway.url, { body: `{"query": "${PARSE_SECRET}`, headers: { "content-type": "application/json" } });
    expect(broken.status).toBe(400);
    expect(log.lines().some(l => l.msg === "request refused" && l.errorCodes?.includes("BAD_REQUEST"))).toBe(true);
    expect(log.text()).not.toContain(PARSE_SECRET);
  });
});
