import { execFile } from "node:child_process";
import * as x509 from "@peculiar/x509";

export interface OpenedPkcs12 {
  /** The certificate in the file, as its DER was written. */
  certificate: x509.X509Certificate;
  /** The private key (PKCS#8 DER) and the public key derived from it (SPKI DER), both by OpenSSL. */
  privateKeyPkcs8: Buffer;
  publicKeySpki: Buffer;
}

function openssl(args: string[], input: Buffer, env: Record<string, string> = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile("openssl", args, { encoding: "buffer", env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args[0]} failed: ${stderr.toString().split("\n")[0]}`));
      else resolve(stdout);
    });
    child.stdin!.end(input);
  });
}

/**
 * Opens a base64 PKCS#12 with the `openssl pkcs12` command (an implementation independent of the one that
 * wrote it), checking its MAC with the password; rejects when the password is wrong.
 * The password goes through the environment, never the command line.
 */
export async function openPkcs12(base64: string, password: string): Promise<OpenedPkcs12> {
  const pem = (
    await openssl(["pkcs12", "-nodes", "-passin", "env:P12_PASSWORD"], Buffer.from(base64, "base64"), { P12_PASSWORD: password })
  ).toString();
  const block = (label: string) => {
    const m = new RegExp(`-----BEGIN ${label}-----[^-]+-----END ${label}-----`).exec(pem);
    if (!m) throw new Error(`no ${label} in the PKCS#12`);
    return m[0];
  };
  const keyPem = block("PRIVATE KEY");
  const publicKeySpki = await openssl(["pkey", "-pubout", "-outform", "DER"], Buffer.from(keyPem));
  return {
    certificate: new x509.X509Certificate(block("CERTIFICATE")),
    privateKeyPkcs8: Buffer.from(x509.PemConverter.decodeFirst(keyPem)),
    publicKeySpki,
  };
}
