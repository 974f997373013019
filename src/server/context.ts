import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { createLoaders } from "../loaders/create-loaders.js";
import type { GatewayContext, GatewayServices } from "../services/context.js";
import { callerCredentials } from "./credentials.js";

export type { GatewayContext, GatewayServices } from "../services/context.js";
export type { StatePublisher } from "../events/watch-hub.js";

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
    loaders: createLoaders(services.backends, creds, { onBatch: services.onLoaderBatch }),
    partialErrors: [],
  };
}
