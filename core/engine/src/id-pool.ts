/**
 * The common core of the VNI and VLAN allocators: integer ids handed out per owner from a set of ranges, one
 * store key per held id (created with "revision must be 0": the claim), one key per owner, a next-fit cursor.
 * @packageDocumentation
 */
import type { JournalInput, JsonValue, NetloomError, StoreEntry, StorePort } from '@netloom/ports';
import { contended, failedOn, MAX_ATTEMPTS, nextFit, numberField, stringField, type ClaimOutcome } from './allocator.shared';
import type { SpanSet } from './span-set';

/** Where one owner's id lives and how it is written. */
export interface IdPoolLayout {
  readonly store: StorePort;
  /** What the call is, for messages (`allocate VNI in pool l2`). */
  readonly subject: string;
  /** The assignable ids. */
  readonly space: SpanSet;
  /** Prefix of the id keys, ending with `/` (`vni/id/`); the key of id n is prefix + n. */
  readonly idPrefix: string;
  /** The owner's record. */
  readonly ownerKey: string;
  /** The next-fit cursor. */
  readonly cursorKey: string;
  /** Field of the owner record holding the id (`vni`, `vlan`). */
  readonly idField: string;
  /** Value stored under the id key (names the owner). */
  readonly idValue: JsonValue;
  /** The field of `idValue` naming the owner and the owner itself (to recognise our own id record). */
  readonly ownerField: string;
  readonly owner: string;
  readonly allocateJournal: (id: number) => JournalInput;
  readonly releaseJournal: (id: number) => JournalInput;
  /** The error for an exhausted pool, given how many ids of the space are in use. */
  readonly exhausted: (inUse: bigint) => NetloomError;
}

/** Allocates (or returns the owner's existing) id. */
export async function allocateId(l: IdPoolLayout): Promise<{ id: number; created: boolean }> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const held = await l.store.get({ key: l.ownerKey });
    if (held !== undefined) return { id: numberField(held, l.idField), created: false };
    const cursor = await l.store.get({ key: l.cursorKey });
    const claim = async (v: bigint): Promise<ClaimOutcome<number>> => {
      const id = Number(v);
      const idKey = l.idPrefix + String(id);
      const r = await l.store.commit({
        checks: [{ key: idKey, revision: 0 }, { key: l.ownerKey, revision: 0 }],
        puts: [
          { key: idKey, value: l.idValue },
          { key: l.ownerKey, value: { [l.idField]: id } },
          { key: l.cursorKey, value: { next: Number(l.space.after(v) ?? v) } },
        ],
        journal: l.allocateJournal(id),
      });
      if (r.ok) return { kind: 'claimed', result: id };
      return failedOn(r, l.ownerKey) ? { kind: 'restart' } : { kind: 'taken' };
    };
    const outcome = await nextFit({
      space: l.space,
      start: cursor === undefined ? 0n : BigInt(numberField(cursor, 'next')),
      isFree: async (v) => (await l.store.get({ key: l.idPrefix + String(v) })) === undefined,
      held: async () => {
        const out = new Set<bigint>();
        for (const e of await l.store.list({ prefix: l.idPrefix })) {
          const text = e.key.slice(l.idPrefix.length);
          if (/^[0-9]{1,9}$/.test(text)) out.add(BigInt(text));
        }
        return out;
      },
      claim,
    });
    if (outcome.kind === 'claimed') return { id: outcome.result, created: true };
    if (outcome.kind === 'exhausted') throw l.exhausted(outcome.inUse);
  }
  throw contended(l.subject, MAX_ATTEMPTS);
}

/** Releases the owner's id (idempotent). */
export async function releaseId(l: Omit<IdPoolLayout, 'space' | 'cursorKey' | 'idValue' | 'allocateJournal' | 'exhausted'>): Promise<{ released: boolean; id?: number }> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const held = await l.store.get({ key: l.ownerKey });
    if (held === undefined) return { released: false };
    const id = numberField(held, l.idField);
    const idKey = l.idPrefix + String(id);
    const idEntry = await l.store.get({ key: idKey });
    const ours = idEntry !== undefined && ownerOf(idEntry, l.ownerField) === l.owner;
    const r = await l.store.commit({
      checks: [{ key: l.ownerKey, revision: held.revision }, { key: idKey, revision: idEntry?.revision ?? 0 }],
      deletes: ours ? [l.ownerKey, idKey] : [l.ownerKey],
      journal: l.releaseJournal(id),
    });
    if (r.ok) return { released: true, id };
  }
  throw contended(l.subject, MAX_ATTEMPTS);
}

function ownerOf(entry: StoreEntry, field: string): string {
  return stringField(entry, field);
}
