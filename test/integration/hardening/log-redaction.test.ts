/**
 * What the logger's redaction protects. No gateway log line carries a secret field today: every line
 * is built from named, non-secret fields (request id, operation, codes, principal; errors by name and
 * message), which `redaction.test.ts` checks end to end. The redaction paths are the net under any
 * line that would carry more — so this suite hands the gateway's own logger (the instance every
 * request and watcher logs through) the secret-bearing objects the gateway really holds for a real
 * request: the caller's headers as Node received them, the caller's credentials as the context keeps
 * them, the headers sent upstream, the GraphQL variables and input, and Horizon's own answer with a
 * PKCS#12 and its password. Each must come out censored, and the rest of the line intact.
 */
import type { IncomingMessage } from "node:http";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../../../src/server/context.js";
import { headersFor } from "../../../src/server/credentials.js";
import { makeCsr } from "../../support/csr.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { LogCapture, post } from "./support.js";

const CENSOR = "[redacted]";
const P12_PASSWORD = "Log-redaction-P12-pass-4d1e";
const SCEP_CHALLENGE = "log-redaction-scep-7a20";

describe("log redaction: secrets the gateway holds are censored in whatever line carries them", () => {
  let stack: TestStack;
  const log = new LogCapture();
  let secrets: Record<string, string>;
  let caller: Record<string, string>;
  let received: IncomingMessage | undefined;
  let horizonAnswer: Record<string, any>;

  beforeAll(async () => {
    stack = await startTestStack(
      { HORIZON_CREDENTIALS: "forward", CZERTAINLY_CREDENTIALS: "forward", LOG_LEVEL: "trace", RATE_LIMIT_PER_MINUTE: "0" },
      log,
    );
    caller = {
      "x-api-id": stack.hz.accounts.admin.apiId,
      "x-api-key": stack.hz.accounts.admin.apiKey,
      "ssl-client-cert": stack.cz.clientCert.header,
    };
    // The IncomingMessage of the next request, as the gateway's HTTP server gets it.
    stack.gateway.httpServer.prependListener("request", (req: IncomingMessage) => {
      received ??= req;
    });
    const res = await post(
      stack,
      `mutation($i: IssueInput!) { issue(input: $i) { request { backendId } pkcs12 } }`,
      {
        i: {
          horizonProfile: "central-profile",
          keyType: "rsa-2048",
          subject: [{ element: "cn.1", value: "log-redaction.example" }],
          password: P12_PASSWORD,
        },
      },
      caller,
    );
    expect(res.json!.errors).toBeUndefined();
    // Horizon's own answer for that request: it carries the PKCS#12 and its password.
    const upstream = await request(`${stack.hz.url}/api/v1/requests/${res.json!.data.issue.request.backendId}`, {
      headers: { "x-api-id": caller["x-api-id"]!, "x-api-key": caller["x-api-key"]! },
    });
    horizonAnswer = (await upstream.body.json()) as Record<string, any>;
    expect(horizonAnswer.pkcs12?.value).toBeTruthy();
    secrets = {
      "Horizon API key": caller["x-api-key"]!,
      "client certificate header": caller["ssl-client-cert"]!,
      "client certificate (base64 part)": stack.cz.clientCert.pem.split("\n")[1]!,
      "PKCS#12 password": P12_PASSWORD,
      "PKCS#12": horizonAnswer.pkcs12.value.slice(0, 64),
      "SCEP challenge": SCEP_CHALLENGE,
    };
  });
  afterAll(() => stack.close());

  /** Logs one object through the gateway's logger at trace level and returns the line it wrote. */
  const logged = (obj: Record<string, unknown>): { line: Record<string, any>; text: string } => {
    log.clear();
    stack.gateway.services.logger.trace(obj, "probe");
    const text = log.text();
    for (const [label, value] of Object.entries(secrets)) {
      expect(text.includes(value), `${label} appears in ${text.slice(0, 300)}`).toBe(false);
      expect(text.includes(encodeURIComponent(value)), `${label} (URL-encoded) appears`).toBe(false);
    }
    const [line] = log.lines();
    expect(line!.msg).toBe("probe");
    return { line: line!, text };
  };

  it("the caller's headers as received, top-level or under req", () => {
    expect(received?.headers["x-api-key"]).toBe(caller["x-api-key"]);
    const top = logged({ headers: received!.headers }).line;
    expect(top.headers["x-api-key"]).toBe(CENSOR);
    expect(top.headers["ssl-client-cert"]).toBe(CENSOR);
    const nested = logged({ req: { method: received!.method, url: received!.url, headers: received!.headers } }).line;
    expect(nested.req).toMatchObject({ method: "POST", url: "/graphql" });
    expect(nested.req.headers["x-api-key"]).toBe(CENSOR);
    expect(nested.req.headers["ssl-client-cert"]).toBe(CENSOR);
  });

  it("the caller's credentials as the request context holds them, and the headers sent upstream", () => {
    const ctx = createContext(stack.gateway.services, received);
    expect(headersFor(ctx.creds, "horizon")["x-api-key"]).toBe(caller["x-api-key"]);
    const creds = logged({ creds: ctx.creds, requestId: ctx.requestId }).line;
    expect(creds.creds.horizon).toEqual({ "x-api-id": caller["x-api-id"], "x-api-key": CENSOR });
    expect(creds.creds.czertainly["ssl-client-cert"]).toBe(CENSOR);
    expect(creds.creds.principal).toBe(ctx.creds.principal);
    const flat = logged({ ...ctx.creds }).line;
    expect(flat.horizon["x-api-key"]).toBe(CENSOR);
    const upstream = logged({ upstream: { backend: "horizon", path: "/api/v1/requests/submit", headers: headersFor(ctx.creds, "horizon") } }).line;
    expect(upstream.upstream).toMatchObject({ backend: "horizon", path: "/api/v1/requests/submit" });
    expect(upstream.upstream.headers["x-api-key"]).toBe(CENSOR);
    const direct = logged(headersFor(ctx.creds, "czertainly")).line;
    expect(direct["ssl-client-cert"]).toBe(CENSOR);
  });

  it("GraphQL variables and mutation inputs with passwords, challenges and keys", async () => {
    const { pem } = await makeCsr("log-redaction-input.example");
    const input = { horizonProfile: "central-profile", keyType: "rsa-2048", csr: pem, password: P12_PASSWORD };
    expect(logged({ operationName: "Issue", variables: { i: input } }).line).toMatchObject({ operationName: "Issue", variables: CENSOR });
    expect(logged({ input }).line.input).toMatchObject({ horizonProfile: "central-profile", password: CENSOR });
    const scep = logged({ input: { scepEnroll: { profile: "scep-profile", password: SCEP_CHALLENGE } } }).line;
    expect(scep.input.scepEnroll).toEqual({ profile: "scep-profile", password: CENSOR });
    expect(logged({ password: P12_PASSWORD }).line.password).toBe(CENSOR);
    expect(logged({ challenge: SCEP_CHALLENGE }).line.challenge).toBe(CENSOR);
  });

  it("Horizon's answer with a PKCS#12 and its password, and an error carrying a secret field", () => {
    const answer = logged({ upstream: horizonAnswer }).line;
    expect(answer.upstream._id).toBe(horizonAnswer._id);
    expect(answer.upstream.pkcs12).toBe(CENSOR);
    expect(answer.upstream.password).toBe(CENSOR);
    const error = Object.assign(new Error("enrollment failed"), { apiKey: caller["x-api-key"], password: P12_PASSWORD });
    const line = logged({ err: error }).line;
    expect(line.err.message).toBe("enrollment failed");
    expect(line.err.apiKey).toBe(CENSOR);
    expect(line.err.password).toBe(CENSOR);
  });
});
