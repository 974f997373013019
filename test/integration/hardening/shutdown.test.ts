import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startCzertainlyEmulator, type CzertainlyEmulator } from "../../../src/emulators/czertainly/czertainly.emulator.js";
import { startHorizonEmulator, type HorizonEmulator } from "../../../src/emulators/horizon/horizon.emulator.js";
import { makeCsr } from "../../support/csr.js";

/**
 * Shutdown of the real process, started as `npm start` starts it (`node --import tsx src/main.ts`, no NODE_ENV=test), and
 * stopped by a signal. Every wait is for an event (a log line, a socket close, the process exit); the vitest
 * timeout is the only clock.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

interface Gateway {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  lines: LogLine[];
  stderr(): string;
  /** Resolves with the first log line whose `msg` starts with `msg` (already written or still to come). */
  line(msg: string): Promise<LogLine>;
  /** The process exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** Spawns the gateway as a user runs it and waits for its "listening" line (JSON on stdout). */
async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // vitest sets NODE_ENV=test (which changes Apollo's defaults): a user's shell does not
    if (v !== undefined && k !== "NODE_ENV" && !k.startsWith("VITEST") && !/^(CZERTAINLY|HORIZON)_/.test(k)) childEnv[k] = v;
  }
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { ...childEnv, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const lines: LogLine[] = [];
  const waiters: { msg: string; resolve: (l: LogLine) => void }[] = [];
  let buffered = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!text.trim()) continue;
      let parsed: LogLine;
      try {
        parsed = JSON.parse(text) as LogLine;
      } catch {
        parsed = { level: 100, msg: `not JSON: ${text}` };
      }
      lines.push(parsed);
      for (const w of [...waiters]) {
        if (!parsed.msg?.startsWith(w.msg)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const line = (msg: string) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = lines.find(l => l.msg?.startsWith(msg));
      if (seen) return resolve(seen);
      waiters.push({ msg, resolve });
      void exited.then(({ code }) => reject(new Error(`gateway exited (${code}) before logging "${msg}"; stderr: ${stderr}`)));
    });
  const listening = await line("PKI Graph gateway listening");
  return { child, url: listening.graphql as string, wsUrl: listening.subscriptions as string, lines, stderr: () => stderr, line, exited };
}

async function gql(url: string, query: string, variables?: Record<string, unknown>) {
  const res = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.statusCode, body: (await res.body.json()) as { data?: any; errors?: any[] } };
}

/** A graphql-ws (graphql-transport-ws) client on a plain WebSocket: resolves once the subscription's first event arrived. */
async function wsSubscribe(wsUrl: string, query: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(wsUrl, "graphql-transport-ws");
  const closed = once(socket, "close") as Promise<[number, Buffer]>;
  await once(socket, "open");
  const firstNext = new Promise<any>((resolve, reject) => {
    socket.on("message", raw => {
      const msg = JSON.parse(String(raw));
      if (msg.type === "connection_ack") socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      if (msg.type === "next") resolve(msg.payload);
      if (msg.type === "error") reject(new Error(JSON.stringify(msg.payload)));
    });
  });
  socket.send(JSON.stringify({ type: "connection_init" }));
  return { socket, firstNext: await firstNext, closed };
}

/** A plain GraphQL-over-SSE stream (distinct connections mode): resolves once its first `next` event arrived. */
async function sseSubscribe(url: string, query: string, variables: Record<string, unknown>) {
  const res = await request(url.replace(/\/graphql$/, "/graphql/stream"), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ query, variables }),
  });
  expect(res.statusCode).toBe(200);
  let text = "";
  res.body.setEncoding("utf8");
  let sawNext!: () => void;
  const firstNext = new Promise<void>(resolve => (sawNext = resolve));
  /** Resolves when the stream ends normally, rejects when it is cut (aborted, reset). */
  const ended = new Promise<string>((resolve, reject) => {
    res.body.on("data", (chunk: string) => {
      text += chunk;
      if (/^event: next$/m.test(text)) sawNext();
    });
    res.body.once("end", () => resolve(text));
    res.body.once("error", reject);
  });
  await firstNext;
  return { ended };
}

/** A request whose headers are half sent: its connection is busy when the drain starts. */
async function halfSentRequest(url: string, body: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await once(socket, "connect");
  socket.write(`POST /graphql HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n`);
  let answer = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
  const closed = once(socket, "close");
  return {
    async finish() {
      socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      await closed;
      return answer;
    },
  };
}

const ISSUE = `mutation($i: IssueInput!) { issue(input: $i) { certificate { id state subject { commonName } } } }`;
const WATCH = `subscription($id: ID!) { certificateChanged(id: $id) { id state } }`;
const ISSUE_PATH = /\/raProfiles\/[^/]+\/certificates$/;

