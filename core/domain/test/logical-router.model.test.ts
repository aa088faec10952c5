import assert from 'node:assert/strict';
import { Invariant, createLogicalRouter } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('LR model', () => {
  const base = { name: 'shop-lr', vpc: 'shop', l3Vni: 50_000 };

  it('creates a frozen LR with canonical static routes', () => {
    const lr = createLogicalRouter({
      ...base,
      staticRoutes: [
        { destination: '0.0.0.0/0', nextHop: '10.255.0.1' },
        { destination: '2001:DB8::/32', nextHop: 'FD00::1' },
      ],
    });
    assert.deepEqual(lr.staticRoutes, [
      { destination: '0.0.0.0/0', nextHop: '10.255.0.1' },
      { destination: '2001:db8::/32', nextHop: 'fd00::1' },
    ]);
    assert.deepEqual(createLogicalRouter(base).staticRoutes, []);
    assert.ok(Object.isFrozen(lr.staticRoutes[0]));
  });

  it('vni-range: L3 VNI', () => {
    throwsInvariant(() => createLogicalRouter({ ...base, l3Vni: 0 }), Invariant.VNI_RANGE, /LR "shop-lr" l3Vni: L3 VNI 0/);
  });

  it('name-invalid: name and vpc', () => {
    throwsInvariant(() => createLogicalRouter({ ...base, name: '' }), Invariant.NAME_INVALID);
    throwsInvariant(() => createLogicalRouter({ ...base, vpc: 'a;b' }), Invariant.NAME_INVALID, /LR "shop-lr" vpc/);
  });

  it('cidr-invalid / ip-invalid: a malformed route', () => {
    throwsInvariant(() => createLogicalRouter({ ...base, staticRoutes: [{ destination: '10.0.0.1/8', nextHop: '10.0.0.1' }] }), Invariant.CIDR_INVALID, /staticRoutes\[0\]\.destination/);
    throwsInvariant(() => createLogicalRouter({ ...base, staticRoutes: [{ destination: '10.0.0.0/8', nextHop: '10.0.0' }] }), Invariant.IP_INVALID, /staticRoutes\[0\]\.nextHop/);
  });

  it('family-mismatch: next hop of the other family', () => {
    throwsInvariant(
      () => createLogicalRouter({ ...base, staticRoutes: [{ destination: '10.0.0.0/8', nextHop: 'fd00::1' }] }),
      Invariant.FAMILY_MISMATCH,
      /route to 10\.0\.0\.0\/8 has IPv6 next hop fd00::1; it must be IPv4/,
    );
  });

  it('duplicate: two routes to one destination (also written differently)', () => {
    throwsInvariant(
      () =>
        createLogicalRouter({
          ...base,
          staticRoutes: [
            { destination: 'fd00::/64', nextHop: 'fd00::1' },
            { destination: 'FD00:0::/64', nextHop: 'fd00::2' },
          ],
        }),
      Invariant.DUPLICATE,
      /two static routes to fd00::\/64/,
    );
  });
});
