import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { GraphQLError } from "graphql";
import type { Config } from "../config.js";
import type { WatchHub } from "../events/watch-hub.js";
import type { Certificate } from "../model/certificate.type.js";
import type { Request } from "../model/request.type.js";
import type { CertificateKeyIndex } from "../loaders/key-index.js";
import type { IdempotencyStore } from "../services/idempotency.js";
import { createLoaders, type Loaders } from "../loaders/create-loaders.js";
import type { Upstreams } from "../upstreams/clients.js";
import { callerCredentials, type CallerCredentials } from "./credentials.js";
import type { Logger } from "./logger.js";

/** Process-wide services; built once by startGateway. */
export interface GatewayServices {
  config: Config;
  upstreams: Upstreams;
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

/** What mutations tell the watchers; implemented by the watch hub (src/events). */
export interface StatePublisher {
  publishCertificate(certificate: Certificate): void;
  publishRequest(request: Request): void;
}

/** What every resolver gets through @Ctx(): per operation, never shared. */
export interface GatewayContext {
  requestId: string;
  services: GatewayServices;
  creds: CallerCredentials;
  loaders: Loaders;
  /** Errors for fields that still returned data (one backend of two failed); appended to the response. */
  partialErrors: GraphQLError[];
}

/** `connectionParams`: a graphql-ws connection's `connection_init` payload (forwarded Horizon credentials may come there). */
export function createContext(
  services: GatewayServices,
  req: IncomingMessage | undefined,
  connectionParams?: Readonly<Record<string, unknown>> | null,
): GatewayContext {
  const creds = callerCredentials(services.config, req, connectionParams);
  const incomingId = req?.headers["x-request-id"];
  const requestId = typeof incomingId === "string" && /^[\w.-]{1,64}$/.test(incomingId) ? incomingId : randomUUID();
  return {
    requestId,
    services,
    creds,
    loaders: createLoaders(services.upstreams, creds, { onBatch: services.onLoaderBatch, keyIndex: services.keyIndex }),
    partialErrors: [],
  };
}
