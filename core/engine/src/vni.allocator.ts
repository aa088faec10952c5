/**
 * VNI allocator: L2 VNIs (one per LS) and L3 VNIs (one per LR / VPC) from the profile's ranges, per owner key,
 * persisted with compare-and-set before they are returned.
 *
 * Store layout (`vni/`):
 * - `vni/id/<vni>` `{ pool, owner }` — one key per held VNI, shared by both pools, so a VNI is never held twice,
 *   not even by an L2 and an L3 owner after the profile's ranges changed.
 * - `vni/<pool>/owner/<owner>` `{ vni }` — the owner's VNI.
 * - `vni/<pool>/cursor` `{ next }` — where the next next-fit search starts. Released VNIs are reused when the
 *   cursor wraps around, which leaves a just-released VNI alone for as long as possible.
 *
 * @packageDocumentation
 */
import { isVni, VNI_MAX, VNI_MIN } from '@netloom/domain';
import { ExhaustedError, InputError, type InputProblem, type StorePort } from '@netloom/ports';
import { keySegment, numberField, ownerProblem, storeKey, stringField, throwIfProblems } from './allocator.shared';
import { allocateId, releaseId, type IdPoolLayout } from './id-pool';
import { SpanSet } from './span-set';

/** The two VNI pools: `l2` for logical switches (MAC-VRF / bridge domain), `l3` for logical routers (IP-VRF). */
export type VniPool = 'l2' | 'l3';

/** An inclusive range of VNIs. */
export interface VniRange {
  readonly from: number;
  readonly to: number;
}

/** The VNI ranges of the deployment profile's address plan. */
export interface VniRanges {
  readonly l2: readonly VniRange[];
  readonly l3: readonly VniRange[];
}

/** Options of {@link VniAllocator}. */
export interface VniAllocatorOptions {
  readonly store: StorePort;
  /**
   * The pools' ranges, each inside 1..16777215 with `from <= to`; ranges of one pool may overlap (they are
   * merged), but no L2 range may overlap an L3 range.
   */
  readonly ranges: VniRanges;
}

/** Options of {@link VniAllocator.allocate}, {@link VniAllocator.release} and {@link VniAllocator.lookup}. */
export interface VniOwnerOptions {
  readonly pool: VniPool;
  /** Owner key, free text up to 253 characters (`vpc-a/ls-web`). */
  readonly owner: string;
}

/** A VNI held by an owner. */
export interface VniAllocation {
  readonly pool: VniPool;
  readonly owner: string;
  readonly vni: number;
  /** True if this call wrote the allocation (false: the owner already held it). */
  readonly created: boolean;
}

/** Result of {@link VniAllocator.release}. */
export interface VniReleaseResult {
  /** False when the owner held nothing (nothing written). */
  readonly released: boolean;
  readonly vni?: number;
}

/**
 * Checks VNI ranges: every problem with its path (`l2[0].to`), plus any overlap between an L2 and an L3 range.
 * Empty when valid.
 */
export function checkVniRanges(ranges: unknown): InputProblem[] {
  if (typeof ranges !== 'object' || ranges === null) return [{ path: '', reason: 'must be an object { l2: [...], l3: [...] }' }];
  const r = ranges as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const valid: Record<VniPool, { from: number; to: number; path: string }[]> = { l2: [], l3: [] };
  for (const pool of ['l2', 'l3'] as const) {
    const list = r[pool];
    if (!Array.isArray(list)) {
      problems.push({ path: pool, reason: 'required: a list of { from, to } ranges (may be empty)' });
      continue;
    }
    list.forEach((x: unknown, i) => {
      const path = `${pool}[${i}]`;
      const o = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
      let ok = true;
      for (const f of ['from', 'to'] as const) {
        if (!isVni(o[f])) {
          problems.push({ path: `${path}.${f}`, reason: `${JSON.stringify(o[f])} is not a VNI (an integer in ${VNI_MIN}..${VNI_MAX})` });
          ok = false;
        }
      }
      if (ok && (o.from as number) > (o.to as number)) {
        problems.push({ path, reason: `from ${String(o.from)} is above to ${String(o.to)}` });
        ok = false;
      }
      if (ok) valid[pool].push({ from: o.from as number, to: o.to as number, path });
    });
  }
  for (const a of valid.l2) {
    for (const b of valid.l3) {
      if (a.from <= b.to && b.from <= a.to) problems.push({ path: b.path, reason: `L3 range ${b.from}..${b.to} overlaps L2 range ${a.from}..${a.to} (${a.path})` });
    }
  }
  return problems;
}

/**
 * Hands out L2 and L3 VNIs per owner. Stateless (everything is in the store): any number of instances may share
 * one store.
 *
 * @example
 * const vnis = new VniAllocator({ store, ranges: { l2: [{ from: 10000, to: 19999 }], l3: [{ from: 50000, to: 50999 }] } });
 * const { vni } = await vnis.allocate({ pool: 'l2', owner: 'vpc-a/web' }); // 10000
 */
