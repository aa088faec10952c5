import assert from 'node:assert/strict';
import { Invariant, createVrb, parseRouteTarget } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('VRB model', () => {
  it('creates a VRB with route targets and border peers', () => {
    const v = createVrb({
      name: 'dci',
      vpc: 'shop',
      routeTargets: [
        { value: '65000:100', direction: 'both' },
        { value: '192.0.2.1:7', direction: 'import' },
      ],
      borderPeers: [{ address: '2001:DB8::1', asn: 4_200_000_000 }],
    });
    assert.deepEqual(v.routeTargets.map((r) => r.value), ['65000:100', '192.0.2.1:7']);
    assert.deepEqual(v.borderPeers, [{ address: '2001:db8::1', asn: 4_200_000_000 }]);
    assert.deepEqual(createVrb({ name: 'dci', vpc: 'shop' }), { name: 'dci', vpc: 'shop', routeTargets: [], borderPeers: [] });
  });

  it('parses the RFC 4360 route-target forms', () => {
    assert.equal(parseRouteTarget('65000:4294967295'), '65000:4294967295');
    assert.equal(parseRouteTarget('4200000000:65535'), '4200000000:65535');
    assert.equal(parseRouteTarget('4200000000:65536'), undefined);
    assert.equal(parseRouteTarget('10.0.0.1:65535'), '10.0.0.1:65535');
    assert.equal(parseRouteTarget('10.0.0.1:65536'), undefined);
    assert.equal(parseRouteTarget('65000:4294967296'), undefined);
    assert.equal(parseRouteTarget('65000'), undefined);
    assert.equal(parseRouteTarget('065000:1'), undefined);
    assert.equal(parseRouteTarget('a:1'), undefined);
  });

  it('value-invalid: bad route target, direction or AS number', () => {
    throwsInvariant(() => createVrb({ name: 'dci', vpc: 'shop', routeTargets: [{ value: '65000', direction: 'both' }] }), Invariant.VALUE_INVALID, /route target "65000" is not ASN:nn/);
    throwsInvariant(() => createVrb({ name: 'dci', vpc: 'shop', routeTargets: [{ value: '1:1', direction: 'in' as never }] }), Invariant.VALUE_INVALID, /direction "in"/);
    throwsInvariant(() => createVrb({ name: 'dci', vpc: 'shop', borderPeers: [{ address: '192.0.2.1', asn: 0 }] }), Invariant.VALUE_INVALID, /asn 0 is outside 1\.\.4294967295/);
  });

  it('ip-invalid: bad peer address', () => {
    throwsInvariant(() => createVrb({ name: 'dci', vpc: 'shop', borderPeers: [{ address: '192.0.2', asn: 1 }] }), Invariant.IP_INVALID, /borderPeers\[0\]\.address/);
  });

  it('duplicate: route target or peer twice', () => {
    throwsInvariant(
      () => createVrb({ name: 'dci', vpc: 'shop', routeTargets: [{ value: '1:1', direction: 'import' }, { value: '1:1', direction: 'export' }] }),
      Invariant.DUPLICATE,
      /route target 1:1 twice/,
    );
    throwsInvariant(
      () => createVrb({ name: 'dci', vpc: 'shop', borderPeers: [{ address: 'fd00::1', asn: 1 }, { address: 'FD00:0::1', asn: 2 }] }),
      Invariant.DUPLICATE,
      /border peer fd00::1 twice/,
    );
  });

  it('name-invalid: name and vpc', () => {
    throwsInvariant(() => createVrb({ name: 'dci!', vpc: 'shop' }), Invariant.NAME_INVALID);
    throwsInvariant(() => createVrb({ name: 'dci', vpc: '' }), Invariant.NAME_INVALID, /VRB "dci" vpc/);
  });
});
