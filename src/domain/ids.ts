import { Backend } from "../model/enums.js";

export type NodeType = "Certificate" | "Request" | "Key" | "RaProfile" | "Authority";
const NODE_TYPES = new Set<string>(["Certificate", "Request", "Key", "RaProfile", "Authority"]);
const BACKENDS = new Set<string>(Object.values(Backend));

export interface GlobalId {
  type: NodeType;
  backend: Backend;
  backendId: string;
}

/** Thrown for an id the gateway did not make; resolvers turn it into BAD_USER_INPUT. */
export class InvalidIdError extends Error {
  override readonly name = "InvalidIdError";
}

/** Opaque, URL-safe global id: clients must not build or parse it. */
export function toGlobalId(type: NodeType, backend: Backend, backendId: string): string {
  return Buffer.from(`${type}:${backend}:${backendId}`, "utf8").toString("base64url");
}

export function fromGlobalId(id: string, expected?: NodeType): GlobalId {
  const text = id.length <= 512 && /^[A-Za-z0-9_-]+$/.test(id) ? Buffer.from(id, "base64url").toString("utf8") : "";
  const [type, backend, ...rest] = text.split(":");
  const backendId = rest.join(":");
  if (!type || !NODE_TYPES.has(type) || !backend || !BACKENDS.has(backend) || !backendId) {
    throw new InvalidIdError(`"${id.slice(0, 80)}" is not a valid id`);
  }
  if (expected && type !== expected) throw new InvalidIdError(`id is a ${type} id, expected a ${expected} id`);
  return { type: type as NodeType, backend: backend as Backend, backendId };
}
