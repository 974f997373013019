import type { CircuitBreaker } from "../circuit-breaker.js";
import { answers, callJson, createDispatcher, type ErrorBodyParser, type ResponseShape, type UpstreamTarget } from "../http.js";
import { UpstreamError, type UpstreamErrorKind } from "../upstream-error.js";
import type {
  HzCertificateSearchResult,
  HzCertificateWithPermissions,
  HzPrincipal,
  HzProblem,
  HzRequest,
  HzRequestAction,
  HzRequestSearchQuery,
  HzRequestSearchResult,
  HzSearchQuery,
  HzSearchResults,
  HzSubmitRequest,
} from "./wire.js";

/** Per-call options: forwarded X-API-ID / X-API-KEY of the caller. */

/** What each answer must look like (Horizon's request and certificate objects, as in horizon.wire.ts). */
const REQUEST: ResponseShape = { object: ["_id", "status"] };
const CERTIFICATE_WITH_PERMISSIONS: ResponseShape = { object: ["certificate"] };
const RESULTS: ResponseShape = { objectWithArray: "results" };

export interface HorizonCallOptions {
  headers?: Record<string, string>;
}

/** Codes that mean "the request/certificate is in the wrong state", not "your input is malformed". */
const INVALID_STATE_CODES = new Set([
  "REQ-004",
  "REQ-005",
  "WEBRA-REVOKE-005",
  "WEBRA-RENEW-005",
  "WEBRA-RENEW-006",
  "WEBRA-IMPORT-003",
  "WEBRA-ENROLL-010",
  "EST-ENROLL-009",
  "SCEP-ENROLL-009",
]);

function kindFor(status: number, code: string | undefined): UpstreamErrorKind | undefined {
  if (!code) return undefined;
  if (INVALID_STATE_CODES.has(code)) return "invalid_state";
  if (status === 400) return "validation";
  return undefined; // 401/403/404/5xx: the status says it all
}

/** Reads Horizon's problem+json (a single object or an array of them). */
export const parseHorizonError: ErrorBodyParser = (status, body) => {
  const items = (Array.isArray(body) ? body : [body]).filter((p): p is Partial<HzProblem> => typeof p === "object" && p !== null);
  const first = items[0];
  if (!first) return {};
  const backendCode = typeof first.error === "string" ? first.error : undefined;
  const messages: string[] = [];
  for (const p of items) {
    if (typeof p.message === "string") messages.push(p.message);
    if (typeof p.detail === "string" && p.detail !== p.message) messages.push(p.detail);
  }
  return { backendCode, messages, kind: kindFor(status, backendCode) };
};

/** Thin typed client over Horizon's REST API (paths: src/emulators/horizon/README.md lists the ones used). */
export class HorizonClient {
  constructor(
    private readonly target: UpstreamTarget,
    private readonly identity: Record<string, string> = {},
  ) {}

  private h(opts?: HorizonCallOptions): Record<string, string> {
    return { ...this.identity, ...opts?.headers };
  }

