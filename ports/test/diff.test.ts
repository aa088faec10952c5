import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import {
  ConflictError,
  FABRIC_KIND_ORDER,
  FabricConfigCodec,
  InputError,
  NotFoundError,
  applyChanges,
  configEquals,
  decodeOrThrow,
  diffConfig,
  type Change,
  type ConfigObject,
  type DeviceConfig,
} from '@netloom/ports';
import { edited, fabricSample } from './samples';

// A generic vocabulary: three kinds, parent first, objects with a few nested and optional fields.
const ORDER = ['parent', 'child', 'grandchild'] as const;
type Obj = ConfigObject & { readonly n: number; readonly tags?: readonly string[]; readonly nested?: { readonly on: boolean; readonly note?: string } };
type Config = { readonly [K in (typeof ORDER)[number]]: { readonly [key: string]: Obj } };

const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', '10', '9', 'Z');
const bodyArb = fc.record(
  {
    n: fc.integer({ min: 0, max: 3 }),
    tags: fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }),
    nested: fc.record({ on: fc.boolean(), note: fc.constantFrom('p', 'q') }, { requiredKeys: ['on'], noNullPrototype: true }),
  },
  { requiredKeys: ['n'], noNullPrototype: true },
);
const kindArb = fc.dictionary(keyArb, bodyArb, { maxKeys: 6, noNullPrototype: true }).map((d) => {
  const out: Record<string, Obj> = {};
  for (const [k, v] of Object.entries(d)) out[k] = { key: k, ...v };
  return out;
});
const configArb: fc.Arbitrary<Config> = fc.record({ parent: kindArb, child: kindArb, grandchild: kindArb }, { noNullPrototype: true });

/** The same content with every object's properties (and every map's keys) in reverse order. */
function reordered<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => reordered(x)) as T;
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) out[k] = reordered((v as Record<string, unknown>)[k]);
    return out as T;
  }
  return v;
}

const diff = (desired: Config, observed: Config): Change[] => diffConfig({ desired, observed, order: ORDER });
const phase = (c: Change): number => (c.op === 'delete' ? 1 : 0);

