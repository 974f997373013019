import type { Reply } from "../http-kit.js";

/** A Horizon error as the product answers it: problem+json with the seed's code. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(title);
  }
}

export function problemReply(status: number, code: string, title: string, detail?: string): Reply {
  return {
    status,
    contentType: "application/problem+json",
    body: { error: code, message: title, title, detail: detail ?? null, status },
  };
}

/** Shorthands for the seed's codes (messages copied from the seed). */
export const bad = (code: string, title: string, detail?: string): Problem => new Problem(400, code, title, detail);
export const notFound = (code: string, title: string, detail?: string): Problem => new Problem(404, code, title, detail);
export const forbidden = (detail?: string): Problem => new Problem(403, "SEC-PERM-001", "Insufficient privileges", detail);
export const requestNotFound = (id: string): Problem => notFound("REQ-003", "Request not found", `no request ${id}`);
export const profileNotFound = (name: unknown): Problem => notFound("REQ-010", "Profile does not exist or is disabled", `profile ${String(name)}`);
export const invalidRequest = (detail: string): Problem => bad("REQ-002", "Invalid Request", detail);
