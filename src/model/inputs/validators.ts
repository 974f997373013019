import { registerDecorator, type ValidationOptions } from "class-validator";
import * as x509 from "@peculiar/x509";
import { derBytes } from "../../domain/x509.js";

const MAX_PEM_LENGTH = 64 * 1024;

/** Whether the bytes are exactly one DER SEQUENCE (parsers accept trailing bytes, which would then reach a backend). */
function isSingleDerSequence(bytes: Uint8Array): boolean {
  if (bytes.length < 2 || bytes[0] !== 0x30) return false;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first === bytes.length;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || bytes.length < 2 + n) return false;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + bytes[2 + i]!;
  return 2 + n + length === bytes.length;
}

/** Parses a PKCS#10 request from PEM or base64 DER; undefined when it is not one. */
export function parseCsrInput(input: string): x509.Pkcs10CertificateRequest | undefined {
  if (typeof input !== "string" || input.length > MAX_PEM_LENGTH) return undefined;
  const bytes = derBytes(input);
  if (!bytes || !isSingleDerSequence(bytes)) return undefined;
  try {
    return new x509.Pkcs10CertificateRequest(bytes);
  } catch {
    return undefined;
  }
}

/** Parses a certificate from PEM or base64 DER; undefined when it is not one. */
export function parseCertificateInput(input: string): x509.X509Certificate | undefined {
  if (typeof input !== "string" || input.length > MAX_PEM_LENGTH) return undefined;
  const bytes = derBytes(input);
  if (!bytes || !isSingleDerSequence(bytes)) return undefined;
  try {
    return new x509.X509Certificate(bytes);
  } catch {
    return undefined;
  }
}

/** The CSR parses (PEM or base64 DER) and its self-signature verifies. */
export function IsCsr(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: "isCsr",
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a PKCS#10 CSR (PEM or base64 DER) whose signature verifies`, ...options },
      validator: {
        async validate(value: unknown) {
          if (typeof value !== "string") return false;
          const csr = parseCsrInput(value);
          if (!csr) return false;
          try {
            return await csr.verify();
          } catch {
            return false;
          }
        },
      },
    });
}

/** The value parses as an X.509 certificate (PEM or base64 DER). */
export function IsCertificateContent(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: "isCertificateContent",
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be an X.509 certificate (PEM or base64 DER)`, ...options },
      validator: {
        validate: (value: unknown) => typeof value === "string" && parseCertificateInput(value) !== undefined,
      },
    });
}

/** Base64 DER of the input (the form both backends store). */
export function toBase64Der(input: string): string {
  return Buffer.from(derBytes(input) ?? new Uint8Array()).toString("base64");
}

/** PEM of a CSR input (Horizon templates take PEM). */
export function csrToPem(input: string): string {
  const csr = parseCsrInput(input);
  if (!csr) throw new Error("not a CSR");
  return csr.toString("pem");
}