describe('ports: diffConfig / applyChanges', () => {
  it('property: applying the diff to observed yields desired', () => {
    fc.assert(
      fc.property(configArb, configArb, (desired, observed) => {
        const result = applyChanges(observed, diff(desired, observed));
        assert.ok(configEquals(result, desired), JSON.stringify({ result, desired }));
      }),
      { numRuns: 300 },
    );
  });

  it('property: a config compared with itself (in any property order) yields no change', () => {
    fc.assert(
      fc.property(configArb, (x) => {
        assert.deepEqual(diff(x, x), []);
        assert.deepEqual(diff(x, reordered(x)), []);
        assert.deepEqual(diff(reordered(x), x), []);
      }),
    );
  });

  it('property: the result is the same whatever the property order of the inputs', () => {
    fc.assert(
      fc.property(configArb, configArb, (desired, observed) => {
        assert.deepEqual(diff(reordered(desired), reordered(observed)), diff(desired, observed));
      }),
    );
  });

  it('property: ordering — creates/updates first (kinds in order), then deletes (kinds reversed), keys ascending', () => {
    fc.assert(
      fc.property(configArb, configArb, (desired, observed) => {
        const changes = diff(desired, observed);
        for (let i = 1; i < changes.length; i++) {
          const a = changes[i - 1]!;
          const b = changes[i]!;
          // every delete after every create and update
          assert.ok(phase(a) <= phase(b), `${a.op} after ${b.op}`);
          if (phase(a) === phase(b)) {
            const ka = ORDER.indexOf(a.kind as (typeof ORDER)[number]);
            const kb = ORDER.indexOf(b.kind as (typeof ORDER)[number]);
            // creates/updates: parents first; deletes: children first
            if (phase(a) === 0) assert.ok(ka <= kb, `${a.kind} before ${b.kind} in creates`);
            else assert.ok(ka >= kb, `${a.kind} before ${b.kind} in deletes`);
            // within one kind: keys strictly ascending (so each key appears once)
            if (ka === kb) assert.ok(a.key < b.key, `${a.kind}: ${a.key} before ${b.key}`);
          }
        }
      }),
    );
  });

  it('property: ops match membership, and before/after carry the objects', () => {
    fc.assert(
      fc.property(configArb, configArb, (desired, observed) => {
        for (const c of diff(desired, observed)) {
          const kind = c.kind as (typeof ORDER)[number];
          const want = desired[kind][c.key];
          const have = observed[kind][c.key];
          if (c.op === 'create') assert.ok(want !== undefined && have === undefined && c.after === want && c.before === undefined);
          if (c.op === 'update') assert.ok(want !== undefined && have !== undefined && c.after === want && c.before === have && !configEquals(want, have));
          if (c.op === 'delete') assert.ok(want === undefined && have !== undefined && c.before === have && c.after === undefined);
        }
      }),
    );
  });

  it('property: applyChanges is pure (inputs unchanged)', () => {
    fc.assert(
      fc.property(configArb, configArb, (desired, observed) => {
        const snapshot = structuredClone(observed);
        const changes = diff(desired, observed);
        const snapChanges = structuredClone(changes);
        applyChanges(observed, changes);
        assert.deepEqual(observed, snapshot);
        assert.deepEqual(changes, snapChanges);
      }),
    );
  });

  it('an example: re-pointing a segment to a new VRF creates the VRF first and deletes the old one last', () => {
    const observed = decodeOrThrow(FabricConfigCodec, fabricSample(), 'observed');
    const desired = decodeOrThrow(
      FabricConfigCodec,
      edited(fabricSample(), (c) => {
        c.vrf['vpc-new'] = { key: 'vpc-new', name: 'vpc-new', l3Vni: 50002 };
        delete c.vrf['vpc-shop'];
        delete c.interconnect['vrb-dc2'];
        c.segment['10010']!.vrf = 'vpc-new';
        delete c.binding['Ethernet1/2:100'];
      }),
      'desired',
    );
    const changes = diffConfig({ desired, observed, order: FABRIC_KIND_ORDER });
    assert.deepEqual(
      changes.map((c) => `${c.op} ${c.kind} ${c.key}`),
      ['create vrf vpc-new', 'update segment 10010', 'delete binding Ethernet1/2:100', 'delete interconnect vrb-dc2', 'delete vrf vpc-shop'],
    );
  });

  it('treats undefined properties as absent and honours a custom equals', () => {
    const a = { parent: { k: { key: 'k', n: 1, nested: undefined } }, child: {}, grandchild: {} } as unknown as Config;
    const b: Config = { parent: { k: { key: 'k', n: 1 } }, child: {}, grandchild: {} };
    assert.deepEqual(diff(a, b), []);
    const c: Config = { parent: { k: { key: 'k', n: 2 } }, child: {}, grandchild: {} };
    assert.equal(diff(c, b).length, 1);
    assert.deepEqual(diffConfig({ desired: c, observed: b, order: ORDER, equals: (d, o) => d.key === o.key }), []);
  });

  it('a missing kind counts as empty; a kind outside the order is an error', () => {
    const partial = { parent: { k: { key: 'k', n: 1 } } } as unknown as Config;
    assert.deepEqual(
      diff(partial, { parent: {}, child: {}, grandchild: {} }).map((c) => c.op),
      ['create'],
    );
    const stray = { parent: {}, extra: {} } as unknown as DeviceConfig;
    assert.throws(() => diffConfig({ desired: stray, observed: {}, order: ['parent'] }), (e: unknown) => e instanceof InputError && /desired\.extra/.test(e.message));
  });

  it('applyChanges refuses stale or impossible changes', () => {
    const held: Config = { parent: { k: { key: 'k', n: 1 } }, child: {}, grandchild: {} };
    const obj = { key: 'k', n: 1 };
    assert.throws(() => applyChanges(held, [{ op: 'create', kind: 'parent', key: 'k', after: obj }]), ConflictError);
    assert.throws(() => applyChanges(held, [{ op: 'delete', kind: 'child', key: 'k', before: obj }]), NotFoundError);
    assert.throws(() => applyChanges(held, [{ op: 'update', kind: 'parent', key: 'k', before: { key: 'k', n: 9 } as Obj, after: obj }]), ConflictError);
    assert.throws(() => applyChanges(held, [{ op: 'update', kind: 'parent', key: 'k', before: obj }]), InputError);
    assert.throws(() => applyChanges(held, [{ op: 'create', kind: 'parent', key: 'j', after: obj }]), InputError);
    // without the before check, a stale update goes through
    const out = applyChanges(held, [{ op: 'update', kind: 'parent', key: 'k', before: { key: 'k', n: 9 } as Obj, after: { key: 'k', n: 3 } as Obj }], { checkBefore: false });
    assert.equal(out.parent['k']!.n, 3);
  });
});
