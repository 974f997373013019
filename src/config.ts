/** Everything the gateway reads from the environment, validated once at start. */
export type CredentialMode = "service" | "forward";

export interface BackendConfig {
  /** Base URL; undefined means "use the embedded emulator". */
  url?: string;
  timeoutMs: number;
  readRetries: number;
  credentials: CredentialMode;
}

export interface CzertainlyConfig extends BackendConfig {
  /** PEM client certificate sent as the `ssl-client-cert` header (service identity behind a TLS proxy). */
  clientCertPem?: string;
  /** mTLS material for a direct TLS connection to Core. */
  tls?: { ca?: string; cert?: string; key?: string };
  /** How long the gateway remembers which key a certificate has (0: never); see src/loaders/key-index.ts. */
  keyIndexTtlMs: number;
}

export interface HorizonConfig extends BackendConfig {
  apiId?: string;
  apiKey?: string;
}

export interface Config {
  port: number;
  host: string;
  czertainly: CzertainlyConfig;
  horizon: HorizonConfig;
  /** Start the embedded emulators for backends without a URL. */
  embeddedEmulators: boolean;
  graphiql: boolean;
  introspection: boolean;
  maxDepth: number;
  maxComplexity: number;
  maxPageSize: number;
  // Pre-execution bounds (src/server/limits.ts): checked before validation, variables before coercion.
  maxTokens: number;
  maxQueryLength: number;
  maxAliases: number;
  maxDirectives: number;
  maxRepeatedFields: number;
  maxVariableValues: number;
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  /** Browser origins (besides the gateway's own) allowed to open a WebSocket; `*` allows any. */
  allowedOrigins: string[];
  /** Open graphql-ws connections one caller principal may hold (0 = no limit); more are refused with HTTP 429. */
  maxWsConnectionsPerCaller: number;
  /** Consecutive unavailable/timeout failures that open a backend's circuit breaker. */
  breakerFailureThreshold: number;
  /** How long an open breaker fails fast before letting one probe through. */
  breakerCooldownMs: number;
  watchIntervalMs: number;
  maxPollsPerSecond: number;
  logLevel: string;
  // Shutdown and HTTP server timeouts (README "Shutdown")
  /** How long in-flight requests may run after SIGTERM/SIGINT before their connections are cut. */
  shutdownGraceMs: number;
  /** node:http `requestTimeout`: the whole request (headers and body) must arrive within it, else 408. */
  httpRequestTimeoutMs: number;
  /** node:http `headersTimeout`: the request headers must arrive within it, else 408 (≤ the request timeout). */
  httpHeadersTimeoutMs: number;
  /** node:http `keepAliveTimeout`: an idle keep-alive connection is closed after it. */
  httpKeepAliveTimeoutMs: number;
  /** Production hardening and ops endpoints (README: Limits and protection). */
  ops: OpsConfig;
}

/** Per-address limits, the auth-failure backoff, /readyz caching and the ops port. */
export interface OpsConfig {
  /** Requests per client address per minute, whatever credentials they carry (0 = off). */
  rateLimitPerMinutePerAddress: number;
  /** Backend 401s to forwarded credentials an address may cause before it is refused (0 = off)… */
  authFailureLimit: number;
  /** …refilled over this window (one failure forgiven every window / limit). */
  authFailureWindowMs: number;
  /** How long one /readyz answer (one ping per backend) is reused (0 = ping on every hit). */
  readyzCacheMs: number;
  /** A second port for /metrics, /readyz and /healthz; undefined: they are served on PORT. */
  opsPort?: number;
  opsHost: string;
}

type Env = Record<string, string | undefined>;

class ConfigReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === "" ? undefined : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(raw)) return true;
    if (["0", "false", "no", "off"].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
      return raw.replace(/\/$/, "");
    } catch {
      this.problems.push(`${name} must be an http(s) URL (got "${raw}")`);
      return undefined;
    }
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(", ")} (got "${raw}")`);
    return fallback;
  }
}

function opsConfig(r: ConfigReader, perCaller: number): OpsConfig {
  const opsPort = r.string("OPS_PORT") === undefined ? undefined : r.int("OPS_PORT", 0, 0, 65535);
  return {
    // 10 callers' worth: several callers often share one address (NAT, a proxy), one made-up key per request still hits it.
    rateLimitPerMinutePerAddress: r.int("RATE_LIMIT_PER_MINUTE_PER_ADDRESS", Math.min(1_000_000, perCaller * 10), 0, 1_000_000),
    authFailureLimit: r.int("AUTH_FAILURE_LIMIT", 10, 0, 1_000_000),
    authFailureWindowMs: r.int("AUTH_FAILURE_WINDOW_MS", 60_000, 1000, 86_400_000),
    readyzCacheMs: r.int("READYZ_CACHE_MS", 5000, 0, 3_600_000),
    opsPort,
    opsHost: r.string("OPS_HOST") ?? r.string("HOST") ?? "0.0.0.0",
  };
}

/** Thrown when the environment holds bad values; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map(p => `  - ${p}`).join("\n")}`);
  }
}

const MODES = ["service", "forward"] as const;

