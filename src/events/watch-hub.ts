import { randomUUID } from "node:crypto";
import type { Certificate } from "../model/certificate.type.js";
import { Backend } from "../model/enums.js";
import type { Request } from "../model/request.type.js";
import type { CallerCredentials } from "../backends/credentials.js";
import { InMemoryStateBus, signatureOf, type StateBus, type StateEvent } from "./state-bus.js";
import { certificateEvent, credentialKeyOf, isCredentialRefusal, requestEvent, type StateReader, type WatchTarget } from "./state-events.js";
import { TokenBucket } from "../lib/token-bucket.js";

export interface WatchHubOptions {
  /** Reads one object's current state (fresh, never from an operation's cache). */
  read: StateReader;
  /** Fan-out and polling leases; in-memory (one instance) by default. */
  bus?: StateBus;
  /** Base delay between two polls of one object; never shorter. */
  intervalMs: number;
  /** Cap on background polls per second, per backend. */
  maxPollsPerSecond: number;
  /** Longest delay an unchanged object backs off to. Default: 8 × interval, at most 30 s (never under the interval). */
  maxIntervalMs?: number;
  /** Delay growth per unchanged poll (default 1.5). */
  backoffFactor?: number;
  /** Random extra delay, as a fraction of the delay (default 0.2); only ever added, so the interval stays a floor. */
  jitterRatio?: number;
  /** Credential key of the states mutations publish (the service identity's), when callers share it. */
  mutationCredentialKey?: (backend: Backend) => string | undefined;
  /** This instance's name for leases. */
  instanceId?: string;
  now?: () => number;
  random?: () => number;
  /** Told about every background poll (metrics, tests). */
  onPoll?: (backend: Backend, outcome: "ok" | "error") => void;
  onPollError?: (target: WatchTarget, error: unknown) => void;
  /**
   * Whether a read error is the backend refusing these credentials for this object (401/403), which ends
   * the watch of every subscriber with those credentials; other errors (5xx, timeouts) are retried.
   * Default: UNAUTHENTICATED / FORBIDDEN (isCredentialRefusal).
   */
  isRefusal?: (error: unknown) => boolean;
}

/** What a subscriber receives: a new state of one object, or why that object's watch ended in error. */
export type WatchItem = { id: string; ok: true; event: StateEvent } | { id: string; ok: false; error: unknown };

interface Known {
  event: StateEvent;
  /** When this instance learned it (read completed, event received). */
  at: number;
}

/** Accepted subscribers of one object that share one backend credential key (one principal's view). */
interface CredentialGroup {
  creds: CallerCredentials;
  streams: Set<WatchStream>;
}

/**
 * One per watched object on this instance, however many subscribers: it owns the object's polling.
 * Only accepted subscribers (their own credentials' last verdict for this object is a yes) get events.
 */
interface Watcher {
  target: WatchTarget;
  /** Subscribers whose own first read is still under way: they keep the watcher alive and receive nothing. */
  pending: Set<WatchStream>;
  /** Accepted subscribers by credential key, in polling order (the group polled last goes to the end). */
  groups: Map<string, CredentialGroup>;
  /** Credential keys the backend refused for this object since their last successful read: no state is served to them. */
  refused: Set<string>;
  known?: Known;
  delayMs: number;
  timer?: NodeJS.Timeout;
  /** A token of the backend's bucket was reserved for the next tick. */
  tokenHeld: boolean;
  leased: boolean;
  stopped: boolean;
  unsubscribe: () => void;
}

/** What mutations tell the watchers; implemented by the watch hub. */
export interface StatePublisher {
  publishCertificate(certificate: Certificate): void;
  publishRequest(request: Request): void;
}

