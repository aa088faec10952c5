/**
 * The store port: durable key/value state with compare-and-set, atomic multi-key commits and a journal.
 *
 * Every allocation (IP, VNI, VLAN, VIP) is written here with compare-and-set **before** it is returned, so an
 * address is never handed out twice, across restarts and across concurrent callers (threads of one process or
 * several controller replicas sharing one store).
 *
 * Keys are `/`-separated paths of safe segments (`ipam/vpc-a/subnet-1/ip/10.0.0.5`). Values are JSON values.
 * Revisions: every key carries a revision that changes on every write; a key that does not exist has revision 0.
 *
 * Adapters: `sqlite` (embedded default), `etcd` (several replicas). Both pass `runStoreConformance`.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';

/** A JSON value as stored. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** One stored entry. */
export interface StoreEntry {
  readonly key: string;
  readonly value: JsonValue;
  /** Changes on every write of this key; greater than 0 for an existing key. */
  readonly revision: number;
}

/** A condition of a commit: the key's current revision must equal `revision` (0 = the key must not exist). */
export interface StoreCheck {
  readonly key: string;
  readonly revision: number;
}

/** A write of a commit. */
export interface StorePut {
  readonly key: string;
  readonly value: JsonValue;
}

/** Options of {@link StorePort.commit}: all checks must hold, then all puts and deletes happen atomically. */
export interface CommitOptions {
  readonly checks?: readonly StoreCheck[];
  readonly puts?: readonly StorePut[];
  readonly deletes?: readonly string[];
  /**
   * A journal record written in the same atomic commit (the audit trail of allocations and applies). Absent: no
   * record.
   */
  readonly journal?: JournalInput;
}

/** The outcome of a commit. */
export type CommitResult =
  | { readonly ok: true; /** New revision of each put key. */ readonly revisions: Readonly<Record<string, number>> }
  | { readonly ok: false; /** The checks that failed, with the revision actually found (0 = absent). */ readonly failed: readonly StoreCheck[] };

/** A journal record as written. */
export interface JournalInput {
  /** What happened, dotted: `ipam.allocate`, `vni.release`, `apply.commit`. */
  readonly type: string;
  /** A safe summary (never a credential). */
  readonly data: JsonValue;
}

/** A journal record as read back. */
export interface JournalRecord extends JournalInput {
  /** Monotonic sequence number, starting at 1. */
  readonly seq: number;
  /** ISO 8601 time. */
  readonly at: string;
}

/** Options of {@link StorePort.readJournal}. */
export interface ReadJournalOptions {
  /** Records with `seq > afterSeq` (default 0). */
  readonly afterSeq?: number;
  /** At most this many records (default 1000). */
  readonly limit?: number;
  /** Only records of this type or with this dotted prefix (`ipam`). */
  readonly type?: string;
}

/** A change seen by a watcher. */
export interface StoreWatchEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  /** The new value (put) — absent for delete. */
  readonly value?: JsonValue;
  readonly revision: number;
}

/** Capabilities of a store adapter. */
export interface StoreCapabilities {
  /** `watch` works (in-process for sqlite, cluster-wide for etcd). */
  readonly watch: boolean;
  /** Several processes may share the store safely (sqlite: one file with WAL; etcd: yes). */
  readonly multiProcess: boolean;
  /** Leases with expiry and fencing tokens for leader election (etcd). */
  readonly leases: boolean;
}

/** The store port. */
export interface StorePort {
  readonly capabilities: StoreCapabilities;
  /** Reads one key. Absent key: `undefined`. Idempotent. @throws StoreError */
  get(opts: { readonly key: string }): Promise<StoreEntry | undefined>;
  /** Lists the entries whose key starts with `prefix`, ordered by key. @throws StoreError */
  list(opts: { readonly prefix: string }): Promise<StoreEntry[]>;
  /**
   * Atomically: if every check holds, performs every put and delete and appends the journal record; otherwise
   * changes nothing and reports the failed checks. Never throws for a failed check.
   *
   * @example
   * // claim 10.0.0.5 for pod ns/web-0 unless someone else has it
   * await store.commit({ checks: [{ key: 'ipam/s1/ip/10.0.0.5', revision: 0 }],
   *                      puts: [{ key: 'ipam/s1/ip/10.0.0.5', value: { owner: 'ns/web-0' } }],
   *                      journal: { type: 'ipam.allocate', data: { ip: '10.0.0.5', owner: 'ns/web-0' } } });
   * @throws InputError (malformed key), StoreError
   */
  commit(opts: CommitOptions): Promise<CommitResult>;
  /** Reads journal records in sequence order. @throws StoreError */
  readJournal(opts?: ReadJournalOptions): Promise<JournalRecord[]>;
  /**
   * Calls `listener` for every later change under `prefix`; returns a function that stops watching.
   * @throws NotSupportedError unless `capabilities.watch`
   */
  watch(opts: { readonly prefix: string }, listener: (event: StoreWatchEvent) => void): () => void;
  /** Releases the store (closes files/connections). Idempotent; later calls fail with StoreError. */
  close(): Promise<void>;
}

/** What the runtime passes to a store factory. */
export interface StoreFactoryOptions {
  /** Adapter-specific options from the profile (`{ path }` for sqlite), validated with the adapter's codec. */
  readonly options: unknown;
}

/** Key rule: `/`-separated segments of `[A-Za-z0-9._:@-]`, no empty segment, at most 512 characters. */
export const STORE_KEY = /^[A-Za-z0-9._:@-]+(\/[A-Za-z0-9._:@-]+)*$/;

/** True if `key` is a valid store key. */
export function isStoreKey(key: string): boolean {
  return key.length <= 512 && STORE_KEY.test(key);
}

/** io-ts codec for JSON values (for values read back from a store or a file). */
export const JsonValueCodec: t.Type<JsonValue> = t.recursion('JsonValue', () =>
  t.union([t.null, t.boolean, t.number, t.string, t.array(JsonValueCodec), t.record(t.string, JsonValueCodec)]),
);
