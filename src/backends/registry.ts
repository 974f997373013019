import type { Config } from "../config.js";
import { CircuitBreaker } from "./circuit-breaker.js";
import { createCzertainlyClient, type CzertainlyClient } from "./czertainly/client.js";
import { createHorizonClient, type HorizonClient } from "./horizon/client.js";
import { Backend } from "../model/enums.js";
import type { BackendAdapter, BackendKey } from "./adapter.js";
import { createCzertainlyAdapter, type CzertainlyAdapter } from "./czertainly/adapter.js";
import type { CertificateKeyIndex } from "./czertainly/key-index.js";
import type { CzertainlyLoaders } from "./czertainly/loaders.js";
import { createHorizonAdapter, type HorizonAdapter } from "./horizon/adapter.js";
import type { HorizonLoaders } from "./horizon/loaders.js";

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
      headers: cz.credentials === "service" && cz.clientCertPem ? { "ssl-client-cert": encodeURIComponent(cz.clientCertPem) } : undefined,
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

/** Every backend's loaders together: what one GraphQL operation carries. */
export type AnyLoaders = CzertainlyLoaders & HorizonLoaders;

/** The configured backends, each behind the one adapter contract. */
export interface BackendRegistry {
  czertainly: CzertainlyAdapter;
  horizon: HorizonAdapter;
  /** Every adapter, in the order unified pages walk them. */
  all: readonly BackendAdapter<AnyLoaders>[];
  /** The adapter holding a backend's objects; exhaustive, so a new Backend value that is not listed fails to compile. */
  adapterFor(backend: Backend): BackendAdapter<AnyLoaders>;
}

/**
 * The one list of backends. Adding one: its folder under src/backends/, a value in the Backend enum,
 * and a line here.
 */
export function createBackendRegistry(upstreams: Upstreams, opts: { keyIndex?: CertificateKeyIndex } = {}): BackendRegistry {
  const czertainly = createCzertainlyAdapter(upstreams.czertainly, { keyIndex: opts.keyIndex });
  const horizon = createHorizonAdapter(upstreams.horizon);
  const adapterFor = (backend: Backend): BackendAdapter<AnyLoaders> => {
    switch (backend) {
      case Backend.CZERTAINLY:
        return czertainly;
      case Backend.HORIZON:
        return horizon;
      default: {
        const unknown: never = backend;
        throw new UnknownBackendError(String(unknown));
      }
    }
  };
  return { czertainly, horizon, all: [czertainly, horizon], adapterFor };
}

/** The name a backend's credentials, errors and metrics carry. */
export function backendKeyOf(backend: Backend): BackendKey {
  switch (backend) {
    case Backend.CZERTAINLY:
      return "czertainly";
    case Backend.HORIZON:
      return "horizon";
    default: {
      const unknown: never = backend;
      throw new UnknownBackendError(String(unknown));
    }
  }
}

/** A backend name that no adapter serves (a value that reached the gateway without a registry line). */
export class UnknownBackendError extends Error {
  constructor(readonly backend: string) {
    super(`No adapter serves backend ${backend}`);
    this.name = "UnknownBackendError";
  }
}
