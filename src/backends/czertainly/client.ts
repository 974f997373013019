import type { CircuitBreaker } from "../circuit-breaker.js";
import { answers, callJson, createDispatcher, type CallOptions, type ResponseShape, type UpstreamTarget } from "../http.js";
import { UpstreamError } from "../upstream-error.js";
import { parseCzertainlyError } from "./errors.js";
import type {
  AuthorityInstanceDto,
  BaseAttribute,
  CancelPendingCertificateRequestDto,
  CertificateContentDto,
  CertificateDetailDto,
  CertificateResponseDto,
  CertificateSearchRequestDto,
  ClientAddEndEntityRequestDto,
  ClientCertificateDataResponseDto,
  ClientCertificateRekeyRequestDto,
  ClientCertificateRenewRequestDto,
  ClientCertificateRevocationDto,
  ClientCertificateSignRequestDto,
  ClientCertificateSignResponseDto,
  ClientEditEndEntityRequestDto,
  ClientEndEntityDto,
  KeyDetailDto,
  LegacyClientCertificateRevocationDto,
  LegacyClientCertificateSignRequestDto,
  RaProfileDto,
  RequestAttribute,
  UploadCertificateRequestDto,
} from "./wire.js";

/** Per-call options: forwarded caller credentials (`ssl-client-cert`). */
export interface CzertainlyCallOptions {
  headers?: Record<string, string>;
}

const enc = encodeURIComponent;

/** What each answer must look like (Core 2.18 DTOs, as in czertainly.wire.ts). */
const HAS_UUID: ResponseShape = { object: ["uuid"] };
const LIST: ResponseShape = { arrayOf: "object" };

/** Thin typed client over CZERTAINLY Core 2.18 (v1/v2 REST paths of OmniTrustILM/interfaces@2.18.0), base URL ending in /api. */
export class CzertainlyClient {
  constructor(
    private readonly target: UpstreamTarget,
    private readonly identity: Record<string, string> = {},
  ) {}

  private call<T>(operation: string, path: string, opts: CzertainlyCallOptions | undefined, init: Omit<CallOptions, "headers"> = {}): Promise<T> {
    return callJson<T>(this.target, `czertainly.${operation}`, path, { ...init, headers: { ...this.identity, ...opts?.headers } });
  }

  private read<T>(operation: string, path: string, opts?: CzertainlyCallOptions, init: Omit<CallOptions, "headers"> = {}): Promise<T> {
    return this.call<T>(operation, path, opts, { idempotent: true, ...init });
  }

