/**
 * One informer per kind: list (in chunks) + watch from the list's resourceVersion, a local cache the port answers
 * `list` from, and the changes fanned out to the port's watchers. A watch that ends is resumed from the last
 * resourceVersion seen (bookmarks included); a watch the API server expired (410 Gone) is replaced by a re-list
 * whose difference to the cache is delivered as added / modified / deleted; any other failure is retried with
 * exponential backoff and reported. Every object is decoded with the port's codec of its kind: one that fails is
 * skipped with a warning naming it and the problem, and never stops the informer.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { DeviceProtocolError, KUBE_OBJECT_CODECS, decodeProblems, isNetloomError, type KubeKind, type KubeObject, type KubeWatchEvent, type Logger, type NetloomError } from '@netloom/ports';
import { statusCodeOf, type KubeApiClient, type KubeWatchStream } from './kube-client';
import { describeObject, resourcePath } from './kube-kinds';

/** Backoff of watch restarts and re-lists. */
export interface BackoffOptions {
  /** First delay (default 250 ms). */
  readonly initialMs?: number;
  /** Longest delay (default 30000 ms). */
  readonly maxMs?: number;
}

/** Someone who receives an informer's changes. */
export interface InformerSubscriber {
  /** Only objects of this namespace (namespaced kinds). */
  readonly namespace?: string;
  readonly handler: (event: KubeWatchEvent) => void;
  readonly onError?: (error: NetloomError) => void;
}

/** What an informer reports about itself (diagnostics). */
export interface InformerState {
  readonly kind: KubeKind;
  readonly synced: boolean;
  readonly resourceVersion: string;
  readonly objects: number;
  /** Watches opened (the first one included). */
  readonly watches: number;
  /** Full lists made (the first one included). */
  readonly lists: number;
  /** Watches the API server expired (410 Gone). */
  readonly expired: number;
  /** Objects skipped because they do not decode. */
  readonly skipped: number;
  readonly lastError?: string;
}

const ListEnvelope = t.type({ metadata: t.type({ resourceVersion: t.string }), items: t.array(t.unknown) });
const WatchLine = t.type({ type: t.string, object: t.UnknownRecord });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** True if resourceVersion `a` is known to be newer than `b` (both numeric); unknown orders count as newer. */
export function isNewer(a: string, b: string): boolean {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return a !== b;
  return BigInt(a) > BigInt(b);
}

/** The list + watch loop and cache of one kind. */
export class KindInformer {
  private cache = new Map<string, KubeObject>();
  private rv = '';
  private syncing: Promise<void> | undefined;
  private synced = false;
  private stopped = false;
  private stream: KubeWatchStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private delay: number;
  /** Bumped on every (re)start: callbacks of an older watch are ignored. */
  private epoch = 0;
  private readonly subscribers = new Set<InformerSubscriber>();
  private counters = { watches: 0, lists: 0, expired: 0, skipped: 0 };
  private lastError: string | undefined;
  /** Objects already warned about (kind/ns/name@rv), so a bad object is reported once per version. */
  private readonly warned = new Set<string>();

  constructor(
    readonly kind: KubeKind,
    private readonly client: KubeApiClient,
    private readonly o: { readonly logger: Logger; readonly namespace?: string; readonly resyncSec?: number; readonly backoff?: BackoffOptions; readonly watchTimeoutSec?: number },
  ) {
    this.delay = o.backoff?.initialMs ?? 250;
  }

  /** Lists and starts watching, once; resolves when the cache is filled. A failed first list rejects (and may be retried). */
  ensureSynced(): Promise<void> {
    this.syncing ??= this.startInformer().catch((err: unknown) => {
      this.syncing = undefined;
      throw err;
    });
    return this.syncing;
  }

  private async startInformer(): Promise<void> {
    await this.relist();
    this.synced = true;
    void this.openWatch();
    const every = this.o.resyncSec ?? 0;
    if (every > 0) {
      this.resyncTimer = setInterval(() => void this.resync(), every * 1000);
      this.resyncTimer.unref();
    }
  }