const errorLines = (g: Gateway) => g.lines.filter(l => l.level >= 50);

describe("shutdown of the real process (SIGTERM / SIGINT)", () => {
  let cz: CzertainlyEmulator | undefined;
  let hz: HorizonEmulator | undefined;

  afterEach(async () => {
    for (const child of running) child.kill("SIGKILL");
    await Promise.all([cz?.close(), hz?.close()]);
    cz = hz = undefined;
  });

  const startBackends = async () => {
    [cz, hz] = await Promise.all([startCzertainlyEmulator({ port: 0 }), startHorizonEmulator({ port: 0 })]);
    return {
      CZERTAINLY_URL: `${cz.url}/api`,
      HORIZON_URL: hz.url,
      HORIZON_API_ID: hz.accounts.admin.apiId,
      HORIZON_API_KEY: hz.accounts.admin.apiKey,
    };
  };

  it(
    "SIGTERM with a mutation in flight, a graphql-ws and an SSE subscription: the mutation answers with data (the backend acted once), " +
      "graphql-ws gets 1001, the SSE stream ends, a new request gets 503, exit 0 without an error line",
    async () => {
      // generous timeouts: nothing here may run out while the test waits for its events
      const gw = await startGateway({
        ...(await startBackends()),
        SHUTDOWN_GRACE_MS: "60000",
        HTTP_HEADERS_TIMEOUT_MS: "60000",
        HTTP_REQUEST_TIMEOUT_MS: "60000",
      });
      const profiles = await gql(gw.url, `{ raProfiles { id name } }`);
      const profileId = (name: string) => profiles.body.data.raProfiles.find((p: { name: string }) => p.name === name).id as string;

      // a pending certificate to watch: its subscriptions stay open
      const pending = await gql(gw.url, ISSUE, {
        i: { raProfileId: profileId("async-profile"), csr: (await makeCsr("pending.shutdown.example")).pem },
      });
      const pendingId = pending.body.data.issue.certificate.id as string;
      const ws = await wsSubscribe(gw.wsUrl, WATCH, { id: pendingId });
      expect(ws.firstNext.data.certificateChanged.state).toBe("PENDING_ISSUE");
      const sse = await sseSubscribe(gw.url, WATCH, { id: pendingId });

      // the mutation reaches the backend, which acts; its answer is held back
      const held = cz!.holdReplies("POST", ISSUE_PATH);
      const cn = "in-flight.shutdown.example";
      const csr = await makeCsr(cn);
      // settled at once so that a failure below never leaves it unhandled
      const mutation = gql(gw.url, ISSUE, { i: { raProfileId: profileId("sync-profile"), csr: csr.pem } }).catch((e: Error) => ({
        status: 0,
        body: { error: e.message } as any,
      }));
      await held.received;
      const late = await halfSentRequest(gw.url, JSON.stringify({ query: "{ __typename }" }));

      gw.child.kill("SIGTERM");
      await gw.line("draining and shutting down");

      const [code, reason] = await ws.closed;
      expect(code).toBe(1001);
      expect(String(reason)).toMatch(/going away/i);
      const streamed = await sse.ended; // ends normally: not reset, not aborted
      expect(streamed.endsWith("\n\n")).toBe(true); // after a whole event
      const refused = await late.finish();
      expect(refused).toMatch(/^HTTP\/1\.1 503 /);
      expect(refused).toMatch(/^connection: close\r$/im);
      const refusedBody = /\{.*\}/s.exec(refused.slice(refused.indexOf("\r\n\r\n")))![0]; // one chunk
      expect(JSON.parse(refusedBody).errors[0].extensions.code).toBe("SHUTTING_DOWN");

      held.release();
      const answered = await mutation;
      expect(answered.status).toBe(200);
      expect(answered.body.errors).toBeUndefined();
      expect(answered.body.data.issue.certificate).toMatchObject({ state: "ISSUED", subject: { commonName: cn } });

      expect(await gw.exited).toEqual({ code: 0, signal: null });
      expect(held.count).toBe(1);
      const issued = [...cz!.state.certificates.values()].filter(c => c.csr === csr.base64);
      expect(issued).toHaveLength(1);
      expect(errorLines(gw)).toEqual([]);
      expect(gw.lines.find(l => l.msg === "stopped")).toMatchObject({ cut: 0 });
      expect(gw.stderr()).not.toMatch(/error/i);
    },
    120_000,
  );

  it("SIGINT on the embedded emulators (no backend URL, plain `npm start`) with an SSE subscription open: the stream ends, exit 0 without an error line", async () => {
    const gw = await startGateway({});
    const profiles = await gql(gw.url, `{ raProfiles { id name } }`);
    const asyncProfile = profiles.body.data.raProfiles.find((p: { name: string }) => p.name === "async-profile").id as string;
    const pending = await gql(gw.url, ISSUE, { i: { raProfileId: asyncProfile, csr: (await makeCsr("embedded.shutdown.example")).pem } });
    // one SSE subscription open, as GraphiQL or curl keeps it (this crashed the process: write after end)
    const sse = await sseSubscribe(gw.url, WATCH, { id: pending.body.data.issue.certificate.id });
    gw.child.kill("SIGINT");
    expect((await sse.ended).endsWith("\n\n")).toBe(true);
    expect(await gw.exited).toEqual({ code: 0, signal: null });
    expect(gw.lines.some(l => l.msg === "stopped")).toBe(true);
    expect(errorLines(gw)).toEqual([]);
  }, 120_000);

  it("a mutation that outlives SHUTDOWN_GRACE_MS is cut and the process still exits 0 (a hung backend does not keep it alive)", async () => {
    const gw = await startGateway({ ...(await startBackends()), SHUTDOWN_GRACE_MS: "200", CZERTAINLY_TIMEOUT_MS: "300000" });
    const profiles = await gql(gw.url, `{ raProfiles { id name } }`);
    const sync = profiles.body.data.raProfiles.find((p: { name: string }) => p.name === "sync-profile").id as string;
    const held = cz!.holdReplies("POST", ISSUE_PATH); // never released before the exit: the backend hangs
    const mutation = gql(gw.url, ISSUE, { i: { raProfileId: sync, csr: (await makeCsr("hung.shutdown.example")).pem } }).then(
      () => "answered",
      () => "cut",
    );
    await held.received;
    gw.child.kill("SIGTERM");
    expect(await gw.exited).toEqual({ code: 0, signal: null });
    expect(await mutation).toBe("cut");
    expect(gw.lines.find(l => l.msg.startsWith("shutdown grace elapsed"))).toMatchObject({ level: 40, cut: 1, graceMs: 200 });
    expect(errorLines(gw)).toEqual([]);
    held.release();
  }, 120_000);

  it("a second signal during the drain exits at once (status 1), without waiting for the grace", async () => {
    const gw = await startGateway({ ...(await startBackends()), SHUTDOWN_GRACE_MS: "600000" });
    const profiles = await gql(gw.url, `{ raProfiles { id name } }`);
    const sync = profiles.body.data.raProfiles.find((p: { name: string }) => p.name === "sync-profile").id as string;
    const held = cz!.holdReplies("POST", ISSUE_PATH);
    const mutation = gql(gw.url, ISSUE, { i: { raProfileId: sync, csr: (await makeCsr("twice.shutdown.example")).pem } }).then(
      () => "answered",
      () => "cut",
    );
    await held.received;
    gw.child.kill("SIGTERM");
    await gw.line("draining and shutting down");
    gw.child.kill("SIGTERM");
    expect(await gw.exited).toEqual({ code: 1, signal: null });
    expect(gw.lines.find(l => l.msg.startsWith("second signal"))).toMatchObject({ level: 40 });
    expect(await mutation).toBe("cut");
    held.release();
  }, 120_000);
});