export class VniAllocator {
  private readonly store: StorePort;
  private readonly spaces: Readonly<Record<VniPool, SpanSet>>;

  /** @throws InputError listing every problem with the ranges. */
  constructor(options: VniAllocatorOptions) {
    const problems = checkVniRanges(options.ranges);
    if (problems.length > 0) throw InputError.fromProblems('VNI ranges', problems);
    this.store = options.store;
    const space = (list: readonly VniRange[]): SpanSet => SpanSet.of(list.map((x) => ({ first: BigInt(x.from), last: BigInt(x.to) })));
    this.spaces = { l2: space(options.ranges.l2), l3: space(options.ranges.l3) };
  }

  /**
   * The owner's VNI in the pool: the one it holds, else the next free one. Idempotent; persisted before it returns.
   * @throws InputError, ExhaustedError (naming the pool, its ranges and how many are in use), ConflictError
   *   (too much contention), StoreError
   */
  async allocate(opts: VniOwnerOptions): Promise<VniAllocation> {
    const l = this.layout(opts, 'allocate');
    const { id, created } = await allocateId(l);
    return { pool: opts.pool, owner: opts.owner, vni: id, created };
  }

  /** Releases the owner's VNI (reused later). Idempotent. @throws InputError, ConflictError, StoreError */
  async release(opts: VniOwnerOptions): Promise<VniReleaseResult> {
    const r = await releaseId(this.layout(opts, 'release'));
    return r.id === undefined ? { released: r.released } : { released: r.released, vni: r.id };
  }

  /** The owner's VNI, or `undefined`. @throws InputError, StoreError */
  async lookup(opts: VniOwnerOptions): Promise<number | undefined> {
    const l = this.layout(opts, 'lookup');
    const e = await this.store.get({ key: l.ownerKey });
    return e === undefined ? undefined : numberField(e, 'vni');
  }

  /** Every VNI held, in both pools, by VNI. @throws StoreError */
  async list(): Promise<{ vni: number; pool: VniPool; owner: string }[]> {
    const out: { vni: number; pool: VniPool; owner: string }[] = [];
    for (const e of await this.store.list({ prefix: 'vni/id/' })) {
      const vni = Number(e.key.slice('vni/id/'.length));
      if (isVni(vni)) out.push({ vni, pool: stringField(e, 'pool') === 'l3' ? 'l3' : 'l2', owner: stringField(e, 'owner') });
    }
    return out.sort((a, b) => a.vni - b.vni);
  }

  /** Who holds `vni` (either pool), or `undefined`. @throws InputError, StoreError */
  async holder(opts: { readonly vni: number }): Promise<{ pool: VniPool; owner: string } | undefined> {
    if (!isVni(opts.vni)) throw InputError.fromProblems('VNI holder', [{ path: 'vni', reason: `${JSON.stringify(opts.vni)} is not a VNI` }]);
    const e = await this.store.get({ key: `vni/id/${opts.vni}` });
    return e === undefined ? undefined : { pool: stringField(e, 'pool') === 'l3' ? 'l3' : 'l2', owner: stringField(e, 'owner') };
  }

  private layout(opts: VniOwnerOptions, verb: string): IdPoolLayout {
    const subject = `${verb} VNI in pool ${JSON.stringify(opts.pool)}`;
    throwIfProblems(subject, [opts.pool === 'l2' || opts.pool === 'l3' ? undefined : { path: 'pool', reason: `${JSON.stringify(opts.pool)} is not l2 or l3` }, ownerProblem(opts.owner, 'owner')]);
    const space = this.spaces[opts.pool];
    return {
      store: this.store,
      subject,
      space,
      idPrefix: 'vni/id/',
      ownerKey: storeKey(subject, 'vni', opts.pool, 'owner', keySegment(opts.owner)),
      cursorKey: `vni/${opts.pool}/cursor`,
      idField: 'vni',
      idValue: { pool: opts.pool, owner: opts.owner },
      ownerField: 'owner',
      owner: opts.owner,
      allocateJournal: (vni) => ({ type: 'vni.allocate', data: { pool: opts.pool, owner: opts.owner, vni } }),
      releaseJournal: (vni) => ({ type: 'vni.release', data: { pool: opts.pool, owner: opts.owner, vni } }),
      exhausted: (inUse) =>
        new ExhaustedError(
          `VNI pool ${opts.pool} is exhausted: ${inUse} of ${space.size} VNIs in use (ranges ${space.describe()}); release VNIs or widen the ${opts.pool} ranges in the profile`,
          { details: { pool: opts.pool, inUse: Number(inUse), capacity: Number(space.size) } },
        ),
    };
  }
}
