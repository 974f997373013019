/**
 * Watching with forwarded credentials: a subscriber's first read is made with its own credentials
 * (no credentials, no watch, no backend call); subscribers with other credentials share the watcher
 * but never a remembered state read with someone else's credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsr } from "../../../src/emulators/ca.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { detailReadsByUuid, sseClient, watch, wsClient, type StreamingClient } from "./support.js";

const SUB = `subscription($id: ID!) { certificateChanged(id: $id) { id backendId state } }`;

describe("watching with CZERTAINLY_CREDENTIALS=forward", () => {
  let stack: TestStack;
  let OPERATOR: Record<string, string>;
  let READER: Record<string, string>;
  const clients: StreamingClient[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ CZERTAINLY_CREDENTIALS: "forward", WATCH_INTERVAL_MS: "600000", RATE_LIMIT_PER_MINUTE: "0" });
    OPERATOR = { "ssl-client-cert": stack.cz.clientCert.header };
    READER = { "ssl-client-cert": stack.cz.readerCert.header };
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await stack?.close();
  });

  it("no credentials: UNAUTHENTICATED, and no backend call; each caller's first read uses its own credentials", async () => {
    const profiles = await stack.raProfileIds(OPERATOR);
    const { pem } = await makeCsr("forward.watch.example");
    const issued = await stack.gql(
      `mutation($i: IssueInput!) { issue(input: $i) { certificate { id backendId state } } }`,
      { i: { raProfileId: profiles["async-profile"], csr: pem } },
      OPERATOR,
    );
    const cert = issued.data.issue.certificate;
    expect(cert.state).toBe("PENDING_ISSUE");

    const anonymous = wsClient(stack);
    const asOperator = wsClient(stack, OPERATOR);
    const asReader = sseClient(stack, READER);
    clients.push(anonymous, asOperator, asReader);

    stack.cz.clearLog();
    const refused = watch(anonymous, SUB, { id: cert.id }, "certificateChanged");
    await refused.completed;
    expect(refused.results[0]?.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", backend: "czertainly" });
    expect(stack.cz.requests).toHaveLength(0);

    const operator = watch(asOperator, SUB, { id: cert.id }, "certificateChanged");
    await operator.untilCount(1);
    const reader = watch(asReader, SUB, { id: cert.id }, "certificateChanged");
    await reader.untilCount(1);
    expect(stack.gateway.services.watch!.activeWatchers()).toBe(1);
    // two callers, two credentials: two reads (the reader's state is not served from the operator's read)
    expect(detailReadsByUuid(stack).get(cert.backendId)).toHaveLength(2);

    const signed = await stack.cz.ca.signCsr(parseCsr(pem));
    const done = await stack.gql(
      `mutation($i: FinalizeInput!) { finalize(input: $i) { certificate { state } } }`,
      { i: { certificateId: cert.id, certificate: signed.pem } },
      OPERATOR,
    );
    expect(done.data.finalize.certificate.state).toBe("ISSUED");
    await Promise.all([operator.completed, reader.completed]);
    expect(operator.values().map(v => v.state)).toEqual(["PENDING_ISSUE", "ISSUED"]);
    expect(reader.values().map(v => v.state)).toEqual(["PENDING_ISSUE", "ISSUED"]);
  });
});
