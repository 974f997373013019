import { authorityFromCzertainly, keyFromCzertainly, raProfileFromCzertainly } from "../backends/czertainly/mapper.js";
import { fromGlobalId } from "../domain/ids.js";
import type { Certificate } from "../model/certificate.type.js";
import { Backend } from "../model/enums.js";
import type { Key } from "../model/key.type.js";
import type { Authority, RaProfile } from "../model/ra-profile.type.js";
import type { Request } from "../model/request.type.js";
import type { GatewayContext } from "./context.js";

/** Loads a certificate through the request's loaders, from the backend that holds it; null when it has none. */
export function loadCertificate(ctx: GatewayContext, backend: Backend, backendId: string): Promise<Certificate | null> {
  return ctx.services.backends.adapterFor(backend).loadCertificate(ctx, backendId);
}

/** Loads a request from the backend that holds it; null on a backend without requests. */
export async function loadRequest(ctx: GatewayContext, backend: Backend, backendId: string): Promise<Request | null> {
  return (await ctx.services.backends.adapterFor(backend).loadRequest?.(ctx, backendId)) ?? null;
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
      return loadRequest(ctx, backend, backendId);
    // Keys, RA profiles and authorities are CZERTAINLY's objects: another backend's id names none.
    case "Key":
      return backend === Backend.CZERTAINLY ? loadKey(ctx, backendId) : null;
    case "RaProfile":
      return backend === Backend.CZERTAINLY ? loadRaProfile(ctx, backendId) : null;
    case "Authority":
      return backend === Backend.CZERTAINLY ? loadAuthority(ctx, backendId) : null;
  }
}
