import assert from 'node:assert/strict';
import { Invariant, createLogicalSwitch } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('LS model', () => {
  const base = { name: 'web', vpc: 'shop', subnet: 'web', l2Vni: 10_001 };

  it('creates a frozen LS; VNI bounds 1 and 16777215 are valid', () => {
    const ls = createLogicalSwitch(base);
    assert.deepEqual(ls, base);
    assert.ok(Object.isFrozen(ls));
    assert.equal(createLogicalSwitch({ ...base, l2Vni: 1 }).l2Vni, 1);
    assert.equal(createLogicalSwitch({ ...base, l2Vni: 16_777_215 }).l2Vni, 16_777_215);
  });

  it('vni-range: L2 VNI outside 1..16777215 or not an integer', () => {
    throwsInvariant(() => createLogicalSwitch({ ...base, l2Vni: 0 }), Invariant.VNI_RANGE, /LS "web" l2Vni: L2 VNI 0 is outside 1\.\.16777215/);
    throwsInvariant(() => createLogicalSwitch({ ...base, l2Vni: 16_777_216 }), Invariant.VNI_RANGE);
    throwsInvariant(() => createLogicalSwitch({ ...base, l2Vni: 1.5 }), Invariant.VNI_RANGE);
  });

  it('name-invalid: name, vpc, subnet', () => {
    throwsInvariant(() => createLogicalSwitch({ ...base, name: 'a/b' }), Invariant.NAME_INVALID, /LS name/);
    throwsInvariant(() => createLogicalSwitch({ ...base, vpc: '' }), Invariant.NAME_INVALID, /LS "web" vpc/);
    throwsInvariant(() => createLogicalSwitch({ ...base, subnet: 'x y' }), Invariant.NAME_INVALID, /LS "web" subnet/);
  });
});