  /** The cached objects (decoded, frozen), in no particular order. */
  objects(): KubeObject[] {
    return [...this.cache.values()];
  }

  /** The last resourceVersion seen (list, event or bookmark). */
  get resourceVersion(): string {
    return this.rv;
  }

  /** Adds a subscriber and hands it the current objects as `added` first (synchronously). Returns the remover. */
  subscribe(s: InformerSubscriber, sort: (xs: KubeObject[]) => KubeObject[]): () => void {
    for (const object of sort(this.objects().filter((o) => this.sees(s, o)))) this.call(s, { type: 'added', object } as KubeWatchEvent);
    this.subscribers.add(s);
    return () => void this.subscribers.delete(s);
  }

  /** Diagnostics. */
  state(): InformerState {
    return { kind: this.kind, synced: this.synced, resourceVersion: this.rv, objects: this.cache.size, ...this.counters, ...(this.lastError === undefined ? {} : { lastError: this.lastError }) };
  }

  /** Stops watching. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.epoch++;
    this.stream?.abort();
    this.stream = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.resyncTimer !== undefined) clearInterval(this.resyncTimer);
    this.subscribers.clear();
  }

  /**
   * Takes an object a write returned (read-your-writes): stored and delivered as `modified` if it is newer than
   * the cached one; the watch event with the same resourceVersion then changes nothing.
   */
  observe(raw: unknown): void {
    if (!this.synced) return;
    const o = this.decode(raw);
    if (o === undefined) return;
    const cur = this.cache.get(keyOf(o));
    if (cur !== undefined && !isNewer(o.metadata.resourceVersion, cur.metadata.resourceVersion)) return;
    this.cache.set(keyOf(o), o);
    this.dispatch({ type: cur === undefined ? 'added' : 'modified', object: o } as KubeWatchEvent);
  }

  private sees(s: InformerSubscriber, o: KubeObject): boolean {
    return s.namespace === undefined || o.metadata.namespace === undefined || o.metadata.namespace === s.namespace;
  }

  private call(s: InformerSubscriber, e: KubeWatchEvent): void {
    try {
      s.handler(e);
    } catch (err) {
      this.o.logger.warn({ err: isNetloomError(err) ? err.toJSON() : String(err), event: e.type, kind: e.object.kind, name: e.object.metadata.name }, 'a watch handler threw (the watch goes on)');
    }
  }

  private dispatch(e: KubeWatchEvent): void {
    for (const s of [...this.subscribers]) if (this.subscribers.has(s) && this.sees(s, e.object)) this.call(s, e);
  }

  private report(err: NetloomError, what: string): void {
    this.lastError = err.message;
    this.o.logger.warn({ kind: this.kind, err: err.toJSON(), retryInMs: this.delay }, `${what} failed; retrying with backoff`);
    for (const s of [...this.subscribers]) {
      try {
        s.onError?.(err);
      } catch {
        // An onError that throws must not stop the informer.
      }
    }
  }

  /** Decodes an object of the kind; undefined (and one warning per version) if it does not decode. */
  private decode(raw: unknown): KubeObject | undefined {
    const value = isRecord(raw) ? { ...raw, kind: this.kind } : raw;
    const r = decodeProblems(KUBE_OBJECT_CODECS[this.kind] as t.Type<KubeObject, unknown, unknown>, value);
    if (r.value !== undefined) return Object.freeze(r.value);
    this.counters.skipped++;
    const meta = isRecord(raw) && isRecord(raw['metadata']) ? raw['metadata'] : {};
    const name = typeof meta['name'] === 'string' ? meta['name'] : '(no name)';
    const ns = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined;
    const id = `${describeObject(this.kind, ns, name)}@${String(meta['resourceVersion'])}`;
    if (!this.warned.has(id)) {
      this.warned.add(id);
      if (this.warned.size > 10_000) this.warned.clear();
      this.o.logger.warn({ kind: this.kind, namespace: ns, name, problems: r.problems }, `skipping ${describeObject(this.kind, ns, name)}: it does not decode (${r.problems.map((p) => `${p.path}: ${p.reason}`).join('; ')})`);
    }
    return undefined;
  }

