import assert from 'node:assert/strict';
import { Invariant, createQosPolicy } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('QoS model', () => {
  it('creates a policy with one or both directions; burst optional', () => {
    assert.deepEqual(createQosPolicy({ name: 'gold', egress: { rateKbps: 100_000, burstKbit: 10_000 } }), { name: 'gold', egress: { rateKbps: 100_000, burstKbit: 10_000 } });
    assert.deepEqual(createQosPolicy({ name: 'in', ingress: { rateKbps: 1 } }), { name: 'in', ingress: { rateKbps: 1 } });
  });

  it('value-invalid: no direction', () => {
    throwsInvariant(() => createQosPolicy({ name: 'none' }), Invariant.VALUE_INVALID, /QoS policy "none" limits nothing/);
  });

  it('value-invalid: rate or burst not a positive whole number', () => {
    throwsInvariant(() => createQosPolicy({ name: 'q', egress: { rateKbps: 0 } }), Invariant.VALUE_INVALID, /egress\.rateKbps 0 is outside 1\.\.4294967295/);
    throwsInvariant(() => createQosPolicy({ name: 'q', egress: { rateKbps: -5 } }), Invariant.VALUE_INVALID);
    throwsInvariant(() => createQosPolicy({ name: 'q', ingress: { rateKbps: 1.5 } }), Invariant.VALUE_INVALID, /ingress\.rateKbps 1\.5/);
    throwsInvariant(() => createQosPolicy({ name: 'q', ingress: { rateKbps: 10, burstKbit: 0 } }), Invariant.VALUE_INVALID, /ingress\.burstKbit 0/);
    throwsInvariant(() => createQosPolicy({ name: 'q', ingress: { rateKbps: 2 ** 32 } }), Invariant.VALUE_INVALID);
  });

  it('name-invalid', () => {
    throwsInvariant(() => createQosPolicy({ name: 'gold plus', egress: { rateKbps: 1 } }), Invariant.NAME_INVALID);
  });
});
