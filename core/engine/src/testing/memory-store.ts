/**
 * An in-memory {@link StorePort} with the same semantics as the real stores: global revisions that never repeat,
 * atomic compare-and-set commits, a journal, watch, close. For engine and plugin tests.
 * @packageDocumentation
 */
import {
  InputError,
  isStoreKey,
  StoreError,
  type CommitOptions,
  type CommitResult,
  type InputProblem,
  type JournalRecord,
  type JsonValue,
  type ReadJournalOptions,
  type StoreCapabilities,
  type StoreCheck,
  type StoreEntry,
  type StorePort,
  type StoreWatchEvent,
} from '@netloom/ports';

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

const PREFIX = /^[A-Za-z0-9._:@/-]*$/;
const JOURNAL_TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

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
    checkKeys('store get', [['key', opts.key]]);
    const e = this.data.get(opts.key);
    return e === undefined ? undefined : { key: opts.key, value: JSON.parse(e.json) as JsonValue, revision: e.revision };
  }

  /** @inheritDoc */
  async list(opts: { readonly prefix: string }): Promise<StoreEntry[]> {
    await this.enter('list');
    checkPrefix(opts.prefix);
    return [...this.data.entries()]
      .filter(([k]) => k.startsWith(opts.prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, e]) => ({ key, value: JSON.parse(e.json) as JsonValue, revision: e.revision }));
  }

  /** @inheritDoc */
  async commit(opts: CommitOptions): Promise<CommitResult> {
    await this.enter('commit');
    const c = validateCommit(opts);
    const failed: StoreCheck[] = [];
    for (const check of c.checks) {
      const found = this.data.get(check.key)?.revision ?? 0;
      if (found !== check.revision) failed.push({ key: check.key, revision: found });
    }
    if (failed.length > 0) return { ok: false, failed };
    const revisions: Record<string, number> = {};
    const events: StoreWatchEvent[] = [];
    if (c.puts.length > 0 || c.deletes.length > 0) {
      const revision = ++this.revision;
      for (const p of c.puts) {
        this.data.set(p.key, { json: p.json, revision });
        revisions[p.key] = revision;
        events.push({ type: 'put', key: p.key, value: JSON.parse(p.json) as JsonValue, revision });
      }
      for (const key of c.deletes) if (this.data.delete(key)) events.push({ type: 'delete', key, revision });
    }
    if (c.journal !== undefined) this.journal.push({ seq: this.journal.length + 1, at: new Date().toISOString(), type: c.journal.type, data: JSON.parse(c.journal.json) as JsonValue });
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
    const afterSeq = opts.afterSeq ?? 0;
    const limit = opts.limit ?? 1000;
    const problems: InputProblem[] = [];
    if (!(Number.isSafeInteger(afterSeq) && afterSeq >= 0)) problems.push({ path: 'afterSeq', reason: 'not an integer >= 0' });
    if (!(Number.isSafeInteger(limit) && limit >= 1)) problems.push({ path: 'limit', reason: 'not an integer >= 1' });
    if (opts.type !== undefined && !JOURNAL_TYPE.test(opts.type)) problems.push({ path: 'type', reason: 'not a dotted journal type' });
    if (problems.length > 0) throw InputError.fromProblems('store journal query', problems);
    const t = opts.type;
    return this.journal
      .filter((r) => r.seq > afterSeq && (t === undefined || r.type === t || r.type.startsWith(`${t}.`)))
      .slice(0, limit)
      .map((r) => ({ ...r, data: structuredClone(r.data) }));
  }

  /** @inheritDoc */
  watch(opts: { readonly prefix: string }, listener: (event: StoreWatchEvent) => void): () => void {
    this.assertOpen('watch');
    checkPrefix(opts.prefix);
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

function checkKeys(subject: string, keys: readonly [string, unknown][]): void {
  const problems = keys.filter(([, k]) => typeof k !== 'string' || !isStoreKey(k)).map(([path, k]) => ({ path, reason: `${JSON.stringify(k)} is not a store key` }));
  if (problems.length > 0) throw InputError.fromProblems(subject, problems);
}

function checkPrefix(prefix: unknown): void {
  if (typeof prefix !== 'string' || prefix.length > 512 || !PREFIX.test(prefix)) {
    throw InputError.fromProblems('store list prefix', [{ path: 'prefix', reason: `${JSON.stringify(prefix)} is not a key prefix` }]);
  }
}

/** Where `value` is not JSON, or undefined. */
function jsonProblem(value: unknown, root: string): InputProblem | undefined {
  const stack = new Set<object>();
  const walk = (v: unknown, path: string, depth: number): InputProblem | undefined => {
    if (depth > 64) return { path, reason: 'nested too deep' };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return undefined;
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : { path, reason: `${String(v)} is not a JSON number` };
    if (typeof v !== 'object') return { path, reason: `${typeof v} is not a JSON value` };
    if (stack.has(v)) return { path, reason: 'circular reference' };
    const proto = Object.getPrototypeOf(v) as unknown;
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return { path, reason: 'only plain objects are JSON values' };
    stack.add(v);
    try {
      const items: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x]) : Object.entries(v).map(([k, x]) => [`.${k}`, x]);
      for (const [p, x] of items) {
        const r = walk(x, path + p, depth + 1);
        if (r !== undefined) return r;
      }
      return undefined;
    } finally {
      stack.delete(v);
    }
  };
  return walk(value, root, 0);
}

