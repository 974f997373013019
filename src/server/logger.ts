import { pino, type Logger } from "pino";

/**
 * Structured JSON logs. Anything that could hold a secret is redacted by path, and error
 * objects are logged by name/code/message only (never upstream bodies).
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "pki-graph" },
      redact: {
        paths: [
          "*.password",
          "*.pkcs12",
          "*.privateKey",
          "*.apiKey",
          "*.challenge",
          "*.authorization",
          "*['x-api-key']",
          "*['ssl-client-cert']",
          "headers.*",
          "variables",
        ],
        censor: "[redacted]",
      },
    },
    destination as never,
  );
}

export type { Logger };
