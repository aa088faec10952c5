// Valid sample configs in each device port's vocabulary (inputs: plain strings and numbers), and helpers.
import type { FabricConfigInput, FirewallConfigInput, LoadBalancerConfigInput, VSwitchConfigInput } from '@netloom/ports';

export const fabricSample = (): FabricConfigInput => ({
  vrf: {
    'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] },
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
  },
  binding: {
    'Ethernet1/1:100': { key: 'Ethernet1/1:100', interface: 'Ethernet1/1', vlan: 100, l2Vni: 10010 },
    'Ethernet1/2:100': { key: 'Ethernet1/2:100', interface: 'Ethernet1/2', vlan: 100, l2Vni: 10020 },
  },
});

export const vswitchSample = (): VSwitchConfigInput => ({
  bridge: { 'br-int': { key: 'br-int', name: 'br-int', failMode: 'secure' } },
  qos: { gold: { key: 'gold', name: 'gold', ingressRateKbps: 1_000_000, egressRateKbps: 500_000 } },
  securityGroupRule: {
    'web:https-in': { key: 'web:https-in', group: 'web', name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [{ from: 443, to: 443 }], remote: { cidr: '0.0.0.0/0' } },
    'web:any-out': { key: 'web:any-out', group: 'web', name: 'any-out', direction: 'egress', protocol: 'any' },
  },
  uplink: { eth1: { key: 'eth1', name: 'eth1', bridge: 'br-int', allowedVlans: [101, 100] } },
  tunnel: { 'vx-node2': { key: 'vx-node2', name: 'vx-node2', bridge: 'br-int', remoteIp: '10.0.0.2', tunnelKey: 'flow' } },
  endpointPort: {
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

export const firewallSample = (): FirewallConfigInput => ({
  zone: {
    'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', vpc: 'shop', interfaces: ['vlan100'], cidrs: ['10.1.0.0/16'] },
    'vpc-pay': { key: 'vpc-pay', name: 'vpc-pay', vpc: 'pay', interfaces: ['vlan200'], cidrs: ['10.2.0.0/16'] },
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

export const loadBalancerSample = (): LoadBalancerConfigInput => ({
  partition: { shop: { key: 'shop', name: 'shop', vpc: 'shop' } },
  monitor: { 'shop/http': { key: 'shop/http', partition: 'shop', name: 'http', type: 'http', intervalSec: 5, timeoutSec: 16, httpPath: '/healthz' } },
  pool: { 'shop/web': { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'round-robin', monitor: 'http' } },
  member: {
    'shop/web/10.1.0.5:8080': { key: 'shop/web/10.1.0.5:8080', partition: 'shop', pool: 'web', address: '10.1.0.5', port: 8080, state: 'enabled' },
    'shop/web/[fd00:1::6]:8080': { key: 'shop/web/[fd00:1::6]:8080', partition: 'shop', pool: 'web', address: 'fd00:1::6', port: 8080, state: 'draining', weight: 2 },
  },
  virtualServer: { 'shop/web-443': { key: 'shop/web-443', partition: 'shop', name: 'web-443', vip: '192.0.2.10', port: 443, protocol: 'tcp', pool: 'web' } },
});

/** `T` with every `readonly` removed, all the way down (for editing sample copies). */
export type DeepMutable<T> = T extends readonly (infer U)[] ? DeepMutable<U>[] : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;

/** A deep copy of `value` changed by `edit`. */
export function edited<T>(value: T, edit: (copy: DeepMutable<T>) => void): T {
  const copy = structuredClone(value) as DeepMutable<T>;
  edit(copy);
  return copy as T;
}
