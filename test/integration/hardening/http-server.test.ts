import { once } from "node:events";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.js";
import { startTestStack, type TestStack } from "../../support/stack.js";
import { LogCapture } from "./support.js";

/** The gateway's node:http server: explicit timeouts, and a client that goes away mid-body is no error of ours. */
describe("HTTP server hygiene", () => {
  let stack: TestStack;
  const logs = new LogCapture();

  beforeAll(async () => {
    stack = await startTestStack(
      { LOG_LEVEL: "info", HTTP_REQUEST_TIMEOUT_MS: "1500", HTTP_HEADERS_TIMEOUT_MS: "1000", HTTP_KEEP_ALIVE_TIMEOUT_MS: "700" },
      logs,
    );
  });
  afterAll(() => stack.close());

  const address = () => ({ host: "127.0.0.1", port: stack.gateway.port });

  it("sets requestTimeout, headersTimeout and keepAliveTimeout from the settings", () => {
    const server = stack.gateway.httpServer;
    expect({ request: server.requestTimeout, headers: server.headersTimeout, keepAlive: server.keepAliveTimeout }).toEqual({
      request: 1500,
      headers: 1000,
      keepAlive: 700,
    });
  });

  it("refuses timeouts that contradict each other or are out of range, at start", () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ HTTP_REQUEST_TIMEOUT_MS: "5000", HTTP_HEADERS_TIMEOUT_MS: "6000" })).toEqual([
      "HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS",
    ]);
    expect(problems({ SHUTDOWN_GRACE_MS: "-1", HTTP_KEEP_ALIVE_TIMEOUT_MS: "0" })).toHaveLength(2);
    expect(loadConfig({})).toMatchObject({
      shutdownGraceMs: 10_000,
      httpRequestTimeoutMs: 30_000,
      httpHeadersTimeoutMs: 10_000,
      httpKeepAliveTimeoutMs: 5000,
    });
  });

  it("a client that never finishes its headers gets 408 and its connection closed (HTTP_HEADERS_TIMEOUT_MS)", async () => {
    const socket = connect(address());
    await once(socket, "connect");
    let answer = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
    socket.write("POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // and nothing more
    await once(socket, "close");
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it.each(["/graphql", "/graphql/stream"])("a request body aborted by the client on %s is logged at info, never as an error", async path => {
    logs.clear();
    const socket = connect(address());
    await once(socket, "connect");
    const arrived = once(stack.gateway.httpServer, "request");
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: 1000\r\n\r\n{"query":`,
    );
    await arrived; // the gateway is reading the body
    socket.destroy();
    await vi.waitFor(() => expect(logs.lines().find(l => l.msg === "request aborted by the client")).toMatchObject({ level: 30, path }), {
      timeout: 20_000,
    });
    expect(logs.lines().filter(l => l.level >= 50)).toEqual([]);
  });
});
