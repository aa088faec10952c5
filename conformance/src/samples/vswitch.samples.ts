/** Virtual-switch samples for the kit (see `samples.ts`). @packageDocumentation */
import type { VSwitchConfigInput } from '@netloom/ports';
import { badNameInputs, putObject, type DeviceSamples } from './samples';

/** A rich vswitch config: bridge, QoS, security-group rules, uplink, tunnel, three endpoint ports. */
export const vswitchFull = (): VSwitchConfigInput => ({
  bridge: { 'br-int': { key: 'br-int', name: 'br-int', failMode: 'secure' } },
  qos: { gold: { key: 'gold', name: 'gold', ingressRateKbps: 1_000_000, egressRateKbps: 500_000 } },
  securityGroupRule: {
    'web:https-in': { key: 'web:https-in', group: 'web', name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [{ from: 443, to: 443 }], remote: { cidr: '0.0.0.0/0' } },
    'web:any-out': { key: 'web:any-out', group: 'web', name: 'any-out', direction: 'egress', protocol: 'any' },
  },
  uplink: { eth1: { key: 'eth1', name: 'eth1', bridge: 'br-int', allowedVlans: [100, 101] } },
  tunnel: { 'vx-node2': { key: 'vx-node2', name: 'vx-node2', bridge: 'br-int', remoteIp: '10.0.0.2', tunnelKey: 'flow' } },
  endpointPort: {
    veth0a0b0c: {
      key: 'veth0a0b0c',
      name: 'veth0a0b0c',
      bridge: 'br-int',
      mac: '0a:58:0a:01:00:04',
      ips: ['10.1.0.4'],
      attachment: { type: 'vlan', vlan: 100 },
      endpointId: 'shop/api-0',
      pod: { namespace: 'shop', name: 'api-0' },
    },
    veth3f2a1b: {
      key: 'veth3f2a1b',
      name: 'veth3f2a1b',
      bridge: 'br-int',
      mac: '0a:58:0a:01:00:05',
      ips: ['10.1.0.5', 'fd00:1::5'],
      attachment: { type: 'vlan', vlan: 100 },
      endpointId: 'shop/web-0',
      pod: { namespace: 'shop', name: 'web-0' },
      qos: 'gold',
      securityGroups: ['web'],
    },
    veth9c8d7e: {
      key: 'veth9c8d7e',
      name: 'veth9c8d7e',
      bridge: 'br-int',
      mac: '0a:58:0a:01:00:06',
      ips: ['10.1.0.6'],
      attachment: { type: 'tunnel', tunnelKey: 10010 },
      endpointId: 'shop/web-1',
      qos: { egressRateKbps: 10_000, egressBurstKb: 1_000 },
    },
  },
});

/** The kit's default vswitch samples. */
export const vswitchSamples: DeviceSamples = {
  full: vswitchFull,
  byCapability: {
    bridge: { bridge: ['br-int'] },
    uplinkTrunk: { bridge: ['br-int'], uplink: ['eth1'] },
    endpointPort: { bridge: ['br-int'], endpointPort: ['veth0a0b0c'] },
    vxlanTunnel: { bridge: ['br-int'], tunnel: ['vx-node2'] },
    securityGroup: { securityGroupRule: ['web:https-in', 'web:any-out'] },
    qos: { qos: ['gold'] },
  },
  foreign: { kind: 'endpointPort', object: { key: 'tap-vm1', name: 'tap-vm1', bridge: 'br-int', vmId: 'vm1' } },
  badInputs: [
    {
      id: 'vlan-5000',
      title: 'an endpoint port tagged VLAN 5000',
      capability: 'endpointPort',
      edit: (c) => {
        putObject(c, 'bridge', { key: 'br-int', name: 'br-int', failMode: 'secure' });
        putObject(c, 'endpointPort', {
          key: 'veth5000',
          name: 'veth5000',
          bridge: 'br-int',
          mac: '0a:58:0a:01:00:50',
          ips: ['10.1.0.50'],
          attachment: { type: 'vlan', vlan: 5000 },
          endpointId: 'shop/bad-0',
        });
      },
    },
    {
      id: 'vni-0',
      title: 'a tunnel with key (VNI) 0',
      capability: 'vxlanTunnel',
      edit: (c) => {
        putObject(c, 'bridge', { key: 'br-int', name: 'br-int', failMode: 'secure' });
        putObject(c, 'tunnel', { key: 'vx-zero', name: 'vx-zero', bridge: 'br-int', remoteIp: '10.0.0.9', tunnelKey: 0 });
      },
    },
    ...badNameInputs('qos', 'qos', (name) => ({ key: name, name, egressRateKbps: 1000 })),
    ...badNameInputs('bridge', 'bridge', (name) => ({ key: name, name })),
  ],
};
