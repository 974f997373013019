import "reflect-metadata"; // before @peculiar/x509 (tsyringe needs the Reflect polyfill)
import { createHash, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { IncomingMessage } from "node:http";
import { EmulatorCa, generateKeyPair } from "../ca.js";
import { type Handler, type Reply, Router, type RouteContext, type RunningServer, startEmulatorServer } from "../http-kit.js";
import { validateAttributes } from "./attributes.js";
import { CoreEngine } from "./engine.js";
import { badRequest, CoreError, notFound, requireUuid } from "./errors.js";
import { LegacyOperations } from "./legacy.js";
import type { CzertainlyState } from "./model.js";
import { applyDataFile, readDataFile, writeDataFile } from "./persistence.js";
import { searchCertificates } from "./search.js";
import { DEMO, seedDemo, seedStructure } from "./seed.js";
import { authorityDto, certificateDetailDto, derivedOf, keyDetailDto, raProfileDto } from "./views.js";

export interface CzertainlyEmulatorOptions {
  port?: number;
  host?: string;
  /** "demo" (default): a few dozen certificates in every state; "none": authorities and RA profiles only. */
  seed?: "demo" | "none";
  /** Keep state in this JSON file: loaded at start when it exists, rewritten after every change. */
  dataFile?: string;
  /** Check the `ssl-client-cert` header as Core's CertificateAuth does (401 without, 403 for an unknown certificate). */
  requireClientCert?: boolean;
  /** Delay before async-auto-profile's pending operations complete on their own (default 3000 ms). */
  autoCompleteAfterMs?: number;
}

export interface ClientIdentity {
  /** PEM of a client certificate the emulator maps to a user. */
  pem: string;
  /** The header value a proxy would send (URL-encoded PEM). */
  header: string;
}

export interface CzertainlyEmulator extends RunningServer {
  ca: EmulatorCa;
  state: CzertainlyState;
  /** Client certificates: `operator` may do everything, `reader` may only read. */
  clientCert: ClientIdentity;
  readerCert: ClientIdentity;
  /** Uuids of the demo RA profiles by name, and of their authorities. */
  profiles: typeof DEMO.profiles;
  authorities: typeof DEMO.authorities;
  /** Finishes a pending_issue / pending_revoke as the CA would out of band. */
  completePending(uuid: string): Promise<void>;
  /** Clears certificates, keys and end entities and seeds again. */
  reset(): Promise<void>;
}

function emptyState(): CzertainlyState {
  return { authorities: new Map(), raProfiles: new Map(), certificates: new Map(), keys: new Map(), endEntities: [] };
}

async function clientIdentity(ca: EmulatorCa, cn: string): Promise<ClientIdentity & { thumbprint: string }> {
  const keys = await generateKeyPair("EC");
  const spki = await webcrypto.subtle.exportKey("spki", keys.publicKey as webcrypto.CryptoKey);
  const issued = await ca.signPublicKey(
    new x509.PublicKey(spki),
    `CN=${cn},O=PKI Graph Emulators`,
    {},
    { extendedKeyUsages: [x509.ExtendedKeyUsage.clientAuth] },
  );
  return {
    pem: issued.pem,
    header: encodeURIComponent(issued.pem),
    thumbprint: createHash("sha256").update(Buffer.from(issued.certificate.rawData)).digest("hex"),
  };
}

/** Core's CertificateAuth: URL-decode, PEM- (or base64-) decode, SHA-256 thumbprint. */
function headerThumbprint(value: string): string | undefined {
  try {
    const text = decodeURIComponent(value).trim();
    const der = x509.PemConverter.isPem(text) ? x509.PemConverter.decodeFirst(text) : Buffer.from(text, "base64");
    return der.byteLength ? createHash("sha256").update(new Uint8Array(der)).digest("hex") : undefined;
  } catch {
    return undefined;
  }
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Reads a reader may do: every GET, and the two search-like POSTs. */
const isRead = (method: string, path: string) => method === "GET" || (method === "POST" && /^\/api\/v1\/certificates(\/content)?\/?$/.test(path));

/** Starts the CZERTAINLY Core emulator (paths and behaviour: README.md next to this file). */
export async function startCzertainlyEmulator(opts: CzertainlyEmulatorOptions = {}): Promise<CzertainlyEmulator> {
  const stored = opts.dataFile ? readDataFile(opts.dataFile) : undefined;
  const ca = stored ? await EmulatorCa.restore(stored.ca) : await EmulatorCa.create("CZERTAINLY Emulator");
  const exportedCa = await ca.export();
  const state = emptyState();
  seedStructure(state, { autoCompleteAfterMs: opts.autoCompleteAfterMs });

  let saveQueued = false;
  const changed = () => {
    if (!opts.dataFile || saveQueued) return;
    saveQueued = true;
    setImmediate(() => {
      saveQueued = false;
      writeDataFile(opts.dataFile!, state, exportedCa);
    });
  };
  const engine = new CoreEngine(state, ca, changed);
  const legacy = new LegacyOperations(engine, changed);
  if (stored) applyDataFile(state, stored);
  else if ((opts.seed ?? "demo") === "demo") await seedDemo(engine);
  if (opts.dataFile && !stored) writeDataFile(opts.dataFile, state, exportedCa);

  const operator = await clientIdentity(ca, "gateway-operator");
  const reader = await clientIdentity(ca, "gateway-reader");

  const h =
    (fn: (c: RouteContext) => Promise<Reply> | Reply): Handler =>
    async c => {
      try {
        return await fn(c);
      } catch (error) {
        if (error instanceof CoreError) return error.reply();
        return { status: 500, body: { message: "Internal server error." } };
      }
    };
  const ok = (body: unknown): Reply => (body === undefined ? { status: 200 } : { status: 200, body });
  const noContent: Reply = { status: 204 };
  const P = "/api/v2/operations/authorities/:authorityUuid/raProfiles/:raProfileUuid";
  const profileOf = (c: RouteContext) => engine.profile(c.params.authorityUuid!, c.params.raProfileUuid!);
  const cert = (c: RouteContext) => c.params.certificateUuid!;

  const router = new Router()
    // v2 client operations (§1.1)
    .route(
      "POST",
      `${P}/certificates`,
      h(async c => ok(await engine.issue(profileOf(c), c.body))),
    )
    .route(
      "POST",
      `${P}/certificates/:certificateUuid/issue`,
      h(async c => ok(await engine.issueRequested(profileOf(c), cert(c)))),
    )
    .route(
      "POST",
      `${P}/certificates/:certificateUuid/renew`,
      h(async c => ok(await engine.renew(profileOf(c), cert(c), c.body))),
    )
    .route(
      "POST",
      `${P}/certificates/:certificateUuid/rekey`,
      h(async c => ok(await engine.rekey(profileOf(c), cert(c), c.body))),
    )
    .route(
      "POST",
      `${P}/certificates/:certificateUuid/revoke`,
      h(async c => (await engine.revoke(profileOf(c), cert(c), c.body), noContent)),
    )
    .route(
      "POST",
      `${P}/certificates/:certificateUuid/issue/finalize`,
      h(async c => ok(await engine.finalize(profileOf(c), cert(c), c.body))),
    )
    .route(
      "POST",
      `${P}/certificates/:certificateUuid/revoke/confirm`,
      h(async c => (await engine.confirmRevoke(profileOf(c), cert(c)), noContent)),
    )
    .route(
      "POST",
      `${P}/certificates/:certificateUuid/cancel`,
      h(async c => ok(await engine.cancel(profileOf(c), cert(c), c.body))),
    )
    .route(
      "GET",
      `${P}/attributes/issue`,
      h(c => ok(profileOf(c).issueAttributes)),
    )
    .route(
      "GET",
      `${P}/attributes/revoke`,
      h(c => ok(profileOf(c).revokeAttributes)),
    )
    .route(
      "POST",
      `${P}/attributes/issue/validate`,
      h(c => validated(validateAttributes(profileOf(c).issueAttributes, c.body))),
    )
    .route(
      "POST",
      `${P}/attributes/revoke/validate`,
      h(c => validated(validateAttributes(profileOf(c).revokeAttributes, c.body))),
    )
    // legacy v1 (§1.2)
    .route(
      "POST",
      "/api/v1/operations/:raProfileName/certificate/issue",
      h(async c => ok(await legacy.issue(c.params.raProfileName!, c.body))),
    )
    .route(
      "POST",
      "/api/v1/operations/:raProfileName/certificate/revoke",
      h(c => (legacy.revoke(c.params.raProfileName!, c.body), ok(undefined))),
    )
    .route(
      "GET",
      "/api/v1/operations/:raProfileName/endentity",
      h(c => ok(legacy.list(c.params.raProfileName!))),
    )
    .route(
      "POST",
      "/api/v1/operations/:raProfileName/endentity",
      h(c => (legacy.add(c.params.raProfileName!, c.body), ok(undefined))),
    )
    .route(
      "GET",
      "/api/v1/operations/:raProfileName/endentity/:username",
      h(c => ok(legacy.get(c.params.raProfileName!, c.params.username!))),
    )
    .route(
      "POST",
      "/api/v1/operations/:raProfileName/endentity/:username",
      h(c => (legacy.edit(c.params.raProfileName!, c.params.username!, c.body), ok(undefined))),
    )
    // reads (§2)
    .route(
      "POST",
      "/api/v1/certificates",
      h(c => ok(searchCertificates(state, c.body))),
    )
    .route(
      "POST",
      "/api/v1/certificates/content",
      h(c => {
        if (!Array.isArray(c.body) || !c.body.every(x => typeof x === "string")) throw badRequest("Unable to read HTTP message");
        return ok(
          c.body.flatMap(uuid => {
            const found = state.certificates.get(String(uuid).toLowerCase());
            if (!found) return [];
            const { commonName, serialNumber } = derivedOf(found);
            return [{ uuid: found.uuid, commonName, serialNumber, certificateContent: found.content }];
          }),
        );
      }),
    )
    .route(
      "GET",
      "/api/v1/certificates/:uuid",
      h(c => ok(certificateDetailDto(state, engine.certificate(c.params.uuid!)))),
    )
    .route(
      "GET",
      "/api/v1/certificates/:uuid/history",
      h(c => ok([...engine.certificate(c.params.uuid!).history].reverse())),
    )
    .route(
      "GET",
      "/api/v1/certificates/:uuid/relations",
      h(c => {
        const target = engine.certificate(c.params.uuid!);
        const brief = (uuid: string, relation?: string) => ({ uuid, relation: relation ?? state.certificates.get(uuid)?.relation });
        return ok({
          certificateUuid: target.uuid,
          predecessorCertificates: target.predecessorUuid ? [brief(target.predecessorUuid, target.relation)] : [],
          successorCertificates: [...state.certificates.values()].filter(x => x.predecessorUuid === target.uuid).map(x => brief(x.uuid)),
        });
      }),
    )
    .route(
      "GET",
      "/api/v1/keys/pairs",
      h(() => ok([...state.keys.values()].filter(k => k.state === "active").map(k => keyDetailDto(state, k)))),
    )
    .route(
      "GET",
      "/api/v1/keys/:uuid",
      h(c => {
        const key = state.keys.get(requireUuid(c.params.uuid!));
        if (!key) throw notFound("CryptographicKey", c.params.uuid!);
        return ok(keyDetailDto(state, key));
      }),
    )
    .route(
      "GET",
      "/api/v1/raProfiles",
      h(c => {
        const enabled = c.query.get("enabled");
        return ok(
          [...state.raProfiles.keys()].map(uuid => raProfileDto(state, uuid)!).filter(p => enabled === null || String(p.enabled) === enabled),
        );
      }),
    )
    .route(
      "GET",
      "/api/v1/raProfiles/:uuid",
      h(c => ok(raProfileDto(state, requireUuid(c.params.uuid!)) ?? raise(notFound("RaProfile", c.params.uuid!)))),
    )
    .route(
      "GET",
      "/api/v1/authorities",
      h(() => ok([...state.authorities.keys()].map(uuid => authorityDto(state, uuid)))),
    )
    .route(
      "GET",
      "/api/v1/authorities/:uuid",
      h(c => ok(authorityDto(state, requireUuid(c.params.uuid!)) ?? raise(notFound("AuthorityInstance", c.params.uuid!)))),
    )
    .route(
      "GET",
      "/api/v1/authorities/:authorityUuid/raProfiles/:raProfileUuid",
      h(c => {
        const p = raProfileDto(state, requireUuid(c.params.raProfileUuid!));
        if (!p || p.authorityInstanceUuid !== requireUuid(c.params.authorityUuid!)) throw notFound("RaProfile", c.params.raProfileUuid!);
        return ok(p);
      }),
    );

  const reset = async (): Promise<void> => {
    engine.dispose();
    state.certificates.clear();
    state.keys.clear();
    state.endEntities.length = 0;
    seedStructure(state, { autoCompleteAfterMs: opts.autoCompleteAfterMs }); // profiles back to their seeded settings
    if ((opts.seed ?? "demo") === "demo") await seedDemo(engine);
    changed();
  };

  const server = await startEmulatorServer({
    port: opts.port ?? 0,
    host: opts.host,
    router,
    // Unknown routes are Spring's "no handler" 404; everything else keeps ErrorMessageDto.
    errorReply: (status, message) => (status === 503 ? { status, body: { message: "Connector unreachable" } } : { status, body: { message } }),
    authenticate: opts.requireClientCert
      ? req => {
          const value = header(req, "ssl-client-cert");
          if (!value) return { status: 401 };
          const thumbprint = headerThumbprint(value);
          const path = new URL(req.url ?? "/", "http://x").pathname;
          if (thumbprint === operator.thumbprint || (thumbprint === reader.thumbprint && isRead(req.method ?? "GET", path))) return undefined;
          return {
            status: 403,
            contentType: "application/problem+json",
            body: {
              statusCode: 400,
              code: "ACCESS_DENIED",
              message: `Access Denied. Required '${isRead(req.method ?? "GET", path) ? "detail" : "issue"}' permission for 'certificates'`,
            },
          };
        }
      : undefined,
    onReset: () => void reset(),
  });

  const close = server.close.bind(server);
  return Object.assign(server, {
    ca,
    state,
    clientCert: { pem: operator.pem, header: operator.header },
    readerCert: { pem: reader.pem, header: reader.header },
    profiles: DEMO.profiles,
    authorities: DEMO.authorities,
    completePending: (uuid: string) => engine.completePending(uuid),
    reset,
    close: async () => {
      engine.dispose();
      await close();
    },
  });
}

function validated(messages: string[]): Reply {
  if (messages.length) throw new CoreError(422, messages);
  return { status: 200 };
}

function raise(error: Error): never {
  throw error;
}
