import { describe, expect, it } from "vitest";
import { fromGlobalId, InvalidIdError, toGlobalId } from "../../../src/domain/ids.js";
import { czertainlyCodesFor, stateFromCzertainly } from "../../../src/backends/czertainly/states.js";
import { requestStatusFromHorizon, stateFromHorizon } from "../../../src/backends/horizon/states.js";
import { Backend, CertificateState, RequestStatus } from "../../../src/model/enums.js";

describe("global ids", () => {
  it("round-trips type, backend and backend id", () => {
    const id = toGlobalId("Certificate", Backend.HORIZON, "6448d56b310000400063f014");
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(fromGlobalId(id, "Certificate")).toEqual({ type: "Certificate", backend: Backend.HORIZON, backendId: "6448d56b310000400063f014" });
  });

  it.each(["", "not base64 !", Buffer.from("Certificate:NOPE:x").toString("base64url"), "x".repeat(600)])("rejects %j", bad => {
    expect(() => fromGlobalId(bad)).toThrow(InvalidIdError);
  });

  it("rejects an id of another type", () => {
    expect(() => fromGlobalId(toGlobalId("Request", Backend.HORIZON, "r1"), "Certificate")).toThrow(/expected a Certificate id/);
  });
});

describe("state mapping", () => {
  const past = new Date(Date.now() - 1000);
  const future = new Date(Date.now() + 86_400_000);

  it.each([
    ["requested", future, CertificateState.REQUESTED],
    ["pending_issue", undefined, CertificateState.PENDING_ISSUE],
    ["issued", future, CertificateState.ISSUED],
    ["issued", past, CertificateState.EXPIRED],
    ["pending_revoke", future, CertificateState.PENDING_REVOKE],
    ["revoked", past, CertificateState.REVOKED],
    ["failed", undefined, CertificateState.FAILED],
    ["rejected", undefined, CertificateState.REJECTED],
    ["pending_approval", undefined, CertificateState.PENDING_APPROVAL],
    ["something_new", undefined, CertificateState.UNKNOWN],
  ] as const)("maps CZERTAINLY %s (notAfter %s) to %s", (code, notAfter, expected) => {
    expect(stateFromCzertainly(code, notAfter)).toBe(expected);
  });

  it("maps Horizon certificates to ISSUED, REVOKED or EXPIRED", () => {
    expect(stateFromHorizon(false, future)).toBe(CertificateState.ISSUED);
    expect(stateFromHorizon(true, future)).toBe(CertificateState.REVOKED);
    expect(stateFromHorizon(false, past)).toBe(CertificateState.EXPIRED);
  });

  it("maps Horizon request statuses", () => {
    expect(requestStatusFromHorizon("pending")).toBe(RequestStatus.PENDING);
    expect(requestStatusFromHorizon("completed")).toBe(RequestStatus.COMPLETED);
    expect(requestStatusFromHorizon("canceled")).toBe(RequestStatus.CANCELED);
    expect(requestStatusFromHorizon("weird")).toBe(RequestStatus.UNKNOWN);
  });

  it("turns unified states back into CZERTAINLY filter codes", () => {
    expect(czertainlyCodesFor(CertificateState.PENDING_ISSUE)).toEqual(["pending_issue"]);
    expect(czertainlyCodesFor(CertificateState.EXPIRED)).toEqual(["issued"]);
  });
});
