import type { HzCertificate, HzRequest, HzSubmitRequest } from "../../backends/horizon/wire.js";

/** What an account may do (Horizon has per-workflow rights; the emulator keeps three coarse ones). */
export interface Account {
  apiId: string;
  apiKey: string;
  canRequest: boolean;
  canApprove: boolean;
  team?: string;
}

export interface HorizonProfile {
  name: string;
  module: "webra" | "est" | "scep";
  enabled: boolean;
  /** true: requests stay pending until an approver acts. */
  approval: boolean;
  centralized: boolean;
  decentralized: boolean;
  /** Key types a centralized enrollment may ask for (the emulator can generate rsa-2048/3072/4096 and ec-secp256r1/384r1/521r1). */
  authorizedKeyTypes: string[];
  p12passwordMode: "manual" | "random";
  escrow: boolean;
  renewalEnabled: boolean;
  /** Renewal allowed when notAfter is closer than this (days). */
  renewalPeriodDays: number;
  dnWhitelist: boolean;
  /** How long a pending request lives before REQ-005. */
  requestTtlMs: number;
  validityDays: number;
}

/** A certificate plus what the emulator keeps besides the wire object. */
export interface StoredCertificate {
  wire: HzCertificate;
  privateKeyPem?: string;
}

/** A request plus the submitted body (replayed on approval). */
export interface StoredRequest {
  wire: HzRequest;
  body: HzSubmitRequest;
  requester: string;
}

export interface HorizonState {
  profiles: Map<string, HorizonProfile>;
  certificates: Map<string, StoredCertificate>;
  requests: Map<string, StoredRequest>;
  teams: Set<string>;
  /** Added to Date.now(): lets tests move time forward (request expiry, renewal periods). */
  clockOffsetMs: number;
}

export const DAY_MS = 86_400_000;

export function profile(name: string, module: HorizonProfile["module"], over: Partial<HorizonProfile> = {}): HorizonProfile {
  return {
    name,
    module,
    enabled: true,
    approval: false,
    centralized: true,
    decentralized: true,
    authorizedKeyTypes: ["rsa-2048", "ec-secp256r1"],
    p12passwordMode: "random",
    escrow: true,
    renewalEnabled: true,
    renewalPeriodDays: 3650,
    dnWhitelist: false,
    requestTtlMs: 7 * DAY_MS,
    validityDays: 365,
    ...over,
  };
}

/** Profiles every emulator has (the demo seed adds certificates and requests on top). */
export function defaultProfiles(): HorizonProfile[] {
  return [
    profile("auto-profile", "webra"),
    profile("approval-profile", "webra", { approval: true, escrow: false, renewalPeriodDays: 30 }),
    profile("central-profile", "webra", { decentralized: false, p12passwordMode: "manual", renewalEnabled: false }),
    profile("est-profile", "est", { dnWhitelist: true }),
    profile("scep-profile", "scep", { dnWhitelist: false }),
    profile("disabled-profile", "webra", { enabled: false }),
  ];
}

export function defaultAccounts(): Record<"admin" | "approver" | "requester", Account> {
  return {
    admin: { apiId: "admin", apiKey: "admin-secret", canRequest: true, canApprove: true },
    approver: { apiId: "approver", apiKey: "approver-secret", canRequest: false, canApprove: true },
    requester: { apiId: "requester", apiKey: "requester-secret", canRequest: true, canApprove: false, team: "infra" },
  };
}

let idCounter = 0;
/** 24-hex ids like Horizon's Mongo ObjectIds. */
export function newId(nowMs: number): string {
  idCounter = (idCounter + 1) % 0xffffff;
  const rand = Math.floor(Math.random() * 0xffffffffff)
    .toString(16)
    .padStart(10, "0");
  return (
    Math.floor(nowMs / 1000)
      .toString(16)
      .padStart(8, "0") +
    rand +
    idCounter.toString(16).padStart(6, "0")
  );
}
