import type { CertificateRecord } from "../model/certificate.type.js";
import type { RequestRecord } from "../model/request.type.js";

/** What can be watched: a certificate (either backend) or a Horizon request. */
export type WatchKind = "certificate" | "request";

interface StateEventBase {
  /** Global id (the graph's `id`). */
  id: string;
  /** The certificate state or request status, as the graph names it. */
  state: string;
  /** True once the state will not change without a new operation: the watch of this object ends. */
  final: boolean;
  /** The backend no longer has the object (final too). */
  gone: boolean;
  /** When the state was observed: the start of the backend read, or the publish time of a mutation. */
  observedAt: number;
  /** Where the state came from: a read for a new watcher, a background poll, or a mutation through a gateway. */
  source: "read" | "poll" | "mutation";
  /** Non-secret key of the credentials the state was read with (see credentialKeyOf); reused only for the same key. */
  credentialKey?: string;
}

export interface CertificateStateEvent extends StateEventBase {
  kind: "certificate";
  record?: CertificateRecord;
}

export interface RequestStateEvent extends StateEventBase {
  kind: "request";
  record?: RequestRecord;
}

/** One observed state of one watched object; plain data, so it can cross process boundaries. */
export type StateEvent = CertificateStateEvent | RequestStateEvent;

/** Two events with the same signature show the same state: nothing to tell subscribers. */
export const signatureOf = (e: StateEvent): string => `${e.state}|${e.final ? 1 : 0}|${e.gone ? 1 : 0}`;

/**
 * The shared part of the watch machinery: fan-out of state events to every gateway instance, and the
 * lease that makes one instance (not all of them) poll a given object. The default is in-memory (one
 * instance); a Redis implementation takes this role when several instances run (see README, "Watching
 * pending states").
 */
export interface StateBus {
  /** Sends an event to every subscriber of `event.id`, on every instance. */
  publish(event: StateEvent): void | Promise<void>;
  /** Listens to the events of one object id; returns the unsubscribe function. */
  subscribe(id: string, listener: (event: StateEvent) => void): () => void;
  /**
   * Takes or renews the polling lease of one object for `ttlMs`: true while `owner` holds it.
   * An owner that stops renewing (crashed instance) loses it after the ttl and another instance takes over.
   */
  claim(id: string, owner: string, ttlMs: number): boolean | Promise<boolean>;
  /** Gives the lease up (no one listens here any more). */
  release(id: string, owner: string): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** One process: listeners in a map, leases always granted to the one owner that asks first. */
export class InMemoryStateBus implements StateBus {
  private readonly listeners = new Map<string, Set<(event: StateEvent) => void>>();
  private readonly leases = new Map<string, { owner: string; until: number }>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  publish(event: StateEvent): void {
    const set = this.listeners.get(event.id);
    if (!set) return;
    for (const listener of [...set]) listener(event);
  }

  subscribe(id: string, listener: (event: StateEvent) => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      const current = this.listeners.get(id);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(id);
    };
  }

  claim(id: string, owner: string, ttlMs: number): boolean {
    const now = this.now();
    const lease = this.leases.get(id);
    if (lease && lease.owner !== owner && lease.until > now) return false;
    this.leases.set(id, { owner, until: now + ttlMs });
    return true;
  }

  release(id: string, owner: string): void {
    if (this.leases.get(id)?.owner === owner) this.leases.delete(id);
  }

  /** Objects with at least one listener (tests, metrics). */
  get listenedIds(): number {
    return this.listeners.size;
  }

  close(): void {
    this.listeners.clear();
    this.leases.clear();
  }
}

const DATE_TAG = "$date";

/** Wire form of an event for a shared bus (Redis pub/sub): JSON with dates tagged so they come back as Dates. */
export function encodeStateEvent(event: StateEvent): string {
  return JSON.stringify(event, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    return raw instanceof Date ? { [DATE_TAG]: raw.toISOString() } : value;
  });
}

export function decodeStateEvent(text: string): StateEvent {
  return JSON.parse(text, (_key, value) => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === DATE_TAG && typeof value[DATE_TAG] === "string") return new Date(value[DATE_TAG]);
    }
    return value;
  }) as StateEvent;
}