/**
 * Watches pending objects for subscriptions and long-polling queries.
 *
 * - One watcher per object, whatever the number of subscribers; it stops when the last one leaves or the
 *   object reaches a final state.
 * - Reads are coalesced: concurrent reads of an object with the same credential key share one call, and a
 *   state learned less than an interval ago (poll, read, mutation, another instance) is served as is, so an
 *   object costs at most one upstream read per interval.
 * - Polls back off (×1.5 per unchanged poll, up to the cap) with added jitter, are spread by a token bucket
 *   per backend (MAX_POLLS_PER_SECOND), and reset to the base interval when the state moves.
 * - States seen by mutations are published at once (StatePublisher) without waiting for a poll.
 * - Fan-out and the right to poll go through a StateBus, so several gateway instances can share the work.
 * - Credentials: a subscriber receives nothing until the backend accepted its own credentials for the
 *   object (its first read), and nothing once the backend refused them (401/403 to any read with its
 *   credential key: the watch of that object ends with the typed error). Polls take the accepted credential
 *   groups in turn, so each group's credentials are checked again while the cost stays one poll per interval.
 */
export class WatchHub implements StatePublisher {
  private readonly bus: StateBus;
  private readonly watchers = new Map<string, Watcher>();
  private readonly streams = new Set<WatchStream>();
  private readonly inflight = new Map<string, Promise<StateEvent>>();
  private readonly buckets = new Map<Backend, TokenBucket>();
  private readonly intervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly backoffFactor: number;
  private readonly jitterRatio: number;
  private readonly instanceId: string;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly isRefusal: (error: unknown) => boolean;
  private closed = false;

  constructor(private readonly opts: WatchHubOptions) {
    this.intervalMs = opts.intervalMs;
    this.maxIntervalMs = Math.max(opts.intervalMs, opts.maxIntervalMs ?? Math.min(opts.intervalMs * 8, 30_000));
    this.backoffFactor = opts.backoffFactor ?? 1.5;
    this.jitterRatio = opts.jitterRatio ?? 0.2;
    this.instanceId = opts.instanceId ?? randomUUID();
    this.now = opts.now ?? (() => Date.now());
    this.random = opts.random ?? Math.random;
    this.bus = opts.bus ?? new InMemoryStateBus(this.now);
    this.isRefusal = opts.isRefusal ?? isCredentialRefusal;
  }

  /** Objects being watched on this instance (the "active watchers" metric). */
  activeWatchers(): number {
    return this.watchers.size;
  }

  /** Open subscriber streams (subscriptions and waiting queries). */
  activeSubscribers(): number {
    return this.streams.size;
  }

  /**
   * Subscribes to objects: the stream yields each one's current state first, then every change, and ends
   * once every object reached a final state (or failed). `return()` detaches at once.
   */
  watch(targets: WatchTarget[], creds: CallerCredentials): WatchStream {
    const stream = new WatchStream(this, targets, creds);
    if (this.closed) {
      stream.close();
      return stream;
    }
    this.streams.add(stream);
    // Pending first: the watcher exists (and learns from the first read), but the stream gets no event
    // until its own credentials were accepted for the object.
    const pendingOn = targets.map(t => this.watcherFor(t));
    for (const w of pendingOn) w.pending.add(stream);
    for (const [i, t] of targets.entries()) {
      const w = pendingOn[i]!;
      this.current(t, creds).then(
        read => this.accept(w, t, stream, read),
        error => {
          w.pending.delete(stream);
          stream.fail(t.id, error);
          this.stopIfUnused(w);
        },
      );
    }
    return stream;
  }

  /** A stream's own first read of an object succeeded: from now on it receives that object's events. */
  private accept(pendingOn: Watcher, t: WatchTarget, stream: WatchStream, read: StateEvent): void {
    pendingOn.pending.delete(stream);
    if (!stream.watching(t.id)) return this.stopIfUnused(pendingOn);
    // The newest state known (a change may have arrived while reading), else the read itself. A read that
    // found nothing is this caller's own answer: never replaced by a state read with other credentials.
    const known = pendingOn.known?.event;
    const event = !read.gone && known && known.observedAt >= read.observedAt ? known : read;
    if (!event.final) {
      // The watcher may have stopped meanwhile (its other subscribers saw a final state): take the current one.
      const w = pendingOn.stopped ? this.watcherFor(t) : pendingOn;
      const key = stream.credentialKey(t.backend);
      let group = w.groups.get(key);
      if (!group) w.groups.set(key, (group = { creds: stream.creds, streams: new Set() }));
      group.streams.add(stream);
    }
    stream.offer(t.id, event);
  }

