/**
 * An in-memory {@link StorePort} with the same semantics as the real stores: global revisions that never repeat,
 * atomic compare-and-set commits, a journal, watch, close. For engine and plugin tests.
 * @packageDocumentation
 */
import {
  StoreError,
  assertStoreKey,
  assertStorePrefix,
  validateJournalQuery,
  validateStoreCommit,
  type CommitOptions,
  type CommitResult,
  type JournalRecord,
  type JsonValue,
  type ReadJournalOptions,
  type StoreCapabilities,
  type StoreCheck,
  type StoreEntry,
  type StorePort,
  type StoreWatchEvent,
} from '@netloom/ports';
import { SortedKeys } from './sorted-keys';

/** The operations a {@link MemoryStoreOptions.beforeOperation} hook is told about. */
export type MemoryStoreOperation = 'get' | 'list' | 'commit' | 'readJournal';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Awaited before each operation runs (the operation itself is atomic). Tests use it to interleave concurrent
   * callers: a random delay, or fast-check's scheduler (`() => s.schedule(Promise.resolve())`).
   */
  readonly beforeOperation?: (op: MemoryStoreOperation) => Promise<void>;
}

/**
 * The in-memory store. Values are copied in and out (a caller can never change stored state by mutating an
 * object). Watch listeners run synchronously after the commit.
 *
 * @example
 * const store = new MemoryStore();
 * const ipam = new IpamAllocator({ store });
 */
export class MemoryStore implements StorePort {
  readonly capabilities: StoreCapabilities = Object.freeze({ watch: true, multiProcess: false, leases: false });

  private readonly data = new Map<string, { json: string; revision: number }>();
  /** The keys of `data`, sorted (so `list` costs O(log n + matches)). */
  private readonly keys = new SortedKeys();
  private readonly journal: JournalRecord[] = [];
  private readonly watchers = new Set<{ prefix: string; listener: (e: StoreWatchEvent) => void }>();
  private revision = 0;
  private closed = false;
  private readonly beforeOperation: ((op: MemoryStoreOperation) => Promise<void>) | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.beforeOperation = options.beforeOperation;
  }

  /** How many keys are stored (for tests). */
  get size(): number {
    return this.data.size;
  }

  /** @inheritDoc */
  async get(opts: { readonly key: string }): Promise<StoreEntry | undefined> {
    await this.enter('get');
    assertStoreKey(opts.key);
    const e = this.data.get(opts.key);
    return e === undefined ? undefined : { key: opts.key, value: JSON.parse(e.json) as JsonValue, revision: e.revision };
  }

  /** @inheritDoc */
  async list(opts: { readonly prefix: string }): Promise<StoreEntry[]> {
    await this.enter('list');
    assertStorePrefix(opts.prefix);
    const out: StoreEntry[] = [];
    for (const key of this.keys.withPrefix(opts.prefix)) {
      const e = this.data.get(key) as { json: string; revision: number };
      out.push({ key, value: JSON.parse(e.json) as JsonValue, revision: e.revision });
    }
    return out;
  }

  /** @inheritDoc */
  async commit(opts: CommitOptions): Promise<CommitResult> {
    await this.enter('commit');
    const c = validateStoreCommit(opts);
    const failed: StoreCheck[] = [];
    for (const check of c.checks) {
      const found = this.data.get(check.key)?.revision ?? 0;
      if (found !== check.revision) failed.push({ key: check.key, revision: found });
    }
    if (failed.length > 0) return { ok: false, failed };
    const revisions: Record<string, number> = {};
    const events: StoreWatchEvent[] = [];
    // Without watchers no listener can run (nor add a watcher), so no events are built (saves parsing every put).
    const notify = this.watchers.size > 0;
    if (c.puts.length > 0 || c.deletes.length > 0) {
      const revision = ++this.revision;
      for (const p of c.puts) {
        if (!this.data.has(p.key)) this.keys.add(p.key);
        this.data.set(p.key, { json: p.json, revision });
        revisions[p.key] = revision;
        if (notify) events.push({ type: 'put', key: p.key, value: JSON.parse(p.json) as JsonValue, revision });
      }
      for (const key of c.deletes) {
        if (!this.data.delete(key)) continue;
        this.keys.delete(key);
        if (notify) events.push({ type: 'delete', key, revision });
      }
    }
    if (c.journal !== undefined) this.journal.push({ seq: this.journal.length + 1, at: new Date().toISOString(), type: c.journal.type, data: JSON.parse(c.journal.data) as JsonValue });
    for (const e of events) {
      for (const w of [...this.watchers]) {
        if (!e.key.startsWith(w.prefix)) continue;
        try {
          w.listener(e);
        } catch {
          // A listener's failure never affects the commit.
        }
      }
    }
    return { ok: true, revisions };
  }

  /** @inheritDoc */
  async readJournal(opts: ReadJournalOptions = {}): Promise<JournalRecord[]> {
    await this.enter('readJournal');
    const { afterSeq, limit, type: t } = validateJournalQuery(opts);
    return this.journal
      .filter((r) => r.seq > afterSeq && (t === undefined || r.type === t || r.type.startsWith(`${t}.`)))
      .slice(0, limit)
      .map((r) => ({ ...r, data: structuredClone(r.data) }));
  }

  /** @inheritDoc */
  watch(opts: { readonly prefix: string }, listener: (event: StoreWatchEvent) => void): () => void {
    this.assertOpen('watch');
    assertStorePrefix(opts.prefix);
    const w = { prefix: opts.prefix, listener };
    this.watchers.add(w);
    return () => {
      this.watchers.delete(w);
    };
  }

  /** @inheritDoc */
  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
  }

  private async enter(op: MemoryStoreOperation): Promise<void> {
    this.assertOpen(op);
    if (this.beforeOperation !== undefined) {
      await this.beforeOperation(op);
      this.assertOpen(op);
    }
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new StoreError(`memory store: ${op} after close`);
  }
}
