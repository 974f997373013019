import type { GraphQLFormattedError } from "graphql";
import type { Config } from "../config.js";
import { ErrorCode } from "../errors/error-codes.js";
import type { CallerCredentials } from "./credentials.js";
import { RateLimiter, type RateDecision } from "./rate-limit.js";

/** Why and for how long a caller is refused before GraphQL runs (HTTP 429, graphql-ws and SSE errors). */
export interface AdmissionRefusal {
  code: typeof ErrorCode.RateLimited;
  message: string;
  retryAfterSeconds: number;
}

type Keys = Pick<CallerCredentials, "principal" | "address">;
const addressOf = (keys: Keys) => keys.address ?? "addr:local";

/**
 * The one admission decision for HTTP, graphql-ws and SSE, taken before any backend call:
 *
 * - a token bucket per caller principal (`RATE_LIMIT_PER_MINUTE`): in forward mode the principal
 *   comes from the credentials the caller sends;
 * - a token bucket per client address (`RATE_LIMIT_PER_MINUTE_PER_ADDRESS`), whatever credentials
 *   are sent, so inventing a new API key per request buys no new budget;
 * - a backoff per address after repeated backend 401s to forwarded credentials (`AUTH_FAILURE_LIMIT`
 *   per `AUTH_FAILURE_WINDOW_MS`): guessing keys through the gateway stops reaching the backend.
 */
export class CallerAdmission {
  private readonly perCaller: RateLimiter;
  private readonly perAddress: RateLimiter;
  private readonly authFailures: RateLimiter;
  private readonly forwarded: ReadonlySet<string>;

  constructor(
    private readonly config: Config,
    now: () => number = Date.now,
    maxKeys = 100_000,
  ) {
    this.perCaller = new RateLimiter(config.rateLimitPerMinute, now, maxKeys);
    this.perAddress = new RateLimiter(config.ops.rateLimitPerMinutePerAddress, now, maxKeys);
    this.authFailures = new RateLimiter(config.ops.authFailureLimit, now, maxKeys, config.ops.authFailureWindowMs);
    this.forwarded = new Set((["czertainly", "horizon"] as const).filter(backend => config[backend].credentials === "forward"));
  }

  /** Spends one request of the caller's and of its address's budget; a refusal says for how long. */
  check(keys: Keys): AdmissionRefusal | undefined {
    const backedOff = this.authFailures.peek(addressOf(keys));
    if (!backedOff.allowed) {
      return this.refusal(backedOff, "Too many requests from this address were refused by a backend for their credentials");
    }
    const byAddress = this.perAddress.take(addressOf(keys));
    const byCaller = this.perCaller.take(keys.principal);
    if (!byAddress.allowed) {
      return this.refusal(byAddress, `Rate limit of ${this.config.ops.rateLimitPerMinutePerAddress} requests per minute per address exceeded`);
    }
    if (!byCaller.allowed) return this.refusal(byCaller, `Rate limit of ${this.config.rateLimitPerMinute} requests per minute exceeded`);
    return undefined;
  }

  /**
   * Told the errors an operation answered with: one whose forwarded credentials a backend did not
   * accept (UNAUTHENTICATED with backendStatus 401) counts one failure against the caller's address.
   * A 401 to the service identity is the gateway's misconfiguration, never the caller's fault.
   */
  observe(keys: Keys | undefined, errors: readonly GraphQLFormattedError[] | undefined): void {
    if (!keys || !errors?.length || !this.authFailures.enabled) return;
    const rejected = errors.some(
      e => e.extensions?.code === ErrorCode.Unauthenticated && e.extensions.backendStatus === 401 && this.forwarded.has(String(e.extensions.backend)),
    );
    if (rejected) this.authFailures.take(addressOf(keys));
  }

  private refusal(decision: RateDecision, message: string): AdmissionRefusal {
    return { code: ErrorCode.RateLimited, message, retryAfterSeconds: decision.retryAfterSeconds ?? 1 };
  }
}
