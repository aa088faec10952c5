/**
 * Subnet IPAM: addresses of a subnet (IPv4 or IPv6) handed out per owner (`ns/pod`), persisted with
 * compare-and-set before they are returned.
 *
 * Rules:
 * - The **gateway** is never handed out (default: the first usable address; `null` for none).
 * - IPv4: the **network and broadcast** addresses are never handed out, except in a /31 (RFC 3021: both
 *   addresses are hosts) and a /32 (the one address). IPv6: the all-zero host address (subnet-router anycast,
 *   RFC 4291 §2.6.1) is not handed out, except in a /127 (RFC 6164) and a /128. There is no IPv6 broadcast.
 *   Default gateway of a /31 (/127): the first address, leaving one to hand out; of a /32 (/128): none.
 * - **Exclude ranges** (`10.0.0.2..10.0.0.9`, a single address, or a CIDR inside the subnet) are never handed out.
 * - A requested **fixed IP** must be an address of the subnet's family inside its CIDR (else InputError), not
 *   reserved (gateway, network, broadcast, excluded: ConflictError saying which), and free or already held by the
 *   same owner (else ConflictError naming the holder).
 * - **Idempotent per owner**: an owner that already holds an address gets the same one back.
 * - **Sticky** owners (StatefulSet pods): the owner→address binding survives `release`; the address stays
 *   reserved for that owner (nobody else gets it) and the owner gets it back on its next `allocate`, until
 *   `forget`.
 * - **Exhaustion**: ExhaustedError naming the subnet, its CIDR and how many addresses are in use.
 * - **Next-fit**: a persisted cursor (a hint, written without a check) says where the next search starts, so
 *   allocation never scans a large subnet from its start; released addresses are reused when the cursor wraps.
 *
 * Store layout (all under `ipam/<subnet>/`):
 * - `config` `{ cidr, gateway, exclude, frozen? }` — written by {@link IpamAllocator.ensureSubnet}.
 * - `ip/<address>` `{ owner, sticky, state: 'allocated' | 'reserved' }` — one key per held address: the key
 *   itself is the claim, created with "revision must be 0", so two owners can never hold one address.
 * - `owner/<owner>` `{ ip, sticky }` — the owner's current allocation (same commit as the `ip/` key).
 * - `sticky/<owner>` `{ ip }` — the owner's sticky binding (kept after release, removed by forget).
 * - `cursor` `{ next }` — where the next search starts.
 *
 * Changing or deleting a subnet **freezes** it first (a compare-and-set on `config`): every allocation commit
 * checks the revision of `config` it read, so once frozen no allocation based on the old definition can commit,
 * and the list of held addresses the change is validated against is complete.
 *
 * @packageDocumentation
 */
import {
  cidrFirst,
  cidrLast,
  formatCidr,
  formatIp,
  formatIpRange,
  ipFromBigint,
  isNetloomError,
  parseCidr,
  parseIpRange,
  tryParseIp,
  type Cidr,
  type IpFamily,
} from '@netloom/domain';
import {
  ConflictError,
  ExhaustedError,
  InputError,
  NotFoundError,
  StoreError,
  type InputProblem,
  type JsonValue,
  type StoreCheck,
  type StoreEntry,
  type StorePort,
  type StorePut,
} from '@netloom/ports';
import {
  contended,
  failedOn,
  idProblem,
  keySegment,
  MAX_ATTEMPTS,
  nextFit,
  objectValue,
  ownerProblem,
  sleep,
  storeKey,
  stringField,
  throwIfProblems,
  type ClaimOutcome,
} from './allocator.shared';
import { SpanSet, type Span } from './span-set';

/** Options of {@link IpamAllocator.ensureSubnet}. */
export interface EnsureSubnetOptions {
  /** Subnet id (1-253 letters, digits, `.`, `_`, `-`). */
  readonly subnet: string;
  /** The subnet's CIDR, IPv4 or IPv6, host bits zero (`10.0.0.0/24`, `fd00:10::/64`). */
  readonly cidr: string;
  /** The gateway address, never handed out. Absent: the first usable address. `null`: no gateway. */
  readonly gateway?: string | null;
  /** Addresses never handed out: `10.0.0.2..10.0.0.9`, `10.0.0.7`, or a CIDR inside the subnet. */
  readonly exclude?: readonly string[];
}

/** A subnet as the allocator sees it. */
export interface SubnetInfo {
  readonly subnet: string;
  /** Canonical CIDR text. */
  readonly cidr: string;
  readonly family: IpFamily;
  readonly prefix: number;
  /** Canonical gateway address, or `null`. */
  readonly gateway: string | null;
  /** Canonical exclude ranges (`first..last` or one address), merged and sorted. */
  readonly exclude: readonly string[];
  /** How many addresses can be handed out (CIDR size minus gateway, network/broadcast, excluded). */
  readonly capacity: bigint;
}

/** Result of {@link IpamAllocator.ensureSubnet}. */
export interface EnsureSubnetResult extends SubnetInfo {
  /** False when the stored definition was already equal (nothing written). */
  readonly changed: boolean;
}

