import { authorityFromCzertainly, certificateFromCzertainly, keyFromCzertainly, raProfileFromCzertainly } from "../backends/czertainly/mapper.js";
import { certificateFromHorizon, requestFromHorizon, type HzCertificateLike, type HzRequestLike } from "../backends/horizon/mapper.js";
import { fromGlobalId } from "../domain/ids.js";
import { Certificate } from "../model/certificate.type.js";
import { Backend } from "../model/enums.js";
import type { Key } from "../model/key.type.js";
import type { Authority, RaProfile } from "../model/ra-profile.type.js";
import { Request } from "../model/request.type.js";
import type { GatewayContext } from "../server/context.js";

/** Loads a certificate through the request's loaders; null when the backend has none. */
export async function loadCertificate(ctx: GatewayContext, backend: Backend, backendId: string): Promise<Certificate | null> {
  if (backend === Backend.CZERTAINLY) {
    const dto = await ctx.loaders.czCertificate.load(backendId);
    return dto ? new Certificate(certificateFromCzertainly(dto)) : null;
  }
  const c = await ctx.loaders.hzCertificate.load(backendId);
  return c ? new Certificate(certificateFromHorizon(c)) : null;
}

export async function loadRequest(ctx: GatewayContext, backendId: string): Promise<Request | null> {
  const r = await ctx.loaders.hzRequest.load(backendId);
  return r ? requestWithCertificate(ctx, r) : null;
}

/** Maps a Horizon request; a certificate embedded in it primes the loader so Request.certificate costs no call. */
export function requestWithCertificate(ctx: GatewayContext, r: HzRequestLike): Request {
  const embedded = r.certificate as HzCertificateLike | null | undefined;
  if (embedded?._id && embedded.certificate) ctx.loaders.hzCertificate.prime(embedded._id, embedded);
  return new Request(requestFromHorizon(r));
}

export async function loadKey(ctx: GatewayContext, backendId: string): Promise<Key | null> {
  const k = await ctx.loaders.czKey.load(backendId);
  return k ? keyFromCzertainly(k) : null;
}

export async function loadRaProfile(ctx: GatewayContext, backendId: string): Promise<RaProfile | null> {
  const p = await ctx.loaders.czRaProfile.load(backendId);
  return p ? raProfileFromCzertainly(p) : null;
}

export async function loadAuthority(ctx: GatewayContext, backendId: string): Promise<Authority | null> {
  const a = await ctx.loaders.czAuthority.load(backendId);
  return a ? authorityFromCzertainly(a) : null;
}

export type AnyNode = Certificate | Request | Key | RaProfile | Authority;

/** Resolves any global id (Relay node). Invalid ids throw BAD_USER_INPUT; unknown objects give null. */
export async function loadNode(ctx: GatewayContext, id: string): Promise<AnyNode | null> {
  const { type, backend, backendId } = fromGlobalId(id);
  switch (type) {
    case "Certificate":
      return loadCertificate(ctx, backend, backendId);
    case "Request":
      return loadRequest(ctx, backendId);
    case "Key":
      return loadKey(ctx, backendId);
    case "RaProfile":
      return loadRaProfile(ctx, backendId);
    case "Authority":
      return loadAuthority(ctx, backendId);
  }
}