  /** Returns null on 404. */
  private async orNull<T>(call: Promise<T>): Promise<T | null> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof UpstreamError && error.kind === "not_found") return null;
      throw error;
    }
  }

  /** finalize/confirm/cancel exist from Core 2.18 on: a 404 "no handler" there means an older Core. */
  private async since218<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof UpstreamError && error.kind === "not_found" && !error.messages.some(m => /identified by|not found\.$/i.test(m))) {
        throw new UpstreamError("czertainly", "unsupported", error.operation, "not supported by this CZERTAINLY version", {
          status: 404,
          cause: error,
        });
      }
      throw error;
    }
  }

  private p(authorityUuid: string, raProfileUuid: string): string {
    return `/v2/operations/authorities/${enc(authorityUuid)}/raProfiles/${enc(raProfileUuid)}`;
  }

  // ---- reads ----

  /** `GET /v1/certificates/{uuid}`; null when Core has no such certificate. */
  getCertificate(uuid: string, opts?: CzertainlyCallOptions): Promise<CertificateDetailDto | null> {
    return this.orNull(this.read("getCertificate", `/v1/certificates/${enc(uuid)}`, opts, { expect: HAS_UUID }));
  }

  /** `POST /v1/certificates`: search, 1-based pages, no content. */
  searchCertificates(request: CertificateSearchRequestDto, opts?: CzertainlyCallOptions): Promise<CertificateResponseDto> {
    return this.read("searchCertificates", "/v1/certificates", opts, { method: "POST", body: request, expect: { objectWithArray: "certificates" } });
  }

  /** `POST /v1/certificates/content`: content of many certificates in one call. */
  getCertificatesContent(uuids: readonly string[], opts?: CzertainlyCallOptions): Promise<CertificateContentDto[]> {
    return this.read("getCertificatesContent", "/v1/certificates/content", opts, { method: "POST", body: uuids, expect: LIST });
  }

  /** `GET /v1/keys/{uuid}`; null when unknown. */
  getKey(uuid: string, opts?: CzertainlyCallOptions): Promise<KeyDetailDto | null> {
    return this.orNull(this.read("getKey", `/v1/keys/${enc(uuid)}`, opts, { expect: HAS_UUID }));
  }

  /** `GET /v1/raProfiles` (not paginated). */
  listRaProfiles(opts?: CzertainlyCallOptions): Promise<RaProfileDto[]> {
    return this.read("listRaProfiles", "/v1/raProfiles", opts, { expect: LIST });
  }

  /** `GET /v1/authorities` (not paginated). */
  listAuthorities(opts?: CzertainlyCallOptions): Promise<AuthorityInstanceDto[]> {
    return this.read("listAuthorities", "/v1/authorities", opts, { expect: LIST });
  }

  /** `GET P/attributes/issue`. */
  listIssueAttributes(authorityUuid: string, raProfileUuid: string, opts?: CzertainlyCallOptions): Promise<BaseAttribute[]> {
    return this.read("listIssueAttributes", `${this.p(authorityUuid, raProfileUuid)}/attributes/issue`, opts, { expect: LIST });
  }

  /** `GET P/attributes/revoke`. */
  listRevokeAttributes(authorityUuid: string, raProfileUuid: string, opts?: CzertainlyCallOptions): Promise<BaseAttribute[]> {
    return this.read("listRevokeAttributes", `${this.p(authorityUuid, raProfileUuid)}/attributes/revoke`, opts, { expect: LIST });
  }

  // ---- v2 operations (never retried) ----

  /** `POST P/attributes/issue/validate`: resolves when valid; 422 → kind "validation" with the messages. */
  async validateIssueAttributes(
    authorityUuid: string,
    raProfileUuid: string,
    attributes: RequestAttribute[],
    opts?: CzertainlyCallOptions,
  ): Promise<void> {
    await this.call("validateIssueAttributes", `${this.p(authorityUuid, raProfileUuid)}/attributes/issue/validate`, opts, {
      method: "POST",
      body: attributes,
    });
  }

  /** `POST P/attributes/revoke/validate`. */
  async validateRevokeAttributes(
    authorityUuid: string,
    raProfileUuid: string,
    attributes: RequestAttribute[],
    opts?: CzertainlyCallOptions,
  ): Promise<void> {
    await this.call("validateRevokeAttributes", `${this.p(authorityUuid, raProfileUuid)}/attributes/revoke/validate`, opts, {
      method: "POST",
      body: attributes,
    });
  }

  /** `POST P/certificates`: returns the new certificate's uuid (the outcome is read from its state). */
  issueCertificate(
    authorityUuid: string,
    raProfileUuid: string,
    body: ClientCertificateSignRequestDto,
    opts?: CzertainlyCallOptions,
  ): Promise<ClientCertificateDataResponseDto> {
    return this.call("issueCertificate", `${this.p(authorityUuid, raProfileUuid)}/certificates`, opts, { method: "POST", body, expect: HAS_UUID });
  }

  /** `POST P/certificates/{uuid}/issue`: issue a REQUESTED certificate. */
  issueRequestedCertificate(
    authorityUuid: string,
    raProfileUuid: string,
    uuid: string,
    opts?: CzertainlyCallOptions,
  ): Promise<ClientCertificateDataResponseDto> {
    return this.call("issueRequestedCertificate", `${this.p(authorityUuid, raProfileUuid)}/certificates/${enc(uuid)}/issue`, opts, {
      method: "POST",
      expect: HAS_UUID,
    });
  }

  /** `POST P/certificates/{uuid}/renew`: uuid of the new certificate. */
  renewCertificate(
    authorityUuid: string,
    raProfileUuid: string,
    uuid: string,
    body: ClientCertificateRenewRequestDto,
    opts?: CzertainlyCallOptions,
  ): Promise<ClientCertificateDataResponseDto> {
    return this.call("renewCertificate", `${this.p(authorityUuid, raProfileUuid)}/certificates/${enc(uuid)}/renew`, opts, {
      method: "POST",
      body,
      expect: HAS_UUID,
    });
  }

  /** `POST P/certificates/{uuid}/rekey`: uuid of the new certificate. */
  rekeyCertificate(
    authorityUuid: string,
    raProfileUuid: string,
    uuid: string,
    body: ClientCertificateRekeyRequestDto,
    opts?: CzertainlyCallOptions,
  ): Promise<ClientCertificateDataResponseDto> {
    return this.call("rekeyCertificate", `${this.p(authorityUuid, raProfileUuid)}/certificates/${enc(uuid)}/rekey`, opts, {
      method: "POST",
      body,
      expect: HAS_UUID,
    });
  }

  /** `POST P/certificates/{uuid}/revoke` (204). */
  async revokeCertificate(
    authorityUuid: string,
    raProfileUuid: string,
    uuid: string,
    body: ClientCertificateRevocationDto,
    opts?: CzertainlyCallOptions,
  ): Promise<void> {
    await this.call("revokeCertificate", `${this.p(authorityUuid, raProfileUuid)}/certificates/${enc(uuid)}/revoke`, opts, { method: "POST", body });
  }

  /** `POST P/certificates/{uuid}/issue/finalize` (Core ≥ 2.18). */
  finalizeIssue(
    authorityUuid: string,
    raProfileUuid: string,
    uuid: string,
    body: UploadCertificateRequestDto,
    opts?: CzertainlyCallOptions,
  ): Promise<CertificateDetailDto> {
    return this.since218(
      this.call("finalizeIssue", `${this.p(authorityUuid, raProfileUuid)}/certificates/${enc(uuid)}/issue/finalize`, opts, {
        method: "POST",
        body,
        expect: HAS_UUID,
      }),
    );
  }

  /** `POST P/certificates/{uuid}/revoke/confirm` (204; Core ≥ 2.18). */
  async confirmRevoke(authorityUuid: string, raProfileUuid: string, uuid: string, opts?: CzertainlyCallOptions): Promise<void> {
    await this.since218(
      this.call("confirmRevoke", `${this.p(authorityUuid, raProfileUuid)}/certificates/${enc(uuid)}/revoke/confirm`, opts, { method: "POST" }),
    );
  }

  /** `POST P/certificates/{uuid}/cancel` (Core ≥ 2.18): pending_issue → failed, pending_revoke → issued. */
  cancelPending(
    authorityUuid: string,
    raProfileUuid: string,
    uuid: string,
    body: CancelPendingCertificateRequestDto,
    opts?: CzertainlyCallOptions,
  ): Promise<CertificateDetailDto> {
    return this.since218(
      this.call("cancelPending", `${this.p(authorityUuid, raProfileUuid)}/certificates/${enc(uuid)}/cancel`, opts, {
        method: "POST",
        body,
        expect: HAS_UUID,
      }),
    );
  }

  // ---- legacy v1 (/v1/operations/{raProfileName}/…) ----

  /** `POST /v1/operations/{raProfileName}/certificate/issue`: synchronous, base64 certificate. */
  legacyIssue(
    raProfileName: string,
    body: LegacyClientCertificateSignRequestDto,
    opts?: CzertainlyCallOptions,
  ): Promise<ClientCertificateSignResponseDto> {
    return this.call("legacyIssue", `/v1/operations/${enc(raProfileName)}/certificate/issue`, opts, {
      method: "POST",
      body,
      expect: { object: ["certificateData"] },
    });
  }

  /** `POST /v1/operations/{raProfileName}/certificate/revoke`. */
  async legacyRevoke(raProfileName: string, body: LegacyClientCertificateRevocationDto, opts?: CzertainlyCallOptions): Promise<void> {
    await this.call("legacyRevoke", `/v1/operations/${enc(raProfileName)}/certificate/revoke`, opts, { method: "POST", body });
  }

  /** `GET /v1/operations/{raProfileName}/endentity`. */
  listEndEntities(raProfileName: string, opts?: CzertainlyCallOptions): Promise<ClientEndEntityDto[]> {
    return this.read("listEndEntities", `/v1/operations/${enc(raProfileName)}/endentity`, opts, { expect: LIST });
  }

  /** `POST /v1/operations/{raProfileName}/endentity`. */
  async addEndEntity(raProfileName: string, body: ClientAddEndEntityRequestDto, opts?: CzertainlyCallOptions): Promise<void> {
    await this.call("addEndEntity", `/v1/operations/${enc(raProfileName)}/endentity`, opts, { method: "POST", body });
  }

  /** `GET /v1/operations/{raProfileName}/endentity/{username}`; null when unknown. */
  getEndEntity(raProfileName: string, username: string, opts?: CzertainlyCallOptions): Promise<ClientEndEntityDto | null> {
    return this.orNull(this.read("getEndEntity", `/v1/operations/${enc(raProfileName)}/endentity/${enc(username)}`, opts));
  }

  /** `POST /v1/operations/{raProfileName}/endentity/{username}` (edit is a POST in Core). */
  async editEndEntity(raProfileName: string, username: string, body: ClientEditEndEntityRequestDto, opts?: CzertainlyCallOptions): Promise<void> {
    await this.call("editEndEntity", `/v1/operations/${enc(raProfileName)}/endentity/${enc(username)}`, opts, { method: "POST", body });
  }

  // ---- lifecycle ----

  /** Readiness: Core answers at all. */
  ping(): Promise<boolean> {
    return answers(() => this.call("ping", "/v1/authorities", undefined, { timeoutMs: 2_000 }));
  }

  async close(): Promise<void> {
    await this.target.dispatcher.close();
  }

  /** Closes the connection pool at once, failing the calls still in flight (shutdown after its grace). */
  async destroy(): Promise<void> {
    await this.target.dispatcher.destroy();
  }
}

export interface CzertainlyClientOptions {
  /** Core API base, ending in /api. */
  url: string;
  timeoutMs?: number;
  readRetries?: number;
  tls?: { ca?: string; cert?: string; key?: string };
  /** Service identity headers (e.g. ssl-client-cert). */
  headers?: Record<string, string>;
  /** This client's circuit breaker (default: one made on first use with the default options). */
  breaker?: CircuitBreaker;
}

export function createCzertainlyClient(opts: CzertainlyClientOptions): CzertainlyClient {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const tls = opts.tls && (opts.tls.ca || opts.tls.cert || opts.tls.key) ? opts.tls : undefined;
  const target: UpstreamTarget = {
    name: "czertainly",
    baseUrl: new URL(opts.url),
    dispatcher: createDispatcher({ timeoutMs, tls }),
    timeoutMs,
    readRetries: opts.readRetries ?? 2,
    parseErrorBody: parseCzertainlyError,
    breaker: opts.breaker,
  };
  return new CzertainlyClient(target, opts.headers ?? {});
}