/** Options of {@link IpamAllocator.allocate}. */
export interface IpAllocateOptions {
  readonly subnet: string;
  /** Owner key, free text up to 253 characters (`ns/pod-name`). */
  readonly owner: string;
  /** A requested fixed address (annotation `netloom.io/ip-address`). */
  readonly ip?: string;
  /** Keep the owner→address binding after release (StatefulSet pods). Never cleared by a later non-sticky call. */
  readonly sticky?: boolean;
}

/** An address held by an owner. */
export interface IpAllocation {
  readonly subnet: string;
  readonly owner: string;
  /** Canonical address text. */
  readonly ip: string;
  readonly family: IpFamily;
  /** The subnet's CIDR and prefix length (the pod's address is `${ip}/${prefix}`). */
  readonly cidr: string;
  readonly prefix: number;
  /** The subnet's gateway (the pod's default route), or `null`. */
  readonly gateway: string | null;
  readonly sticky: boolean;
  /** True if this call wrote the allocation (false: the owner already held it). */
  readonly created: boolean;
}

/** Options of {@link IpamAllocator.release} and {@link IpamAllocator.forget}. */
export interface IpOwnerOptions {
  readonly subnet: string;
  readonly owner: string;
}

/** Result of {@link IpamAllocator.release}. */
export interface IpReleaseResult {
  /** False when the owner held nothing (nothing written). */
  readonly released: boolean;
  readonly ip?: string;
  /** True when a sticky binding keeps the address reserved for the owner. */
  readonly kept: boolean;
}

/** Result of {@link IpamAllocator.forget}. */
export interface IpForgetResult {
  /** False when the owner had no sticky binding (nothing written). */
  readonly forgotten: boolean;
  readonly ip?: string;
  /** True when the address became free (the owner did not hold it at the time). */
  readonly freed: boolean;
}

/** What {@link IpamAllocator.lookup} and {@link IpamAllocator.holder} report. */
export interface IpBinding {
  readonly subnet: string;
  readonly owner: string;
  readonly ip: string;
  readonly sticky: boolean;
  /** `allocated`: the owner holds it now; `reserved`: released, kept for the owner by a sticky binding. */
  readonly state: 'allocated' | 'reserved';
}

/** Result of {@link IpamAllocator.usage}. */
export interface SubnetUsage extends SubnetInfo {
  /** Addresses held now (allocated + reserved). */
  readonly inUse: number;
  /** Of those, released addresses kept for sticky owners. */
  readonly reserved: number;
  readonly free: bigint;
}

/** Options of {@link IpamAllocator}. */
export interface IpamAllocatorOptions {
  /** Where every allocation lives. Several allocators (replicas, processes) may share one store. */
  readonly store: StorePort;
}

interface SubnetDef extends SubnetInfo {
  readonly cidrValue: Cidr;
  readonly gatewayValue: bigint | null;
  /** Network / broadcast / subnet-router anycast addresses that are not handed out. */
  readonly special: ReadonlyMap<bigint, string>;
  readonly excludeSet: SpanSet;
  readonly space: SpanSet;
}

interface ConfigRead {
  readonly def: SubnetDef;
  readonly entry: StoreEntry;
  readonly frozen: boolean;
}

const FROZEN_WAIT_MS = [2, 5, 10, 20, 40, 80, 100];
/** How many parsed subnet definitions an allocator keeps (more subnets than this: the cache starts over). */
const PARSED_CONFIG_CACHE = 100_000;

/**
 * Subnet IP address allocator. Stateless: every call reads the store and commits with compare-and-set, so any
 * number of instances may share one store.
 *
 * @example
 * const ipam = new IpamAllocator({ store });
 * await ipam.ensureSubnet({ subnet: 'web', cidr: '10.0.0.0/24', exclude: ['10.0.0.2..10.0.0.9'] });
 * const a = await ipam.allocate({ subnet: 'web', owner: 'shop/web-0', sticky: true }); // a.ip === '10.0.0.10'
 * await ipam.release({ subnet: 'web', owner: 'shop/web-0' }); // kept for shop/web-0
 */
export class IpamAllocator {
  private readonly store: StorePort;

  /** Parsed subnet definitions by config key, each valid for the revision it was read at. */
  private readonly parsed = new Map<string, ConfigRead>();

  constructor(options: IpamAllocatorOptions) {
    this.store = options.store;
  }

