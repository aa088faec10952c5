/**
 * Per-host VLAN allocator: on each node, pods of one logical switch (subnet) share one VLAN tag on `br-int` and
 * the node's trunk to its leaf. The VLAN is allocated **per (node, LS)**: one LS may get different VLANs on
 * different nodes, and the 4094-VLAN limit applies per node (a full node does not affect another one).
 *
 * Store layout (`vlan/<node>/`):
 * - `id/<vlan>` `{ ls }` — one key per VLAN held on the node (the claim, created with "revision must be 0").
 * - `ls/<ls>` `{ vlan }` — the LS's VLAN on the node.
 * - `cursor` `{ next }` — where the node's next next-fit search starts; released VLANs are reused when it wraps.
 *
 * @packageDocumentation
 */
import { isVlan, VLAN_MAX, VLAN_MIN } from '@netloom/domain';
import { ExhaustedError, InputError, type InputProblem, type StorePort } from '@netloom/ports';
import { idProblem, keySegment, numberField, storeKey, stringField, throwIfProblems } from './allocator.shared';
import { allocateId, releaseId, type IdPoolLayout } from './id-pool';
import { SpanSet } from './span-set';

/** An inclusive VLAN range. */
export interface VlanRange {
  readonly from: number;
  readonly to: number;
}

/** The default per-host VLAN range: 2..4094 (VLAN 1 is the default VLAN of most switches). */
export const DEFAULT_VLAN_RANGE: VlanRange = Object.freeze({ from: 2, to: VLAN_MAX });

/** Options of {@link VlanAllocator}. */
export interface VlanAllocatorOptions {
  readonly store: StorePort;
  /** The per-host range from the profile (default {@link DEFAULT_VLAN_RANGE}), inside 1..4094, `from <= to`. */
  readonly range?: VlanRange;
}

/** Options of {@link VlanAllocator.allocate}, {@link VlanAllocator.release} and {@link VlanAllocator.lookup}. */
export interface VlanOwnerOptions {
  /** Node name (1-253 letters, digits, `.`, `_`, `-`). */
  readonly node: string;
  /** Logical switch id (same rule). */
  readonly ls: string;
}

/** A VLAN held by an LS on a node. */
export interface VlanAllocation {
  readonly node: string;
  readonly ls: string;
  readonly vlan: number;
  /** True if this call wrote the allocation (false: the LS already had it on this node). */
  readonly created: boolean;
}

/** Result of {@link VlanAllocator.release}. */
export interface VlanReleaseResult {
  /** False when the LS held nothing on the node (nothing written). */
  readonly released: boolean;
  readonly vlan?: number;
}

/** Every problem with a VLAN range (empty when valid). */
export function checkVlanRange(range: unknown): InputProblem[] {
  if (typeof range !== 'object' || range === null) return [{ path: '', reason: 'must be an object { from, to }' }];
  const o = range as Record<string, unknown>;
  const problems: InputProblem[] = [];
  for (const f of ['from', 'to'] as const) {
    if (!isVlan(o[f])) problems.push({ path: f, reason: `${JSON.stringify(o[f])} is not a VLAN id (an integer in ${VLAN_MIN}..${VLAN_MAX})` });
  }
  if (problems.length === 0 && (o.from as number) > (o.to as number)) problems.push({ path: '', reason: `from ${String(o.from)} is above to ${String(o.to)}` });
  return problems;
}

/**
 * Hands out per-node VLANs to logical switches. Stateless (everything is in the store): any number of instances
 * may share one store.
 *
 * @example
 * const vlans = new VlanAllocator({ store, range: { from: 100, to: 999 } });
 * await vlans.allocate({ node: 'worker-1', ls: 'web' }); // { vlan: 100, ... }
 * await vlans.allocate({ node: 'worker-2', ls: 'web' }); // { vlan: 100, ... } — another node, its own VLANs
 */
export class VlanAllocator {
  private readonly store: StorePort;
  private readonly range: VlanRange;
  private readonly space: SpanSet;

  /** @throws InputError for a bad range. */
  constructor(options: VlanAllocatorOptions) {
    const range = options.range ?? DEFAULT_VLAN_RANGE;
    const problems = checkVlanRange(range);
    if (problems.length > 0) throw InputError.fromProblems('per-host VLAN range', problems);
    this.store = options.store;
    this.range = { from: range.from, to: range.to };
    this.space = SpanSet.of([{ first: BigInt(range.from), last: BigInt(range.to) }]);
  }