  private path(): string {
    return resourcePath(this.kind, this.o.namespace === undefined ? {} : { namespace: this.o.namespace });
  }

  /** Lists every object in chunks and replaces the cache, delivering the difference. */
  private async relist(): Promise<void> {
    const epoch = this.epoch;
    this.counters.lists++;
    const items: unknown[] = [];
    let rv = '';
    let cont: string | undefined;
    let restarts = 0;
    do {
      let page: unknown;
      try {
        page = await this.client.request({ method: 'GET', path: this.path(), query: { limit: 500, ...(cont === undefined ? {} : { continue: cont }) } });
      } catch (err) {
        // The continue token expired between two chunks: start over (a few times), as client-go's pager does.
        if (statusCodeOf(err) === 410 && cont !== undefined && restarts < 3) {
          restarts++;
          items.length = 0;
          cont = undefined;
          continue;
        }
        throw err;
      }
      const env = ListEnvelope.decode(page);
      if (env._tag === 'Left') throw new DeviceProtocolError(`list of ${this.kind} objects: the API server answered something that is not a list`);
      items.push(...env.right.items);
      rv = env.right.metadata.resourceVersion;
      const c = isRecord(page) && isRecord(page['metadata']) ? page['metadata']['continue'] : undefined;
      cont = typeof c === 'string' && c !== '' ? c : undefined;
    } while (cont !== undefined);
    if (epoch !== this.epoch || this.stopped) return;
    const next = new Map<string, KubeObject>();
    for (const raw of items) {
      const o = this.decode(raw);
      if (o !== undefined) next.set(keyOf(o), o);
      else {
        // A cached object whose new version does not decode keeps its last good state (nothing is deleted for it).
        const meta = isRecord(raw) && isRecord(raw['metadata']) ? raw['metadata'] : {};
        const key = `${typeof meta['namespace'] === 'string' ? meta['namespace'] : ''}/${String(meta['name'])}`;
        const old = this.cache.get(key);
        if (old !== undefined) next.set(key, old);
      }
    }
    const previous = this.cache;
    this.cache = next;
    this.rv = rv;
    const changes: KubeWatchEvent[] = [];
    for (const [k, o] of [...next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const old = previous.get(k);
      if (old === undefined) changes.push({ type: 'added', object: o } as KubeWatchEvent);
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) changes.push({ type: 'modified', object: o } as KubeWatchEvent);
    }
    for (const [k, o] of previous) if (!next.has(k)) changes.push({ type: 'deleted', object: o } as KubeWatchEvent);
    for (const e of changes) this.dispatch(e);
  }