  /**
   * Defines or changes a subnet. Idempotent: an equal definition writes nothing. A change (CIDR, gateway,
   * exclude ranges) is refused with ConflictError if an address held now (or kept for a sticky owner) would
   * become reserved or fall outside the CIDR; widening a CIDR is fine.
   * @throws InputError (bad CIDR, gateway or range), ConflictError, StoreError
   */
  async ensureSubnet(opts: EnsureSubnetOptions): Promise<EnsureSubnetResult> {
    const def = defineSubnet(opts.subnet, { cidr: opts.cidr, gateway: opts.gateway, exclude: opts.exclude }, `subnet ${JSON.stringify(opts.subnet)}`);
    const cfgKey = this.key(def.subnet, 'config');
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const cur = await this.store.get({ key: cfgKey });
      if (cur === undefined) {
        const r = await this.store.commit({
          checks: [{ key: cfgKey, revision: 0 }],
          puts: [{ key: cfgKey, value: configValue(def) }],
          journal: { type: 'ipam.subnet.ensure', data: { ...configValue(def), subnet: def.subnet, created: true } },
        });
        if (r.ok) return { ...info(def), changed: true };
        continue;
      }
      const stored = readConfig(def.subnet, cur);
      if (!stored.frozen && sameDefinition(stored.def, def)) return { ...info(stored.def), changed: false };
      const frozenRev = await this.freeze(cfgKey, cur);
      if (frozenRev === undefined) continue;
      const conflicts = (await this.heldAddresses(stored.def)).filter((h) => h.family !== def.family || !def.space.has(h.value));
      if (conflicts.length > 0) {
        await this.store.commit({ checks: [{ key: cfgKey, revision: frozenRev }], puts: [{ key: cfgKey, value: configValue(stored.def) }] });
        const list = conflicts.slice(0, 5).map((c) => `${c.ip} (${c.owner}${c.state === 'reserved' ? ', sticky' : ''})`);
        throw new ConflictError(
          `subnet ${JSON.stringify(def.subnet)}: cannot change ${stored.def.cidr} to ${describeDef(def)}: ${conflicts.length} held address${conflicts.length === 1 ? ' would be' : 'es would be'} reserved or outside the CIDR: ${list.join(', ')}${conflicts.length > 5 ? ', ...' : ''}. Release (and forget) them first`,
          { details: { subnet: def.subnet, conflicts: conflicts.slice(0, 20).map((c) => ({ ip: c.ip, owner: c.owner })) } },
        );
      }
      const r = await this.store.commit({
        checks: [{ key: cfgKey, revision: frozenRev }],
        puts: [{ key: cfgKey, value: configValue(def) }],
        journal: { type: 'ipam.subnet.ensure', data: { ...configValue(def), subnet: def.subnet, created: false } },
      });
      if (r.ok) return { ...info(def), changed: true };
    }
    throw contended(`ensure subnet ${JSON.stringify(opts.subnet)}`, MAX_ATTEMPTS);
  }

  /**
   * Deletes a subnet's definition. Refused with ConflictError while any address is held or kept for a sticky
   * owner. Idempotent (`deleted: false` when it did not exist).
   * @throws InputError, ConflictError, StoreError
   */
  async deleteSubnet(opts: { readonly subnet: string }): Promise<{ readonly deleted: boolean }> {
    throwIfProblems(`delete subnet ${JSON.stringify(opts.subnet)}`, [idProblem(opts.subnet, 'subnet')]);
    const cfgKey = this.key(opts.subnet, 'config');
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const cur = await this.store.get({ key: cfgKey });
      if (cur === undefined) return { deleted: false };
      const stored = readConfig(opts.subnet, cur);
      const frozenRev = await this.freeze(cfgKey, cur);
      if (frozenRev === undefined) continue;
      const held = await this.heldAddresses(stored.def);
      if (held.length > 0) {
        await this.store.commit({ checks: [{ key: cfgKey, revision: frozenRev }], puts: [{ key: cfgKey, value: configValue(stored.def) }] });
        throw new ConflictError(
          `subnet ${JSON.stringify(opts.subnet)} (${stored.def.cidr}) still has ${held.length} address${held.length === 1 ? '' : 'es'} held (${held
            .slice(0, 3)
            .map((h) => `${h.ip} by ${h.owner}`)
            .join(', ')}${held.length > 3 ? ', ...' : ''}); release them and forget sticky bindings first`,
          { details: { subnet: opts.subnet, inUse: held.length } },
        );
      }
      const r = await this.store.commit({
        checks: [{ key: cfgKey, revision: frozenRev }],
        deletes: [cfgKey, this.key(opts.subnet, 'cursor')],
        journal: { type: 'ipam.subnet.delete', data: { subnet: opts.subnet, cidr: stored.def.cidr } },
      });
      if (r.ok) return { deleted: true };
    }
    throw contended(`delete subnet ${JSON.stringify(opts.subnet)}`, MAX_ATTEMPTS);
  }

  /** The subnet's definition, or `undefined` if it is not defined. @throws InputError, StoreError */
  async getSubnet(opts: { readonly subnet: string }): Promise<SubnetInfo | undefined> {
    throwIfProblems(`subnet ${JSON.stringify(opts.subnet)}`, [idProblem(opts.subnet, 'subnet')]);
    const cur = await this.store.get({ key: this.key(opts.subnet, 'config') });
    return cur === undefined ? undefined : info(readConfig(opts.subnet, cur).def);
  }

  /**
   * Gives `owner` an address of the subnet: the one it already holds, the one its sticky binding keeps, the
   * requested fixed IP, or the next free one after the cursor. Persisted before it returns.
   * @throws InputError (bad ids, fixed IP not an address of the subnet), NotFoundError (subnet not defined),
   *   ConflictError (fixed IP reserved or held by another owner; owner holds another address; too much
   *   contention), ExhaustedError, StoreError
   */
  async allocate(opts: IpAllocateOptions): Promise<IpAllocation> {
    const subject = `allocate in subnet ${JSON.stringify(opts.subnet)}`;
    throwIfProblems(subject, [idProblem(opts.subnet, 'subnet'), ownerProblem(opts.owner, 'owner'), opts.ip === undefined || typeof opts.ip === 'string' ? undefined : { path: 'ip', reason: 'must be an address text' }]);
    const sticky = opts.sticky === true;
    const ownerKey = this.key(opts.subnet, 'owner', keySegment(opts.owner));
    const stickyKey = this.key(opts.subnet, 'sticky', keySegment(opts.owner));
    let frozenWaits = 0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const cfg = await this.config(opts.subnet);
      if (cfg.frozen) {
        await sleep(FROZEN_WAIT_MS[Math.min(frozenWaits++, FROZEN_WAIT_MS.length - 1)]!);
        continue;
      }
      const def = cfg.def;
      const cfgCheck: StoreCheck = { key: cfg.entry.key, revision: cfg.entry.revision };
      const requested = opts.ip === undefined ? undefined : this.checkRequested(def, opts.ip, opts.owner);

      // 1. The owner holds an address already: the same one again.
      const held = await this.store.get({ key: ownerKey });
      if (held !== undefined) {
        const ip = stringField(held, 'ip');
        const heldValue = this.addressValue(def, ip, held.key);
        if (requested !== undefined && requested !== heldValue) {
          throw new ConflictError(`${subject}: owner ${opts.owner} already holds ${ip}; release it before asking for ${formatAddr(def, requested)}`, {
            details: { subnet: def.subnet, owner: opts.owner, ip },
          });
        }
        const wasSticky = objectValue(held).sticky === true;
        if (!sticky || wasSticky) return allocation(def, opts.owner, ip, wasSticky, false);
        const ipKey = this.ipKey(def, heldValue);
        const ipEntry = await this.store.get({ key: ipKey });
        const r = await this.store.commit({
          checks: [{ key: ownerKey, revision: held.revision }, { key: ipKey, revision: ipEntry?.revision ?? 0 }, { key: stickyKey, revision: 0 }],
          puts: [
            { key: ownerKey, value: { ip, sticky: true } },
            { key: ipKey, value: { owner: opts.owner, sticky: true, state: 'allocated' } },
            { key: stickyKey, value: { ip } },
          ],
          journal: { type: 'ipam.sticky', data: { subnet: def.subnet, owner: opts.owner, ip } },
        });
        if (r.ok) return allocation(def, opts.owner, ip, true, false);
        continue;
      }

      // 2. A sticky binding keeps an address for the owner: bind it again.
      const kept = await this.store.get({ key: stickyKey });
      if (kept !== undefined) {
        const ip = stringField(kept, 'ip');
        const keptValue = this.addressValue(def, ip, kept.key);
        if (requested !== undefined && requested !== keptValue) {
          throw new ConflictError(`${subject}: owner ${opts.owner} has a sticky binding to ${ip}; forget it before asking for ${formatAddr(def, requested)}`, {
            details: { subnet: def.subnet, owner: opts.owner, ip },
          });
        }
        const ipKey = this.ipKey(def, keptValue);
        const ipEntry = await this.store.get({ key: ipKey });
        if (ipEntry !== undefined && stringField(ipEntry, 'owner') !== opts.owner) {
          throw new StoreError(`${subject}: the sticky binding of ${opts.owner} points to ${ip}, which is held by ${stringField(ipEntry, 'owner')} (damaged store)`);
        }
        const r = await this.store.commit({
          checks: [cfgCheck, { key: ownerKey, revision: 0 }, { key: stickyKey, revision: kept.revision }, { key: ipKey, revision: ipEntry?.revision ?? 0 }],
          puts: [
            { key: ipKey, value: { owner: opts.owner, sticky: true, state: 'allocated' } },
            { key: ownerKey, value: { ip, sticky: true } },
          ],
          journal: { type: 'ipam.allocate', data: { subnet: def.subnet, owner: opts.owner, ip, sticky: true, restored: true } },
        });
        if (r.ok) return allocation(def, opts.owner, ip, true, true);
        continue;
      }

      const claim = async (v: bigint): Promise<ClaimOutcome<IpAllocation>> => {
        const ip = formatAddr(def, v);
        const ipKey = this.ipKey(def, v);
        const puts: StorePut[] = [
          { key: ipKey, value: { owner: opts.owner, sticky, state: 'allocated' } },
          { key: ownerKey, value: { ip, sticky } },
        ];
        if (sticky) puts.push({ key: stickyKey, value: { ip } });
        if (requested === undefined) puts.push({ key: this.key(def.subnet, 'cursor'), value: { next: formatAddr(def, def.space.after(v) ?? v) } });
        const r = await this.store.commit({
          checks: [cfgCheck, { key: ipKey, revision: 0 }, { key: ownerKey, revision: 0 }, { key: stickyKey, revision: 0 }],
          puts,
          journal: { type: 'ipam.allocate', data: { subnet: def.subnet, owner: opts.owner, ip, sticky, ...(requested === undefined ? {} : { fixed: true }) } },
        });
        if (r.ok) return { kind: 'claimed', result: allocation(def, opts.owner, ip, sticky, true) };
        return failedOn(r, ipKey) && !failedOn(r, ownerKey) && !failedOn(r, stickyKey) && !failedOn(r, cfgCheck.key) ? { kind: 'taken' } : { kind: 'restart' };
      };

      // 3. A requested fixed address: free, or a ConflictError naming its holder.
      if (requested !== undefined) {
        const holder = await this.store.get({ key: this.ipKey(def, requested) });
        if (holder !== undefined) {
          const who = stringField(holder, 'owner');
          const state = objectValue(holder).state === 'reserved' ? ' (kept for it by a sticky binding)' : '';
          throw new ConflictError(`${subject}: ${formatAddr(def, requested)} in ${def.cidr} is held by ${who}${state}`, {
            details: { subnet: def.subnet, ip: formatAddr(def, requested), owner: who },
          });
        }
        const r = await claim(requested);
        if (r.kind === 'claimed') return r.result;
        continue;
      }

      // 4. The next free address after the cursor.
      let reservedCount = 0;
      const cursor = await this.store.get({ key: this.key(def.subnet, 'cursor') });
      const next = cursor === undefined ? undefined : tryParseIp(stringField(cursor, 'next'));
      const outcome = await nextFit({
        space: def.space,
        start: next !== undefined && next.family === def.family ? next.value : cidrFirst(def.cidrValue),
        isFree: async (v) => (await this.store.get({ key: this.ipKey(def, v) })) === undefined,
        held: async () => {
          const all = await this.heldAddresses(def);
          reservedCount = all.filter((h) => h.state === 'reserved').length;
          return new Set(all.filter((h) => h.family === def.family).map((h) => h.value));
        },
        claim,
      });
      if (outcome.kind === 'claimed') return outcome.result;
      if (outcome.kind === 'exhausted') {
        throw new ExhaustedError(
          `subnet ${JSON.stringify(def.subnet)} (${def.cidr}) is exhausted: ${outcome.inUse} of ${def.capacity} assignable addresses are in use` +
            `${reservedCount > 0 ? ` (${reservedCount} kept for sticky owners)` : ''}; release addresses, forget sticky bindings, or widen the subnet`,
          { details: { subnet: def.subnet, cidr: def.cidr, inUse: Number(outcome.inUse), capacity: String(def.capacity), reserved: reservedCount } },
        );
      }
    }
    throw contended(subject, MAX_ATTEMPTS);
  }

  /**
   * Releases the owner's address. A sticky owner's address stays reserved for it (`kept: true`). Idempotent:
   * `released: false` when the owner held nothing. Works on an undefined subnet (nothing to release).
   * @throws InputError, ConflictError (too much contention), StoreError
   */
  async release(opts: IpOwnerOptions): Promise<IpReleaseResult> {
    const subject = `release in subnet ${JSON.stringify(opts.subnet)}`;
    throwIfProblems(subject, [idProblem(opts.subnet, 'subnet'), ownerProblem(opts.owner, 'owner')]);
    const ownerKey = this.key(opts.subnet, 'owner', keySegment(opts.owner));
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const held = await this.store.get({ key: ownerKey });
      if (held === undefined) return { released: false, kept: false };
      const ip = stringField(held, 'ip');
      const ipKey = this.key(opts.subnet, 'ip', ip);
      const ipEntry = await this.store.get({ key: ipKey });
      const ours = ipEntry !== undefined && stringField(ipEntry, 'owner') === opts.owner;
      const sticky = objectValue(held).sticky === true;
      const checks: StoreCheck[] = [{ key: ownerKey, revision: held.revision }, { key: ipKey, revision: ipEntry?.revision ?? 0 }];
      const r = await this.store.commit(
        sticky && ours
          ? { checks, deletes: [ownerKey], puts: [{ key: ipKey, value: { owner: opts.owner, sticky: true, state: 'reserved' } }], journal: { type: 'ipam.release', data: { subnet: opts.subnet, owner: opts.owner, ip, kept: true } } }
          : { checks, deletes: ours ? [ownerKey, ipKey] : [ownerKey], journal: { type: 'ipam.release', data: { subnet: opts.subnet, owner: opts.owner, ip, kept: false } } },
      );
      if (r.ok) return { released: true, ip, kept: sticky && ours };
    }
    throw contended(subject, MAX_ATTEMPTS);
  }

  /**
   * Drops the owner's sticky binding. If the owner does not hold the address now, the address becomes free
   * (`freed: true`); otherwise the owner keeps it until release, as a non-sticky allocation. Idempotent.
   * @throws InputError, ConflictError (too much contention), StoreError
   */
  async forget(opts: IpOwnerOptions): Promise<IpForgetResult> {
    const subject = `forget in subnet ${JSON.stringify(opts.subnet)}`;
    throwIfProblems(subject, [idProblem(opts.subnet, 'subnet'), ownerProblem(opts.owner, 'owner')]);
    const ownerKey = this.key(opts.subnet, 'owner', keySegment(opts.owner));
    const stickyKey = this.key(opts.subnet, 'sticky', keySegment(opts.owner));
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const kept = await this.store.get({ key: stickyKey });
      if (kept === undefined) return { forgotten: false, freed: false };
      const ip = stringField(kept, 'ip');
      const ipKey = this.key(opts.subnet, 'ip', ip);
      const [held, ipEntry] = [await this.store.get({ key: ownerKey }), await this.store.get({ key: ipKey })];
      const ours = ipEntry !== undefined && stringField(ipEntry, 'owner') === opts.owner;
      const checks: StoreCheck[] = [
        { key: stickyKey, revision: kept.revision },
        { key: ownerKey, revision: held?.revision ?? 0 },
        { key: ipKey, revision: ipEntry?.revision ?? 0 },
      ];
      const journal = { type: 'ipam.forget', data: { subnet: opts.subnet, owner: opts.owner, ip } };
      const holdsNow = held !== undefined && stringField(held, 'ip') === ip && ours;
      const r = await this.store.commit(
        holdsNow
          ? {
              checks,
              deletes: [stickyKey],
              puts: [
                { key: ownerKey, value: { ip, sticky: false } },
                { key: ipKey, value: { owner: opts.owner, sticky: false, state: 'allocated' } },
              ],
              journal,
            }
          : { checks, deletes: ours ? [stickyKey, ipKey] : [stickyKey], journal },
      );
      if (r.ok) return { forgotten: true, ip, freed: !holdsNow && ours };
    }
    throw contended(subject, MAX_ATTEMPTS);
  }

  /** The owner's address (held now, or kept by a sticky binding), or `undefined`. @throws InputError, StoreError */
  async lookup(opts: IpOwnerOptions): Promise<IpBinding | undefined> {
    throwIfProblems(`lookup in subnet ${JSON.stringify(opts.subnet)}`, [idProblem(opts.subnet, 'subnet'), ownerProblem(opts.owner, 'owner')]);
    const held = await this.store.get({ key: this.key(opts.subnet, 'owner', keySegment(opts.owner)) });
    if (held !== undefined) return { subnet: opts.subnet, owner: opts.owner, ip: stringField(held, 'ip'), sticky: objectValue(held).sticky === true, state: 'allocated' };
    const kept = await this.store.get({ key: this.key(opts.subnet, 'sticky', keySegment(opts.owner)) });
    if (kept !== undefined) return { subnet: opts.subnet, owner: opts.owner, ip: stringField(kept, 'ip'), sticky: true, state: 'reserved' };
    return undefined;
  }

  /** Who holds `ip` in the subnet (allocated or kept for a sticky owner), or `undefined`. @throws InputError, StoreError */
  async holder(opts: { readonly subnet: string; readonly ip: string }): Promise<IpBinding | undefined> {
    throwIfProblems(`holder in subnet ${JSON.stringify(opts.subnet)}`, [idProblem(opts.subnet, 'subnet')]);
    const parsed = typeof opts.ip === 'string' ? tryParseIp(opts.ip) : undefined;
    if (parsed === undefined) throw InputError.fromProblems(`holder in subnet ${JSON.stringify(opts.subnet)}`, [{ path: 'ip', reason: `${JSON.stringify(opts.ip)} is not an IP address` }]);
    const ip = formatIp(parsed);
    const entry = await this.store.get({ key: this.key(opts.subnet, 'ip', ip) });
    if (entry === undefined) return undefined;
    const v = objectValue(entry);
    return { subnet: opts.subnet, owner: stringField(entry, 'owner'), ip, sticky: v.sticky === true, state: v.state === 'reserved' ? 'reserved' : 'allocated' };
  }

  /** Every address held in the subnet, ordered by address. @throws InputError, NotFoundError, StoreError */
  async list(opts: { readonly subnet: string }): Promise<IpBinding[]> {
    const { def } = await this.config(opts.subnet);
    return (await this.heldAddresses(def)).map((h) => ({ subnet: def.subnet, owner: h.owner, ip: h.ip, sticky: h.sticky, state: h.state }));
  }

  /** How full the subnet is. @throws InputError, NotFoundError, StoreError */
  async usage(opts: { readonly subnet: string }): Promise<SubnetUsage> {
    const { def } = await this.config(opts.subnet);
    const held = await this.heldAddresses(def);
    const inSpace = held.filter((h) => h.family === def.family && def.space.has(h.value)).length;
    return { ...info(def), inUse: held.length, reserved: held.filter((h) => h.state === 'reserved').length, free: def.capacity - BigInt(inSpace) };
  }

  private async config(subnet: string): Promise<ConfigRead> {
    throwIfProblems(`subnet ${JSON.stringify(subnet)}`, [idProblem(subnet, 'subnet')]);
    const entry = await this.store.get({ key: this.key(subnet, 'config') });
    if (entry === undefined) throw new NotFoundError(`subnet ${JSON.stringify(subnet)} is not defined (ensureSubnet first)`, { details: { subnet } });
    // Revisions never repeat, so (key, revision) names one stored definition: parse it once, not per allocation.
    const cached = this.parsed.get(entry.key);
    if (cached !== undefined && cached.entry.revision === entry.revision) return { ...cached, entry };
    const read = readConfig(subnet, entry);
    if (this.parsed.size >= PARSED_CONFIG_CACHE) this.parsed.clear();
    this.parsed.set(entry.key, read);
    return read;
  }

  /** Freezes the subnet (compare-and-set on its config); returns the frozen revision, or undefined if it lost. */
  private async freeze(cfgKey: string, cur: StoreEntry): Promise<number | undefined> {
    const r = await this.store.commit({ checks: [{ key: cfgKey, revision: cur.revision }], puts: [{ key: cfgKey, value: { ...objectValue(cur), frozen: true } }] });
    return r.ok ? r.revisions[cfgKey] : undefined;
  }

  private async heldAddresses(def: SubnetDef): Promise<HeldAddress[]> {
    const prefix = `${this.key(def.subnet, 'ip')}/`;
    const out: HeldAddress[] = [];
    for (const e of await this.store.list({ prefix })) {
      const ip = tryParseIp(e.key.slice(prefix.length));
      if (ip === undefined) continue;
      const v = objectValue(e);
      out.push({ ip: formatIp(ip), family: ip.family, value: ip.value, owner: stringField(e, 'owner'), sticky: v.sticky === true, state: v.state === 'reserved' ? 'reserved' : 'allocated' });
    }
    return out.sort((a, b) => (a.family !== b.family ? a.family - b.family : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }

  /** Validates a requested fixed address; returns its value. */
  private checkRequested(def: SubnetDef, text: string, owner: string): bigint {
    const subject = `allocate in subnet ${JSON.stringify(def.subnet)}`;
    const ip = tryParseIp(text);
    if (ip === undefined) throw InputError.fromProblems(subject, [{ path: 'ip', reason: `${JSON.stringify(text)} is not an IP address` }]);
    if (ip.family !== def.family || ip.value < cidrFirst(def.cidrValue) || ip.value > cidrLast(def.cidrValue)) {
      throw InputError.fromProblems(subject, [{ path: 'ip', reason: `${formatIp(ip)} is not inside the subnet's CIDR ${def.cidr}` }]);
    }
    const why = reservedReason(def, ip.value);
    if (why !== undefined) {
      throw new ConflictError(`${subject}: ${formatIp(ip)} ${why} and is never handed out (requested by ${owner})`, {
        details: { subnet: def.subnet, ip: formatIp(ip), reason: why },
      });
    }
    return ip.value;
  }

  private addressValue(def: SubnetDef, text: string, key: string): bigint {
    const ip = tryParseIp(text);
    if (ip === undefined || ip.family !== def.family) throw new StoreError(`store value of ${key}: ${JSON.stringify(text)} is not an address of ${def.cidr}`, { details: { key } });
    return ip.value;
  }

  private ipKey(def: SubnetDef, v: bigint): string {
    return this.key(def.subnet, 'ip', formatAddr(def, v));
  }

  private key(subnet: string, ...rest: string[]): string {
    return storeKey(`subnet ${JSON.stringify(subnet)}`, 'ipam', subnet, ...rest);
  }
}

interface HeldAddress {
  readonly ip: string;
  readonly family: IpFamily;
  readonly value: bigint;
  readonly owner: string;
  readonly sticky: boolean;
  readonly state: 'allocated' | 'reserved';
}

function formatAddr(def: SubnetDef, v: bigint): string {
  return formatIp(ipFromBigint(def.family, v));
}

function allocation(def: SubnetDef, owner: string, ip: string, sticky: boolean, created: boolean): IpAllocation {
  return { subnet: def.subnet, owner, ip, family: def.family, cidr: def.cidr, prefix: def.prefix, gateway: def.gateway, sticky, created };
}

function info(def: SubnetDef): SubnetInfo {
  return { subnet: def.subnet, cidr: def.cidr, family: def.family, prefix: def.prefix, gateway: def.gateway, exclude: def.exclude, capacity: def.capacity };
}

function configValue(def: SubnetDef): { [k: string]: JsonValue } {
  return { cidr: def.cidr, gateway: def.gateway, exclude: [...def.exclude] };
}

function describeDef(def: SubnetDef): string {
  return `${def.cidr} (gateway ${def.gateway ?? 'none'}${def.exclude.length > 0 ? `, exclude ${def.exclude.join(', ')}` : ''})`;
}

function sameDefinition(a: SubnetDef, b: SubnetDef): boolean {
  return a.cidr === b.cidr && a.gateway === b.gateway && a.exclude.join(',') === b.exclude.join(',');
}

/** Why `v` is never handed out (`is the gateway of 10.0.0.0/24`), or undefined if it may be. */
function reservedReason(def: SubnetDef, v: bigint): string | undefined {
  if (def.gatewayValue === v) return `is the gateway of ${def.cidr}`;
  const special = def.special.get(v);
  if (special !== undefined) return `${special} of ${def.cidr}`;
  const span = def.excludeSet.spans.find((s) => s.first <= v && v <= s.last);
  if (span !== undefined) return `is in the exclude range ${formatIpRange({ family: def.family, first: span.first, last: span.last })} of ${def.cidr}`;
  return undefined;
}

function readConfig(subnet: string, entry: StoreEntry): ConfigRead {
  const v = objectValue(entry);
  const gateway = v.gateway;
  const exclude = v.exclude;
  try {
    const def = defineSubnet(
      subnet,
      {
        cidr: typeof v.cidr === 'string' ? v.cidr : '',
        gateway: gateway === null ? null : typeof gateway === 'string' ? gateway : undefined,
        exclude: Array.isArray(exclude) ? exclude.filter((x): x is string => typeof x === 'string') : [],
      },
      `stored subnet ${JSON.stringify(subnet)}`,
    );
    return { def, entry, frozen: v.frozen === true };
  } catch (e) {
    throw new StoreError(`store value of ${entry.key} is not a valid subnet definition: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { key: entry.key } });
  }
}

/** Validates and normalises a subnet definition (InputError listing every problem). */
function defineSubnet(subnet: string, d: { cidr: string; gateway?: string | null | undefined; exclude?: readonly string[] | undefined }, subject: string): SubnetDef {
  const problems: InputProblem[] = [];
  const idp = idProblem(subnet, 'subnet');
  if (idp !== undefined) problems.push(idp);
  let cidr: Cidr | undefined;
  try {
    cidr = parseCidr(d.cidr);
  } catch (e) {
    problems.push({ path: 'cidr', reason: isNetloomError(e) ? e.message : String(e) });
  }
  if (cidr === undefined) throw InputError.fromProblems(subject, problems);
  const family = cidr.family;
  const first = cidrFirst(cidr);
  const last = cidrLast(cidr);
  const fmt = (v: bigint): string => formatIp(ipFromBigint(family, v));
  const special = new Map<bigint, string>();
  if (family === 4 && cidr.prefix <= 30) {
    special.set(first, 'is the network address');
    special.set(last, 'is the broadcast address');
  }
  if (family === 6 && cidr.prefix <= 126) special.set(first, 'is the subnet-router anycast address');

  let gatewayValue: bigint | null;
  if (d.gateway === undefined) {
    const hostBits = (family === 4 ? 32 : 128) - cidr.prefix;
    gatewayValue = hostBits === 0 ? null : hostBits === 1 ? first : first + 1n;
  } else if (d.gateway === null) gatewayValue = null;
  else {
    const gw = typeof d.gateway === 'string' ? tryParseIp(d.gateway) : undefined;
    gatewayValue = null;
    if (gw === undefined) problems.push({ path: 'gateway', reason: `${JSON.stringify(d.gateway)} is not an IP address` });
    else if (gw.family !== family || gw.value < first || gw.value > last) problems.push({ path: 'gateway', reason: `${formatIp(gw)} is not inside ${formatCidr(cidr)}` });
    else if (special.has(gw.value)) problems.push({ path: 'gateway', reason: `${formatIp(gw)} ${special.get(gw.value)!} of ${formatCidr(cidr)}` });
    else gatewayValue = gw.value;
  }

  const spans: Span[] = [];
  (d.exclude ?? []).forEach((text, i) => {
    try {
      if (typeof text !== 'string') throw new Error('must be a string');
      let span: Span;
      if (text.includes('/')) {
        const c = parseCidr(text);
        if (c.family !== family) throw new Error(`${text} is IPv${c.family}, the subnet is IPv${family}`);
        span = { first: cidrFirst(c), last: cidrLast(c) };
      } else {
        const r = parseIpRange(text);
        if (r.family !== family) throw new Error(`${text} is IPv${r.family}, the subnet is IPv${family}`);
        span = { first: r.first, last: r.last };
      }
      if (span.first < first || span.last > last) throw new Error(`${text} is not inside ${formatCidr(cidr!)}`);
      spans.push(span);
    } catch (e) {
      problems.push({ path: `exclude[${i}]`, reason: e instanceof Error ? e.message : String(e) });
    }
  });
  if (problems.length > 0) throw InputError.fromProblems(subject, problems);
  const excludeSet = SpanSet.of(spans);
  const reserved = SpanSet.of([...special.keys(), ...(gatewayValue === null ? [] : [gatewayValue])].map((v) => ({ first: v, last: v })));
  const space = SpanSet.of([{ first, last }]).minus(reserved).minus(excludeSet);
  return {
    subnet,
    cidr: formatCidr(cidr),
    family,
    prefix: cidr.prefix,
    gateway: gatewayValue === null ? null : fmt(gatewayValue),
    exclude: excludeSet.spans.map((s) => formatIpRange({ family, first: s.first, last: s.last })),
    capacity: space.size,
    cidrValue: cidr,
    gatewayValue,
    special,
    excludeSet,
    space,
  };
}
