import { request } from "undici";
import { loadConfig, type Config } from "../../src/config.js";
import { startCzertainlyEmulator, type CzertainlyEmulator } from "../../src/emulators/czertainly/czertainly.emulator.js";
import { startHorizonEmulator, type HorizonEmulator } from "../../src/emulators/horizon/horizon.emulator.js";
import { startGateway, type RunningGateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/server/logger.js";
import { createUpstreams } from "../../src/backends/registry.js";

export interface GraphQLResult<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestStack {
  gateway: RunningGateway;
  cz: CzertainlyEmulator;
  hz: HorizonEmulator;
  config: Config;
  /** Sends one GraphQL operation over real HTTP. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResult<T>>;
  /** Global ids of the CZERTAINLY RA profiles by name, as the graph gives them. */
  raProfileIds(headers?: Record<string, string>): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Both emulators and a gateway on port 0, wired over real HTTP, as `npm start` wires them.
 * `options.now`: the gateway's clock (rate limits, /readyz cache, watch hub, circuit breakers), e.g. a `manualClock()`.
 */
export async function startTestStack(
  env: Record<string, string> = {},
  logStream?: NodeJS.WritableStream,
  options: { now?: () => number } = {},
): Promise<TestStack> {
  // Forwarding callers' client certificates only means something when Core checks them.
  const requireClientCert = env.CZERTAINLY_CREDENTIALS === "forward";
  const [cz, hz] = await Promise.all([startCzertainlyEmulator({ port: 0, requireClientCert }), startHorizonEmulator({ port: 0 })]);
  // The gateway runs on these emulators (as with EMBEDDED_EMULATORS=true), also under NODE_ENV=production.
  // Generous upstream timeouts: a healthy call (a centralized enrollment generates a key in the emulator) must
  // never time out on a loaded machine; tests about timeouts set their own and use a backend that never answers.
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    CZERTAINLY_TIMEOUT_MS: "15000",
    HORIZON_TIMEOUT_MS: "15000",
    EMBEDDED_EMULATORS: "true",
    ...env,
  });
  if (config.horizon.credentials === "service") {
    config.horizon.apiId = hz.accounts.admin.apiId;
    config.horizon.apiKey = hz.accounts.admin.apiKey;
  }
  const upstreams = createUpstreams(config, { czertainly: `${cz.url}/api`, horizon: hz.url }, { now: options.now });
  const logger = logStream ? createLogger(env.LOG_LEVEL ?? "info", logStream) : createLogger("silent");
  const gateway = await startGateway(config, { upstreams, logger, now: options.now });
  const gql = async <T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResult<T>> => {
    const res = await request(gateway.url, {
      method: "POST",
      // A connection per request: no reuse of a keep-alive socket the server is closing at that moment (ECONNRESET under load).
      reset: true,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.body.json()) as GraphQLResult<T>;
    return { ...body, status: res.statusCode };
  };
  return {
    gateway,
    cz,
    hz,
    config,
    gql,
    async raProfileIds(headers) {
      const res = await gql<{ raProfiles: { id: string; name: string }[] }>(`{ raProfiles { id name } }`, undefined, headers);
      if (!res.data) throw new Error(`raProfiles failed: ${JSON.stringify(res.errors)}`);
      return Object.fromEntries(res.data.raProfiles.map(p => [p.name, p.id]));
    },
    async close() {
      await gateway.stop();
      await Promise.all([cz.close(), hz.close()]);
    },
  };
}
