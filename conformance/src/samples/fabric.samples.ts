/** Fabric samples for the kit (see `samples.ts`). @packageDocumentation */
import type { FabricConfigInput } from '@netloom/ports';
import { badNameInputs, putObject, type DeviceSamples } from './samples';

/**
 * A rich fabric config: a VRF, an interconnect, a routed segment with an anycast gateway, a plain one, two bindings,
 * a flood VTEP (a host-overlay node) on each segment; a second VRF with a static route to a next hop in its own
 * routed segment (port API 1.2).
 */
export const fabricFull = (): FabricConfigInput => ({
  vrf: {
    'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] },
    'vpc-pay': { key: 'vpc-pay', name: 'vpc-pay', l3Vni: 50002, staticRoutes: [{ prefix: '10.9.0.0/24', nextHop: '10.2.0.250' }] },
  },
  interconnect: {
    'vrb-dc2': {
      key: 'vrb-dc2',
      name: 'vrb-dc2',
      vrf: 'vpc-shop',
      importRouteTargets: ['65100:1'],
      exportRouteTargets: ['65000:50001'],
      borderPeers: [{ address: '192.0.2.1', remoteAs: 65100 }],
    },
  },
  segment: {
    '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc-shop', anycastGateway: { ipv4: ['10.1.0.1/24'], ipv6: ['fd00:1::1/64'], mac: '00:00:5e:00:01:01' } },
    '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 },
    '10050': { key: '10050', name: 'ls-pay', l2Vni: 10050, vrf: 'vpc-pay', anycastGateway: { ipv4: ['10.2.0.1/24'], mac: '00:00:5e:00:01:01' } },
  },
  binding: {
    'Ethernet1/1:100': { key: 'Ethernet1/1:100', interface: 'Ethernet1/1', vlan: 100, l2Vni: 10010 },
    'Ethernet1/2:100': { key: 'Ethernet1/2:100', interface: 'Ethernet1/2', vlan: 100, l2Vni: 10020 },
  },
  floodVtep: {
    '10010:192.0.2.141': { key: '10010:192.0.2.141', l2Vni: 10010, remoteIp: '192.0.2.141' },
    '10020:192.0.2.141': { key: '10020:192.0.2.141', l2Vni: 10020, remoteIp: '192.0.2.141' },
    '10020:192.0.2.142': { key: '10020:192.0.2.142', l2Vni: 10020, remoteIp: '192.0.2.142' },
  },
});

/** The kit's default fabric samples. */
export const fabricSamples: DeviceSamples = {
  full: fabricFull,
  byCapability: {
    l2Segment: { segment: ['10020'] },
    vrf: { vrf: ['vpc-shop'] },
    anycastGateway: { vrf: ['vpc-shop'], segment: ['10010'] },
    accessBinding: { segment: ['10020'], binding: ['Ethernet1/2:100'] },
    interconnect: { vrf: ['vpc-shop'], interconnect: ['vrb-dc2'] },
    floodVtep: { segment: ['10020'], floodVtep: ['10020:192.0.2.141', '10020:192.0.2.142'] },
    staticRoute: { vrf: ['vpc-pay'], segment: ['10050'] },
  },
  foreign: { kind: 'segment', object: { key: '20000', name: 'legacy-bd', l2Vni: 20000, description: 'made by hand' } },
  badInputs: [
    {
      id: 'vlan-5000',
      title: 'a binding on VLAN 5000',
      capability: 'accessBinding',
      edit: (c) => {
        putObject(c, 'segment', { key: '10030', name: 'ls-vlan', l2Vni: 10030 });
        putObject(c, 'binding', { key: 'Ethernet1/3:5000', interface: 'Ethernet1/3', vlan: 5000, l2Vni: 10030 });
      },
    },
    {
      id: 'flood-vtep-bad-ip',
      title: 'a flood VTEP at 192.0.2.256',
      capability: 'floodVtep',
      edit: (c) => {
        putObject(c, 'segment', { key: '10040', name: 'ls-flood', l2Vni: 10040 });
        putObject(c, 'floodVtep', { key: '10040:192.0.2.256', l2Vni: 10040, remoteIp: '192.0.2.256' });
      },
    },
    {
      id: 'static-route-family',
      title: 'a static route to an IPv4 prefix through an IPv6 next hop',
      capability: 'staticRoute',
      edit: (c) => putObject(c, 'vrf', { key: 'vrf-mixed', name: 'vrf-mixed', l3Vni: 50098, staticRoutes: [{ prefix: '10.8.0.0/24', nextHop: 'fd00::1' }] }),
    },
    { id: 'vni-0', title: 'a segment with L2 VNI 0', capability: 'l2Segment', edit: (c) => putObject(c, 'segment', { key: '0', name: 'ls-zero', l2Vni: 0 }) },
    { id: 'vni-16777216', title: 'a VRF with L3 VNI 2^24', capability: 'vrf', edit: (c) => putObject(c, 'vrf', { key: 'vrf-big', name: 'vrf-big', l3Vni: 16_777_216 }) },
    ...badNameInputs('vrf', 'vrf', (name) => ({ key: name, name, l3Vni: 50099 })),
    ...badNameInputs('segment', 'l2Segment', (name) => ({ key: '10099', name, l2Vni: 10099 })),
  ],
};
