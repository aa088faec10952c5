import { strict as assert } from 'node:assert';
import {
  ADDED_CAPABILITIES,
  FabricConfigCodec,
  PORT_API_VERSION,
  checkAdapterDefinition,
  decodeOrThrow,
  decodeProblems,
  diffConfig,
  fabricVocabulary,
  floodVtepKey,
  type AdapterDefinition,
  type FabricConfigInput,
} from '@netloom/ports';
import { fabricSample } from './samples';

const withFlood = (): FabricConfigInput => ({
  ...fabricSample(),
  floodVtep: {
    '10020:192.0.2.141': { key: '10020:192.0.2.141', l2Vni: 10020, remoteIp: '192.0.2.141' },
    '10010:192.0.2.142': { key: '10010:192.0.2.142', l2Vni: 10010, remoteIp: '192.0.2.142' },
  },
});

const reasons = (value: unknown): string[] => decodeProblems(FabricConfigCodec, value).problems.map((p) => `${p.path}: ${p.reason}`);

describe('ports: fabric floodVtep (hybrid overlay, port API 1.1)', () => {
  it('keys a flood VTEP by <l2Vni>:<remoteIp> and decodes it with the rest of the config', () => {
    assert.equal(floodVtepKey({ l2Vni: 10010, remoteIp: '192.0.2.141' }), '10010:192.0.2.141');
    const c = decodeOrThrow(FabricConfigCodec, withFlood(), 'sample');
    assert.deepEqual(Object.keys(c.floodVtep), ['10010:192.0.2.142', '10020:192.0.2.141']);
    assert.deepEqual(c.floodVtep['10020:192.0.2.141'], { key: '10020:192.0.2.141', l2Vni: 10020, remoteIp: '192.0.2.141' });
    assert.deepEqual(FabricConfigCodec.encode(c).floodVtep, c.floodVtep);
  });

  it('decodes a 1.0 config without floodVtep as empty, and is() holds only for the decoded form', () => {
    const { floodVtep: _none, ...old } = fabricSample() as FabricConfigInput & { floodVtep?: unknown };
    const c = decodeOrThrow(FabricConfigCodec, old, 'a 1.0 config');
    assert.deepEqual(c.floodVtep, {});
    assert.ok(FabricConfigCodec.is(c));
    assert.ok(!FabricConfigCodec.is(old));
    assert.ok('floodVtep' in FabricConfigCodec.encode(c));
  });

  it('needs the segment of its VNI in the same config', () => {
    const input = withFlood();
    const bad = { ...input, floodVtep: { '10030:192.0.2.141': { key: '10030:192.0.2.141', l2Vni: 10030, remoteIp: '192.0.2.141' } } };
    assert.deepEqual(reasons(bad), ['floodVtep["10030:192.0.2.141"].l2Vni: no segment with l2Vni 10030 in this config']);
  });

  it('takes IPv4 VTEP addresses only, and a key that matches the object', () => {
    const v6 = { ...fabricSample(), floodVtep: { '10020:2001:db8::1': { key: '10020:2001:db8::1', l2Vni: 10020, remoteIp: '2001:db8::1' } } };
    assert.match(reasons(v6).join('\n'), /floodVtep\["10020:2001:db8::1"\]\.remoteIp: .*not an IPv4 address/);
    const wrongKey = { ...fabricSample(), floodVtep: { '10020:192.0.2.9': { key: '10020:192.0.2.9', l2Vni: 10020, remoteIp: '192.0.2.10' } } };
    assert.match(reasons(wrongKey).join('\n'), /floodVtep\["10020:192.0.2.9"\]\.key: is "10020:192.0.2.9" but l2Vni:remoteIp gives "10020:192.0.2.10"/);
    const extra = { ...fabricSample(), floodVtep: { '10020:192.0.2.9': { key: '10020:192.0.2.9', l2Vni: 10020, remoteIp: '192.0.2.9', vni: 1 } } };
    assert.match(reasons(extra).join('\n'), /floodVtep\["10020:192.0.2.9"\]\.vni: unknown field/);
  });

  it('is created after its segment and deleted before it; it uses the floodVtep capability', () => {
    const desired = decodeOrThrow(FabricConfigCodec, withFlood(), 'desired');
    const created = diffConfig({ desired, observed: fabricVocabulary.empty(), order: fabricVocabulary.order }).map((c) => `${c.op} ${c.kind} ${c.key}`);
    assert.ok(created.indexOf('create segment 10020') < created.indexOf('create floodVtep 10020:192.0.2.141'), created.join('\n'));
    const deleted = diffConfig({ desired: fabricVocabulary.empty(), observed: desired, order: fabricVocabulary.order }).map((c) => `${c.op} ${c.kind} ${c.key}`);
    assert.ok(deleted.indexOf('delete floodVtep 10020:192.0.2.141') < deleted.indexOf('delete segment 10020'), deleted.join('\n'));
    assert.ok(fabricVocabulary.capabilitiesUsed(desired).includes('floodVtep'));
    assert.ok(!fabricVocabulary.capabilitiesUsed(decodeOrThrow(FabricConfigCodec, fabricSample(), 's')).includes('floodVtep'));
  });

  it('a 1.0 manifest without floodVtep stays valid (absent = not supported); a wrong value does not', () => {
    assert.equal(PORT_API_VERSION, '1.2.0');
    assert.deepEqual(ADDED_CAPABILITIES.fabric, ['floodVtep', 'staticRoute']);
    const leaf = (fabric: Record<string, unknown>): AdapterDefinition =>
      ({ id: 'old-leaf', vendor: 'x', portApi: '^1.0.0', ports: { fabric: () => undefined }, supports: { fabric } }) as unknown as AdapterDefinition;
    const v10 = { l2Segment: true, vrf: true, anycastGateway: true, accessBinding: true, interconnect: false, confirmedCommit: false };
    assert.deepEqual(checkAdapterDefinition(leaf(v10)), []);
    assert.deepEqual(checkAdapterDefinition(leaf({ ...v10, floodVtep: true })), []);
    assert.deepEqual(checkAdapterDefinition(leaf({ ...v10, floodVtep: 'yes' })).map((p) => p.path), ['supports.fabric.floodVtep']);
    const { vrf: _vrf, ...withoutVrf } = v10;
    assert.deepEqual(checkAdapterDefinition(leaf(withoutVrf)).map((p) => p.path), ['supports.fabric.vrf']);
  });
});
