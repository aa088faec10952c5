// Port API 1.2 (ADR 0013): VRF static routes and firewall legs — what the codecs accept, refuse, and which
// capability a config that uses them needs.
import { strict as assert } from 'node:assert';
import { ADDED_CAPABILITIES, decodeProblems, FabricConfigCodec, fabricCapabilitiesUsed, FirewallConfigCodec, firewallCapabilitiesUsed, PORT_API_VERSION, type FabricConfig, type FirewallConfig } from '@netloom/ports';

const fabric = (vrf: Record<string, unknown>): unknown => ({ vrf: { 'vpc-a': { key: 'vpc-a', name: 'vpc-a', l3Vni: 50001, ...vrf } }, interconnect: {}, segment: {}, binding: {} });
const firewall = (zones: Record<string, Record<string, unknown>>): unknown => ({
  zone: Object.fromEntries(Object.entries(zones).map(([k, z]) => [k, { key: k, name: k, interfaces: [], cidrs: [], ...z }])),
  addressSet: {},
  policy: {},
});
const paths = (r: { problems: readonly { path: string; reason: string }[] }): string[] => r.problems.map((p) => `${p.path}: ${p.reason}`);

describe('ports: static routes and firewall legs (port API 1.2)', () => {
  it('is port API 1.2 and both capabilities may be left out of older manifests', () => {
    assert.equal(PORT_API_VERSION, '1.2.0');
    assert.ok((ADDED_CAPABILITIES.fabric as readonly string[]).includes('staticRoute'));
    assert.ok((ADDED_CAPABILITIES.firewall as readonly string[]).includes('legs'));
  });

  it('a VRF with static routes decodes sorted and needs staticRoute; without, the capability is not used', () => {
    const r = decodeProblems(FabricConfigCodec, fabric({ staticRoutes: [{ prefix: '10.9.0.0/24', nextHop: '10.2.0.250' }, { prefix: '10.8.0.0/24', nextHop: '10.2.0.250' }] }));
    assert.ok(r.value, JSON.stringify(r.problems));
    assert.deepEqual(r.value.vrf['vpc-a']?.staticRoutes?.map((x) => x.prefix), ['10.8.0.0/24', '10.9.0.0/24']);
    assert.ok(fabricCapabilitiesUsed(r.value).includes('staticRoute'));
    const plain = decodeProblems(FabricConfigCodec, fabric({})).value as FabricConfig;
    assert.ok(!fabricCapabilitiesUsed(plain).includes('staticRoute'));
  });

  it('refuses a next hop of another family, a prefix routed twice, a host-bits prefix and an empty list, each at its path', () => {
    assert.deepEqual(paths(decodeProblems(FabricConfigCodec, fabric({ staticRoutes: [{ prefix: '10.9.0.0/24', nextHop: 'fd00::1' }] }))), ['vrf["vpc-a"].staticRoutes[0].nextHop: is not of the family of prefix 10.9.0.0/24']);
    const twice = paths(decodeProblems(FabricConfigCodec, fabric({ staticRoutes: [{ prefix: '10.9.0.0/24', nextHop: '10.2.0.250' }, { prefix: '10.9.0.0/24', nextHop: '10.2.0.251' }] })));
    assert.equal(twice.length, 1);
    assert.match(twice[0]!, /^vrf\["vpc-a"\]\.staticRoutes\[\d\]\.prefix: 10\.9\.0\.0\/24 has a second route in this VRF$/);
    assert.equal(decodeProblems(FabricConfigCodec, fabric({ staticRoutes: [{ prefix: '10.9.0.1/24', nextHop: '10.2.0.250' }] })).value, undefined);
    assert.equal(decodeProblems(FabricConfigCodec, fabric({ staticRoutes: [] })).value, undefined);
  });

  it('a zone with legs decodes and needs legs; a zone with only a leg is a zone', () => {
    const r = decodeProblems(FirewallConfigCodec, firewall({ 'vpc-a': { legs: [{ interface: 'leg101', uplink: 'eth1', vlan: 101, address: '10.1.0.250/24' }] } }));
    assert.ok(r.value, JSON.stringify(r.problems));
    assert.deepEqual(firewallCapabilitiesUsed(r.value), ['legs', 'zones']);
    const plain = decodeProblems(FirewallConfigCodec, firewall({ 'vpc-a': { cidrs: ['10.1.0.0/24'] } })).value as FirewallConfig;
    assert.deepEqual(firewallCapabilitiesUsed(plain), ['zones']);
  });

  it('refuses a leg interface used twice, a VLAN used twice on one trunk, a bad VLAN and an IPv6 address', () => {
    const clash = paths(
      decodeProblems(
        FirewallConfigCodec,
        firewall({
          'vpc-a': { legs: [{ interface: 'leg101', uplink: 'eth1', vlan: 101, address: '10.1.0.250/24' }] },
          'vpc-b': { interfaces: ['leg101'], legs: [{ interface: 'leg102', uplink: 'eth1', vlan: 101, address: '10.2.0.250/24' }] },
        }),
      ),
    );
    assert.ok(clash.some((p) => /leg101 is also in zone/.test(p)), clash.join('\n'));
    assert.ok(clash.some((p) => /^zone\["vpc-b"\]\.legs\[0\]\.vlan: VLAN 101 of eth1 is also the leg "leg101"$/.test(p)), clash.join('\n'));
    assert.equal(decodeProblems(FirewallConfigCodec, firewall({ 'vpc-a': { legs: [{ interface: 'leg5000', uplink: 'eth1', vlan: 5000, address: '10.1.0.250/24' }] } })).value, undefined);
    assert.equal(decodeProblems(FirewallConfigCodec, firewall({ 'vpc-a': { legs: [{ interface: 'leg1', uplink: 'eth1', vlan: 1, address: 'fd00::1/64' }] } })).value, undefined);
  });
});
