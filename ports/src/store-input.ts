/**
 * Validation of what callers hand to a store: keys, JSON values, commit options, journal queries. Store adapters
 * (sqlite, etcd, the engine's in-memory store) call these before touching their backend, so every store rejects
 * the same inputs with the same messages, and every problem is reported at once (InputError).
 * @packageDocumentation
 */
import { InputError, quoteText, type InputProblem } from './errors';
import { isStoreKey, type CommitOptions, type JsonValue, type ReadJournalOptions } from './store.port';

const MAX_DEPTH = 64;
const PREFIX = /^[A-Za-z0-9._:@/-]*$/;
const JOURNAL_TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * Where and why `value` is not a JSON value (`undefined` when it is). `path` is relative to `root`. Rejects
 * NaN/Infinity, `undefined`, functions, cycles and class instances (Date, Map, ...).
 */
export function storeJsonProblem(value: unknown, root = 'value'): InputProblem | undefined {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string, depth: number): InputProblem | undefined => {
    if (depth > MAX_DEPTH) return { path, reason: `nested deeper than ${MAX_DEPTH} levels` };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return undefined;
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : { path, reason: `${String(v)} is not a JSON number` };
    if (typeof v !== 'object') return { path, reason: `${typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`} is not a JSON value` };
    if (seen.has(v)) return { path, reason: 'circular reference: not a JSON value' };
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const p = walk(v[i], `${path}[${i}]`, depth + 1);
          if (p !== undefined) return p;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return { path, reason: 'only plain objects are JSON values' };
      for (const [k, x] of Object.entries(v)) {
        const p = walk(x, `${path}.${k}`, depth + 1);
        if (p !== undefined) return p;
      }
      return undefined;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, root, 0);
}

function keyReason(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'a key must be a string';
  if (isStoreKey(key)) return undefined;
  return `${quoteText(key)} is not a store key ('/'-separated segments of letters, digits and . _ : @ -, at most 512 characters)`;
}

/** Throws InputError unless `key` is a valid store key. */
export function assertStoreKey(key: unknown, what = 'key'): asserts key is string {
  const r = keyReason(key);
  if (r !== undefined) throw InputError.fromProblems(`store ${what}`, [{ path: what, reason: r }]);
}

/** Throws InputError unless `prefix` is empty or made of key characters (a trailing `/` is allowed). */
export function assertStorePrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || prefix.length > 512 || !PREFIX.test(prefix)) {
    throw InputError.fromProblems('store list prefix', [{ path: 'prefix', reason: `${typeof prefix === 'string' ? quoteText(prefix, 600) : String(JSON.stringify(prefix))} is not a key prefix (key characters and '/', at most 512 characters)` }]);
  }
}

/** A commit after validation, with each value already serialised. */
export interface ValidStoreCommit {
  readonly checks: readonly { key: string; revision: number }[];
  readonly puts: readonly { key: string; value: JsonValue; json: string }[];
  readonly deletes: readonly string[];
  readonly journal?: { readonly type: string; readonly data: string };
}

/** Validates commit options; throws InputError listing every problem. */
export function validateStoreCommit(opts: CommitOptions): ValidStoreCommit {
  const problems: InputProblem[] = [];
  const checks: { key: string; revision: number }[] = [];
  const puts: { key: string; value: JsonValue; json: string }[] = [];
  const deletes: string[] = [];
  const written = new Set<string>();
  if (typeof opts !== 'object' || opts === null) throw InputError.fromProblems('store commit', [{ path: '', reason: 'must be an object' }]);
  (opts.checks ?? []).forEach((c, i) => {
    const r = keyReason(c?.key);
    if (r !== undefined) problems.push({ path: `checks[${i}].key`, reason: r });
    if (!(typeof c?.revision === 'number' && Number.isSafeInteger(c.revision) && c.revision >= 0)) {
      problems.push({ path: `checks[${i}].revision`, reason: `${JSON.stringify(c?.revision)} is not a revision (an integer >= 0; 0 = absent)` });
    }
    if (r === undefined) checks.push({ key: c.key, revision: c.revision });
  });
  (opts.puts ?? []).forEach((p, i) => {
    const r = keyReason(p?.key);
    if (r !== undefined) problems.push({ path: `puts[${i}].key`, reason: r });
    const j = storeJsonProblem(p?.value, `puts[${i}].value`);
    if (j !== undefined) problems.push(j);
    if (r === undefined && written.has(p.key)) problems.push({ path: `puts[${i}].key`, reason: `${p.key} is written twice in one commit` });
    if (r === undefined) written.add(p.key);
    if (r === undefined && j === undefined) puts.push({ key: p.key, value: p.value, json: JSON.stringify(p.value) });
  });
  (opts.deletes ?? []).forEach((k, i) => {
    const r = keyReason(k);
    if (r !== undefined) problems.push({ path: `deletes[${i}]`, reason: r });
    else if (written.has(k)) problems.push({ path: `deletes[${i}]`, reason: `${k} is written twice in one commit` });
    else {
      written.add(k);
      deletes.push(k);
    }
  });
  let journal: ValidStoreCommit['journal'];
  if (opts.journal !== undefined) {
    const { type, data } = opts.journal;
    if (typeof type !== 'string' || type.length > 128 || !JOURNAL_TYPE.test(type)) {
      problems.push({ path: 'journal.type', reason: `${typeof type === 'string' ? quoteText(type, 200) : String(JSON.stringify(type))} is not a dotted journal type (ipam.allocate)` });
    }
    const j = storeJsonProblem(data, 'journal.data');
    if (j !== undefined) problems.push(j);
    if (problems.length === 0) journal = { type, data: JSON.stringify(data) };
  }
  if (problems.length > 0) throw InputError.fromProblems('store commit', problems);
  return journal === undefined ? { checks, puts, deletes } : { checks, puts, deletes, journal };
}

/** Journal query after validation. */
export interface ValidJournalQuery {
  readonly afterSeq: number;
  readonly limit: number;
  readonly type?: string;
}

/** Validates journal query options (defaults: afterSeq 0, limit 1000). */
export function validateJournalQuery(opts: ReadJournalOptions = {}): ValidJournalQuery {
  const problems: InputProblem[] = [];
  const afterSeq = opts.afterSeq ?? 0;
  const limit = opts.limit ?? 1000;
  if (!(Number.isSafeInteger(afterSeq) && afterSeq >= 0)) problems.push({ path: 'afterSeq', reason: `${JSON.stringify(opts.afterSeq)} is not an integer >= 0` });
  if (!(Number.isSafeInteger(limit) && limit >= 1)) problems.push({ path: 'limit', reason: `${JSON.stringify(opts.limit)} is not an integer >= 1` });
  if (opts.type !== undefined && (typeof opts.type !== 'string' || !JOURNAL_TYPE.test(opts.type))) {
    problems.push({ path: 'type', reason: `${JSON.stringify(opts.type)} is not a dotted journal type or prefix` });
  }
  if (problems.length > 0) throw InputError.fromProblems('store journal query', problems);
  return opts.type === undefined ? { afterSeq, limit } : { afterSeq, limit, type: opts.type };
}