  private schedule(fn: () => void): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const jitter = this.delay * (0.8 + Math.random() * 0.4);
    this.timer = setTimeout(fn, jitter);
    this.timer.unref();
    this.delay = Math.min(this.delay * 2, this.o.backoff?.maxMs ?? 30_000);
  }

  private resetBackoff(): void {
    this.delay = this.o.backoff?.initialMs ?? 250;
    this.lastError = undefined;
  }

  /** Re-lists until it works, then watches again. */
  private relistAndWatch(): void {
    if (this.stopped) return;
    const epoch = ++this.epoch;
    this.relist().then(
      () => {
        if (epoch !== this.epoch || this.stopped) return;
        this.resetBackoff();
        void this.openWatch();
      },
      (err: unknown) => {
        if (epoch !== this.epoch || this.stopped) return;
        this.report(toNetloomError(err), `re-list of ${this.kind}`);
        this.schedule(() => this.relistAndWatch());
      },
    );
  }

  /** A periodic re-list (resyncSec): the watch is stopped meanwhile so the two cannot interleave. */
  private resync(): void {
    if (this.stopped || !this.synced) return;
    this.stream?.abort();
    this.stream = undefined;
    this.relistAndWatch();
  }

  private async openWatch(): Promise<void> {
    if (this.stopped) return;
    const epoch = ++this.epoch;
    this.counters.watches++;
    const opened = Date.now();
    let events = 0;
    let expired = false;
    let protocolError: NetloomError | undefined;
    const timeoutSec = this.o.watchTimeoutSec ?? 300 + Math.floor(Math.random() * 300);
    const onEvent = (raw: unknown): void => {
      if (epoch !== this.epoch) return;
      const line = WatchLine.decode(raw);
      if (line._tag === 'Left') {
        protocolError = new DeviceProtocolError(`watch of ${this.kind}: an event without type and object`);
        return;
      }
      const { type, object } = line.right;
      const meta = isRecord(object['metadata']) ? object['metadata'] : {};
      const rv = typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : undefined;
      events++;
      if (type === 'BOOKMARK') {
        if (rv !== undefined) this.rv = rv;
        return;
      }
      if (type === 'ERROR') {
        const code = typeof object['code'] === 'number' ? object['code'] : 0;
        if (code === 410) expired = true;
        else protocolError = new DeviceProtocolError(`watch of ${this.kind}: the API server sent an error (${code} ${String(object['reason'] ?? '')}: ${String(object['message'] ?? '')})`, { details: { status: code } });
        return;
      }
      if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
      if (rv !== undefined) this.rv = rv;
      this.apply(type, object);
    };
    const done = (err: NetloomError | undefined): void => {
      if (epoch !== this.epoch || this.stopped) return;
      this.stream = undefined;
      const failure = protocolError ?? err;
      if (expired || statusCodeOf(failure) === 410) {
        this.counters.expired++;
        this.o.logger.info({ kind: this.kind, resourceVersion: this.rv }, `the watch of ${this.kind} expired (410 Gone): re-listing`);
        this.relistAndWatch();
        return;
      }
      if (failure !== undefined) {
        this.report(failure, `watch of ${this.kind}`);
        this.schedule(() => void this.openWatch());
        return;
      }
      // A clean end (server timeout, a dropped stream): resume at once, unless the server keeps closing at once.
      if (events > 0 || Date.now() - opened > 1000) {
        this.resetBackoff();
        void this.openWatch();
      } else this.schedule(() => void this.openWatch());
    };
    const stream = await this.client.watch(this.path(), { resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds: timeoutSec }, onEvent, done);
    if (epoch === this.epoch && !this.stopped) this.stream = stream;
    else stream.abort();
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', raw: Record<string, unknown>): void {
    if (type === 'DELETED') {
      const meta = isRecord(raw['metadata']) ? raw['metadata'] : {};
      const key = `${typeof meta['namespace'] === 'string' ? meta['namespace'] : ''}/${String(meta['name'])}`;
      const cached = this.cache.get(key);
      if (cached === undefined) return;
      this.cache.delete(key);
      const last = this.decode(raw) ?? cached;
      this.dispatch({ type: 'deleted', object: last } as KubeWatchEvent);
      return;
    }
    const o = this.decode(raw);
    if (o === undefined) return;
    const cur = this.cache.get(keyOf(o));
    if (cur !== undefined && !isNewer(o.metadata.resourceVersion, cur.metadata.resourceVersion)) return;
    this.cache.set(keyOf(o), o);
    this.dispatch({ type: cur === undefined ? 'added' : 'modified', object: o } as KubeWatchEvent);
  }
}

/** Any thrown value as a port error. */
export function toNetloomError(err: unknown): NetloomError {
  if (isNetloomError(err)) return err;
  return new DeviceProtocolError(`unexpected failure: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
