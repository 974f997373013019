import { createHmac, randomBytes } from "node:crypto";
import { fromGlobalId } from "../domain/ids.js";
import { isSettledCertificateState } from "../domain/states.js";
import type { CertificateRecord } from "../model/certificate.type.js";
import { Backend } from "../model/enums.js";
import { isFinalRequestStatus, type RequestRecord } from "../model/request.type.js";
import type { CallerCredentials } from "../backends/credentials.js";
import { backendKeyOf, type BackendRegistry } from "../backends/registry.js";
import { UpstreamError } from "../backends/upstream-error.js";
import { ErrorCode } from "../errors/error-codes.js";
import type { CertificateStateEvent, RequestStateEvent, StateEvent, WatchKind } from "./state-bus.js";

/** One watched object: its global id and where it lives. */
export interface WatchTarget {
  kind: WatchKind;
  id: string;
  backend: Backend;
  backendId: string;
}

/** Reads the current state of one object with one caller's credentials (a gone object is a final event). */
export type StateReader = (target: WatchTarget, creds: CallerCredentials) => Promise<StateEvent>;

/** A global id → what to watch; throws InvalidIdError (BAD_USER_INPUT) for a foreign or malformed id. */
export function watchTarget(kind: WatchKind, id: string): WatchTarget {
  const { backend, backendId } = fromGlobalId(id, kind === "certificate" ? "Certificate" : "Request");
  return { kind, id, backend, backendId };
}

export function certificateEvent(record: CertificateRecord, source: StateEvent["source"], observedAt: number): CertificateStateEvent {
  return {
    kind: "certificate",
    id: record.id,
    state: record.state,
    final: isSettledCertificateState(record.state),
    gone: false,
    observedAt,
    source,
    record,
  };
}

export function requestEvent(record: RequestRecord, source: StateEvent["source"], observedAt: number): RequestStateEvent {
  return {
    kind: "request",
    id: record.id,
    state: record.status,
    final: isFinalRequestStatus(record.status),
    gone: false,
    observedAt,
    source,
    record,
  };
}

/** The backend answered that the object does not exist (any more): nothing left to watch. */
export function goneEvent(target: WatchTarget, source: StateEvent["source"], observedAt: number): StateEvent {
  return { kind: target.kind, id: target.id, state: "GONE", final: true, gone: true, observedAt, source } as StateEvent;
}

// Keyed per process, like the principal fingerprints: a key seen on a shared bus cannot be checked
// against guessed credentials offline. (Keys of other instances never match: no reuse across them.)
const CREDENTIAL_KEY = randomBytes(32);

/**
 * Which view of a backend a caller has, as a non-secret key: every caller in service mode shares one,
 * forwarded credentials each have their own. A state read with one key is reused only for the same key.
 */
export function credentialKeyOf(creds: CallerCredentials, backend: Backend): string {
  const entry = creds[backendKeyOf(backend)];
  if ("missing" in entry && typeof entry.missing === "string") return "missing";
  const text = JSON.stringify(Object.entries(entry).sort(([a], [b]) => a.localeCompare(b)));
  return createHmac("sha256", CREDENTIAL_KEY).update(text).digest("base64url").slice(0, 22);
}

/**
 * Whether a read failed because the backend refused the caller's credentials for the object: Horizon or
 * Core 401 (UNAUTHENTICATED), 403 (FORBIDDEN), or no credentials to forward at all. Not a refusal: 5xx,
 * timeouts, unreadable answers (the watch retries those).
 */
export function isCredentialRefusal(error: unknown): boolean {
  if (error instanceof UpstreamError) return error.kind === "unauthorized" || error.kind === "forbidden";
  const code = (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  return code === ErrorCode.Unauthenticated || code === ErrorCode.Forbidden;
}

/**
 * Reads through the adapter's fresh per-read loaders (never a cache an operation or subscription holds),
 * so a watcher always sees the backend's current state. One upstream call per read.
 */
export function createStateReader(backends: BackendRegistry, now: () => number = () => Date.now()): StateReader {
  return async (target, creds) => {
    const observedAt = now();
    const adapter = backends.adapterFor(target.backend);
    if (target.kind === "request") {
      const r = adapter.readRequest ? await adapter.readRequest(creds, target.backendId) : null;
      return r ? requestEvent(r, "read", observedAt) : goneEvent(target, "read", observedAt);
    }
    const record = await adapter.readCertificate(creds, target.backendId);
    return record ? certificateEvent(record, "read", observedAt) : goneEvent(target, "read", observedAt);
  };
}
