import type { GraphQLError } from "graphql";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { CallerCredentials } from "../backends/credentials.js";
import type { CertificateKeyIndex } from "../backends/czertainly/key-index.js";
import type { BackendRegistry, Upstreams } from "../backends/registry.js";
import type { StatePublisher, WatchHub } from "../events/watch-hub.js";
import type { Loaders } from "../loaders/create-loaders.js";
import type { IdempotencyStore } from "./idempotency.js";

/** Process-wide services; built once by startGateway. */
export interface GatewayServices {
  config: Config;
  /** The backend clients (transport: pools, breakers). */
  upstreams: Upstreams;
  /** The backends behind the adapter contract; unified queries, mutations and watchers dispatch through it. */
  backends: BackendRegistry;
  logger: Logger;
  embedded: { czertainly: boolean; horizon: boolean };
  onLoaderBatch?: (loader: string, size: number) => void;
  /** Remembers mutations by idempotency key (no double issuance on a retry). */
  idempotency: IdempotencyStore;
  /** Certificate → key, remembered across requests (CZERTAINLY list items do not carry it). */
  keyIndex?: CertificateKeyIndex;
  /** Pushes a state a mutation saw to watchers at once (set by the watch hub). */
  publish?: StatePublisher;
  /** Watches pending objects for subscriptions and waiting queries (src/events). */
  watch?: WatchHub;
}

/** What every resolver gets through @Ctx(): per operation, never shared. */
export interface GatewayContext {
  requestId: string;
  services: GatewayServices;
  creds: CallerCredentials;
  loaders: Loaders;
  /** Errors for fields that still returned data (one backend of two failed); appended to the response by the server. */
  partialErrors: GraphQLError[];
}
