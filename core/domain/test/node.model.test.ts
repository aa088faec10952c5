import assert from 'node:assert/strict';
import { Invariant, createNode, isInterfaceName } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('node model', () => {
  it('defaults to network overlay; leaf attachment and VTEP optional', () => {
    assert.deepEqual(createNode({ name: 'worker-1' }), { name: 'worker-1', overlay: 'network' });
    const n = createNode({ name: 'worker-2', overlay: 'host', leaf: { leaf: 'leaf-1', port: '10GE1/0/1' }, vtepIp: '2001:DB8::12' });
    assert.deepEqual(n, { name: 'worker-2', overlay: 'host', leaf: { leaf: 'leaf-1', port: '10GE1/0/1' }, vtepIp: '2001:db8::12' });
    assert.ok(Object.isFrozen(n.leaf));
  });

  it('accepts vendor interface names', () => {
    for (const p of ['10GE1/0/1', 'Ethernet1/1', 'xe-0/0/0:1', 'Eth-Trunk1', 'swp1', 'GigabitEthernet0/0/1']) assert.ok(isInterfaceName(p), p);
  });

  it('name-invalid: node name, leaf name, port name', () => {
    throwsInvariant(() => createNode({ name: 'worker 1' }), Invariant.NAME_INVALID, /node name/);
    throwsInvariant(() => createNode({ name: 'w', leaf: { leaf: 'leaf 1', port: 'Ethernet1' } }), Invariant.NAME_INVALID, /node "w" leaf\.leaf/);
    throwsInvariant(() => createNode({ name: 'w', leaf: { leaf: 'leaf-1', port: 'Ethernet 1/1' } }), Invariant.NAME_INVALID, /node "w" leaf\.port/);
    throwsInvariant(() => createNode({ name: 'w', leaf: { leaf: 'leaf-1', port: 'Eth1;reload' } }), Invariant.NAME_INVALID);
  });

  it('value-invalid: overlay mode, leaf not an object', () => {
    throwsInvariant(() => createNode({ name: 'w', overlay: 'hybrid' as never }), Invariant.VALUE_INVALID, /overlay "hybrid" is not one of network, host/);
    throwsInvariant(() => createNode({ name: 'w', leaf: 'leaf-1' as never }), Invariant.VALUE_INVALID, /leaf must be an object/);
  });

  it('ip-invalid: VTEP address', () => {
    throwsInvariant(() => createNode({ name: 'w', vtepIp: '192.0.2' }), Invariant.IP_INVALID, /node "w" vtepIp/);
  });
});
