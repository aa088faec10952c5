/** Firewall samples for the kit (see `samples.ts`). @packageDocumentation */
import type { FirewallConfigInput } from '@netloom/ports';
import { badNameInputs, putObject, type DeviceSamples } from './samples';

/** A rich firewall config: two zones, an address set, an allow policy using it, a deny policy; a zone with a leg (port API 1.2). */
export const firewallFull = (): FirewallConfigInput => ({
  zone: {
    'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', vpc: 'shop', interfaces: ['vlan100'], cidrs: ['10.1.0.0/16'] },
    'vpc-pay': { key: 'vpc-pay', name: 'vpc-pay', vpc: 'pay', interfaces: ['vlan200'], cidrs: ['10.2.0.0/16'] },
    'vpc-ops': { key: 'vpc-ops', name: 'vpc-ops', vpc: 'ops', interfaces: [], cidrs: ['10.3.0.0/16'], legs: [{ interface: 'leg301', uplink: 'eth1', vlan: 301, address: '10.3.0.250/16' }] },
  },
  addressSet: { 'pay-api': { key: 'pay-api', name: 'pay-api', addresses: ['10.2.1.0/24'] } },
  policy: {
    'shop-to-pay': {
      key: 'shop-to-pay',
      name: 'shop-to-pay',
      priority: 100,
      srcZone: 'vpc-shop',
      dstZone: 'vpc-pay',
      destinationAddressSets: ['pay-api'],
      protocol: 'tcp',
      ports: [{ from: 443, to: 443 }],
      action: 'allow',
    },
    'pay-deny-ssh': { key: 'pay-deny-ssh', name: 'pay-deny-ssh', priority: 10, srcZone: 'vpc-pay', dstZone: 'vpc-pay', protocol: 'tcp', ports: [{ from: 22, to: 22 }], action: 'deny', log: true },
  },
});

/** The kit's default firewall samples. */
export const firewallSamples: DeviceSamples = {
  full: firewallFull,
  byCapability: {
    zones: { zone: ['vpc-shop'] },
    addressSets: { addressSet: ['pay-api'] },
    policies: { zone: ['vpc-pay'], policy: ['pay-deny-ssh'] },
    legs: { zone: ['vpc-ops'] },
  },
  foreign: { kind: 'zone', object: { key: 'dmz', name: 'dmz', interfaces: ['eth9'], cidrs: [] } },
  badInputs: [
    {
      id: 'priority-70000',
      title: 'a policy with priority 70000',
      capability: 'policies',
      edit: (c) => {
        putObject(c, 'zone', { key: 'vpc-x', name: 'vpc-x', interfaces: ['vlan300'], cidrs: ['10.3.0.0/16'] });
        putObject(c, 'policy', { key: 'x-any', name: 'x-any', priority: 70_000, srcZone: 'vpc-x', dstZone: 'vpc-x', protocol: 'any', action: 'allow' });
      },
    },
    {
      id: 'leg-vlan-5000',
      title: 'a leg on VLAN 5000',
      capability: 'legs',
      edit: (c) => putObject(c, 'zone', { key: 'vpc-z', name: 'vpc-z', interfaces: [], cidrs: [], legs: [{ interface: 'leg5000', uplink: 'eth1', vlan: 5000, address: '10.4.0.250/16' }] }),
    },
    { id: 'cidr-invalid', title: 'a zone with CIDR 10.0.0.300/24', capability: 'zones', edit: (c) => putObject(c, 'zone', { key: 'vpc-y', name: 'vpc-y', interfaces: [], cidrs: ['10.0.0.300/24'] }) },
    ...badNameInputs('zone', 'zones', (name) => ({ key: name, name, interfaces: ['vlan400'], cidrs: [] })),
  ],
};
