/**
 * Object mother for whole network states: a complete valid state to break one thing at a time, and `merge` to
 * combine parts.
 * @packageDocumentation
 */
import type { NetworkState } from '../network.invariants';
import { createPeering } from '../peering.model';
import { createQosPolicy } from '../qos.model';
import { createSecurityGroup } from '../security-group.model';
import { createVfw } from '../vfw.model';
import { createVlb } from '../vlb.model';
import { createVrb } from '../vrb.model';
import { EndpointMother } from './endpoint.mother';
import { NodeMother } from './node.mother';
import { VpcMother } from './vpc.mother';

const KEYS = [
  'vpcs',
  'subnets',
  'logicalSwitches',
  'logicalRouters',
  'vrbs',
  'vfws',
  'vlbs',
  'endpoints',
  'nodes',
  'securityGroups',
  'qosPolicies',
  'peerings',
] as const satisfies readonly (keyof NetworkState)[];

/** A network state whose every list is present. */
export type FullNetworkState = { readonly [K in (typeof KEYS)[number]]-?: NonNullable<NetworkState[K]> };

/** Builds valid network states. */
export const NetworkMother = {
  /** Concatenates the lists of several states (other keys, like `VpcNetwork.vpc`, are dropped). */
  merge(...parts: readonly NetworkState[]): FullNetworkState {
    const out: Record<string, unknown[]> = {};
    for (const k of KEYS) out[k] = parts.flatMap((p) => [...(p[k] ?? [])]);
    return out as unknown as FullNetworkState;
  },

  /**
   * A complete valid state that uses every model: VPCs `vpc-a` and `vpc-b` with the same CIDRs (dual stack, two
   * subnets each), nodes `node-1` (network overlay, leaf-1) and `node-2` (host overlay), four endpoints (VLANs on
   * node-1, tunnel keys on node-2), a security group and a QoS policy on the first endpoint, a peering a↔b on
   * TCP 443, a VFW with a zone per VPC, a VLB in vpc-a and a VRB for vpc-b. `checkNetwork` finds nothing.
   */
  complete(): FullNetworkState {
    const a = VpcMother.withSubnets(2, { name: 'vpc-a', index: 0, family: 'dual' });
    const b = VpcMother.withSubnets(2, { name: 'vpc-b', index: 1, family: 'dual' });
    const [a0, a1] = a.subnets;
    const [b0] = b.subnets;
    if (!a0 || !a1 || !b0) throw new Error('unreachable');
    const nodes = [NodeMother.network('node-1', 'leaf-1', '10GE1/0/1'), NodeMother.host('node-2', '192.0.2.12')];
    const endpoints = [
      EndpointMother.inSubnet(a0, { index: 0, node: 'node-1', vlan: 100, securityGroups: ['vpc-a-web'], qos: 'silver', owner: { kind: 'pod', namespace: 'vpc-a', name: 'web-0' } }),
      EndpointMother.inSubnet(a0, { index: 1, node: 'node-1', vlan: 100 }),
      EndpointMother.inSubnet(a1, { index: 0, node: 'node-1', vlan: 101, fixed: true }),
      // Same addresses as a0's first endpoint, in another VPC: allowed.
      EndpointMother.inSubnet(b0, { index: 0, node: 'node-2', tunnelKey: 10_101 }),
    ];
    return NetworkMother.merge(a, b, {
      nodes,
      endpoints,
      securityGroups: [
        createSecurityGroup({
          name: 'vpc-a-web',
          vpc: 'vpc-a',
          rules: [
            { direction: 'ingress', match: { protocol: 'tcp', ports: [80, 443] }, remote: { cidr: '0.0.0.0/0' } },
            { direction: 'egress', match: { protocol: 'any' }, remote: { group: 'vpc-a-web' } },
          ],
        }),
      ],
      qosPolicies: [createQosPolicy({ name: 'silver', egress: { rateKbps: 100_000, burstKbit: 10_000 } })],
      peerings: [createPeering({ name: 'a-b', vpcs: ['vpc-a', 'vpc-b'], allow: [{ protocol: 'tcp', ports: [443] }] })],
      vfws: [
        createVfw({
          name: 'fw-1',
          zones: [
            { name: 'vpc-a', vpc: 'vpc-a' },
            { name: 'vpc-b', vpc: 'vpc-b' },
          ],
          policies: [{ name: 'a-to-b-https', srcZone: 'vpc-a', dstZone: 'vpc-b', match: { protocol: 'tcp', ports: [443] }, action: 'allow', priority: 100 }],
        }),
      ],
      vlbs: [
        createVlb({
          name: 'vpc-a-lb',
          vpc: 'vpc-a',
          virtualServers: [
            {
              name: 'web',
              vip: '198.51.100.10',
              port: 443,
              protocol: 'tcp',
              pool: { name: 'web', members: [{ ip: '10.0.0.2', port: 8443 }, { ip: '10.0.0.3', port: 8443, state: 'draining' }] },
            },
          ],
        }),
      ],
      vrbs: [createVrb({ name: 'vpc-b-dci', vpc: 'vpc-b', routeTargets: [{ value: '65000:200', direction: 'both' }], borderPeers: [{ address: '192.0.2.1', asn: 65_001 }] })],
    });
  },
} as const;
