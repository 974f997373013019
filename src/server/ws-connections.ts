import type { IncomingMessage } from "node:http";
import type { WebSocket, WebSocketServer } from "ws";
import { ErrorCode } from "../errors/error-codes.js";

/**
 * Open graphql-ws connections per caller principal (MAX_WS_CONNECTIONS_PER_CALLER). Each socket costs
 * the gateway memory for as long as it stays open, so one caller may not hold more than `max`: the
 * upgrade that would exceed it is refused with HTTP 429 `TOO_MANY_CONNECTIONS` before any WebSocket
 * exists. A socket is counted under the principal of its upgrade request (forwarded headers, else
 * the address) from its `connection` event to its `close` event.
 */
export class WsConnections {
  private readonly open = new Map<string, number>();
  private readonly releaseWaiters: ((principal: string) => void)[] = [];

  /** `max` 0: no limit (still counted). */
  constructor(readonly max: number) {}

  /** Whether one more connection of this principal is admitted. */
  admits(principal: string): boolean {
    return this.max === 0 || this.count(principal) < this.max;
  }

  count(principal: string): number {
    return this.open.get(principal) ?? 0;
  }

  /** Counts an open connection; the returned function releases it (once). */
  add(principal: string): () => void {
    this.open.set(principal, this.count(principal) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = this.count(principal) - 1;
      if (n > 0) this.open.set(principal, n);
      else this.open.delete(principal);
      for (const wake of this.releaseWaiters.splice(0)) wake(principal);
    };
  }

  /** Resolves with the principal of the next connection released (a slot frees up). */
  nextRelease(): Promise<string> {
    return new Promise(resolve => this.releaseWaiters.push(resolve));
  }

  /** The JSON body of the HTTP 429 refusal. */
  refusalBody(): string {
    return JSON.stringify({
      errors: [
        {
          message: `Too many open WebSocket connections: at most ${this.max} per caller; close one first`,
          extensions: { code: ErrorCode.TooManyConnections, maxConnections: this.max },
        },
      ],
    });
  }

  /**
   * Wires the count into a WebSocketServer: `verify` refuses an over-limit upgrade (call it from
   * verifyClient), and every accepted socket is counted until it closes. ws completes an accepted
   * upgrade in the same tick as verifyClient's callback, so no second upgrade can slip in between.
   */
  attach(
    wsServer: WebSocketServer,
    principalOf: (req: IncomingMessage) => string,
    onRefused?: (code: string) => void,
  ): {
    verify: (req: IncomingMessage, done: (ok: boolean, status?: number, body?: string, headers?: Record<string, string>) => void) => void;
  } {
    wsServer.on("connection", (socket: WebSocket, req: IncomingMessage) => {
      socket.once("close", this.add(principalOf(req)));
    });
    return {
      verify: (req, done) => {
        if (this.admits(principalOf(req))) return done(true);
        onRefused?.(ErrorCode.TooManyConnections);
        done(false, 429, this.refusalBody(), { "Content-Type": "application/json; charset=utf-8" });
      },
    };
  }
}
