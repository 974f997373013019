import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";
import type { TestStack } from "../../support/stack.js";

/** What graphql-ws and graphql-sse clients have in common: subscribe with a sink, get a dispose function. */
export interface StreamingClient {
  subscribe(
    payload: { query: string; variables?: Record<string, unknown> },
    sink: { next(value: any): void; error(error: unknown): void; complete(): void },
  ): () => void;
  dispose(): void | Promise<void>;
}

/** The real graphql-ws client over a WebSocket to /graphql (headers on the upgrade request, as a proxy would add them). */
export function wsClient(stack: TestStack, headers: Record<string, string> = {}): StreamingClient {
  class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createWsClient({ url: stack.gateway.wsUrl, webSocketImpl: WithHeaders, retryAttempts: 0, lazy: true });
}

/** The real graphql-sse client ("distinct connections" mode, one event stream per operation) to /graphql/stream. */
export function sseClient(stack: TestStack, headers: Record<string, string> = {}): StreamingClient {
  return createSseClient({ url: stack.gateway.url.replace(/\/graphql$/, "/graphql/stream"), retryAttempts: 0, headers });
}

/** One subscription's results as they arrive, and a way to wait for them (the test timeout bounds every wait). */
export interface Watched {
  results: { data?: any; errors?: any[] }[];
  /** The `data[field]` of each result. */
  values(): any[];
  completed: Promise<void>;
  isComplete(): boolean;
  /** Resolves once `n` results arrived. */
  untilCount(n: number): Promise<void>;
  dispose(): void;
}

export function watch(client: StreamingClient, query: string, variables: Record<string, unknown>, field: string): Watched {
  const results: Watched["results"] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let complete = false;
  let resolveCompleted!: () => void;
  let rejectCompleted!: (e: unknown) => void;
  const completed = new Promise<void>((resolve, reject) => {
    resolveCompleted = resolve;
    rejectCompleted = reject;
  });
  const wake = () => {
    for (const w of [...waiters]) {
      if (results.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const dispose = client.subscribe(
    { query, variables },
    {
      next: value => {
        results.push(value);
        wake();
      },
      error: error => {
        complete = true;
        rejectCompleted(error instanceof Error ? error : new Error(JSON.stringify(error)));
      },
      complete: () => {
        complete = true;
        resolveCompleted();
      },
    },
  );
  return {
    results,
    values: () => results.map(r => r.data?.[field]),
    completed,
    isComplete: () => complete,
    untilCount: n =>
      results.length >= n
        ? Promise.resolve()
        : new Promise<void>(resolve => {
            waiters.push({ n, resolve });
          }),
    dispose,
  };
}

/** Polls a condition on the loop until it holds (bounded by the test timeout; measures nothing). */
export async function until(condition: () => boolean, stepMs = 20): Promise<void> {
  while (!condition()) await new Promise(r => setTimeout(r, stepMs));
}

/** CZERTAINLY certificate detail reads in an emulator's log, by certificate uuid. */
export function detailReadsByUuid(stack: TestStack): Map<string, number[]> {
  const byUuid = new Map<string, number[]>();
  for (const r of stack.cz.requests) {
    const m = r.method === "GET" ? /^\/api\/v1\/certificates\/([0-9a-f-]{36})$/.exec(r.path) : null;
    if (!m) continue;
    const list = byUuid.get(m[1]!) ?? [];
    list.push(r.at);
    byUuid.set(m[1]!, list);
  }
  return byUuid;
}
