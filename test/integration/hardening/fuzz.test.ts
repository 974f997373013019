/**
 * Bad input, fuzz style: malformed HTTP and GraphQL, wrong types, huge strings, invalid
 * base64/PEM/CSR/certificates, forged ids and cursors, deep and wide queries, then a few hundred
 * seeded random mutations of valid operations. Zero 5xx, zero crashes, every answer JSON with
 * typed errors (a known `extensions.code`, never INTERNAL_SERVER_ERROR).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { baseOf, codesOf, expectTypedAnswer, inBatches, post, prng, send, type RawAnswer } from "./support.js";

const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");
const JSON_CT = { "content-type": "application/json" };

describe("fuzz: malformed and hostile input never gets a 5xx or an untyped answer", () => {
  let stack: TestStack;
  let csrPem: string;
  let certPem: string;
  let hzCertId: string;
  let czCertId: string;
  let raProfileId: string;

  beforeAll(async () => {
    stack = await startTestStack({ RATE_LIMIT_PER_MINUTE: "0" });
    csrPem = (await makeCsr("fuzz.example")).pem;
    const page = await post(stack, `{ certificates(first: 100) { edges { node { id backend pem } } } raProfiles { id name } }`);
    const nodes = page.json!.data.certificates.edges.map((e: any) => e.node);
    hzCertId = nodes.find((n: any) => n.backend === "HORIZON").id;
    czCertId = nodes.find((n: any) => n.backend === "CZERTAINLY" && n.pem).id;
    certPem = nodes.find((n: any) => n.pem).pem;
    raProfileId = page.json!.data.raProfiles.find((p: any) => p.name === "sync-profile").id;
  });
  afterAll(() => stack.close());

  /** Every answer keeps the contract, and the gateway is still alive afterwards. */
  async function expectAllTyped(answers: RawAnswer[], labels: string[]): Promise<void> {
    answers.forEach((a, i) => expectTypedAnswer(a, labels[i]));
    const health = await send(`${baseOf(stack)}/healthz`, { method: "GET" });
    expect(health.status).toBe(200);
  }

  it("malformed HTTP requests: bad JSON, wrong shapes, methods, content types, paths", async () => {
    const url = stack.gateway.url;
    const cases: [string, Parameters<typeof send>[1], string?][] = [
      ["truncated JSON", { body: `{"query": "{ __typename }"`, headers: JSON_CT }],
      ["JSON with a bare value", { body: `{"query": }`, headers: JSON_CT }],
      ["NUL byte", { body: "\u0000", headers: JSON_CT }],
      ["invalid UTF-8", { body: Buffer.from([0xff, 0xfe, 0x7b, 0xc3, 0x28]), headers: JSON_CT }],
      ["empty body", { body: "", headers: JSON_CT }],
      ["null", { body: "null", headers: JSON_CT }],
      ["number", { body: "123", headers: JSON_CT }],
      ["string", { body: `"{ __typename }"`, headers: JSON_CT }],
      ["array (batching is off)", { body: `[{"query":"{ __typename }"}]`, headers: JSON_CT }],
      ["empty object", { body: "{}", headers: JSON_CT }],
      ["query null", { body: `{"query": null}`, headers: JSON_CT }],
      ["query number", { body: `{"query": 42}`, headers: JSON_CT }],
      ["query array", { body: `{"query": ["{ __typename }"]}`, headers: JSON_CT }],
      ["variables array", { body: `{"query": "{ __typename }", "variables": [1]}`, headers: JSON_CT }],
      ["variables string", { body: `{"query": "{ __typename }", "variables": "{}"}`, headers: JSON_CT }],
      ["operationName number", { body: `{"query": "{ __typename }", "operationName": 5}`, headers: JSON_CT }],
      ["unknown operationName", { body: `{"query": "query A { __typename }", "operationName": "B"}`, headers: JSON_CT }],
      ["extensions string", { body: `{"query": "{ __typename }", "extensions": "x"}`, headers: JSON_CT }],
      [
        "persisted query, wrong hash",
        { body: JSON.stringify({ query: "{ __typename }", extensions: { persistedQuery: { version: 1, sha256Hash: "00" } } }), headers: JSON_CT },
      ],
      [
        "persisted query unknown",
        { body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: "a".repeat(64) } } }), headers: JSON_CT },
      ],
      ["GraphQL text as JSON", { body: "{ __typename }", headers: JSON_CT }],
      ["application/graphql", { body: "{ __typename }", headers: { "content-type": "application/graphql" } }],
      ["no content type", { body: JSON.stringify({ query: "{ __typename }" }) }],
      ["PUT", { method: "PUT", body: "{}", headers: JSON_CT }],
      ["DELETE", { method: "DELETE" }],
      ["PATCH", { method: "PATCH", body: "{}", headers: JSON_CT }],
      ["OPTIONS", { method: "OPTIONS" }],
      [
        "GET broken query",
        { method: "GET", search: `?query=${encodeURIComponent("{ certificates(")}`, headers: { "apollo-require-preflight": "1" } },
      ],
      [
        "GET bad variables",
        { method: "GET", search: `?query=${encodeURIComponent("{ __typename }")}&variables=%7Bnot`, headers: { "apollo-require-preflight": "1" } },
      ],
      ["GET no query", { method: "GET", search: `?variables=%7B%7D`, headers: { "apollo-require-preflight": "1" } }],
      ["GET bad percent-encoding", { method: "GET", search: `?query=%E0%A4%A`, headers: { "apollo-require-preflight": "1" } }],
      ["unknown path", { method: "GET" }, "/nope"],
      ["path traversal", { method: "GET" }, "/graphql/../../etc/passwd"],
    ];
    const answers = [];
    for (const [label, init, path] of cases) {
      const target = path ? `${baseOf(stack)}${path}` : url;
      answers.push(await send(target, init));
      expect(answers.at(-1)!.status, label).toBeGreaterThanOrEqual(200);
    }
    await expectAllTyped(
      answers,
      cases.map(c => c[0]),
    );
    // None of them ran anything: every one is refused as a bad request (4xx), none answered with data
    // (an unknown persisted query is the APQ protocol's 200 PERSISTED_QUERY_NOT_FOUND).
    answers.forEach((a, i) => {
      expect(a.json!.data ?? null, cases[i]![0]).toBeNull();
      if (cases[i]![0] === "persisted query unknown") expect(codesOf(a)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);
      else expect(a.status, cases[i]![0]).toBeGreaterThanOrEqual(400);
    });
  });

  it("malformed GraphQL documents: syntax, unknown fields, cycles, bad directives, overflowing literals", async () => {
    const documents = [
      "",
      "   ",
      "{",
      "}",
      "{ certificates(",
      "query {",
      "query Q($a: ) { __typename }",
      "{ certificates(first: ) { totalCount } }",
      "{ nonexistent }",
      "{ certificates { nonexistent } }",
      "{ certificates }",
      "subscription { nonexistent }",
      "mutation { }",
      "fragment F on Query { __typename }",
      "{ ...F }",
      "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
      "{ __typename @skip }",
      "{ __typename @nonexistent }",
      'query ($x: Int = "s") { __typename }',
      "{ certificate { id } }",
      '{ certificates(first: "10") { totalCount } }',
      "{ certificates(first: 99999999999999999999) { totalCount } }",
      "{ certificates(first: 1.5) { totalCount } }",
      "{ a: __typename a: certificates(first: 1) { totalCount } }",
      '{ certificate(id: "\\u{zz}") { id } }',
      '{ certificate(id: "unterminated) { id } }',
      "{ certificates(filter: { states: [NOPE] }) { totalCount } }",
      '{ certificates(filter: { expiringBefore: "yesterday" }) { totalCount } }',
      "{ certificates(filter: { nonexistent: 1 }) { totalCount } }",
      "query A { __typename } query A { __typename }",
      "query A { __typename } query B { __typename }",
      "\u0000{ __typename }",
      "{ __typename } garbage",
      `{ certificate(id: ${"[".repeat(500)}"x"${"]".repeat(500)}) { id } }`,
      `{ ${"a { ".repeat(2000)}b${" }".repeat(2000)} }`,
      `{ ${"... on Query { ".repeat(300)}__typename${" }".repeat(300)} }`,
      `{ ${"{".repeat(20000)}`,
    ];
    const answers = await inBatches(documents, 8, q => post(stack, q));
    await expectAllTyped(
      answers,
      documents.map(d => `document ${JSON.stringify(d.slice(0, 60))}`),
    );
    const errorsOnly = answers.filter(a => a.json!.errors?.length);
    expect(errorsOnly.length).toBeGreaterThanOrEqual(documents.length - 1); // only the 300 nested inline fragments are valid
  });

  it("wrong types in variables are BAD_USER_INPUT before any resolver runs", async () => {
    stack.hz.clearLog();
    stack.cz.clearLog();
    const issue = `mutation($i: IssueInput!) { issue(input: $i) { certificate { id } } }`;
    const cases: [string, string, Record<string, unknown>][] = [
      ["input null", issue, { i: null }],
      ["input number", issue, { i: 5 }],
      ["input string", issue, { i: "x" }],
      ["input array", issue, { i: [] }],
      ["csr number", issue, { i: { horizonProfile: "auto-profile", csr: 5 } }],
      ["subject string", issue, { i: { horizonProfile: "auto-profile", subject: "cn.1" } }],
      ["subject element number", issue, { i: { horizonProfile: "auto-profile", subject: [{ element: 5, value: "x" }] } }],
      ["unknown input field", issue, { i: { horizonProfile: "auto-profile", nonexistent: true } }],
      ["revoke reason", `mutation($i: RevokeInput!) { revoke(input: $i) { replayed } }`, { i: { certificateId: hzCertId, reason: "NOPE" } }],
      ["first string", `query($n: Int!) { certificates(first: $n) { totalCount } }`, { n: "10" }],
      ["first float", `query($n: Int!) { certificates(first: $n) { totalCount } }`, { n: 1.5 }],
      ["first 2^31", `query($n: Int!) { certificates(first: $n) { totalCount } }`, { n: 2 ** 31 }],
      ["first object", `query($n: Int!) { certificates(first: $n) { totalCount } }`, { n: { $gt: 1 } }],
      ["missing variable", `query($n: Int!) { certificates(first: $n) { totalCount } }`, {}],
      ["states unknown", `query($f: CertificateFilter) { certificates(filter: $f) { totalCount } }`, { f: { states: ["NOPE"] } }],
      ["date garbage", `query($f: CertificateFilter) { certificates(filter: $f) { totalCount } }`, { f: { expiringBefore: "not a date" } }],
      ["date overflow", `query($f: CertificateFilter) { certificates(filter: $f) { totalCount } }`, { f: { expiringBefore: 1e20 } }],
      ["backends wrong", `query($f: CertificateFilter) { certificates(filter: $f) { totalCount } }`, { f: { backends: ["ORACLE"] } }],
      ["ids nulls", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [null] }],
      ["ids objects", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [{}] }],
      ["ids bool", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: true }],
    ];
    const answers = [];
    for (const [, query, variables] of cases) answers.push(await post(stack, query, variables));
    await expectAllTyped(
      answers,
      cases.map(c => c[0]),
    );
    answers.forEach((a, i) => expect(codesOf(a), cases[i]![0]).toEqual(["BAD_USER_INPUT"]));
    expect(stack.hz.count("POST", "/api/v1/requests/submit")).toBe(0);
  });

  it("huge strings are refused by length, never passed to a backend or echoed back whole", async () => {
    const huge = "A".repeat(300_000);
    stack.hz.clearLog();
    stack.cz.clearLog();
    const cases: [string, string, Record<string, unknown>][] = [
      ["subjectContains", `query($f: CertificateFilter) { certificates(filter: $f) { totalCount } }`, { f: { subjectContains: huge } }],
      ["horizonProfile", `query($f: CertificateFilter) { certificates(filter: $f) { totalCount } }`, { f: { horizonProfile: huge } }],
      ["after cursor", `query($a: String) { certificates(after: $a) { totalCount } }`, { a: huge }],
      ["certificate id", `query($id: ID!) { certificate(id: $id) { id } }`, { id: huge }],
      ["node id", `query($id: ID!) { node(id: $id) { id } }`, { id: huge }],
      [
        "idempotencyKey",
        `mutation($i: IssueInput!) { issue(input: $i) { replayed } }`,
        { i: { horizonProfile: "auto-profile", csr: csrPem, idempotencyKey: huge } },
      ],
      [
        "comment",
        `mutation($i: IssueInput!) { issue(input: $i) { replayed } }`,
        { i: { horizonProfile: "auto-profile", csr: csrPem, comment: huge } },
      ],
      [
        "password",
        `mutation($i: IssueInput!) { issue(input: $i) { replayed } }`,
        { i: { horizonProfile: "central-profile", keyType: "rsa-2048", password: huge } },
      ],
      ["csr", `mutation($i: IssueInput!) { issue(input: $i) { replayed } }`, { i: { horizonProfile: "auto-profile", csr: huge } }],
      [
        "dn value",
        `mutation($i: IssueInput!) { issue(input: $i) { replayed } }`,
        { i: { horizonProfile: "auto-profile", csr: csrPem, subject: [{ element: "cn.1", value: huge }] } },
      ],
      [
        "attribute values",
        `mutation($i: IssueInput!) { issue(input: $i) { replayed } }`,
        { i: { raProfileId, csr: csrPem, attributes: [{ name: "x", values: Array(500).fill("v") }] } },
      ],
      ["cancel reason", `mutation($i: CancelPendingInput!) { cancelPending(input: $i) { replayed } }`, { i: { id: czCertId, reason: huge } }],
    ];
    const answers = [];
    for (const [, query, variables] of cases) answers.push(await post(stack, query, variables));
    await expectAllTyped(
      answers,
      cases.map(c => c[0]),
    );
    answers.forEach((a, i) => {
      expect(codesOf(a), cases[i]![0]).toEqual(["BAD_USER_INPUT"]);
      expect(a.text.length, `${cases[i]![0]}: answer size`).toBeLessThan(5_000);
    });
    expect(stack.hz.requests.length + stack.cz.requests.length).toBe(0);

    // A huge string in the document itself (a 150 kB literal) is parsed and refused the same way;
    // a document longer than MAX_QUERY_LENGTH (a 500 kB literal) is not even parsed.
    const literal = await post(stack, `{ certificates(filter: { subjectContains: "${"B".repeat(150_000)}" }) { totalCount } }`);
    expectTypedAnswer(literal, "literal");
    expect(codesOf(literal)).toEqual(["BAD_USER_INPUT"]);
    const longer = await post(stack, `{ certificates(filter: { subjectContains: "${"B".repeat(500_000)}" }) { totalCount } }`);
    expectTypedAnswer(longer, "longer literal");
    expect(codesOf(longer)).toEqual(["GRAPHQL_PARSE_FAILED"]);
  });

  it("invalid base64, PEM, CSRs and certificates are BAD_USER_INPUT, and no backend is asked", async () => {
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
    const flipped = Buffer.from(der);
    flipped[flipped.length - 5]! ^= 0xff; // breaks the signature, keeps the structure
    const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
    const random = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) % 256));
    const badCsrs: [string, string][] = [
      ["empty", ""],
      ["spaces", "   "],
      ["not base64", "!!!!"],
      ["padding only", "===="],
      ["one char", "A"],
      ["base64 of nothing useful", "AAAA"],
      ["random DER-ish bytes", random.toString("base64")],
      ["armor, garbage body", pem("CERTIFICATE REQUEST", "not base64!!")],
      ["armor, empty body", pem("CERTIFICATE REQUEST", "")],
      ["armor, random body", pem("CERTIFICATE REQUEST", random.toString("base64"))],
      ["truncated CSR", pem("CERTIFICATE REQUEST", der.subarray(0, der.length >> 1).toString("base64"))],
      ["CSR with a broken signature", pem("CERTIFICATE REQUEST", flipped.toString("base64"))],
      ["a certificate, not a CSR", certPem],
      ["a private key", pem("PRIVATE KEY", random.toString("base64"))],
      ["over the PEM size limit", pem("CERTIFICATE REQUEST", "A".repeat(70_000))],
      ["NUL inside", csrPem.replace("\n", "\n\u0000")],
      ["lone surrogate", "\ud800" + csrPem],
      ["base64url alphabet", der.toString("base64url").replace(/^./, "-")],
      ["two CSRs", `${csrPem}\n${csrPem}`],
    ];
    stack.hz.clearLog();
    stack.cz.clearLog();
    const answers: RawAnswer[] = [];
    const labels: string[] = [];
    for (const [label, csr] of badCsrs) {
      answers.push(await post(stack, `mutation($i: IssueInput!) { issue(input: $i) { replayed } }`, { i: { horizonProfile: "auto-profile", csr } }));
      labels.push(`horizon csr: ${label}`);
      answers.push(await post(stack, `mutation($i: IssueInput!) { issue(input: $i) { replayed } }`, { i: { raProfileId, csr } }));
      labels.push(`czertainly csr: ${label}`);
    }
    // Certificates in: finalize (CZERTAINLY) and webra import / revoke-by-PEM (Horizon).
    const badCerts: [string, string][] = [...badCsrs.filter(([l]) => l !== "a certificate, not a CSR"), ["a CSR, not a certificate", csrPem]];
    for (const [label, certificate] of badCerts) {
      answers.push(
        await post(stack, `mutation($i: FinalizeInput!) { finalize(input: $i) { replayed } }`, { i: { certificateId: czCertId, certificate } }),
      );
      labels.push(`finalize: ${label}`);
      answers.push(
        await post(stack, `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { replayed } }`, {
          i: { webraImport: { profile: "auto-profile", certificatePem: certificate } },
        }),
      );
      labels.push(`import: ${label}`);
      answers.push(
        await post(stack, `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { replayed } }`, {
          i: { webraRevoke: { certificatePem: certificate } },
        }),
      );
      labels.push(`revoke by PEM: ${label}`);
    }
    await expectAllTyped(answers, labels);
    answers.forEach((a, i) => expect(codesOf(a), labels[i]).toEqual(["BAD_USER_INPUT"]));
    expect(stack.hz.count("POST", "/api/v1/requests/submit")).toBe(0);
    expect(stack.cz.requests.filter(r => r.method === "POST" && !/\/v1\/certificates(\/content)?$/.test(r.path))).toHaveLength(0);
  });

  it("forged ids and cursors are BAD_USER_INPUT or a null node, never a crash or a backend path trick", async () => {
    const ids = [
      "",
      " ",
      "!!!",
      b64url("Certificate:"),
      b64url("Certificate:HORIZON:"),
      b64url("Certificate:ORACLE:1"),
      b64url("Nope:HORIZON:1"),
      b64url("Request:CZERTAINLY:1"),
      b64url("Certificate:CZERTAINLY:../../v1/authorities"),
      b64url("Certificate:HORIZON:..%2F..%2Fsecurity%2Fprincipals%2Fself"),
      b64url("Certificate:CZERTAINLY:\u0000"),
      b64url("Key:CZERTAINLY:" + "k".repeat(400)),
      b64url("RaProfile:CZERTAINLY:?x=1#y"),
      "Q2VydGlmaWNhdGU6SE9SSVpPTjox", // standard base64 with padding-free but valid alphabet
      "Q2VydGlmaWNhdGU6SE9SSVpPTjox==",
    ];
    const cursors = [
      "",
      "!!!",
      b64url("[]"),
      b64url("{}"),
      b64url('["CZERTAINLY",-1]'),
      b64url('["HORIZON",1.5]'),
      b64url('["NOPE",0]'),
      b64url('["CZERTAINLY",1e300]'),
      b64url('["HORIZON",9007199254740993]'),
      b64url("[".repeat(5000)),
      b64url('["CZERTAINLY","0"]'),
    ];
    const answers: RawAnswer[] = [];
    const labels: string[] = [];
    for (const id of ids) {
      for (const query of [
        `query($id: ID!) { node(id: $id) { id } }`,
        `query($id: ID!) { certificate(id: $id) { id } }`,
        `query($id: ID!) { request(id: $id) { id } }`,
        `query($id: ID!) { issueAttributes(raProfileId: $id) { name } }`,
      ]) {
        answers.push(await post(stack, query, { id }));
        labels.push(`${query.slice(16, 40)} ${JSON.stringify(id).slice(0, 50)}`);
      }
      answers.push(await post(stack, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [id, hzCertId] }));
      labels.push(`nodes ${JSON.stringify(id).slice(0, 50)}`);
    }
    const cursorAnswers: RawAnswer[] = [];
    for (const after of cursors.filter(Boolean)) {
      cursorAnswers.push(await post(stack, `query($a: String) { certificates(first: 5, after: $a) { edges { node { id } } } }`, { a: after }));
      labels.push(`certificates after ${after.slice(0, 40)}`);
      cursorAnswers.push(await post(stack, `query($a: String) { requests(first: 5, after: $a) { edges { node { id } } } }`, { a: after }));
      labels.push(`requests after ${after.slice(0, 40)}`);
    }
    // A cursor the gateway did not make is refused before any backend is asked for a page.
    cursorAnswers.forEach((a, i) => expect(codesOf(a), labels[answers.length + i]).toEqual(["BAD_USER_INPUT"]));
    answers.push(...cursorAnswers);
    await expectAllTyped(answers, labels);
    for (const [i, a] of answers.entries()) {
      const codes = codesOf(a);
      expect(
        codes.every(c => c === "BAD_USER_INPUT" || c === "NOT_FOUND"),
        `${labels[i]}: ${codes}`,
      ).toBe(true);
    }
  });

  it("deep and wide queries: depth and complexity limits answer, the server keeps going", async () => {
    const nested = (n: number) =>
      `{ certificates(first: 1) { edges { node { ${"raProfile { authority { name } } ".repeat(1)} } } } }`.replace("name", "name ".repeat(n));
    const cases = [
      // Real fields, deeper than MAX_QUERY_DEPTH through fragments spreading each other.
      `query { certificates(first: 1) { ...A } } fragment A on CertificateConnection { edges { node { ...B } } }
       fragment B on Certificate { raProfile { ...C } } fragment C on RaProfile { authority { ...D } } fragment D on Authority { name }`,
      // A request that is deep in one spot.
      `{ ${"r: __typename ".repeat(3)} ${"... on Query { ".repeat(100)} certificates(first: 1) { edges { node { raProfile { authority { name } } } } } ${"}".repeat(100)} }`,
      // Wide: thousands of aliases of a cheap field, and of a costly one.
      `{ ${Array.from({ length: 5000 }, (_, i) => `t${i}: __typename`).join(" ")} }`,
      `{ ${Array.from({ length: 3000 }, (_, i) => `c${i}: certificates(first: 100) { totalCount }`).join(" ")} }`,
      nested(2000),
    ];
    const answers = [];
    for (const query of cases) answers.push(await post(stack, query));
    await expectAllTyped(
      answers,
      cases.map((_, i) => `deep/wide #${i}`),
    );
    // 3,000 costly aliases: refused at the token limit (MAX_QUERY_TOKENS) before they would be priced.
    expect(codesOf(answers[3]!)).toEqual(["GRAPHQL_PARSE_FAILED"]);
  });

  it("seeded random mutations of valid operations (documents and variables): every answer typed", async () => {
    const rand = prng(0x5eed_8);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const seeds: { query: string; variables?: Record<string, unknown> }[] = [
      {
        query: `query($f: CertificateFilter, $n: Int!) { certificates(first: $n, filter: $f) { totalCount edges { cursor node { id state subject { commonName } } } pageInfo { endCursor } } }`,
        variables: { n: 5, f: { states: ["ISSUED"], subjectContains: "host" } },
      },
      {
        query: `query($id: ID!) { certificate(id: $id) { id backend serialNumber notAfter publicKey { algorithm size } raProfile { name } key { name } } }`,
        variables: { id: czCertId },
      },
      {
        query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Certificate { state } ... on Request { status } } }`,
        variables: { ids: [hzCertId, czCertId] },
      },
      { query: `{ requests(first: 3, filter: { statuses: [PENDING] }) { edges { node { id status profile } } } }` },
      { query: `{ raProfiles { id name enabled authority { name } } backends { backend reachable } }` },
      {
        query: `mutation($i: IssueInput!) { issue(input: $i) { replayed certificate { id state } request { status } } }`,
        variables: { i: { horizonProfile: "auto-profile", csr: csrPem, subject: [{ element: "cn.1", value: "fuzz.example" }] } },
      },
      {
        query: `mutation($i: RevokeInput!) { revoke(input: $i) { replayed certificate { state } } }`,
        variables: { i: { certificateId: czCertId, reason: "SUPERSEDED" } },
      },
      {
        query: `mutation($i: SubmitRequestInput!) { submitRequest(input: $i) { request { status } generatedPassword } }`,
        variables: { i: { estEnroll: { profile: "est-profile", dn: "CN=fuzz" } } },
      },
    ];
    const tokens = [
      "{",
      "}",
      "(",
      ")",
      ":",
      "$",
      '"',
      "...",
      "@skip(if: true)",
      "!",
      "[",
      "]",
      "=",
      "#",
      "\\",
      "\u0000",
      "é",
      "𝔘",
      "__schema",
      "on",
      "1e999",
      "-",
      "\n",
      " ",
    ];
    const values = [
      null,
      0,
      -1,
      2 ** 53,
      1.5,
      "",
      "x".repeat(10_000),
      "\u0000",
      {},
      [],
      [[[]]],
      true,
      "{__typename}",
      "-----BEGIN CERTIFICATE-----",
      "ISSUED",
      hzCertId,
    ];
    const mutateText = (q: string): string => {
      const at = Math.floor(rand() * q.length);
      switch (Math.floor(rand() * 5)) {
        case 0:
          return q.slice(0, at) + q.slice(at + 1 + Math.floor(rand() * 8));
        case 1:
          return q.slice(0, at) + pick(tokens) + q.slice(at);
        case 2: {
          const len = 1 + Math.floor(rand() * 20);
          return q.slice(0, at) + q.slice(at, at + len).repeat(2) + q.slice(at + len);
        }
        case 3:
          return q.slice(0, at);
        default: {
          const other = Math.floor(rand() * q.length);
          const chars = [...q];
          [chars[at], chars[other]] = [chars[other]!, chars[at]!];
          return chars.join("");
        }
      }
    };
    const mutateValue = (v: unknown, depth = 0): unknown => {
      if (depth > 4 || rand() < 0.3) return pick(values);
      if (Array.isArray(v)) return v.length ? v.map(x => (rand() < 0.5 ? mutateValue(x, depth + 1) : x)) : [pick(values)];
      if (v && typeof v === "object") {
        const entries = Object.entries(v as Record<string, unknown>);
        const out: Record<string, unknown> = Object.fromEntries(entries.map(([k, x]) => [k, rand() < 0.5 ? mutateValue(x, depth + 1) : x]));
        if (rand() < 0.2) out[pick(["nonexistent", "password", "first", "__proto__"])] = pick(values);
        return out;
      }
      return pick(values);
    };
    const cases = Array.from({ length: 300 }, () => {
      const seed = pick(seeds);
      const textual = rand() < 0.5;
      return {
        query: textual ? mutateText(seed.query) : seed.query,
        variables: textual ? seed.variables : (mutateValue(seed.variables ?? {}) as Record<string, unknown>),
      };
    });
    const answers = await inBatches(cases, 8, c =>
      send(stack.gateway.url, { body: JSON.stringify({ query: c.query, variables: c.variables }), headers: JSON_CT }),
    );
    await expectAllTyped(
      answers,
      cases.map((c, i) => `random #${i}: ${JSON.stringify(c).slice(0, 300)}`),
    );
    // The fuzz really fuzzed: most answers are errors of several kinds.
    const codes = new Set(answers.flatMap(a => codesOf(a)));
    expect(codes.size).toBeGreaterThanOrEqual(3);
    // And the gateway still serves a normal query.
    const ok = await post(stack, `{ certificates(first: 2) { edges { node { id } } } }`);
    expect(ok.json!.errors).toBeUndefined();
  });
});