  /**
   * The current state, cheaply: a state learned less than an interval ago with the same credential key is
   * served as is, and concurrent reads share one upstream call.
   */
  current(target: WatchTarget, creds: CallerCredentials): Promise<StateEvent> {
    const credentialKey = credentialKeyOf(creds, target.backend);
    const w = this.watchers.get(target.id);
    const known = w?.known;
    if (known && known.event.credentialKey === credentialKey && !w.refused.has(credentialKey) && this.now() - known.at < this.intervalMs) {
      return Promise.resolve(known.event);
    }
    return this.sharedRead(target, creds, credentialKey, "read");
  }

  /**
   * Waits until the object's state differs from `knownState` (or it is final), at most `timeoutMs` (the first
   * read is always awaited, bounded by the upstream timeout); answers the current state at once when
   * `knownState` is undefined.
   */
  async waitForChange(target: WatchTarget, creds: CallerCredentials, knownState: string | undefined, timeoutMs: number): Promise<StateEvent> {
    if (knownState === undefined) return this.current(target, creds);
    const stream = this.watch([target], creds);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">(resolve => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      let last: StateEvent | undefined;
      for (;;) {
        const next = stream.next();
        const step = last ? await Promise.race([next, deadline]) : await next;
        if (step === "timeout") return last!;
        if (step.done) {
          if (last) return last;
          throw new Error("The watch ended before any state was read (gateway stopping)");
        }
        if (!step.value.ok) throw step.value.error;
        const event = step.value.event;
        last = event;
        if (event.state !== knownState || event.final) return event;
      }
    } finally {
      clearTimeout(timer);
      await stream.return();
    }
  }

  publishCertificate(certificate: Certificate): void {
    this.publishLocal(certificateEvent(certificate.record, "mutation", this.now()), certificate.record.backend);
  }

  publishRequest(request: Request): void {
    this.publishLocal(requestEvent(request.record, "mutation", this.now()), Backend.HORIZON);
  }

  /** Stops every watcher and ends every stream (gateway shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const stream of [...this.streams]) stream.close();
    for (const w of [...this.watchers.values()]) this.stop(w);
    await this.bus.close?.();
  }

  // ——— internals ———

  private publishLocal(event: StateEvent, backend: Backend): void {
    if (this.closed) return;
    const e: StateEvent = { ...event, credentialKey: this.opts.mutationCredentialKey?.(backend) };
    const w = this.watchers.get(e.id);
    // A local watcher publishes only a change; without one, other instances may still be listening.
    if (w) this.observe(w, e);
    else void Promise.resolve(this.bus.publish(e)).catch(() => {});
  }

  private sharedRead(target: WatchTarget, creds: CallerCredentials, credentialKey: string, source: StateEvent["source"]): Promise<StateEvent> {
    const key = `${target.id}\n${credentialKey}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.opts
        .read(target, creds)
        .then(
          read => {
            const event: StateEvent = { ...read, source, credentialKey };
            const w = this.watchers.get(target.id);
            if (w) {
              w.refused.delete(credentialKey);
              // "Not found" with these credentials, while others still see the object: an answer for this
              // group only (the object may be hidden from it); otherwise the object is gone for everyone.
              if (event.gone && this.hasOtherGroups(w, credentialKey)) this.endGroup(w, credentialKey, s => s.offer(target.id, event));
              else this.observe(w, event);
            }
            return event;
          },
          error => {
            const w = this.watchers.get(target.id);
            if (w && this.isRefusal(error)) {
              // The backend said no to these credentials for this object: their subscribers stop here.
              w.refused.add(credentialKey);
              this.endGroup(w, credentialKey, s => s.fail(target.id, error));
            }
            throw error;
          },
        )
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private hasOtherGroups(w: Watcher, credentialKey: string): boolean {
    for (const [key, group] of w.groups) if (key !== credentialKey && group.streams.size > 0) return true;
    return false;
  }

  /** Ends the watch of one object for every accepted subscriber with one credential key. */
  private endGroup(w: Watcher, credentialKey: string, end: (stream: WatchStream) => void): void {
    const group = w.groups.get(credentialKey);
    if (!group) return;
    w.groups.delete(credentialKey);
    for (const stream of [...group.streams]) end(stream);
    this.stopIfUnused(w);
  }

  private watcherFor(target: WatchTarget): Watcher {
    let w = this.watchers.get(target.id);
    if (!w) {
      const created: Watcher = {
        target,
        pending: new Set(),
        groups: new Map(),
        refused: new Set(),
        delayMs: this.intervalMs,
        tokenHeld: false,
        leased: false,
        stopped: false,
        unsubscribe: () => {},
      };
      created.unsubscribe = this.bus.subscribe(target.id, event => this.onBusEvent(created, event));
      this.watchers.set(target.id, created);
      this.schedule(created, this.withJitter(this.intervalMs));
      w = created;
    }
    return w;
  }

  private stopIfUnused(w: Watcher): void {
    if (w.pending.size > 0) return;
    for (const group of w.groups.values()) if (group.streams.size > 0) return;
    this.stop(w);
  }

  /** @internal a stream leaves one object (final state reached, unsubscribed). */
  detach(id: string, stream: WatchStream): void {
    const w = this.watchers.get(id);
    if (!w) return;
    if (!w.pending.delete(stream)) {
      const key = stream.credentialKey(w.target.backend);
      const group = w.groups.get(key);
      if (!group || !group.streams.delete(stream)) return;
      if (group.streams.size === 0) w.groups.delete(key);
    }
    this.stopIfUnused(w);
  }

  /** @internal */
  forget(stream: WatchStream): void {
    this.streams.delete(stream);
  }

  private stop(w: Watcher): void {
    if (w.stopped) return;
    w.stopped = true;
    clearTimeout(w.timer);
    w.unsubscribe();
    if (this.watchers.get(w.target.id) === w) this.watchers.delete(w.target.id);
    if (w.leased) void Promise.resolve(this.bus.release(w.target.id, this.instanceId)).catch(() => {});
  }

  /** A state this instance read or was told by a mutation: remembered, and published when it changed. */
  private observe(w: Watcher, event: StateEvent): boolean {
    if (w.stopped) return false;
    if (w.known && event.observedAt < w.known.event.observedAt) return false; // older than what is known
    const changed = !w.known || signatureOf(w.known.event) !== signatureOf(event);
    w.known = { event, at: this.now() };
    if (changed) {
      w.delayMs = this.intervalMs;
      void Promise.resolve(this.bus.publish(event)).catch(() => {});
    }
    return changed;
  }

  /** Fan-out: every state published for this object, by this instance or another. */
  private onBusEvent(w: Watcher, event: StateEvent): void {
    if (w.stopped) return;
    if (w.known?.event !== event) {
      if (w.known && event.observedAt < w.known.event.observedAt) return;
      if (!w.known || signatureOf(w.known.event) !== signatureOf(event)) w.delayMs = this.intervalMs;
      w.known = { event, at: this.now() };
    }
    // Accepted subscribers only: a stream whose own first read is under way hears nothing yet.
    for (const group of [...w.groups.values()]) for (const stream of [...group.streams]) stream.offer(w.target.id, event);
    if (event.final) this.stop(w);
  }

  private withJitter(delayMs: number): number {
    return delayMs + Math.floor(this.random() * this.jitterRatio * delayMs);
  }

  private schedule(w: Watcher, delayMs: number): void {
    if (w.stopped) return;
    clearTimeout(w.timer);
    w.timer = setTimeout(() => void this.tick(w), Math.max(0, delayMs));
    w.timer.unref?.();
  }

  private bucket(backend: Backend): TokenBucket {
    let b = this.buckets.get(backend);
    if (!b) this.buckets.set(backend, (b = new TokenBucket(this.opts.maxPollsPerSecond, this.opts.maxPollsPerSecond, this.now)));
    return b;
  }

  private async tick(w: Watcher): Promise<void> {
    if (w.stopped) return;
    if (w.groups.size === 0) {
      if (w.pending.size === 0) return this.stop(w);
      return this.schedule(w, this.withJitter(w.delayMs)); // only first reads under way: nobody to poll for yet
    }
    // Learned recently (read, mutation, another instance's poll)? Then not due yet.
    const due = (w.known?.at ?? 0) + w.delayMs;
    const now = this.now();
    if (now < due) return this.schedule(w, due - now);
    try {
      w.leased = await this.bus.claim(w.target.id, this.instanceId, this.maxIntervalMs * 3);
    } catch {
      w.leased = false;
    }
    if (w.stopped) return;
    if (!w.leased) return this.schedule(w, this.withJitter(w.delayMs)); // another instance polls it
    if (!w.tokenHeld) {
      const wait = this.bucket(w.target.backend).reserve();
      if (wait > 0) {
        w.tokenHeld = true;
        return this.schedule(w, wait);
      }
    }
    w.tokenHeld = false;
    // The accepted groups take turns: each poll uses the group first in line, which then goes last, so every
    // group's credentials are checked again within (number of groups) polls.
    const next = w.groups.entries().next().value;
    if (!next) return this.schedule(w, this.withJitter(w.delayMs));
    const [credentialKey, group] = next;
    w.groups.delete(credentialKey);
    w.groups.set(credentialKey, group);
    const before = w.known ? signatureOf(w.known.event) : undefined;
    try {
      const event = await this.sharedRead(w.target, group.creds, credentialKey, "poll");
      this.opts.onPoll?.(w.target.backend, "ok");
      // A change reset the delay (observe); an unchanged state backs off.
      if (signatureOf(event) === before) w.delayMs = Math.min(this.maxIntervalMs, w.delayMs * this.backoffFactor);
    } catch (error) {
      this.opts.onPoll?.(w.target.backend, "error");
      this.opts.onPollError?.(w.target, error);
      w.delayMs = Math.min(this.maxIntervalMs, w.delayMs * this.backoffFactor);
    }
    this.schedule(w, this.withJitter(w.delayMs));
  }
}

