import type { Config } from "../config.js";
import { CircuitBreaker } from "./circuit-breaker.js";
import { createCzertainlyClient, type CzertainlyClient } from "./czertainly/czertainly.client.js";
import { createHorizonClient, type HorizonClient } from "./horizon/horizon.client.js";

/** The gateway's two backend clients, one undici pool each. */
export interface Upstreams {
  czertainly: CzertainlyClient;
  horizon: HorizonClient;
}

/**
 * Builds the clients for the configured (or embedded emulator) URLs, with the service identity when configured.
 * `opts.now`: the circuit breakers' clock (when a cooldown ends); default `Date.now`, a manual clock in tests.
 */
export function createUpstreams(config: Config, urls: { czertainly: string; horizon: string }, opts: { now?: () => number } = {}): Upstreams {
  const cz = config.czertainly;
  const hz = config.horizon;
  // One breaker per backend and per gateway, with this gateway's settings.
  const breaker = () => new CircuitBreaker({ failureThreshold: config.breakerFailureThreshold, cooldownMs: config.breakerCooldownMs, now: opts.now });
  return {
    czertainly: createCzertainlyClient({
      url: urls.czertainly,
      timeoutMs: cz.timeoutMs,
      readRetries: cz.readRetries,
      tls: cz.tls,
      headers:
        cz.credentials === "service" && cz.clientCertPem
          ? { "ssl-client-cert": encodeURIComponent(cz.clientCertPem) }
          : undefined,
      breaker: breaker(),
    }),
    horizon: createHorizonClient({
      url: urls.horizon,
      timeoutMs: hz.timeoutMs,
      readRetries: hz.readRetries,
      apiId: hz.credentials === "service" ? hz.apiId : undefined,
      apiKey: hz.credentials === "service" ? hz.apiKey : undefined,
      breaker: breaker(),
    }),
  };
}
