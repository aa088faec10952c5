import assert from 'node:assert/strict';
import { Invariant, createEndpoint, endpointIps, formatIp, type EndpointInput } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('endpoint model', () => {
  const base: EndpointInput = { id: 'pod-1', vpc: 'shop', subnet: 'web', node: 'worker-1' };

  it('creates an unallocated endpoint (no ips, mac, vlan yet)', () => {
    const ep = createEndpoint(base);
    assert.deepEqual(ep, { ...base, ips: [], fixed: false, securityGroups: [] });
    assert.ok(Object.isFrozen(ep) && Object.isFrozen(ep.ips));
  });

  it('canonicalises addresses (IPv4 first) and MAC', () => {
    const ep = createEndpoint({
      ...base,
      ips: ['FD00::0005', '10.0.0.5'],
      mac: '02-00-0A-00-00-05',
      vlan: 100,
      owner: { kind: 'pod', namespace: 'shop', name: 'web-0.a' },
      fixed: true,
      securityGroups: ['web'],
      qos: 'gold',
    });
    assert.deepEqual(ep.ips, ['10.0.0.5', 'fd00::5']);
    assert.equal(ep.mac, '02:00:0a:00:00:05');
    assert.deepEqual(ep.owner, { kind: 'pod', namespace: 'shop', name: 'web-0.a' });
    assert.deepEqual(endpointIps(ep).map(formatIp), ['10.0.0.5', 'fd00::5']);
  });

  it('host overlay: a tunnel key instead of a VLAN', () => {
    assert.equal(createEndpoint({ ...base, tunnelKey: 10_001 }).tunnelKey, 10_001);
  });

  it('name-invalid: id, vpc, subnet, node, security group, qos', () => {
    throwsInvariant(() => createEndpoint({ ...base, id: 'a b' }), Invariant.NAME_INVALID, /endpoint id "a b"/);
    throwsInvariant(() => createEndpoint({ ...base, vpc: '' }), Invariant.NAME_INVALID, /endpoint "pod-1" vpc/);
    throwsInvariant(() => createEndpoint({ ...base, subnet: 'x;y' }), Invariant.NAME_INVALID, /subnet/);
    throwsInvariant(() => createEndpoint({ ...base, node: 'n|1' }), Invariant.NAME_INVALID, /node/);
    throwsInvariant(() => createEndpoint({ ...base, securityGroups: ['ok', ''] }), Invariant.NAME_INVALID, /securityGroups\[1\]/);
    throwsInvariant(() => createEndpoint({ ...base, qos: '$(x)' }), Invariant.NAME_INVALID, /qos/);
  });

  it('name-invalid: owner namespace and name follow Kubernetes rules', () => {
    throwsInvariant(() => createEndpoint({ ...base, owner: { kind: 'pod', namespace: 'Shop', name: 'web-0' } }), Invariant.NAME_INVALID, /owner\.namespace "Shop"/);
    throwsInvariant(() => createEndpoint({ ...base, owner: { kind: 'pod', name: 'web_0' } }), Invariant.NAME_INVALID, /owner\.name "web_0"/);
    throwsInvariant(() => createEndpoint({ ...base, owner: { kind: 'p o d', name: 'web-0' } }), Invariant.NAME_INVALID, /owner\.kind/);
    assert.equal(createEndpoint({ ...base, owner: { kind: 'pod', name: 'a'.repeat(253) } }).owner?.name.length, 253);
    throwsInvariant(() => createEndpoint({ ...base, owner: { kind: 'pod', name: 'a'.repeat(254) } }), Invariant.NAME_INVALID);
  });

  it('ip-invalid: malformed address', () => {
    throwsInvariant(() => createEndpoint({ ...base, ips: ['10.0.0.256'] }), Invariant.IP_INVALID, /endpoint "pod-1" ips\[0\]/);
  });

  it('duplicate: two addresses of one family', () => {
    throwsInvariant(() => createEndpoint({ ...base, ips: ['10.0.0.5', '10.0.0.6'] }), Invariant.DUPLICATE, /two IPv4 addresses/);
  });

  it('mac-invalid: malformed, multicast, all-zero', () => {
    throwsInvariant(() => createEndpoint({ ...base, mac: '02:00:00:00:00' }), Invariant.MAC_INVALID, /endpoint "pod-1" mac/);
    throwsInvariant(() => createEndpoint({ ...base, mac: '01:00:5e:00:00:01' }), Invariant.MAC_INVALID, /unicast/);
    throwsInvariant(() => createEndpoint({ ...base, mac: 'ff:ff:ff:ff:ff:ff' }), Invariant.MAC_INVALID);
    throwsInvariant(() => createEndpoint({ ...base, mac: '00:00:00:00:00:00' }), Invariant.MAC_INVALID, /all zeros/);
  });

  it('vlan-range and vni-range', () => {
    throwsInvariant(() => createEndpoint({ ...base, vlan: 0 }), Invariant.VLAN_RANGE, /endpoint "pod-1" vlan: VLAN 0 is outside 1\.\.4094/);
    throwsInvariant(() => createEndpoint({ ...base, vlan: 4095 }), Invariant.VLAN_RANGE);
    throwsInvariant(() => createEndpoint({ ...base, tunnelKey: 0 }), Invariant.VNI_RANGE, /tunnel key 0/);
  });

  it('value-invalid: vlan and tunnel key together; fixed without an address', () => {
    throwsInvariant(() => createEndpoint({ ...base, vlan: 10, tunnelKey: 10 }), Invariant.VALUE_INVALID, /both vlan 10 and tunnelKey 10/);
    throwsInvariant(() => createEndpoint({ ...base, fixed: true }), Invariant.VALUE_INVALID, /is fixed but has no address/);
  });
});
