import type { BackendOperations, CertificateOperation } from "../backends/adapter.js";
import type { AnyLoaders } from "../backends/registry.js";
import { fromGlobalId } from "../domain/ids.js";
import { ErrorCode } from "../errors/error-codes.js";
import { gatewayError } from "../errors/gateway-error.js";
import type { Backend } from "../model/enums.js";
import type { GatewayContext } from "./context.js";

type Operations = Required<BackendOperations<AnyLoaders>>;

/**
 * The backend operation for a unified mutation on one object, or UNSUPPORTED_BY_BACKEND when the backend
 * holding it has no such operation. Routing goes through the registry only: an unknown backend is a typed error.
 */
export function operationFor<K extends CertificateOperation>(ctx: GatewayContext, backend: Backend, operation: K): Operations[K] {
  const adapter = ctx.services.backends.adapterFor(backend);
  const op = adapter.operations[operation];
  if (!op) {
    throw gatewayError(ErrorCode.UnsupportedByBackend, `${operation} is not an operation of ${adapter.key} certificates`, { backend: adapter.key });
  }
  return op.bind(adapter.operations) as Operations[K];
}

/** A Certificate id's backend and backend id (BAD_USER_INPUT for anything else). */
export const certificateTarget = (id: string) => fromGlobalId(id, "Certificate");
