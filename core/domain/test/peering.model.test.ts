import assert from 'node:assert/strict';
import { Invariant, createPeering } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('peering model', () => {
  it('creates a peering between two VPCs', () => {
    const p = createPeering({ name: 'shop-pay', vpcs: ['shop', 'pay'], allow: [{ protocol: 'tcp', ports: [443] }, { protocol: 'icmp' }] });
    assert.deepEqual(p.vpcs, ['shop', 'pay']);
    assert.equal(p.allow.length, 2);
    assert.ok(Object.isFrozen(p.vpcs));
  });

  it('value-invalid: the same VPC twice', () => {
    throwsInvariant(() => createPeering({ name: 'p', vpcs: ['shop', 'shop'], allow: [{ protocol: 'any' }] }), Invariant.VALUE_INVALID, /peering "p" peers VPC "shop" with itself/);
  });

  it('value-invalid: not exactly two VPCs', () => {
    throwsInvariant(() => createPeering({ name: 'p', vpcs: ['shop'] as never, allow: [{ protocol: 'any' }] }), Invariant.VALUE_INVALID, /exactly two VPCs, got 1/);
  });

  it('value-invalid: nothing allowed', () => {
    throwsInvariant(() => createPeering({ name: 'p', vpcs: ['a', 'b'], allow: [] }), Invariant.VALUE_INVALID, /allows no traffic/);
  });

  it('match errors name the peering and field', () => {
    throwsInvariant(() => createPeering({ name: 'p', vpcs: ['a', 'b'], allow: [{ protocol: 'tcp', ports: ['2-1'] }] }), Invariant.RANGE_INVALID, /peering "p" allow\[0\]\.ports\[0\]/);
  });

  it('name-invalid: name and VPC names', () => {
    throwsInvariant(() => createPeering({ name: 'p q', vpcs: ['a', 'b'], allow: [{ protocol: 'any' }] }), Invariant.NAME_INVALID);
    throwsInvariant(() => createPeering({ name: 'p', vpcs: ['a', 'b c'], allow: [{ protocol: 'any' }] }), Invariant.NAME_INVALID, /vpcs\[1\]/);
  });
});
