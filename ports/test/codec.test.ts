import { strict as assert } from 'node:assert';
import * as t from 'io-ts';
import {
  FabricConfigCodec,
  InputError,
  SafeNameCodec,
  VlanCodec,
  VniCodec,
  decodeOrThrow,
  decodeProblems,
  describeValue,
  discriminated,
  keyedRecord,
  problemsFromErrors,
  setOf,
  struct,
  withChecks,
  type InputProblem,
} from '@netloom/ports';

function problems<A, O>(codec: t.Type<A, O, unknown>, value: unknown): InputProblem[] {
  return decodeProblems(codec, value).problems;
}

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a throw');
}

const fabric = (segment: unknown) => ({ vrf: {}, interconnect: {}, binding: {}, segment });

describe('ports: decodeOrThrow and problem paths', () => {
  it('returns the decoded value when valid', () => {
    const v = decodeOrThrow(struct('P', { name: SafeNameCodec, vlan: VlanCodec }), { name: 'a', vlan: 10 }, 'p');
    assert.deepEqual(v, { name: 'a', vlan: 10 });
  });

  it('names a record entry and its field: segment["10010"].l2Vni', () => {
    const e = thrown(() => decodeOrThrow(FabricConfigCodec, fabric({ '10010': { key: '10010', name: 'ls-a', l2Vni: 0 } }), 'desired config of leaf1'));
    assert.equal(e.code, 'INPUT.INVALID');
    assert.ok(e.problems.some((p) => p.path === 'segment["10010"].l2Vni' && p.reason === '0 is outside 1..16777215'), JSON.stringify(e.problems));
    assert.match(e.message, /^desired config of leaf1 is invalid/);
    assert.match(e.message, /segment\["10010"\]\.l2Vni: 0 is outside 1\.\.16777215/);
  });

  it('reports every failing leaf, not just the first', () => {
    const ps = problems(
      FabricConfigCodec,
      fabric({
        '1': { key: '1', name: 'bd1\nquit', l2Vni: 1, vrf: 'x; reboot' },
        '2': { key: '2', name: 'ok', l2Vni: 2.5 },
      }),
    );
    const paths = ps.map((p) => p.path);
    assert.ok(paths.includes('segment["1"].name'), JSON.stringify(ps));
    assert.ok(paths.includes('segment["1"].vrf'), JSON.stringify(ps));
    assert.ok(paths.includes('segment["2"].l2Vni'), JSON.stringify(ps));
    assert.equal(ps.find((p) => p.path === 'segment["2"].l2Vni')?.reason, '2.5 is not an integer');
    assert.match(ps.find((p) => p.path === 'segment["1"].name')!.reason, /^"bd1\\nquit" is not a safe name/);
  });

  it('indexes arrays: anycastGateway.ipv4[1]', () => {
    const ps = problems(
      FabricConfigCodec,
      { vrf: { v: { key: 'v', name: 'v', l3Vni: 5 } }, interconnect: {}, binding: {}, segment: { '7': { key: '7', name: 's', l2Vni: 7, vrf: 'v', anycastGateway: { ipv4: ['10.0.0.1/24', '10.0.0.300/24'] } } } },
    );
    assert.deepEqual(ps, [{ path: 'segment["7"].anycastGateway.ipv4[1]', reason: '"10.0.0.300/24" is not an IPv4 prefix' }]);
  });

  it('indexes plain io-ts arrays, records and tuples', () => {
    const codec = t.type({ list: t.array(t.number), map: t.record(t.string, t.type({ x: t.string })), pair: t.tuple([t.string, t.number]) });
    const ps = problems(codec, { list: [1, 'two', 3], map: { 'a b': { x: 1 } }, pair: ['a', 'b'] });
    assert.deepEqual(ps, [
      { path: 'list[1]', reason: 'expected number, got "two"' },
      { path: 'map["a b"].x', reason: 'expected string, got 1' },
      { path: 'pair[1]', reason: 'expected number, got "b"' },
    ]);
  });

  it('says "required" for a missing field and "unknown field" for an extra one', () => {
    const ps = problems(struct('P', { a: t.string, b: t.number }), { a: 'x', c: true });
    assert.deepEqual(ps, [
      { path: 'b', reason: 'required' },
      { path: 'c', reason: 'unknown field' },
    ]);
    // plain io-ts t.type: a missing field is also "required"
    assert.deepEqual(problems(t.type({ a: t.type({ b: t.string }) }), { a: {} }), [{ path: 'a.b', reason: 'required' }]);
  });

  it('drops unknown fields with unknownFields: strip, and undefined optional fields always', () => {
    const codec = struct('P', { a: t.string }, { b: t.number }, { unknownFields: 'strip' });
    assert.deepEqual(decodeOrThrow(codec, { a: 'x', b: undefined, c: 1 }, 'p'), { a: 'x' });
  });

  it('hides union branches and picks the branch that came closest', () => {
    const Qos = t.union([SafeNameCodec, struct('Limits', {}, { rate: VniCodec })], 'a QoS name or limits');
    const codec = struct('Port', { qos: Qos });
    // an object: the object branch got inside the value
    assert.deepEqual(problems(codec, { qos: { rate: 0 } }), [{ path: 'qos.rate', reason: '0 is outside 1..16777215' }]);
    // a string: the string branch accepted the type but not the value
    assert.deepEqual(problems(codec, { qos: 'a b' }), [{ path: 'qos', reason: `"a b" is not a safe name: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit` }]);
    // neither: one problem at the union's path
    assert.deepEqual(problems(codec, { qos: 5 }), [{ path: 'qos', reason: 'expected a QoS name or limits, got 5' }]);
  });

  it('prefers the union branch whose discriminant matched', () => {
    // B fails with fewer problems, but its discriminant does not match: A is what the author meant.
    const A = t.type({ type: t.literal('vlan'), vlan: VlanCodec, name: t.string, owner: t.string });
    const B = t.type({ type: t.literal('tunnel'), key: VniCodec });
    const codec = t.type({ attachment: t.union([B, A]) });
    assert.deepEqual(problems(codec, { attachment: { type: 'vlan', vlan: 5000 } }), [
      { path: 'attachment.vlan', reason: '5000 is outside 1..4094' },
      { path: 'attachment.name', reason: 'required' },
      { path: 'attachment.owner', reason: 'required' },
    ]);
  });

  it('resolves nested unions', () => {
    const inner = t.union([t.literal('flow'), VniCodec], 'a VNI or "flow"');
    const codec = t.type({ x: t.union([t.null, inner], 'nothing or a key') });
    assert.deepEqual(problems(codec, { x: 0 }), [{ path: 'x', reason: '0 is outside 1..16777215' }]);
    assert.deepEqual(problems(codec, { x: 'flow' }), []);
  });

  it('keeps both halves of an intersection', () => {
    const codec = t.intersection([t.type({ a: t.string }), t.partial({ b: VlanCodec })]);
    assert.deepEqual(problems(codec, { a: 1, b: 0 }), [
      { path: 'a', reason: 'expected string, got 1' },
      { path: 'b', reason: '0 is outside 1..4094' },
    ]);
  });

  it('tagged unions name an unknown tag at its own path', () => {
    const codec = struct('Port', {
      attachment: discriminated('Attachment', 'type', {
        vlan: struct('V', { type: t.literal('vlan'), vlan: VlanCodec }),
        tunnel: struct('T', { type: t.literal('tunnel'), tunnelKey: VniCodec }),
      }),
    });
    assert.deepEqual(problems(codec, { attachment: { type: 'vxlan' } }), [{ path: 'attachment.type', reason: 'expected "vlan" | "tunnel", got "vxlan"' }]);
    assert.deepEqual(problems(codec, { attachment: {} }), [{ path: 'attachment.type', reason: 'required (one of "vlan" | "tunnel")' }]);
    assert.deepEqual(problems(codec, { attachment: { type: 'tunnel', tunnelKey: -1 } }), [{ path: 'attachment.tunnelKey', reason: '-1 is outside 1..16777215' }]);
  });

  it('reports a failure of the root value with an empty path', () => {
    const e = thrown(() => decodeOrThrow(FabricConfigCodec, 'nope', 'desired'));
    assert.deepEqual(e.problems, [{ path: '', reason: 'expected an object (FabricConfig), got "nope"' }]);
    assert.match(e.message, /\(root\): expected an object/);
  });

  it('quotes map keys that are not identifiers, and property names that are not', () => {
    const codec = struct('X', { 'odd-name': t.string });
    assert.deepEqual(problems(codec, { 'odd-name': 1 }), [{ path: '["odd-name"]', reason: 'expected string, got 1' }]);
  });

  it('cross-field checks report at their own paths', () => {
    const Range = withChecks(struct('Range', { from: t.number, to: t.number }), (r) => (r.from <= r.to ? [] : [{ path: ['to'], message: `${r.to} is below from (${r.from})` }]));
    const codec = struct('R', { ranges: t.array(Range) });
    assert.deepEqual(problems(codec, { ranges: [{ from: 1, to: 2 }, { from: 5, to: 3 }] }), [{ path: 'ranges[1].to', reason: '3 is below from (5)' }]);
  });

  it('keyedRecord: the key must equal the map key and the derived key', () => {
    const Item = struct('Item', { key: t.string, vni: VniCodec });
    const codec = keyedRecord('items', Item, (i) => String(i.vni), 'its vni');
    assert.deepEqual(problems(codec, { '10': { key: '11', vni: 10 } }), [{ path: '["10"].key', reason: 'is "11" but its vni gives "10"' }]);
    assert.deepEqual(problems(codec, { '11': { key: '10', vni: 10 } }), [{ path: '["11"].key', reason: 'is "10" but the map key is "11"' }]);
    assert.deepEqual(decodeOrThrow(codec, { '20': { key: '20', vni: 20 }, '10': { key: '10', vni: 10 } }, 'items'), { '10': { key: '10', vni: 10 }, '20': { key: '20', vni: 20 } });
  });

  it('keyedRecord: a "__proto__" key cannot change a prototype', () => {
    const Item = struct('Item', { key: t.string });
    const codec = keyedRecord('items', Item, (i) => i.key);
    const input: unknown = JSON.parse('{"__proto__": {"key": "__proto__"}}');
    const out = decodeOrThrow(codec, input, 'items');
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
  });

  it('setOf sorts, removes duplicates and checks its size', () => {
    assert.deepEqual(decodeOrThrow(setOf(VlanCodec), [30, 10, 30, 20], 'vlans'), [10, 20, 30]);
    assert.deepEqual(decodeOrThrow(setOf(t.string), ['b', 'a', 'b'], 's'), ['a', 'b']);
    assert.deepEqual(problems(setOf(VlanCodec, { minItems: 1 }), []), [{ path: '', reason: 'must have at least 1 item' }]);
    assert.deepEqual(problems(struct('S', { v: setOf(VlanCodec) }), { v: [1, 4095] }), [{ path: 'v[1]', reason: '4095 is outside 1..4094' }]);
  });

  it('problemsFromErrors removes duplicates', () => {
    const r = t.type({ a: t.string }).decode({ a: 1 });
    assert.ok(r._tag === 'Left');
    assert.deepEqual(problemsFromErrors([...r.left, ...r.left]), [{ path: 'a', reason: 'expected string, got 1' }]);
  });

  it('describeValue is log-safe', () => {
    assert.equal(describeValue('bd1\nquit'), '"bd1\\nquit"');
    assert.equal(describeValue(undefined), 'nothing');
    assert.equal(describeValue([1, 2]), 'an array of 2');
    assert.equal(describeValue({ password: 'x' }), 'an object');
    assert.ok(describeValue('x'.repeat(500)).length <= 81);
  });
});
