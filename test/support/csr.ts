import { createCsr, generateKeyPair, type KeyAlgorithm, type SubjectAltNames } from "../../src/emulators/ca.js";

/** A fresh key pair and a real, signed PKCS#10 request for it (PEM). */
export async function makeCsr(commonName: string, opts: { sans?: SubjectAltNames; algorithm?: KeyAlgorithm; extraDn?: string } = {}) {
  const keys = await generateKeyPair(opts.algorithm ?? "EC");
  const dn = `CN=${commonName}${opts.extraDn ? `,${opts.extraDn}` : ""}`;
  const csr = await createCsr(dn, keys, opts.sans ?? { dns: [commonName] });
  return { keys, csr, pem: csr.toString("pem"), base64: Buffer.from(csr.rawData).toString("base64") };
}
