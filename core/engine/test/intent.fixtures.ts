/**
 * Builders for the intent-compiler and projection tests (which compile with the real plugins, {@link PLUGINS}): small Kubernetes objects, a cluster snapshot and engine
 * settings with a lab-like topology (two leaves, three network-overlay workers, two host-overlay edge nodes).
 */
import type { ClusterSnapshot, EngineSettings, TopologyNodeSettings } from '@netloom/engine';
import type { IntentPlugin, KubeEndpointSlice, KubeNamespace, KubeNode, KubePod, KubeService, KubeSubnet, KubeVpcPeering } from '@netloom/ports';
import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
import { plugin as serviceLb } from '@netloom/plugin-service-lb';
import { plugin as vpcPeering } from '@netloom/plugin-vpc-peering';

/** The three built-in intent plugins, as the runtime passes them when the profile enables all of them. */
export const PLUGINS: readonly IntentPlugin[] = [kubernetes, serviceLb, vpcPeering];

let uid = 0;
const meta = (name: string, extra: Record<string, unknown> = {}): KubePod['metadata'] => ({ name, uid: `uid-${++uid}`, resourceVersion: '1', ...extra }) as KubePod['metadata'];

export function ns(name: string, labels?: Record<string, string>): KubeNamespace {
  return { kind: 'Namespace', metadata: meta(name, labels === undefined ? {} : { labels }) };
}

export function node(name: string, internalIp?: string): KubeNode {
  return { kind: 'Node', metadata: meta(name), ...(internalIp === undefined ? {} : { status: { addresses: [{ type: 'InternalIP', address: internalIp }] } }) };
}

export interface PodOptions {
  readonly annotations?: Record<string, string>;
  readonly statefulSet?: boolean;
  readonly phase?: string;
  readonly deleting?: boolean;
  readonly hostNetwork?: boolean;
}

export function pod(namespace: string, name: string, nodeName: string | undefined, o: PodOptions = {}): KubePod {
  return {
    kind: 'Pod',
    metadata: meta(name, {
      namespace,
      ...(o.annotations === undefined ? {} : { annotations: o.annotations }),
      ...(o.statefulSet === true ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: name.replace(/-\d+$/, ''), uid: 'ss' }] } : {}),
      ...(o.deleting === true ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    }),
    spec: { ...(nodeName === undefined ? {} : { nodeName }), ...(o.hostNetwork === true ? { hostNetwork: true } : {}) },
    status: { phase: o.phase ?? 'Running' },
  };
}

export function lbService(namespace: string, name: string, ports: { port: number; protocol?: string; targetPort?: number | string; name?: string }[], loadBalancerIP?: string): KubeService {
  return {
    kind: 'Service',
    metadata: meta(name, { namespace }),
    spec: { type: 'LoadBalancer', ports, ...(loadBalancerIP === undefined ? {} : { loadBalancerIP }) },
  };
}

export interface SliceEndpointSpec {
  readonly ip: string;
  readonly ready?: boolean;
  readonly terminating?: boolean;
}

export function slice(namespace: string, service: string, name: string, endpoints: SliceEndpointSpec[], ports: { port: number; name?: string; protocol?: string }[]): KubeEndpointSlice {
  return {
    kind: 'EndpointSlice',
    metadata: meta(name, { namespace, labels: { 'kubernetes.io/service-name': service } }),
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ...(e.ready === undefined ? {} : { ready: e.ready }), ...(e.terminating === undefined ? {} : { terminating: e.terminating }) },
    })),
    ports,
  };
}

export function subnetCr(name: string, spec: KubeSubnet['spec'], creationTimestamp = '2024-01-01T00:00:00Z'): KubeSubnet {
  return { kind: 'Subnet', metadata: meta(name, { creationTimestamp }), spec };
}

export function peering(name: string, vpcs: [string, string], allow: KubeVpcPeering['spec']['allow']): KubeVpcPeering {
  return { kind: 'VpcPeering', metadata: meta(name), spec: { vpcs, allow } };
}

export const TOPOLOGY: readonly TopologyNodeSettings[] = [
  { name: 'worker-1', leaf: 'leaf1', port: 'Eth1/1', vswitch: 'vs-worker-1' },
  { name: 'worker-2', leaf: 'leaf1', port: 'Eth1/2', vswitch: 'vs-worker-2' },
  { name: 'worker-3', leaf: 'leaf2', port: 'Eth1/1', vswitch: 'vs-worker-3', uplink: 'bond0' },
  { name: 'edge-1', overlay: 'host', vtepIp: '192.0.2.141', vswitch: 'vs-edge-1' },
  { name: 'edge-2', overlay: 'host', vtepIp: '192.0.2.142', vswitch: 'vs-edge-2' },
];

export function settings(overrides: Partial<EngineSettings> = {}, plan: Partial<EngineSettings['addressPlan']> = {}): EngineSettings {
  return {
    vpcPolicy: 'per-namespace',
    overlay: 'hybrid',
    addressPlan: {
      vni: { l2: [{ from: 10000, to: 19999 }], l3: [{ from: 50000, to: 50999 }] },
      vlan: { from: 100, to: 999 },
      containerBlocks: ['10.244.0.0/16'],
      defaultSubnetPrefix: { ipv4: 24, ipv6: 64 },
      vipPools: [{ name: 'public', cidr: '198.51.100.0/24', exclude: ['198.51.100.0..198.51.100.9'] }],
      ...plan,
    },
    topology: { nodes: TOPOLOGY },
    devices: [
      { name: 'leaf1', role: 'leaf' },
      { name: 'leaf2', role: 'leaf' },
      ...TOPOLOGY.map((t) => ({ name: t.vswitch as string, role: 'vswitch' as const })),
      { name: 'fw1', role: 'firewall' },
      { name: 'lb1', role: 'loadBalancer' },
    ],
    ...overrides,
  };
}

export const ALL_NODES = (): KubeNode[] => [node('worker-1', '192.0.2.21'), node('worker-2', '192.0.2.22'), node('worker-3', '192.0.2.23'), node('edge-1', '192.0.2.41'), node('edge-2', '192.0.2.42')];

export function cluster(parts: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    namespaces: parts.namespaces ?? [ns('default'), ns('kube-system')],
    nodes: parts.nodes ?? ALL_NODES(),
    pods: parts.pods ?? [],
    services: parts.services ?? [],
    endpointSlices: parts.endpointSlices ?? [],
    subnets: parts.subnets ?? [],
    peerings: parts.peerings ?? [],
  };
}
