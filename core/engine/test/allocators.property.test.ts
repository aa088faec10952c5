/**
 * Property-based tests of the allocators (fast-check). The acceptance criteria:
 * - for random sequences of allocate / fixed-IP / sticky / release / forget, no address, VNI or VLAN is ever held
 *   by two owners at once, and the store agrees with a simple model after every step;
 * - the same across close and reopen of the SQLite store (reopen commands are interleaved in the sequences);
 * - with concurrent callers: several allocator instances (replicas) on one store calling allocate at once
 *   (in-memory store with fast-check's scheduler choosing the interleaving; SQLite with several connections to
 *   one file standing in for several processes).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ErrorCode } from '@netloom/domain';
import { IpamAllocator, keySegment, VlanAllocator, VniAllocator, type IpAllocation } from '@netloom/engine';
import { isNetloomError, type StorePort } from '@netloom/ports';
import { createHarness } from './helpers';

const RUNS = Number(process.env.NETLOOM_PROPERTY_RUNS ?? 60);

// ------------------------------------------------------------------------------------------------------------
// Subnets under test, described independently of the allocator's own arithmetic.

interface SubnetSpec {
  readonly name: string;
  readonly cidr: string;
  readonly exclude: readonly string[];
  readonly size: number;
  readonly ipOf: (offset: number) => string;
  /** Offsets never handed out: network/broadcast (or subnet-router anycast), gateway, excluded. */
  readonly reserved: ReadonlySet<number>;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const V4: SubnetSpec = {
  name: 'v4',
  cidr: '10.0.0.0/27',
  exclude: ['10.0.0.10..10.0.0.12'],
  size: 32,
  ipOf: (o) => `10.0.0.${o}`,
  reserved: new Set([0, 31, 1, ...range(10, 12)]),
};
const V6: SubnetSpec = {
  name: 'v6',
  cidr: 'fd00:a::/123',
  exclude: ['fd00:a::8..fd00:a::9'],
  size: 32,
  ipOf: (o) => (o === 0 ? 'fd00:a::' : `fd00:a::${o.toString(16)}`),
  reserved: new Set([0, 1, 8, 9]),
};
const OWNERS = 32; // more owners than addresses: exhaustion and reuse happen

const ownerName = (i: number): string => (i % 3 === 0 ? `ns-${i % 4}/pod-${i}` : `owner-${i}`);

// ------------------------------------------------------------------------------------------------------------
// Store-level invariants, read from the raw keys: one holder per address, owner and sticky records consistent.

async function checkIpamStore(store: StorePort, subnet: string): Promise<Map<string, { owner: string; state: string; sticky: boolean }>> {
  const entries = await store.list({ prefix: `ipam/${subnet}/` });
  const ips = new Map<string, { owner: string; state: string; sticky: boolean }>();
  const owners = new Map<string, { ip: string; sticky: boolean }>();
  const stickies = new Map<string, string>();
  for (const e of entries) {
    const rest = e.key.slice(`ipam/${subnet}/`.length);
    const v = e.value as Record<string, unknown>;
    if (rest.startsWith('ip/')) ips.set(rest.slice(3), { owner: v.owner as string, state: v.state as string, sticky: v.sticky === true });
    else if (rest.startsWith('owner/')) owners.set(rest.slice(6), { ip: v.ip as string, sticky: v.sticky === true });
    else if (rest.startsWith('sticky/')) stickies.set(rest.slice(7), v.ip as string);
    else assert.ok(rest === 'config' || rest === 'cursor', `unexpected key ${e.key}`);
  }
  const seenOwners = new Set<string>();
  for (const [ip, rec] of ips) {
    const seg = keySegment(rec.owner);
    if (rec.state === 'allocated') {
      assert.ok(!seenOwners.has(rec.owner), `${rec.owner} holds two addresses`);
      seenOwners.add(rec.owner);
      assert.deepEqual(owners.get(seg), { ip, sticky: rec.sticky }, `owner record of ${rec.owner} does not point to ${ip}`);
    } else {
      assert.equal(rec.state, 'reserved');
      assert.equal(owners.get(seg), undefined, `${rec.owner} has a reserved address and an owner record`);
    }
    if (rec.sticky) assert.equal(stickies.get(seg), ip, `sticky record of ${rec.owner} does not point to ${ip}`);
    else assert.equal(stickies.get(seg), undefined);
  }
  for (const [seg, o] of owners) assert.equal(keySegment(ips.get(o.ip)?.owner ?? '?'), seg, `owner record ${seg} points to ${o.ip}, not its own`);
  for (const [seg, ip] of stickies) assert.equal(keySegment(ips.get(ip)?.owner ?? '?'), seg, `sticky record ${seg} points to ${ip}, not its own`);
  return ips;
}

