import { pino, type Logger } from "pino";

/** Keys whose values are secrets wherever they sit: passwords, PKCS#12 files, keys, credentials. */
const SECRET_KEYS = ["password", "pkcs12", "privateKey", "apiKey", "challenge", "authorization", "['x-api-key']", "['ssl-client-cert']"];

/**
 * Redacted paths. No gateway log line carries these today (lines are built from named, non-secret
 * fields); this is the net under any that would: a secret key at the top, one or two levels down
 * (`{ input: { scepEnroll: { password } } }`, `{ creds: { horizon: { "x-api-key" } } }`,
 * `{ req: { headers: { "ssl-client-cert" } } }`), every header, and GraphQL variables.
 */
export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap(k => {
    const member = k.startsWith("[") ? k : `.${k}`;
    return [k, `*${member}`, `*.*${member}`];
  }),
  "headers.*",
  "*.headers.*",
  "variables",
  "*.variables",
];

/**
 * Structured JSON logs. Anything that could hold a secret is redacted by path, and error
 * objects are logged by name/code/message only (never upstream bodies).
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "pki-graph" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    destination as never,
  );
}

export type { Logger };