/**
 * One subscriber's view: a queue of states of its objects, deduplicated per object, that ends once every
 * object is final. An async iterator whose `return()` detaches at once (graphql-ws, graphql-sse and
 * graphql-js call it when the client unsubscribes), even while a `next()` waits.
 */
export class WatchStream implements AsyncIterableIterator<WatchItem> {
  private queue: WatchItem[] = [];
  private waiter?: (result: IteratorResult<WatchItem>) => void;
  private readonly open: Set<string>;
  private readonly lastSignature = new Map<string, string>();
  private readonly keys = new Map<Backend, string>();
  private closed = false;

  constructor(
    private readonly hub: WatchHub,
    targets: WatchTarget[],
    readonly creds: CallerCredentials,
  ) {
    this.open = new Set(targets.map(t => t.id));
  }

  /** Whether this stream still wants states of one object. */
  watching(id: string): boolean {
    return !this.closed && this.open.has(id);
  }

  /** The non-secret key of this subscriber's credentials for one backend (see credentialKeyOf). */
  credentialKey(backend: Backend): string {
    let key = this.keys.get(backend);
    if (key === undefined) this.keys.set(backend, (key = credentialKeyOf(this.creds, backend)));
    return key;
  }

  /** A state of one object: queued unless it shows nothing new. */
  offer(id: string, event: StateEvent): void {
    if (this.closed || !this.open.has(id)) return;
    const signature = signatureOf(event);
    if (this.lastSignature.get(id) === signature) return;
    this.lastSignature.set(id, signature);
    if (event.final) this.leave(id);
    this.enqueue({ id, ok: true, event });
  }

  /** The watch of one object failed (its first read, or the backend refused its credentials): tell the subscriber, stop watching it. */
  fail(id: string, error: unknown): void {
    if (this.closed || !this.open.has(id)) return;
    this.leave(id);
    this.enqueue({ id, ok: false, error });
  }

  /** Ends the stream: pending items are dropped and every object is let go. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.open]) this.leave(id);
    this.queue = [];
    this.hub.forget(this);
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<WatchItem>> {
    const item = this.queue.shift();
    if (item) return Promise.resolve({ value: item, done: false });
    if (this.closed || this.open.size === 0) {
      this.close();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise(resolve => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<WatchItem>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<WatchItem>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private leave(id: string): void {
    this.open.delete(id);
    this.hub.detach(id, this);
  }

  private enqueue(item: WatchItem): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w({ value: item, done: false });
    } else {
      this.queue.push(item);
    }
  }
}
