import assert from 'node:assert/strict';
import * as domain from '@netloom/domain';
import * as testing from '@netloom/domain/testing';
import { checkNetwork, subnetFamilies } from '@netloom/domain';
import { EndpointMother, LogicalRouterMother, LogicalSwitchMother, NetworkMother, NodeMother, SubnetMother, VpcMother, macFor, nthHostAddress } from '@netloom/domain/testing';

describe('@netloom/domain/testing (object mothers)', () => {
  it('both import paths resolve through the package exports map', () => {
    assert.equal(typeof domain.parseIp, 'function');
    assert.equal(typeof domain.checkNetwork, 'function');
    assert.equal(typeof testing.VpcMother.withSubnets, 'function');
    assert.equal(require.resolve('@netloom/domain/testing').replace(/\\/g, '/').endsWith('core/domain/dist/testing/index.js'), true);
    assert.equal(require.resolve('@netloom/domain').replace(/\\/g, '/').endsWith('core/domain/dist/index.js'), true);
  });

  it('the main entry does not leak the mothers or the internal validation helpers', () => {
    assert.equal('VpcMother' in domain, false);
    assert.equal('violation' in domain, false);
    assert.equal('checkName' in domain, false);
  });

  it('VpcMother.withSubnets(2) is a valid VPC with two subnets, LSs and an LR', () => {
    const v = VpcMother.withSubnets(2);
    assert.deepEqual(v.vpc.subnets, ['vpc-a-s0', 'vpc-a-s1']);
    assert.deepEqual(v.subnets.map((s) => s.ipv4?.cidr), ['10.0.0.0/24', '10.0.1.0/24']);
    assert.deepEqual(v.subnets.map((s) => s.default), [true, false]);
    assert.deepEqual(v.logicalSwitches.map((l) => l.l2Vni), [10_001, 10_002]);
    assert.equal(v.logicalRouter.l3Vni, 50_000);
    assert.equal(v.vpc.logicalRouter, v.logicalRouter.name);
    assert.deepEqual(checkNetwork(v), []);
  });

  it('VpcMother.withSubnets with another index and family moves VNIs, not CIDRs', () => {
    const b = VpcMother.withSubnets(1, { name: 'b', index: 2, family: 6 });
    assert.equal(b.subnets[0]?.ipv6?.cidr, 'fd00::/64');
    assert.equal(b.subnets[0]?.ipv4, undefined);
    assert.equal(b.logicalSwitches[0]?.l2Vni, 10_201);
    assert.equal(b.logicalRouter.l3Vni, 50_002);
    assert.deepEqual(checkNetwork(NetworkMother.merge(VpcMother.withSubnets(1), b)), []);
  });

  it('SubnetMother builds IPv4, IPv6 and dual-stack subnets', () => {
    assert.equal(SubnetMother.ipv4('10.0.0.0/24').ipv4?.gateway, '10.0.0.1');
    assert.equal(SubnetMother.ipv6('fd00:1::/64', { name: 'v6' }).name, 'v6');
    assert.equal(subnetFamilies(SubnetMother.dualStack()).length, 2);
    assert.equal(VpcMother.named('shop').namespaces[0], 'shop');
  });

  it('EndpointMother picks predictable addresses that skip the network address and the gateway', () => {
    const s = SubnetMother.dualStack('10.0.0.0/24', 'fd00::/64', { gateways: ['10.0.0.2'] });
    const ep = EndpointMother.inSubnet(s, { index: 0, vlan: 7 });
    assert.deepEqual(ep.ips, ['10.0.0.1', 'fd00::2']);
    assert.equal(EndpointMother.inSubnet(s, { index: 1 }).ips[0], '10.0.0.3');
    assert.equal(ep.id, 'web-ep-0');
    assert.equal(ep.vlan, 7);
    assert.equal(nthHostAddress('10.0.0.0/24', '10.0.0.1', 0), '10.0.0.2');
    assert.equal(macFor(1), '02:00:00:00:00:01');
    assert.equal(macFor(0x123456), '02:00:00:12:34:56');
  });

  it('NodeMother, LogicalSwitchMother, LogicalRouterMother', () => {
    assert.deepEqual(NodeMother.network('n1', 'leaf-1', 'Ethernet1/1').leaf, { leaf: 'leaf-1', port: 'Ethernet1/1' });
    assert.equal(NodeMother.host('n2', '192.0.2.2').overlay, 'host');
    assert.equal(LogicalSwitchMother.forSubnet(SubnetMother.ipv4(), 42).l2Vni, 42);
    assert.equal(LogicalRouterMother.forVpc('shop', 7).name, 'shop-lr');
  });

  it('NetworkMother.complete() uses every model and is valid', () => {
    const s = NetworkMother.complete();
    for (const [key, list] of Object.entries(s)) assert.ok((list as unknown[]).length > 0, `${key} is not empty`);
    assert.deepEqual(checkNetwork(s), []);
  });
});
