import type { IncomingMessage } from "node:http";
import { EmulatorCa } from "../ca.js";
import { type Handler, type Reply, Router, type RouteContext, type RunningServer, startEmulatorServer } from "../http-kit.js";
import type { HzCertificatePermissions, HzRequestAction, HzSubmitRequest } from "../../backends/horizon/wire.js";
import type { OpCtx } from "./context.js";
import { approve, cancel, deny, submit } from "./lifecycle.js";
import { type Account, defaultAccounts, defaultProfiles, type HorizonState } from "./model.js";
import { invalidRequest, notFound, Problem, problemReply } from "./problems.js";
import { searchCertificates, searchRequests } from "./query.js";
import { seedDemo } from "./seed.js";

export interface HorizonEmulator extends RunningServer {
  ca: EmulatorCa;
  state: HorizonState;
  accounts: ReturnType<typeof defaultAccounts>;
  /** Clears everything and re-seeds (clock offset back to 0). */
  reset(): Promise<void>;
  /** Emulator time = real time + offset; move it to expire requests or enter renewal periods. */
  advance(ms: number): void;
  now(): number;
}

function emptyState(): HorizonState {
  return {
    profiles: new Map(defaultProfiles().map(p => [p.name, p])),
    certificates: new Map(),
    requests: new Map(),
    teams: new Set(["infra"]),
    clockOffsetMs: 0,
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Starts the EVERTRUST Horizon emulator (paths and codes: README.md next to this file). */
export async function startHorizonEmulator(opts: { port?: number; seed?: "demo" | "none" } = {}): Promise<HorizonEmulator> {
  const ca = await EmulatorCa.create("Horizon Emulator");
  const accounts = defaultAccounts();
  const byId = new Map<string, Account>(Object.values(accounts).map(a => [a.apiId, a]));
  const state = emptyState();
  const now = (): number => Date.now() + state.clockOffsetMs;
  const account = (req: IncomingMessage): Account => byId.get(header(req, "x-api-id") ?? "")!;
  const ctxOf = (c: RouteContext): OpCtx => ({ state, ca, now, account: account(c.req) });

  /** Turns a thrown Problem into problem+json; anything else is REQ-001. */
  const h =
    (fn: (c: RouteContext) => Promise<Reply> | Reply): Handler =>
    async c => {
      try {
        return await fn(c);
      } catch (error) {
        if (error instanceof Problem) return problemReply(error.status, error.code, error.title, error.detail);
        return problemReply(500, "REQ-001", "Unexpected Error", (error as Error).message);
      }
    };
  const ok = (body: unknown, status = 200): Reply => ({ status, body });
  const permissions = (a: Account): HzCertificatePermissions => ({
    revoke: a.canRequest,
    requestRevoke: a.canRequest,
    update: a.canRequest,
    requestUpdate: a.canRequest,
    migrate: a.canRequest,
    requestMigrate: a.canRequest,
    recover: a.canRequest,
    requestRecover: a.canRequest,
    renew: a.canRequest,
    requestRenew: a.canRequest,
    enroll: a.canRequest,
    requestEnroll: a.canRequest,
  });

  const router = new Router()
    .route(
      "POST",
      "/api/v1/requests/submit",
      h(async c => {
        const r = await submit(ctxOf(c), c.body as HzSubmitRequest);
        return ok(r.body, r.status);
      }),
    )
    .route(
      "POST",
      "/api/v1/requests/approve",
      h(async c => ok(await approve(ctxOf(c), c.body as HzRequestAction))),
    )
    .route(
      "POST",
      "/api/v1/requests/deny",
      h(c => ok(deny(ctxOf(c), c.body as HzRequestAction))),
    )
    .route(
      "POST",
      "/api/v1/requests/cancel",
      h(c => ok(cancel(ctxOf(c), c.body as HzRequestAction))),
    )
    .route(
      "POST",
      "/api/v1/requests/search",
      h(c => {
        const a = account(c.req);
        const rows = [...state.requests.values()].map(s => ({
          ...s.wire,
          permissions: {
            approve: a.canApprove && s.wire.status === "pending",
            cancel: s.wire.status === "pending" && (a.canApprove || s.requester === a.apiId),
          },
        }));
        return ok(searchRequests(rows, (c.body ?? {}) as object, now()));
      }),
    )
    .route(
      "GET",
      "/api/v1/requests/:id",
      h(c => {
        const s = state.requests.get(c.params.id!);
        if (!s) throw notFound("REQ-003", "Request not found", `no request ${c.params.id}`);
        return ok(s.wire);
      }),
    )
    .route(
      "POST",
      "/api/v1/certificates/search",
      h(c =>
        ok(
          searchCertificates(
            [...state.certificates.values()].map(s => s.wire),
            (c.body ?? {}) as object,
            now(),
          ),
        ),
      ),
    )
    .route(
      "GET",
      "/api/v1/certificates/:id",
      h(c => {
        const s = state.certificates.get(c.params.id!);
        if (!s) throw notFound("REQ-009", "Invalid Certificate", `no certificate ${c.params.id}`);
        return ok({ certificate: s.wire, permissions: permissions(account(c.req)) });
      }),
    )
    .route(
      "POST",
      "/api/v1/certificates",
      h(c => {
        if (!Array.isArray(c.body) || !c.body.every(x => typeof x === "string")) throw invalidRequest("body must be an array of certificate ids");
        const a = account(c.req);
        return ok(
          c.body.flatMap(id => {
            const s = state.certificates.get(id as string);
            return s ? [{ certificate: s.wire, permissions: permissions(a) }] : [];
          }),
        );
      }),
    )
    .route(
      "GET",
      "/api/v1/security/principals/self",
      h(c => {
        const a = account(c.req);
        return ok({
          identity: { identifier: a.apiId, name: a.apiId },
          permissions: [...(a.canRequest ? ["request"] : []), ...(a.canApprove ? ["approve"] : [])],
        });
      }),
    );

  const seed = async (): Promise<void> => {
    if ((opts.seed ?? "demo") === "demo") await seedDemo({ state, ca, now, account: accounts.admin }, ca, accounts.admin);
  };
  const reset = async (): Promise<void> => {
    Object.assign(state, emptyState());
    await seed();
  };
  await seed();

  const server = await startEmulatorServer({
    port: opts.port ?? 0,
    router,
    errorReply: (status, message) => {
      const code = status === 401 ? "SEC-AUTH-002" : status === 403 ? "SEC-PERM-001" : status === 400 ? "REQ-002" : "REQ-001";
      return problemReply(status, code, status === 400 ? "Invalid Request" : message, message);
    },
    // X-API-ID / X-API-KEY on every call, as the product does.
    authenticate: req => {
      const id = header(req, "x-api-id");
      const key = header(req, "x-api-key");
      if (!id || !key) return problemReply(401, "SEC-AUTH-009", "Principal not authenticated or authentication expired");
      if (byId.get(id)?.apiKey !== key) return problemReply(401, "SEC-AUTH-002", "Invalid credentials or principal does not exist");
      return undefined;
    },
    onReset: () => void reset(),
  });
  return Object.assign(server, {
    ca,
    state,
    accounts,
    reset,
    advance: (ms: number) => void (state.clockOffsetMs += ms),
    now,
  });
}
