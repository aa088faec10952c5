import assert from 'node:assert/strict';
import { Invariant, createVfw, type VfwInput } from '@netloom/domain';
import { throwsInvariant } from './helpers';

type PolicyInput = NonNullable<VfwInput['policies']>[number];

describe('VFW model', () => {
  const zones = [
    { name: 'shop', vpc: 'shop' },
    { name: 'pay', vpc: 'pay' },
  ];
  const policy: PolicyInput = { name: 'shop-pay', srcZone: 'shop', dstZone: 'pay', match: { protocol: 'tcp', ports: [443] }, action: 'allow', priority: 100 };
  const vfw = (policies: PolicyInput[], z = zones): VfwInput => ({ name: 'fw', zones: z, policies });

  it('creates a VFW with zones and policies', () => {
    const fw = createVfw(vfw([policy, { ...policy, name: 'deny-rest', match: { protocol: 'any' }, action: 'deny', priority: 65_535 }]));
    assert.equal(fw.zones.length, 2);
    assert.deepEqual(fw.policies[0], { ...policy, match: { protocol: 'tcp', ports: [{ from: 443, to: 443 }] } });
    assert.equal(fw.policies[1]?.action, 'deny');
    assert.ok(Object.isFrozen(fw.policies[0]?.match.ports));
  });

  it('an intra-zone policy is allowed', () => {
    assert.equal(createVfw(vfw([{ ...policy, dstZone: 'shop' }])).policies[0]?.dstZone, 'shop');
  });

  it('duplicate: two zones for one VPC (one zone per VPC)', () => {
    throwsInvariant(() => createVfw(vfw([], [...zones, { name: 'shop2', vpc: 'shop' }])), Invariant.DUPLICATE, /zones "shop" and "shop2" both stand for VPC "shop"/);
  });

  it('duplicate: two zones with one name', () => {
    throwsInvariant(() => createVfw(vfw([], [...zones, { name: 'shop', vpc: 'other' }])), Invariant.DUPLICATE, /two zones named "shop"/);
  });

  it('reference-missing: a policy names an unknown zone', () => {
    throwsInvariant(() => createVfw(vfw([{ ...policy, dstZone: 'nowhere' }])), Invariant.REFERENCE_MISSING, /policy "shop-pay" dstZone "nowhere" is not a zone of this VFW/);
    throwsInvariant(() => createVfw(vfw([{ ...policy, srcZone: 'nowhere' }])), Invariant.REFERENCE_MISSING, /srcZone/);
  });

  it('duplicate: two policies with one name or one priority', () => {
    throwsInvariant(() => createVfw(vfw([policy, { ...policy, priority: 200 }])), Invariant.DUPLICATE, /two policies named "shop-pay"/);
    throwsInvariant(() => createVfw(vfw([policy, { ...policy, name: 'other' }])), Invariant.DUPLICATE, /both have priority 100/);
  });

  it('value-invalid: action, priority', () => {
    throwsInvariant(() => createVfw(vfw([{ ...policy, action: 'permit' as never }])), Invariant.VALUE_INVALID, /action "permit" is not one of allow, deny/);
    throwsInvariant(() => createVfw(vfw([{ ...policy, priority: 0 }])), Invariant.VALUE_INVALID, /priority 0 is outside 1\.\.65535/);
    throwsInvariant(() => createVfw(vfw([{ ...policy, priority: 65_536 }])), Invariant.VALUE_INVALID);
  });

  it('match: protocol, port range and ports with icmp', () => {
    throwsInvariant(() => createVfw(vfw([{ ...policy, match: { protocol: 'gre' as never } }])), Invariant.VALUE_INVALID, /policies\[0\]\.match\.protocol/);
    throwsInvariant(() => createVfw(vfw([{ ...policy, match: { protocol: 'tcp', ports: [70_000] } }])), Invariant.PORT_RANGE, /VFW "fw" policies\[0\]\.match\.ports\[0\]/);
    throwsInvariant(() => createVfw(vfw([{ ...policy, match: { protocol: 'icmp', ports: [1] } }])), Invariant.VALUE_INVALID, /takes no ports/);
  });

  it('name-invalid: VFW, zone and policy names', () => {
    throwsInvariant(() => createVfw({ name: 'f w' }), Invariant.NAME_INVALID);
    throwsInvariant(() => createVfw(vfw([], [{ name: 'z;', vpc: 'shop' }])), Invariant.NAME_INVALID, /zones\[0\]\.name/);
    throwsInvariant(() => createVfw(vfw([{ ...policy, name: '' }])), Invariant.NAME_INVALID, /policies\[0\]\.name/);
  });
});
