import { createCsr, generateKeyPair } from "../../../src/emulators/ca.js";
import type { HorizonEmulator } from "../../../src/emulators/horizon/horizon.emulator.js";
import { createHorizonClient, type HorizonClient } from "../../../src/backends/horizon/client.js";
import { UpstreamError } from "../../../src/backends/upstream-error.js";

/** Clients for each emulator account (plus one without credentials). */
export function clientsFor(hz: HorizonEmulator): Record<"admin" | "approver" | "requester" | "anonymous", HorizonClient> {
  // A generous timeout: centralized enrollments generate keys in the emulator, seconds on a loaded machine
  // (no test here is about timeouts; the test timeout bounds every call anyway).
  const make = (a?: { apiId: string; apiKey: string }): HorizonClient =>
    createHorizonClient({ url: hz.url, timeoutMs: 25_000, readRetries: 0, apiId: a?.apiId, apiKey: a?.apiKey });
  return { admin: make(hz.accounts.admin), approver: make(hz.accounts.approver), requester: make(hz.accounts.requester), anonymous: make() };
}

export async function csrPem(cn: string, dns: string[] = [cn]): Promise<string> {
  const csr = await createCsr(`CN=${cn},O=Test`, await generateKeyPair("EC"), { dns });
  return csr.toString("pem");
}

/** Runs a call that must fail and returns the UpstreamError. */
export async function failure(call: Promise<unknown>): Promise<UpstreamError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}
