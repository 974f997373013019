import * as x509 from "@peculiar/x509";
import { request } from "undici";
import type { CzertainlyEmulator } from "../../../src/emulators/czertainly/czertainly.emulator.js";
import { makeCsr } from "../../support/csr.js";

export interface RawReply<T = any> {
  status: number;
  body: T;
  contentType?: string;
}

/** Raw JSON calls to the emulator, so tests see Core's exact statuses and bodies. */
export function coreApi(cz: CzertainlyEmulator, headers: Record<string, string> = {}) {
  const call = async <T = any>(method: string, path: string, body?: unknown): Promise<RawReply<T>> => {
    const res = await request(`${cz.url}/api${path}`, {
      method: method as "GET",
      headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined, contentType: String(res.headers["content-type"] ?? "") };
  };
  const ops = (profile: keyof CzertainlyEmulator["profiles"]) => {
    const raProfileUuid = cz.profiles[profile];
    const authorityUuid = cz.state.raProfiles.get(raProfileUuid)!.authorityUuid;
    return `/v2/operations/authorities/${authorityUuid}/raProfiles/${raProfileUuid}`;
  };
  return {
    call,
    ops,
    get: <T = any>(path: string) => call<T>("GET", path),
    post: <T = any>(path: string, body?: unknown) => call<T>("POST", path, body),
    /** Issues from a fresh CSR on a profile; returns the uuid, the CSR and the detail read back. */
    async issue(profile: keyof CzertainlyEmulator["profiles"], cn: string, attributes: unknown[] = []) {
      const csr = await makeCsr(cn);
      const res = await call("POST", `${ops(profile)}/certificates`, { request: csr.base64, format: "pkcs10", attributes });
      if (res.status !== 200) throw new Error(`issue failed: ${res.status} ${JSON.stringify(res.body)}`);
      const detail = await call("GET", `/v1/certificates/${res.body.uuid}`);
      return { uuid: res.body.uuid as string, reply: res.body, csr, detail: detail.body };
    },
  };
}

/** Verifies a base64 DER certificate against the emulator chain: leaf → issuing CA → root. */
export async function verifiesAgainstChain(cz: CzertainlyEmulator, base64: string): Promise<boolean> {
  const leaf = new x509.X509Certificate(Buffer.from(base64, "base64"));
  const chain = await new x509.X509ChainBuilder({ certificates: [cz.ca.issuing, cz.ca.root] }).build(leaf);
  if (chain.length !== 3 || !chain[2]!.equal(cz.ca.root)) return false;
  const leafOk = await leaf.verify({ publicKey: cz.ca.issuing.publicKey, signatureOnly: true });
  const issuingOk = await cz.ca.issuing.verify({ publicKey: cz.ca.root.publicKey, signatureOnly: true });
  return leafOk && issuingOk;
}