// ------------------------------------------------------------------------------------------------------------
// IPAM: sequential operations against a model.

type IpOp =
  | { readonly t: 'alloc'; readonly owner: number; readonly sticky: boolean }
  | { readonly t: 'fixed'; readonly owner: number; readonly offset: number; readonly sticky: boolean }
  | { readonly t: 'release'; readonly owner: number }
  | { readonly t: 'forget'; readonly owner: number }
  | { readonly t: 'reopen' };

const ipOpArb = (size: number): fc.Arbitrary<IpOp> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('alloc' as const), owner: fc.nat(OWNERS - 1), sticky: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('fixed' as const), owner: fc.nat(OWNERS - 1), offset: fc.nat(size - 1), sticky: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('release' as const), owner: fc.nat(OWNERS - 1) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('forget' as const), owner: fc.nat(OWNERS - 1) }) },
    { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
  );

interface Held {
  owner: string;
  state: 'allocated' | 'reserved';
  sticky: boolean;
}

async function outcome<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (!isNetloomError(e)) throw e;
    return { ok: false, code: e.code, message: e.message };
  }
}

async function runIpamModel(kind: 'memory' | 'sqlite', spec: SubnetSpec, ops: readonly IpOp[]): Promise<void> {
  const h = createHarness(kind);
  try {
    let store = h.store;
    let ipam = new IpamAllocator({ store });
    await ipam.ensureSubnet({ subnet: spec.name, cidr: spec.cidr, exclude: spec.exclude });
    const capacity = spec.size - spec.reserved.size;
    const model = new Map<string, Held>(); // ip → holder
    const find = (owner: string, state?: Held['state']): [string, Held] | undefined => [...model].find(([, x]) => x.owner === owner && (state === undefined || x.state === state));
    for (const op of ops) {
      if (op.t === 'reopen') {
        if (kind === 'sqlite') {
          await store.close();
          store = h.open();
        }
        ipam = new IpamAllocator({ store });
        continue;
      }
      const owner = ownerName(op.owner);
      const mine = find(owner);
      if (op.t === 'alloc' || op.t === 'fixed') {
        const requested = op.t === 'fixed' ? spec.ipOf(op.offset) : undefined;
        const r = await outcome(ipam.allocate({ subnet: spec.name, owner, sticky: op.sticky, ...(requested === undefined ? {} : { ip: requested }) }));
        if (mine !== undefined) {
          const [ip, held] = mine;
          if (requested !== undefined && requested !== ip) {
            assert.ok(!r.ok && r.code === ErrorCode.CONFLICT, `owner with ${ip} asking for ${requested}: ${JSON.stringify(r)}`);
            continue;
          }
          assert.ok(r.ok, `owner ${owner} holding ${ip} must get it again: ${JSON.stringify(r)}`);
          assert.equal(r.value.ip, ip);
          assert.equal(r.value.created, held.state === 'reserved');
          held.sticky = held.sticky || op.sticky;
          held.state = 'allocated';
          assert.equal(r.value.sticky, held.sticky);
          continue;
        }
        if (requested !== undefined) {
          const offset = (op as { offset: number }).offset;
          const holder = model.get(requested);
          if (spec.reserved.has(offset)) {
            assert.ok(!r.ok && r.code === ErrorCode.CONFLICT && /never handed out/.test(r.message), `reserved ${requested}: ${JSON.stringify(r)}`);
          } else if (holder !== undefined) {
            assert.ok(!r.ok && r.code === ErrorCode.CONFLICT && r.message.includes(`is held by ${holder.owner}`), `held ${requested}: ${JSON.stringify(r)}`);
          } else {
            assert.ok(r.ok, `free fixed ${requested}: ${JSON.stringify(r)}`);
            assert.equal(r.value.ip, requested);
            model.set(requested, { owner, state: 'allocated', sticky: op.sticky });
          }
          continue;
        }
        if (model.size >= capacity) {
          assert.ok(!r.ok && r.code === ErrorCode.EXHAUSTED, `full subnet: ${JSON.stringify(r)}`);
          assert.match(r.message, new RegExp(`${capacity} of ${capacity} assignable addresses are in use`));
          continue;
        }
        assert.ok(r.ok, `free addresses left: ${JSON.stringify(r)}`);
        const ip = r.value.ip;
        const offset = [...Array(spec.size).keys()].find((o) => spec.ipOf(o) === ip);
        assert.ok(offset !== undefined, `${ip} is not in ${spec.cidr}`);
        assert.ok(!spec.reserved.has(offset), `${ip} is reserved`);
        assert.equal(model.get(ip), undefined, `${ip} handed to ${owner} but held by ${model.get(ip)?.owner}`);
        model.set(ip, { owner, state: 'allocated', sticky: op.sticky });
      } else if (op.t === 'release') {
        const r = await ipam.release({ subnet: spec.name, owner });
        const held = find(owner, 'allocated');
        assert.equal(r.released, held !== undefined);
        if (held !== undefined) {
          assert.equal(r.ip, held[0]);
          assert.equal(r.kept, held[1].sticky);
          if (held[1].sticky) held[1].state = 'reserved';
          else model.delete(held[0]);
        }
      } else {
        const r = await ipam.forget({ subnet: spec.name, owner });
        const sticky = mine !== undefined && mine[1].sticky ? mine : undefined;
        assert.equal(r.forgotten, sticky !== undefined);
        if (sticky !== undefined) {
          assert.equal(r.freed, sticky[1].state === 'reserved');
          if (sticky[1].state === 'reserved') model.delete(sticky[0]);
          else sticky[1].sticky = false;
        }
      }
      // After every step the store says exactly what the model says.
      const stored = await checkIpamStore(store, spec.name);
      assert.deepEqual(
        new Map([...stored].sort()),
        new Map([...model].sort().map(([ip, x]) => [ip, { owner: x.owner, state: x.state, sticky: x.sticky }])),
      );
    }
    await store.close();
  } finally {
    await h.dispose();
  }
}