describe("SSE streams when the gateway stops while events are on their way (in process)", () => {
  it("every stream ends normally after its last whole event, and nothing writes after a stream's end", async () => {
    const { startTestStack } = await import("../../support/stack.js");
    const stack = await startTestStack();
    const ids = await stack.raProfileIds();
    const pending = await stack.gql(ISSUE, { i: { raProfileId: ids["async-profile"], csr: (await makeCsr("busy.shutdown.example")).pem } });
    const id = pending.data.issue.certificate.id as string;
    const streams = await Promise.all(Array.from({ length: 5 }, () => sseSubscribe(stack.gateway.url, WATCH, { id })));
    // The stop begins in the very tick the mutation hands its state to the watchers: every stream has an
    // event on its way (resolved later) when the streams are told to end.
    const hub = stack.gateway.services.watch!;
    const publish = hub.publishCertificate.bind(hub);
    let stopped: Promise<unknown> | undefined;
    hub.publishCertificate = certificate => {
      publish(certificate);
      stopped ??= stack.gateway.stop();
    };
    const cancelled = stack.gql(`mutation($i: CancelPendingInput!) { cancelPending(input: $i) { certificate { state } } }`, { i: { id } });
    for (const s of streams) expect((await s.ended).endsWith("\n\n")).toBe(true);
    await cancelled.catch(() => {}); // answered or cut by the stop: either is fine here
    await stopped;
    await Promise.all([stack.cz.close(), stack.hz.close()]);
  });
});