  /** Returns null when Horizon answers 404. */
  private async orNull<T>(call: Promise<T>): Promise<T | null> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof UpstreamError && error.kind === "not_found") return null;
      throw error;
    }
  }

  /** `POST /api/v1/requests/submit` — any module/workflow variant; 201 + Request. */
  submit(request: HzSubmitRequest, opts?: HorizonCallOptions): Promise<HzRequest> {
    return callJson(this.target, "horizon.submit", "/api/v1/requests/submit", {
      method: "POST",
      body: request,
      headers: this.h(opts),
      expect: REQUEST,
    });
  }

  /** `GET /api/v1/requests/{id}`; null if unknown. */
  getRequest(id: string, opts?: HorizonCallOptions): Promise<HzRequest | null> {
    return this.orNull(
      callJson(this.target, "horizon.getRequest", `/api/v1/requests/${encodeURIComponent(id)}`, {
        headers: this.h(opts),
        idempotent: true,
        expect: REQUEST,
      }),
    );
  }

  /** `POST /api/v1/requests/approve` — executes a pending request. */
  approve(action: HzRequestAction, opts?: HorizonCallOptions): Promise<HzRequest> {
    return callJson(this.target, "horizon.approve", "/api/v1/requests/approve", {
      method: "POST",
      body: action,
      headers: this.h(opts),
      expect: REQUEST,
    });
  }

  /** `POST /api/v1/requests/deny`. */
  deny(action: HzRequestAction, opts?: HorizonCallOptions): Promise<HzRequest> {
    return callJson(this.target, "horizon.deny", "/api/v1/requests/deny", { method: "POST", body: action, headers: this.h(opts), expect: REQUEST });
  }

  /** `POST /api/v1/requests/cancel` — by the requester. */
  cancel(action: HzRequestAction, opts?: HorizonCallOptions): Promise<HzRequest> {
    return callJson(this.target, "horizon.cancel", "/api/v1/requests/cancel", {
      method: "POST",
      body: action,
      headers: this.h(opts),
      expect: REQUEST,
    });
  }

  /** `POST /api/v1/requests/search` (HRQL). */
  searchRequests(query: HzRequestSearchQuery, opts?: HorizonCallOptions): Promise<HzSearchResults<HzRequestSearchResult>> {
    return callJson(this.target, "horizon.searchRequests", "/api/v1/requests/search", {
      method: "POST",
      body: query,
      headers: this.h(opts),
      idempotent: true,
      expect: RESULTS,
    });
  }

  /** `GET /api/v1/certificates/{id}` → `{certificate, permissions}`; null if unknown. */
  getCertificate(id: string, opts?: HorizonCallOptions): Promise<HzCertificateWithPermissions | null> {
    return this.orNull(
      callJson(this.target, "horizon.getCertificate", `/api/v1/certificates/${encodeURIComponent(id)}`, {
        headers: this.h(opts),
        idempotent: true,
        expect: CERTIFICATE_WITH_PERMISSIONS,
      }),
    );
  }

  /** `POST /api/v1/certificates` — batch lookup by ids (unknown ids are simply absent). */
  async getCertificates(ids: readonly string[], opts?: HorizonCallOptions): Promise<HzCertificateWithPermissions[]> {
    if (ids.length === 0) return [];
    return callJson(this.target, "horizon.getCertificates", "/api/v1/certificates", {
      method: "POST",
      body: ids,
      headers: this.h(opts),
      idempotent: true,
      expect: { arrayOf: "object" },
    });
  }

  /** `POST /api/v1/certificates/search` (HCQL). */
  searchCertificates(query: HzSearchQuery, opts?: HorizonCallOptions): Promise<HzSearchResults<HzCertificateSearchResult>> {
    return callJson(this.target, "horizon.searchCertificates", "/api/v1/certificates/search", {
      method: "POST",
      body: query,
      headers: this.h(opts),
      idempotent: true,
      expect: RESULTS,
    });
  }

  /** `GET /api/v1/security/principals/self` — credential / health check. */
  self(opts?: HorizonCallOptions): Promise<HzPrincipal> {
    return callJson(this.target, "horizon.self", "/api/v1/security/principals/self", { headers: this.h(opts), idempotent: true });
  }

  /** Readiness: Horizon answers at all. */
  ping(): Promise<boolean> {
    return answers(() => callJson(this.target, "horizon.ping", "/api/v1/security/principals/self", { headers: this.h(), timeoutMs: 2_000 }));
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.target.dispatcher.close();
  }

  /** Closes the connection pool at once, failing the calls still in flight (shutdown after its grace). */
  async destroy(): Promise<void> {
    await this.target.dispatcher.destroy();
  }
}

export interface HorizonClientOptions {
  url: string;
  timeoutMs?: number;
  readRetries?: number;
  apiId?: string;
  apiKey?: string;
  /** This client's circuit breaker (default: one made on first use with the default options). */
  breaker?: CircuitBreaker;
}

/** Builds a client with its own pool; apiId/apiKey become the default (service) identity headers. */
export function createHorizonClient(opts: HorizonClientOptions): HorizonClient {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const target: UpstreamTarget = {
    name: "horizon",
    baseUrl: new URL(opts.url),
    dispatcher: createDispatcher({ timeoutMs }),
    timeoutMs,
    readRetries: opts.readRetries ?? 2,
    parseErrorBody: parseHorizonError,
    breaker: opts.breaker,
  };
  const identity: Record<string, string> = opts.apiId && opts.apiKey ? { "x-api-id": opts.apiId, "x-api-key": opts.apiKey } : {};
  return new HorizonClient(target, identity);
}