describe('allocator properties', function () {
  this.timeout(300_000);

  for (const kind of ['memory', 'sqlite'] as const) {
    for (const spec of [V4, V6]) {
      it(`IPAM (${spec.name} ${spec.cidr}, ${kind}${kind === 'sqlite' ? ', with reopen' : ''}): random operations match the model; no address has two owners`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(ipOpArb(spec.size), { minLength: 1, maxLength: 90 }), (ops) => runIpamModel(kind, spec, ops)),
          { numRuns: kind === 'memory' ? RUNS : Math.ceil(RUNS / 2) },
        );
      });
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // IPAM: concurrent replicas.

  type ConcurrentIp = { readonly replica: number; readonly owner: number; readonly sticky: boolean; readonly fixed: number | null };
  type Round = { readonly t: 'alloc'; readonly ops: readonly ConcurrentIp[] } | { readonly t: 'free'; readonly ops: readonly { replica: number; owner: number; forget: boolean }[] } | { readonly t: 'reopen' };
  const REPLICAS = 4;
  const roundArb: fc.Arbitrary<Round> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        t: fc.constant('alloc' as const),
        ops: fc.array(fc.record({ replica: fc.nat(REPLICAS - 1), owner: fc.nat(OWNERS - 1), sticky: fc.boolean(), fixed: fc.option(fc.nat(V4.size - 1), { freq: 4 }) }), { minLength: 2, maxLength: 12 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('free' as const),
        ops: fc.array(fc.record({ replica: fc.nat(REPLICAS - 1), owner: fc.nat(OWNERS - 1), forget: fc.boolean() }), { minLength: 1, maxLength: 10 }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
  );

  /** Runs rounds of concurrent calls by several replicas; checks after each round. */
  async function runConcurrentIpam(
    checkStore: () => StorePort,
    rounds: readonly Round[],
    handles: () => StorePort[],
    reopen: () => Promise<void>,
    drive: <T>(p: Promise<T>) => Promise<T>,
    quiet: <T>(f: () => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const replicas = (): IpamAllocator[] => {
      const hs = handles();
      return Array.from({ length: REPLICAS }, (_, i) => new IpamAllocator({ store: hs[i % hs.length]! }));
    };
    let ipams = replicas();
    await quiet(() => ipams[0]!.ensureSubnet({ subnet: 'c', cidr: V4.cidr, exclude: V4.exclude }));
    let before = await quiet(() => checkIpamStore(checkStore(), 'c'));
    for (const round of rounds) {
      if (round.t === 'reopen') {
        await reopen();
        ipams = replicas();
        before = await quiet(() => checkIpamStore(checkStore(), 'c'));
        continue;
      }
      if (round.t === 'free') {
        await drive(
          Promise.all(round.ops.map((op) => (op.forget ? ipams[op.replica]!.forget({ subnet: 'c', owner: ownerName(op.owner) }) : ipams[op.replica]!.release({ subnet: 'c', owner: ownerName(op.owner) })))),
        );
        before = await quiet(() => checkIpamStore(checkStore(), 'c'));
        continue;
      }
      const results = await drive(
        Promise.all(
          round.ops.map((op) =>
            outcome(
              ipams[op.replica]!.allocate({ subnet: 'c', owner: ownerName(op.owner), sticky: op.sticky, ...(op.fixed === null ? {} : { ip: V4.ipOf(op.fixed) }) }),
            ).then((r) => ({ op, r })),
          ),
        ),
      );
      const after = await quiet(() => checkIpamStore(checkStore(), 'c'));
      const usage = await quiet(() => ipams[0]!.usage({ subnet: 'c' }));
      const granted = new Map<string, IpAllocation>();
      for (const { op, r } of results) {
        const owner = ownerName(op.owner);
        if (r.ok) {
          // Held by this owner at the end of the round (an allocation round never frees anything).
          const now = after.get(r.value.ip);
          assert.deepEqual([now?.owner, now?.state], [owner, 'allocated'], `${r.value.ip} granted to ${owner}`);
          // A concurrent call of the same owner may have made it sticky since; never the reverse in this round.
          if (r.value.sticky) assert.equal(now?.sticky, true);
          const other = granted.get(r.value.ip);
          assert.ok(other === undefined || other.owner === owner, `${r.value.ip} granted to ${owner} and ${other?.owner}`);
          granted.set(r.value.ip, r.value);
          assert.ok(!V4.reserved.has(Number(r.value.ip.split('.')[3])), `${r.value.ip} is reserved`);
          if (op.fixed !== null) assert.equal(r.value.ip, V4.ipOf(op.fixed));
        } else if (r.code === ErrorCode.EXHAUSTED) {
          assert.equal(op.fixed, null);
          assert.equal(usage.free, 0n, `exhausted reported with ${usage.free} free at the end of an allocation round`);
        } else {
          assert.equal(r.code, ErrorCode.CONFLICT, r.message);
          assert.notEqual(op.fixed, null, `a dynamic allocation failed with ${r.message}`);
          assert.doesNotMatch(r.message, /gave up/);
        }
      }
      // Nobody lost an address to someone else.
      for (const [ip, held] of before) assert.equal(after.get(ip)?.owner, held.owner, `${ip} moved from ${held.owner}`);
      before = after;
    }
  }

  it('IPAM: concurrent replicas on one in-memory store, interleavings chosen by fast-check: disjoint and consistent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(roundArb, { minLength: 1, maxLength: 12 }), async (s, rounds) => {
        let scheduling = true;
        const h = createHarness('memory', { beforeOperation: () => (scheduling ? s.schedule(Promise.resolve()) : Promise.resolve()) });
        const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
          scheduling = false;
          try {
            return await f();
          } finally {
            scheduling = true;
          }
        };
        await runConcurrentIpam(() => h.store, rounds, () => [h.store], async () => undefined, (p) => s.waitFor(p), quiet);
      }),
      { numRuns: RUNS },
    );
  });

  it('IPAM: concurrent replicas on two SQLite connections to one file, with reopen: disjoint and consistent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(roundArb, { minLength: 1, maxLength: 12 }), async (rounds) => {
        const h = createHarness('sqlite');
        try {
          let hs: StorePort[] = [h.store, h.open()];
          const reopen = async (): Promise<void> => {
            for (const x of hs) await x.close();
            hs = [h.open(), h.open()];
          };
          await runConcurrentIpam(() => hs[0]!, rounds, () => hs, reopen, (p) => p, (f) => f());
        } finally {
          await h.dispose();
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  // ----------------------------------------------------------------------------------------------------------
  // VNI and VLAN: sequential model (with reopen) and concurrent replicas.

  type IdOp = { readonly t: 'alloc' | 'release'; readonly pool: number; readonly owner: number } | { readonly t: 'reopen' };
  const idOpArb = (pools: number, owners: number): fc.Arbitrary<IdOp> =>
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ t: fc.constant('alloc' as const), pool: fc.nat(pools - 1), owner: fc.nat(owners - 1) }) },
      { weight: 3, arbitrary: fc.record({ t: fc.constant('release' as const), pool: fc.nat(pools - 1), owner: fc.nat(owners - 1) }) },
      { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
    );

  /** A pool family under test: VNI pools l2/l3 or the VLANs of two nodes. */
  interface IdFamily {
    readonly name: string;
    readonly pools: readonly string[];
    /** Ids each pool may hand out. */
    readonly ids: readonly (readonly number[])[];
    readonly owners: number;
    make(store: StorePort): { allocate(pool: number, owner: string): Promise<number>; release(pool: number, owner: string): Promise<number | undefined> };
    /** Ground truth from the raw store: pool → id → owner. */
    held(store: StorePort): Promise<Map<string, string>[]>;
  }

  const VNI: IdFamily = {
    name: 'VNI',
    pools: ['l2', 'l3'],
    ids: [[10, 11, 12, 20, 21], [30, 31, 32]],
    owners: 8,
    make(store) {
      const a = new VniAllocator({ store, ranges: { l2: [{ from: 10, to: 12 }, { from: 20, to: 21 }], l3: [{ from: 30, to: 32 }] } });
      const pool = (i: number): 'l2' | 'l3' => (i === 0 ? 'l2' : 'l3');
      return {
        allocate: async (p, owner) => (await a.allocate({ pool: pool(p), owner })).vni,
        release: async (p, owner) => (await a.release({ pool: pool(p), owner })).vni,
      };
    },
    async held(store) {
      const out = [new Map<string, string>(), new Map<string, string>()];
      for (const e of await store.list({ prefix: 'vni/id/' })) {
        const v = e.value as { pool: string; owner: string };
        const vni = e.key.slice('vni/id/'.length);
        const owners = [...(await store.list({ prefix: `vni/${v.pool}/owner/` }))].filter((o) => String((o.value as { vni: number }).vni) === vni);
        assert.deepEqual(owners.map((o) => o.key), [`vni/${v.pool}/owner/${keySegment(v.owner)}`], `owner record of VNI ${vni}`);
        out[v.pool === 'l2' ? 0 : 1]!.set(vni, v.owner);
      }
      return out;
    },
  };

  const VLAN: IdFamily = {
    name: 'VLAN',
    pools: ['node-a', 'node-b'],
    ids: [range(100, 103), range(100, 103)],
    owners: 7,
    make(store) {
      const a = new VlanAllocator({ store, range: { from: 100, to: 103 } });
      const node = (i: number): string => (i === 0 ? 'node-a' : 'node-b');
      return {
        allocate: async (p, owner) => (await a.allocate({ node: node(p), ls: owner })).vlan,
        release: async (p, owner) => (await a.release({ node: node(p), ls: owner })).vlan,
      };
    },
    async held(store) {
      const out = [new Map<string, string>(), new Map<string, string>()];
      for (const e of await store.list({ prefix: 'vlan/' })) {
        const m = /^vlan\/(node-[ab])\/id\/(\d+)$/.exec(e.key);
        if (m === null) continue;
        const ls = (e.value as { ls: string }).ls;
        const own = await store.get({ key: `vlan/${m[1]}/ls/${keySegment(ls)}` });
        assert.equal((own?.value as { vlan: number } | undefined)?.vlan, Number(m[2]), `LS record of VLAN ${m[2]} on ${m[1]}`);
        out[m[1] === 'node-a' ? 0 : 1]!.set(m[2]!, ls);
      }
      return out;
    },
  };

  const idOwner = (i: number): string => `ls-${i}`;

  for (const fam of [VNI, VLAN]) {
    for (const kind of ['memory', 'sqlite'] as const) {
      it(`${fam.name} (${kind}${kind === 'sqlite' ? ', with reopen' : ''}): random allocate/release match the model; no id has two owners; limits are per pool`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(idOpArb(fam.pools.length, fam.owners), { minLength: 1, maxLength: 60 }), async (ops) => {
            const h = createHarness(kind);
            try {
              let store = h.store;
              let alloc = fam.make(store);
              const model = fam.pools.map(() => new Map<string, string>()); // pool → id → owner
              for (const op of ops) {
                if (op.t === 'reopen') {
                  if (kind === 'sqlite') {
                    await store.close();
                    store = h.open();
                  }
                  alloc = fam.make(store);
                  continue;
                }
                const m = model[op.pool]!;
                const owner = idOwner(op.owner);
                const mine = [...m].find(([, o]) => o === owner)?.[0];
                if (op.t === 'alloc') {
                  const r = await outcome(alloc.allocate(op.pool, owner));
                  if (mine !== undefined) assert.ok(r.ok && String(r.value) === mine, `idempotent: ${JSON.stringify(r)}`);
                  else if (m.size >= fam.ids[op.pool]!.length) {
                    assert.ok(!r.ok && r.code === ErrorCode.EXHAUSTED, `full ${fam.pools[op.pool]}: ${JSON.stringify(r)}`);
                    assert.ok(r.message.includes(fam.name === 'VNI' ? `pool ${fam.pools[op.pool]}` : `node "${fam.pools[op.pool]}"`), r.message);
                  } else {
                    assert.ok(r.ok, `free ids left in ${fam.pools[op.pool]}: ${JSON.stringify(r)}`);
                    assert.ok(fam.ids[op.pool]!.includes(r.value), `${r.value} outside the ranges`);
                    assert.equal(m.get(String(r.value)), undefined, `${r.value} given to ${owner} but held by ${m.get(String(r.value))}`);
                    m.set(String(r.value), owner);
                  }
                } else {
                  const released = await alloc.release(op.pool, owner);
                  assert.equal(released === undefined ? undefined : String(released), mine);
                  if (mine !== undefined) m.delete(mine);
                }
                assert.deepEqual(
                  (await fam.held(store)).map((x) => new Map([...x].sort())),
                  model.map((x) => new Map([...x].sort())),
                );
              }
            } finally {
              await h.dispose();
            }
          }),
          { numRuns: kind === 'memory' ? RUNS : Math.ceil(RUNS / 2) },
        );
      });
    }

    it(`${fam.name}: concurrent replicas (in-memory store with fast-check's scheduler, and two SQLite connections): disjoint`, async () => {
      const opsArb = fc.array(
        fc.array(fc.record({ replica: fc.nat(REPLICAS - 1), pool: fc.nat(fam.pools.length - 1), owner: fc.nat(fam.owners - 1), release: fc.boolean() }), { minLength: 2, maxLength: 10 }),
        { minLength: 1, maxLength: 8 },
      );
      const check = async (
        store: StorePort,
        rounds: readonly (readonly { replica: number; pool: number; owner: number; release: boolean }[])[],
        stores: StorePort[],
        drive: <T>(p: Promise<T>) => Promise<T>,
        quiet: <T>(f: () => Promise<T>) => Promise<T>,
      ): Promise<void> => {
        const replicas = Array.from({ length: REPLICAS }, (_, i) => fam.make(stores[i % stores.length]!));
        for (const round of rounds) {
          // Allocations first, all at once; then the releases of the round, all at once.
          const before = await quiet(() => fam.held(store));
          const allocs = round.filter((o) => !o.release);
          const results = await drive(Promise.all(allocs.map((o) => outcome(replicas[o.replica]!.allocate(o.pool, idOwner(o.owner))).then((r) => ({ o, r })))));
          const after = await quiet(() => fam.held(store));
          for (const { o, r } of results) {
            if (r.ok) assert.equal(after[o.pool]!.get(String(r.value)), idOwner(o.owner), `${r.value} granted to ${idOwner(o.owner)}`);
            else {
              assert.equal(r.code, ErrorCode.EXHAUSTED, r.message);
              assert.equal(after[o.pool]!.size, fam.ids[o.pool]!.length, 'exhausted although ids were free');
            }
          }
          before.forEach((m, p) => m.forEach((owner, id) => assert.equal(after[p]!.get(id), owner, `${fam.pools[p]} ${id} moved from ${owner}`)));
          await drive(Promise.all(round.filter((o) => o.release).map((o) => replicas[o.replica]!.release(o.pool, idOwner(o.owner)))));
        }
      };
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), opsArb, async (s, rounds) => {
          let scheduling = true;
          const h = createHarness('memory', { beforeOperation: () => (scheduling ? s.schedule(Promise.resolve()) : Promise.resolve()) });
          const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
            scheduling = false;
            try {
              return await f();
            } finally {
              scheduling = true;
            }
          };
          await check(h.store, rounds, [h.store], (p) => s.waitFor(p), quiet);
        }),
        { numRuns: RUNS },
      );
      await fc.assert(
        fc.asyncProperty(opsArb, async (rounds) => {
          const h = createHarness('sqlite');
          try {
            await check(h.store, rounds, [h.store, h.open()], (p) => p, (f) => f());
          } finally {
            await h.dispose();
          }
        }),
        { numRuns: Math.ceil(RUNS / 3) },
      );
    });
  }
});