function validateCommit(opts: CommitOptions): {
  checks: StoreCheck[];
  puts: { key: string; json: string }[];
  deletes: string[];
  journal?: { type: string; json: string };
} {
  const problems: InputProblem[] = [];
  const written = new Set<string>();
  const keyOk = (k: unknown, path: string): k is string => {
    if (typeof k === 'string' && isStoreKey(k)) return true;
    problems.push({ path, reason: `${JSON.stringify(k)} is not a store key` });
    return false;
  };
  const once = (k: string, path: string): void => {
    if (written.has(k)) problems.push({ path, reason: `${k} is written twice in one commit` });
    written.add(k);
  };
  const checks: StoreCheck[] = [];
  (opts.checks ?? []).forEach((c, i) => {
    const ok = keyOk(c.key, `checks[${i}].key`);
    if (!(Number.isSafeInteger(c.revision) && c.revision >= 0)) problems.push({ path: `checks[${i}].revision`, reason: 'not a revision (an integer >= 0)' });
    else if (ok) checks.push({ key: c.key, revision: c.revision });
  });
  const puts: { key: string; json: string }[] = [];
  (opts.puts ?? []).forEach((p, i) => {
    const ok = keyOk(p.key, `puts[${i}].key`);
    if (ok) once(p.key, `puts[${i}].key`);
    const j = jsonProblem(p.value, `puts[${i}].value`);
    if (j !== undefined) problems.push(j);
    else if (ok) puts.push({ key: p.key, json: JSON.stringify(p.value) });
  });
  const deletes: string[] = [];
  (opts.deletes ?? []).forEach((k, i) => {
    if (keyOk(k, `deletes[${i}]`)) {
      once(k, `deletes[${i}]`);
      deletes.push(k);
    }
  });
  let journal: { type: string; json: string } | undefined;
  if (opts.journal !== undefined) {
    if (typeof opts.journal.type !== 'string' || opts.journal.type.length > 128 || !JOURNAL_TYPE.test(opts.journal.type)) {
      problems.push({ path: 'journal.type', reason: `${JSON.stringify(opts.journal.type)} is not a dotted journal type` });
    }
    const j = jsonProblem(opts.journal.data, 'journal.data');
    if (j !== undefined) problems.push(j);
    else journal = { type: opts.journal.type, json: JSON.stringify(opts.journal.data) };
  }
  if (problems.length > 0) throw InputError.fromProblems('store commit', problems);
  return journal === undefined ? { checks, puts, deletes } : { checks, puts, deletes, journal };
}
