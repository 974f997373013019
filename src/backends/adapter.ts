import type { Window } from "../domain/paging.js";
import type { Certificate, CertificateRecord } from "../model/certificate.type.js";
import type { Backend, CertificateState } from "../model/enums.js";
import type { CertificateFilter } from "../model/inputs/certificates.args.js";
import type { CancelPendingInput, FinalizeInput, IssueInput, RekeyInput, RenewInput, RevokeInput } from "../model/inputs/operation.inputs.js";
import type { OperationPayload } from "../model/payloads.js";
import type { Request, RequestRecord } from "../model/request.type.js";
import type { CallerCredentials } from "./credentials.js";

/**
 * What the unified graph needs from one certificate backend. Each backend implements it in its own
 * folder (`src/backends/<name>/adapter.ts`: client, wire types, mapping, operations behind it) and is
 * listed once in `registry.ts`. Backend-only extras (CZERTAINLY's legacy v1 API, Horizon's request
 * variants) stay in that folder and are called by their own resolvers.
 */
export interface BackendAdapter<L = unknown, OwnLoaders extends object = object> {
  readonly backend: Backend;
  /** The name errors and metrics carry (`extensions.backend`). */
  readonly key: BackendKey;
  readonly capabilities: BackendCapabilities;

  /** Per-operation DataLoaders for this backend (never shared between callers or operations); an operation carries every backend's. */
  createLoaders(creds: CallerCredentials, stats: LoaderOptions): OwnLoaders;

  /** One certificate by the backend's id; null when the backend has none. */
  loadCertificate(call: BackendCall<L>, backendId: string): Promise<Certificate | null>;
  /** One request by the backend's id, on backends that have requests; null when there is none. */
  loadRequest?(call: BackendCall<L>, backendId: string): Promise<Request | null>;
  /** Whether the filter can match anything here (e.g. an RA profile filter is CZERTAINLY's only). */
  acceptsFilter(filter: CertificateFilter | undefined): boolean;
  /**
   * The searches that together give the certificates matching the filter, each filtered and paged by the
   * backend itself, in the order pages walk them. Usually one; more where one backend search cannot say
   * the filter (CZERTAINLY ANDs its filters: `[EXPIRED, REVOKED]` is two searches). Empty: nothing matches here.
   */
  certificateSearches(call: BackendCall<L>, filter: CertificateFilter | undefined): CertificateSearch[];

  /** The read a watcher polls: the current state through fresh loaders, null when the object is gone. */
  readCertificate(creds: CallerCredentials, backendId: string): Promise<CertificateRecord | null>;
  /** The same for a request, on backends that have requests. */
  readRequest?(creds: CallerCredentials, backendId: string): Promise<RequestRecord | null>;

  /** The unified operations this backend performs; an absent one is UNSUPPORTED_BY_BACKEND. */
  readonly operations: BackendOperations<L>;

  /** Whether the backend answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type BackendKey = "czertainly" | "horizon";

/** One search a backend pages on its own; `key` names it in cursors (unique within the query). */
export interface CertificateSearch {
  key: string;
  /** A window [offset, offset + size) of its certificates. */
  window(offset: number, size: number): Promise<Window<Certificate>>;
  /** How many certificates it has (one small backend call); undefined when the backend does not say. */
  count(): Promise<number | undefined>;
}

export interface BackendCapabilities {
  /** Certificate states this backend can hold: a state filter outside them skips it. */
  states: readonly CertificateState[];
}

export interface LoaderOptions {
  onBatch?: (loader: string, size: number) => void;
}

/** What one backend call needs from the GraphQL operation it serves. */
export interface BackendCall<L> {
  creds: CallerCredentials;
  loaders: L;
}

/** Unified certificate operations; `backendId` is the certificate's id at this backend. */
export interface BackendOperations<L> {
  issue?(call: BackendCall<L>, input: IssueInput): Promise<OperationPayload>;
  revoke?(call: BackendCall<L>, backendId: string, input: RevokeInput): Promise<OperationPayload>;
  renew?(call: BackendCall<L>, backendId: string, input: RenewInput): Promise<OperationPayload>;
  rekey?(call: BackendCall<L>, backendId: string, input: RekeyInput): Promise<OperationPayload>;
  finalize?(call: BackendCall<L>, backendId: string, input: FinalizeInput): Promise<OperationPayload>;
  confirmRevoke?(call: BackendCall<L>, backendId: string): Promise<OperationPayload>;
  issueRequested?(call: BackendCall<L>, backendId: string): Promise<OperationPayload>;
  /** Cancels a pending certificate operation. */
  cancelPending?(call: BackendCall<L>, backendId: string, input: CancelPendingInput): Promise<OperationPayload>;
  /** Cancels a pending request (backends with requests). */
  cancelRequest?(call: BackendCall<L>, backendId: string, input: CancelPendingInput): Promise<OperationPayload>;
}

export type CertificateOperation = keyof BackendOperations<unknown>;