export function loadConfig(env: Env = process.env): Config {
  const r = new ConfigReader(env);
  const production = env.NODE_ENV === "production";
  const rateLimitPerMinute = r.int("RATE_LIMIT_PER_MINUTE", 600, 0, 1_000_000);
  const config: Config = {
    port: r.int("PORT", 4000, 0, 65535),
    host: r.string("HOST") ?? "0.0.0.0",
    czertainly: {
      url: r.url("CZERTAINLY_URL"),
      timeoutMs: r.int("CZERTAINLY_TIMEOUT_MS", 10_000, 100, 300_000),
      readRetries: r.int("CZERTAINLY_READ_RETRIES", 2, 0, 5),
      credentials: r.oneOf("CZERTAINLY_CREDENTIALS", MODES, "service"),
      clientCertPem: r.string("CZERTAINLY_CLIENT_CERT_PEM"),
      keyIndexTtlMs: r.int("CZERTAINLY_KEY_INDEX_TTL_MS", 300_000, 0, 86_400_000),
      tls: {
        ca: r.string("CZERTAINLY_TLS_CA_PEM"),
        cert: r.string("CZERTAINLY_TLS_CERT_PEM"),
        key: r.string("CZERTAINLY_TLS_KEY_PEM"),
      },
    },
    horizon: {
      url: r.url("HORIZON_URL"),
      timeoutMs: r.int("HORIZON_TIMEOUT_MS", 10_000, 100, 300_000),
      readRetries: r.int("HORIZON_READ_RETRIES", 2, 0, 5),
      credentials: r.oneOf("HORIZON_CREDENTIALS", MODES, "service"),
      apiId: r.string("HORIZON_API_ID"),
      apiKey: r.string("HORIZON_API_KEY"),
    },
    // A production gateway never issues from the emulators' fake CAs unless told to.
    embeddedEmulators: r.bool("EMBEDDED_EMULATORS", !production),
    graphiql: r.bool("GRAPHIQL", !production),
    introspection: r.bool("INTROSPECTION", !production),
    maxDepth: r.int("MAX_QUERY_DEPTH", 12, 2, 100),
    maxComplexity: r.int("MAX_QUERY_COMPLEXITY", 20_000, 10, 10_000_000),
    maxPageSize: r.int("MAX_PAGE_SIZE", 100, 1, 1000),
    maxTokens: r.int("MAX_QUERY_TOKENS", 2000, 100, 1_000_000),
    maxQueryLength: r.int("MAX_QUERY_LENGTH", 200_000, 1000, 100_000_000),
    maxAliases: r.int("MAX_ALIASES", 30, 0, 100_000),
    maxDirectives: r.int("MAX_DIRECTIVES", 50, 0, 100_000),
    maxRepeatedFields: r.int("MAX_REPEATED_FIELDS", 20, 1, 100_000),
    maxVariableValues: r.int("MAX_VARIABLE_VALUES", 2000, 10, 10_000_000),
    bodyLimitBytes: r.int("MAX_BODY_BYTES", 1_000_000, 1024, 100_000_000),
    rateLimitPerMinute,
    allowedOrigins: (r.string("ALLOWED_ORIGINS") ?? "")
      .split(",")
      .map(o => o.trim())
      .filter(Boolean),
    maxWsConnectionsPerCaller: r.int("MAX_WS_CONNECTIONS_PER_CALLER", 20, 0, 100_000),
    breakerFailureThreshold: r.int("CIRCUIT_BREAKER_THRESHOLD", 5, 1, 1000),
    breakerCooldownMs: r.int("CIRCUIT_BREAKER_COOLDOWN_MS", 10_000, 100, 3_600_000),
    watchIntervalMs: r.int("WATCH_INTERVAL_MS", 2000, 50, 600_000),
    maxPollsPerSecond: r.int("MAX_POLLS_PER_SECOND", 50, 1, 10_000),
    logLevel: r.oneOf("LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info"),
    // Shutdown and HTTP server timeouts
    shutdownGraceMs: r.int("SHUTDOWN_GRACE_MS", 10_000, 0, 600_000),
    httpRequestTimeoutMs: r.int("HTTP_REQUEST_TIMEOUT_MS", 30_000, 1000, 3_600_000),
    httpHeadersTimeoutMs: r.int("HTTP_HEADERS_TIMEOUT_MS", 10_000, 1000, 3_600_000),
    httpKeepAliveTimeoutMs: r.int("HTTP_KEEP_ALIVE_TIMEOUT_MS", 5_000, 1, 600_000),
    ops: opsConfig(r, rateLimitPerMinute),
  };
  if (config.httpHeadersTimeoutMs > config.httpRequestTimeoutMs) {
    r.problems.push("HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS");
  }
  if (config.horizon.credentials === "service" && config.horizon.url && !(config.horizon.apiId && config.horizon.apiKey)) {
    r.problems.push("HORIZON_API_ID and HORIZON_API_KEY are required when HORIZON_URL is set and HORIZON_CREDENTIALS=service");
  }
  if (!config.embeddedEmulators && (!config.czertainly.url || !config.horizon.url)) {
    const missing = [!config.czertainly.url && "CZERTAINLY_URL", !config.horizon.url && "HORIZON_URL"].filter(Boolean).join(" and ");
    r.problems.push(
      production && r.string("EMBEDDED_EMULATORS") === undefined
        ? `NODE_ENV=production needs ${missing}: a production gateway does not start the embedded emulators (they issue from fake CAs); set EMBEDDED_EMULATORS=true to run on them anyway`
        : `EMBEDDED_EMULATORS=false needs both CZERTAINLY_URL and HORIZON_URL (missing: ${missing})`,
    );
  }
  if (r.problems.length) throw new ConfigError(r.problems);
  return config;
}
