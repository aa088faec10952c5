/**
 * What the allocators share: store key building, input checks, the next-fit search with compare-and-set claims,
 * and bounded retries.
 *
 * The allocators keep no state in memory. Every decision is taken on values just read from the store and is
 * committed with checks on exactly the keys it relies on, so a concurrent allocator (another replica, another
 * process) that changed one of them makes the commit fail; the allocator then re-reads and tries again (or tries
 * the next candidate), a bounded number of times.
 * @packageDocumentation
 */
import { ConflictError, InputError, isStoreKey, StoreError, type CommitResult, type InputProblem, type JsonValue, type StoreEntry } from '@netloom/ports';
import type { SpanSet } from './span-set';

/** How many times an operation re-reads and retries after a lost compare-and-set before it gives up (ConflictError). */
export const MAX_ATTEMPTS = 24;
/** How many candidates the next-fit search probes one by one before it lists the whole pool once. */
export const PROBE_LIMIT = 32;
/** How many claims (commits) one search may lose to concurrent allocators before it starts over. */
export const MAX_LOST_CLAIMS = 64;

/**
 * Ids of subnets, nodes and logical switches: 1..253 characters, letters, digits, `.`, `_`, `-`, starting with a
 * letter or digit (a Kubernetes object or node name fits).
 */
export const ALLOCATOR_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

const PLAIN_SEGMENT_CHAR = /^[A-Za-z0-9._:-]$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const encoder = new TextEncoder();

/**
 * Encodes any non-empty text as one store key segment, injectively: letters, digits and `. _ : -` stay, every
 * other character (including `@` and `/`) becomes `@` + two hex digits per UTF-8 byte. `ns/web-0` → `ns@2fweb-0`.
 */
export function keySegment(text: string): string {
  let out = '';
  for (const ch of text) {
    if (PLAIN_SEGMENT_CHAR.test(ch)) out += ch;
    else for (const b of encoder.encode(ch)) out += `@${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Joins segments into a key; throws InputError if the result is not a valid store key (too long). */
export function storeKey(what: string, ...segments: string[]): string {
  const key = segments.join('/');
  if (!isStoreKey(key)) throw InputError.fromProblems(what, [{ path: '', reason: `the store key for it would be invalid or longer than 512 characters: ${JSON.stringify(key.slice(0, 80))}...` }]);
  return key;
}

/** Problem with an id (subnet, node, LS), or undefined. */
export function idProblem(value: unknown, path: string): InputProblem | undefined {
  if (typeof value === 'string' && ALLOCATOR_ID.test(value)) return undefined;
  return { path, reason: `${JSON.stringify(value)} is not an id: use 1-253 letters, digits, '.', '_' or '-', starting with a letter or digit` };
}

/** Problem with an owner key (free text: `ns/pod`, `vpc/blue`), or undefined. */
export function ownerProblem(value: unknown, path: string): InputProblem | undefined {
  if (typeof value !== 'string' || value.length === 0) return { path, reason: 'required: a non-empty owner key' };
  if (value.length > 253) return { path, reason: `is ${value.length} characters long, at most 253 allowed` };
  if (CONTROL.test(value)) return { path, reason: 'must not contain control characters' };
  return undefined;
}

/** Throws InputError listing the problems, if any. */
export function throwIfProblems(subject: string, problems: readonly (InputProblem | undefined)[]): void {
  const real = problems.filter((p): p is InputProblem => p !== undefined);
  if (real.length > 0) throw InputError.fromProblems(subject, real);
}

/** Reads a JSON object stored by an allocator; a value of another shape is a damaged store (StoreError). */
export function objectValue(entry: StoreEntry): Record<string, JsonValue> {
  const v = entry.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new StoreError(`store value of ${entry.key} is not an object: ${JSON.stringify(v)}`, { details: { key: entry.key } });
  return v;
}

/** A string field of a stored object (StoreError if missing). */
export function stringField(entry: StoreEntry, field: string): string {
  const v = objectValue(entry)[field];
  if (typeof v !== 'string') throw new StoreError(`store value of ${entry.key} has no string "${field}"`, { details: { key: entry.key } });
  return v;
}

/** A number field of a stored object (StoreError if missing). */
export function numberField(entry: StoreEntry, field: string): number {
  const v = objectValue(entry)[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new StoreError(`store value of ${entry.key} has no integer "${field}"`, { details: { key: entry.key } });
  return v;
}

/** True if the commit failed and one of its failed checks is on `key`. */
export function failedOn(r: CommitResult, key: string): boolean {
  return !r.ok && r.failed.some((f) => f.key === key);
}

/** The outcome of one claim attempt by a search. */
export type ClaimOutcome<T> =
  /** The candidate is ours (committed). */
  | { readonly kind: 'claimed'; readonly result: T }
  /** Someone else holds the candidate: try the next one. */
  | { readonly kind: 'taken' }
  /** Something else changed (the owner's own records, the pool definition): start the operation over. */
  | { readonly kind: 'restart' };

/** Options of {@link nextFit}. */
export interface NextFitOptions<T> {
  /** The assignable values. */
  readonly space: SpanSet;
  /** Where to start (the persisted cursor); need not be a member. */
  readonly start: bigint;
  /** True if the candidate looks free (its key is absent). */
  readonly isFree: (v: bigint) => Promise<boolean>;
  /** Every value currently held (one list of the pool's keys); may include values outside `space`. */
  readonly held: () => Promise<Set<bigint>>;
  /** Commits the candidate with compare-and-set. */
  readonly claim: (v: bigint) => Promise<ClaimOutcome<T>>;
}

/** The outcome of {@link nextFit}. */
export type NextFitOutcome<T> =
  | { readonly kind: 'claimed'; readonly result: T }
  | { readonly kind: 'restart' }
  /** Nothing is free; `inUse` members of the space are held. */
  | { readonly kind: 'exhausted'; readonly inUse: bigint };

/**
 * Next-fit search: probes candidates from the cursor one by one (cheap reads) up to {@link PROBE_LIMIT}; if none
 * of those is free, lists the held values once and walks from there to the next value not held. Never scans a
 * large pool from its start. Each candidate is claimed with compare-and-set; a candidate lost to a concurrent
 * allocator is skipped. Exhaustion is reported only after the list shows every member of the space held.
 */
export async function nextFit<T>(o: NextFitOptions<T>): Promise<NextFitOutcome<T>> {
  let v = o.space.nextFrom(o.start);
  if (v === undefined) return { kind: 'exhausted', inUse: 0n };
  let lost = 0;
  const probes = o.space.size < BigInt(PROBE_LIMIT) ? Number(o.space.size) : PROBE_LIMIT;
  for (let i = 0; i < probes; i++) {
    if (await o.isFree(v)) {
      const r = await o.claim(v);
      if (r.kind !== 'taken') return r;
      lost++;
    }
    v = o.space.after(v)!;
  }
  const held = await o.held();
  let inUse = 0n;
  for (const h of held) if (o.space.has(h)) inUse++;
  for (;;) {
    if (inUse >= o.space.size) return { kind: 'exhausted', inUse };
    while (held.has(v)) v = o.space.after(v)!;
    const r = await o.claim(v);
    if (r.kind !== 'taken') return r;
    held.add(v);
    inUse++;
    if (++lost > MAX_LOST_CLAIMS) return { kind: 'restart' };
    v = o.space.after(v)!;
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The ConflictError for an operation that kept losing compare-and-set races. */
export function contended(what: string, attempts: number): ConflictError {
  return new ConflictError(`${what}: gave up after ${attempts} attempts lost to concurrent writers; retry later`, { details: { attempts } });
}
