/**
 * Builders of the Kubernetes objects an intent plugin reads, the cluster snapshot that holds them and the engine
 * settings it compiles under: the inputs of {@link createIntentTestContext}. Each object is as the kubernetes port
 * lists it, with just the fields the plugins read; `uid` is unique per process, `resourceVersion` is `'1'`.
 */
import type { ClusterSnapshot, EngineSettings, KubeEndpointSlice, KubeNamespace, KubeNode, KubePod, KubeSecurityGroup, KubeService, KubeSubnet, KubeVpcPeering } from '@netloom/ports';

// One counter for every builder: two objects never share a uid, as in a real cluster.
let uid = 0;
const meta = (name: string, extra: Record<string, unknown> = {}): KubePod['metadata'] => ({ name, uid: `uid-${++uid}`, resourceVersion: '1', ...extra }) as KubePod['metadata'];

/**
 * A Namespace, optionally labelled.
 * @example kubeNamespace('shop-api', { 'netloom.io/vpc': 'shop' })
 */
export function kubeNamespace(name: string, labels?: Record<string, string>): KubeNamespace {
  return { kind: 'Namespace', metadata: meta(name, labels === undefined ? {} : { labels }) };
}

/**
 * A Node, with an `InternalIP` address when given.
 * @example kubeNode('worker-1', '192.0.2.21')
 */
export function kubeNode(name: string, internalIp?: string): KubeNode {
  return { kind: 'Node', metadata: meta(name), ...(internalIp === undefined ? {} : { status: { addresses: [{ type: 'InternalIP', address: internalIp }] } }) };
}

/**
 * A running Pod scheduled on `nodeName`, with annotations when given.
 * @example kubePod('shop', 'web-0', 'worker-1', { 'netloom.io/ip-address': '10.1.0.50' })
 */
export function kubePod(namespace: string, name: string, nodeName: string, annotations?: Record<string, string>): KubePod {
  return {
    kind: 'Pod',
    metadata: meta(name, { namespace, ...(annotations === undefined ? {} : { annotations }) }),
    spec: { nodeName },
    status: { phase: 'Running' },
  };
}

/**
 * A netloom `Subnet` resource (created 2024-01-01, so a later `creationTimestamp` makes another one the younger).
 * @example kubeSubnet('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true })
 */
export function kubeSubnet(name: string, spec: KubeSubnet['spec']): KubeSubnet {
  return { kind: 'Subnet', metadata: meta(name, { creationTimestamp: '2024-01-01T00:00:00Z' }), spec };
}

/**
 * A Service of type LoadBalancer with its ports (and `spec.loadBalancerIP` when given).
 * @example kubeLoadBalancerService('shop', 'web', [{ port: 443, targetPort: 8443 }, { port: 53, protocol: 'UDP' }], '198.51.100.77')
 */
export function kubeLoadBalancerService(namespace: string, name: string, ports: { port: number; protocol?: string; targetPort?: number }[], loadBalancerIP?: string): KubeService {
  return {
    kind: 'Service',
    metadata: meta(name, { namespace }),
    spec: { type: 'LoadBalancer', ports, ...(loadBalancerIP === undefined ? {} : { loadBalancerIP }) },
  };
}

/**
 * The IPv4 EndpointSlice of a Service (`kubernetes.io/service-name` label), one TCP port, one endpoint per address
 * with the `ready` / `terminating` conditions given.
 * @example kubeEndpointSlice('shop', 'web', [{ ip: '10.1.0.5' }, { ip: '10.1.0.6', terminating: true, ready: false }], 8443)
 */
export function kubeEndpointSlice(namespace: string, service: string, endpoints: { ip: string; ready?: boolean; terminating?: boolean }[], port: number): KubeEndpointSlice {
  return {
    kind: 'EndpointSlice',
    metadata: meta(`${service}-x`, { namespace, labels: { 'kubernetes.io/service-name': service } }),
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ...(e.ready === undefined ? {} : { ready: e.ready }), ...(e.terminating === undefined ? {} : { terminating: e.terminating }) } })),
    ports: [{ port, protocol: 'TCP' }],
  };
}

/**
 * A netloom `VpcPeering` resource between two VPCs.
 * @example kubeVpcPeering('a-b', ['a', 'b'], [{ protocol: 'tcp', ports: [8080] }])
 */
export function kubeVpcPeering(name: string, vpcs: [string, string], allow: KubeVpcPeering['spec']['allow']): KubeVpcPeering {
  return { kind: 'VpcPeering', metadata: meta(name), spec: { vpcs, allow } };
}

/**
 * A netloom `SecurityGroup` resource in `namespace` (generation 1).
 * @example kubeSecurityGroup('shop', 'web', { rules: [{ name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [443] }] })
 */
export function kubeSecurityGroup(namespace: string, name: string, spec: KubeSecurityGroup['spec']): KubeSecurityGroup {
  return { kind: 'SecurityGroup', metadata: meta(name, { namespace, generation: 1 }), spec };
}

/**
 * A cluster snapshot: the lists given, every other list empty.
 * @example intentTestCluster({ namespaces: [kubeNamespace('shop')], pods: [kubePod('shop', 'web-0', 'worker-1')] })
 */
export function intentTestCluster(parts: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return { namespaces: [], nodes: [], pods: [], services: [], endpointSlices: [], subnets: [], peerings: [], ...parts };
}

/**
 * Engine settings for plugin tests, with `overrides` replacing whole top-level fields: per-namespace VPCs, network
 * overlay, L2 VNIs 10000-19999, L3 VNIs 50000-50999, VLANs 100-999, container block 10.244.0.0/16 (/24 and /64
 * subnets), VIP pool `public` 198.51.100.0/24, node `worker-1` on leaf1 port Eth1/1, no devices.
 * @example intentTestSettings({ overlay: 'hybrid', routeTargetAsn: 64_512 })
 */
export function intentTestSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  return {
    vpcPolicy: 'per-namespace',
    overlay: 'network',
    addressPlan: {
      vni: { l2: [{ from: 10000, to: 19999 }], l3: [{ from: 50000, to: 50999 }] },
      vlan: { from: 100, to: 999 },
      containerBlocks: ['10.244.0.0/16'],
      defaultSubnetPrefix: { ipv4: 24, ipv6: 64 },
      vipPools: [{ name: 'public', cidr: '198.51.100.0/24' }],
    },
    topology: { nodes: [{ name: 'worker-1', leaf: 'leaf1', port: 'Eth1/1' }] },
    devices: [],
    ...overrides,
  };
}