  /**
   * The LS's VLAN on the node: the one it has, else the node's next free one. Idempotent; persisted before it
   * returns.
   * @throws InputError, ExhaustedError (naming the node), ConflictError (too much contention), StoreError
   */
  async allocate(opts: VlanOwnerOptions): Promise<VlanAllocation> {
    const { id, created } = await allocateId(this.layout(opts, 'allocate'));
    return { node: opts.node, ls: opts.ls, vlan: id, created };
  }

  /** Releases the LS's VLAN on the node (reused later). Idempotent. @throws InputError, ConflictError, StoreError */
  async release(opts: VlanOwnerOptions): Promise<VlanReleaseResult> {
    const r = await releaseId(this.layout(opts, 'release'));
    return r.id === undefined ? { released: r.released } : { released: r.released, vlan: r.id };
  }

  /** The LS's VLAN on the node, or `undefined`. @throws InputError, StoreError */
  async lookup(opts: VlanOwnerOptions): Promise<number | undefined> {
    const e = await this.store.get({ key: this.layout(opts, 'lookup').ownerKey });
    return e === undefined ? undefined : numberField(e, 'vlan');
  }

  /** The VLANs held on the node, by VLAN. @throws InputError, StoreError */
  async list(opts: { readonly node: string }): Promise<{ vlan: number; ls: string }[]> {
    throwIfProblems('list VLANs', [idProblem(opts.node, 'node')]);
    const prefix = `${storeKey('list VLANs', 'vlan', opts.node, 'id')}/`;
    const out: { vlan: number; ls: string }[] = [];
    for (const e of await this.store.list({ prefix })) {
      const vlan = Number(e.key.slice(prefix.length));
      if (isVlan(vlan)) out.push({ vlan, ls: stringField(e, 'ls') });
    }
    return out.sort((a, b) => a.vlan - b.vlan);
  }

  /**
   * Releases every VLAN of a node and forgets its cursor (the node left the cluster). Idempotent.
   * @throws InputError, ConflictError, StoreError
   */
  async forgetNode(opts: { readonly node: string }): Promise<{ released: number }> {
    let released = 0;
    for (const h of await this.list(opts)) if ((await this.release({ node: opts.node, ls: h.ls })).released) released++;
    const cursorKey = storeKey('forget node', 'vlan', opts.node, 'cursor');
    const cursor = await this.store.get({ key: cursorKey });
    if (cursor !== undefined) await this.store.commit({ checks: [{ key: cursorKey, revision: cursor.revision }], deletes: [cursorKey] });
    return { released };
  }

  /** Which LS holds `vlan` on the node, or `undefined`. @throws InputError, StoreError */
  async holder(opts: { readonly node: string; readonly vlan: number }): Promise<string | undefined> {
    throwIfProblems('VLAN holder', [idProblem(opts.node, 'node'), isVlan(opts.vlan) ? undefined : { path: 'vlan', reason: `${JSON.stringify(opts.vlan)} is not a VLAN id` }]);
    const e = await this.store.get({ key: storeKey('VLAN holder', 'vlan', opts.node, 'id', String(opts.vlan)) });
    return e === undefined ? undefined : stringField(e, 'ls');
  }

  private layout(opts: VlanOwnerOptions, verb: string): IdPoolLayout {
    const subject = `${verb} VLAN for LS ${JSON.stringify(opts.ls)} on node ${JSON.stringify(opts.node)}`;
    throwIfProblems(subject, [idProblem(opts.node, 'node'), idProblem(opts.ls, 'ls')]);
    const space = this.space;
    const range = this.range;
    return {
      store: this.store,
      subject,
      space,
      idPrefix: `${storeKey(subject, 'vlan', opts.node, 'id')}/`,
      ownerKey: storeKey(subject, 'vlan', opts.node, 'ls', keySegment(opts.ls)),
      cursorKey: storeKey(subject, 'vlan', opts.node, 'cursor'),
      idField: 'vlan',
      idValue: { ls: opts.ls },
      ownerField: 'ls',
      owner: opts.ls,
      allocateJournal: (vlan) => ({ type: 'vlan.allocate', data: { node: opts.node, ls: opts.ls, vlan } }),
      releaseJournal: (vlan) => ({ type: 'vlan.release', data: { node: opts.node, ls: opts.ls, vlan } }),
      exhausted: (inUse) =>
        new ExhaustedError(
          `node ${JSON.stringify(opts.node)} has no free VLAN: ${inUse} of ${space.size} VLANs of its range ${range.from}..${range.to} are in use; release VLANs on this node or widen the per-host VLAN range`,
          { details: { node: opts.node, inUse: Number(inUse), capacity: Number(space.size) } },
        ),
    };
  }
}
