/**
 * An in-memory IntentContext for testing one plugin without the engine (plugins may not import it): allocators that
 * hand out numbers and addresses in order and record every call, a problem list, and a builder that keeps what the
 * plugin adds. The same file is in each plugin package's test folder (a plugin's tests may not import another's).
 */
import { cidrFirst, formatIp, ipFromBigint, parseCidr, parseIp, type Endpoint, type LogicalRouter, type Node, type Peering, type Subnet, type Vlb, type Vpc, type Vrb } from '@netloom/domain';
import type {
  ClusterSnapshot,
  DesiredServiceStatus,
  EngineSettings,
  IntentAddressBinding,
  IntentContext,
  IntentObjectRef,
  KubeEndpointSlice,
  KubeNamespace,
  KubeNode,
  KubePod,
  KubeService,
  KubeSubnet,
  KubeVpcPeering,
  VfwPolicyDraft,
} from '@netloom/ports';

export interface FakeContext extends IntentContext {
  readonly calls: string[];
  readonly problemList: (IntentObjectRef & { code: string; message: string })[];
  readonly failed: Set<string>;
  readonly retained: { vpcs: Set<string>; subnets: Set<string>; nodes: Set<string> };
  readonly built: {
    vpcs: Vpc[];
    subnets: Subnet[];
    lss: string[];
    lrs: string[];
    /** The LRs themselves (`lrs` has their names). */
    routers: LogicalRouter[];
    nodes: Node[];
    endpoints: Endpoint[];
    qos: string[];
    vlbs: Vlb[];
    peerings: Peering[];
    policies: VfwPolicyDraft[];
    /** VRBs with the peering each was added for. */
    vrbs: { vrb: Vrb; peering?: string }[];
    serviceStatus: Map<string, DesiredServiceStatus>;
  };
  /** Addresses held per `<pool or subnet>/<family>`: owner → binding. */
  readonly held: Map<string, Map<string, IntentAddressBinding>>;
}

let uid = 0;
const meta = (name: string, extra: Record<string, unknown> = {}): KubePod['metadata'] => ({ name, uid: `uid-${++uid}`, resourceVersion: '1', ...extra }) as KubePod['metadata'];
export const ns = (name: string, labels?: Record<string, string>): KubeNamespace => ({ kind: 'Namespace', metadata: meta(name, labels === undefined ? {} : { labels }) });
export const kubeNode = (name: string, internalIp?: string): KubeNode => ({ kind: 'Node', metadata: meta(name), ...(internalIp === undefined ? {} : { status: { addresses: [{ type: 'InternalIP', address: internalIp }] } }) });
export const pod = (namespace: string, name: string, nodeName: string, annotations?: Record<string, string>): KubePod => ({
  kind: 'Pod',
  metadata: meta(name, { namespace, ...(annotations === undefined ? {} : { annotations }) }),
  spec: { nodeName },
  status: { phase: 'Running' },
});
export const subnetCr = (name: string, spec: KubeSubnet['spec']): KubeSubnet => ({ kind: 'Subnet', metadata: meta(name, { creationTimestamp: '2024-01-01T00:00:00Z' }), spec });
export const lbService = (namespace: string, name: string, ports: { port: number; protocol?: string; targetPort?: number }[], loadBalancerIP?: string): KubeService => ({
  kind: 'Service',
  metadata: meta(name, { namespace }),
  spec: { type: 'LoadBalancer', ports, ...(loadBalancerIP === undefined ? {} : { loadBalancerIP }) },
});
export const slice = (namespace: string, service: string, endpoints: { ip: string; ready?: boolean; terminating?: boolean }[], port: number): KubeEndpointSlice => ({
  kind: 'EndpointSlice',
  metadata: meta(`${service}-x`, { namespace, labels: { 'kubernetes.io/service-name': service } }),
  addressType: 'IPv4',
  endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ...(e.ready === undefined ? {} : { ready: e.ready }), ...(e.terminating === undefined ? {} : { terminating: e.terminating }) } })),
  ports: [{ port, protocol: 'TCP' }],
});
export const peeringCr = (name: string, vpcs: [string, string], allow: KubeVpcPeering['spec']['allow']): KubeVpcPeering => ({ kind: 'VpcPeering', metadata: meta(name), spec: { vpcs, allow } });

export function settings(overrides: Partial<EngineSettings> = {}): EngineSettings {
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

export function cluster(parts: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return { namespaces: [], nodes: [], pods: [], services: [], endpointSlices: [], subnets: [], peerings: [], ...parts };
}

/** A fresh context; `held` may carry addresses from an earlier pass (to test releases). */
export function fakeContext(c: ClusterSnapshot, s: EngineSettings = settings(), held = new Map<string, Map<string, IntentAddressBinding>>()): FakeContext {
  const calls: string[] = [];
  const problemList: FakeContext['problemList'] = [];
  const failed = new Set<string>();
  const retained = { vpcs: new Set<string>(), subnets: new Set<string>(), nodes: new Set<string>() };
  const built: FakeContext['built'] = { vpcs: [], subnets: [], lss: [], lrs: [], routers: [], nodes: [], endpoints: [], qos: [], vlbs: [], peerings: [], policies: [], vrbs: [], serviceStatus: new Map() };
  const ranges = new Map<string, string>();
  let vni = 0;
  let vlan = 0;
  let carve = 0;
  const pool = (key: string): Map<string, IntentAddressBinding> => {
    let m = held.get(key);
    if (m === undefined) held.set(key, (m = new Map()));
    return m;
  };
  const take = (key: string, owner: string, ip?: string): string => {
    const m = pool(key);
    const mine = m.get(owner);
    if (mine !== undefined && (ip === undefined || mine.ip === ip)) {
      m.set(owner, { ...mine, state: 'allocated' });
      return mine.ip;
    }
    const cidr = parseCidr(ranges.get(key) ?? '10.0.0.0/8');
    let next = ip;
    for (let n = 10n; next === undefined; n++) {
      const candidate = formatIp(ipFromBigint(cidr.family, cidrFirst(cidr) + n));
      if (![...m.values()].some((b) => b.ip === candidate)) next = candidate;
    }
    m.set(owner, { owner, ip: next, state: 'allocated' });
    return next;
  };
  const nsVpc = (n: string): string | undefined => built.vpcs.find((v) => v.namespaces.includes(n))?.name;
  return {
    cluster: c,
    settings: s,
    calls,
    problemList,
    failed,
    retained,
    built,
    held,
    allocators: {
      ensureSubnetRange: async ({ subnet, cidr }) => {
        calls.push(`range ${subnet} ${cidr}`);
        ranges.set(`${subnet}/${parseCidr(cidr).family}`, cidr);
      },
      allocateAddress: async ({ subnet, family, owner, ip }) => take(`${subnet}/${family}`, owner, ip),
      listAddresses: async ({ subnet, family }) => [...pool(`${subnet}/${family}`).values()],
      releaseAddress: async ({ subnet, family, owner }) => {
        calls.push(`release ${subnet} ${owner}`);
        pool(`${subnet}/${family}`).delete(owner);
      },
      ensureVipPool: async ({ pool: p, cidr }) => {
        ranges.set(`vip.${p}`, cidr);
        return { cidr };
      },
      lookupVip: async ({ pool: p, owner }) => pool(`vip.${p}`).get(owner)?.ip,
      allocateVip: async ({ pool: p, owner, ip }) => take(`vip.${p}`, owner, ip),
      listVips: async ({ pool: p }) => [...pool(`vip.${p}`).values()],
      releaseVip: async ({ pool: p, owner }) => {
        calls.push(`release vip ${owner}`);
        pool(`vip.${p}`).delete(owner);
      },
      allocateL3Vni: async ({ vpc }) => {
        calls.push(`l3 ${vpc}`);
        return 50000 + vni++;
      },
      allocateL2Vni: async ({ subnet }) => {
        calls.push(`l2 ${subnet}`);
        return 10000 + vni++;
      },
      allocateVlan: async () => 100 + vlan++,
      carveSubnet: async ({ vpc }) => {
        calls.push(`carve ${vpc}`);
        return [`10.244.${carve++}.0/24`];
      },
      retain: ({ vpcs, subnets, nodes }) => {
        for (const v of vpcs ?? []) retained.vpcs.add(v);
        for (const x of subnets ?? []) retained.subnets.add(x);
        for (const n of nodes ?? []) retained.nodes.add(n);
      },
    },
    problems: {
      report: (ref, code, message) => {
        problemList.push({ ...ref, code, message });
      },
      reportError: (ref, e, prefix = '') => {
        const err = e as { code?: string; message?: string };
        // As the engine does: a domain invariant broken by user input is INPUT.INVALID.
        problemList.push({ ...ref, code: err.code === 'DOMAIN.INVARIANT' ? 'INPUT.INVALID' : (err.code ?? 'INTERNAL'), message: `${prefix}${err.message ?? String(e)}` });
      },
      failVpc: (vpc) => {
        failed.add(vpc);
      },
      isVpcFailed: (vpc) => failed.has(vpc),
    },
    network: {
      addVpc: (v) => void built.vpcs.push(v),
      addSubnet: (x) => void built.subnets.push(x),
      addLogicalSwitch: (x) => void built.lss.push(x.name),
      addLogicalRouter: (x) => {
        built.lrs.push(x.name);
        built.routers.push(x);
      },
      addNode: (x) => void built.nodes.push(x),
      addEndpoint: (x) => void built.endpoints.push(x),
      addQosPolicy: (x) => void built.qos.push(x.name),
      addVlb: (x) => void built.vlbs.push(x),
      addPeering: (x) => void built.peerings.push(x),
      addVfwPolicy: (x) => void built.policies.push(x),
      addVrb: (vrb, o) => void built.vrbs.push(o?.peering === undefined ? { vrb } : { vrb, peering: o.peering }),
      setServiceStatus: (x) => void built.serviceStatus.set(`${x.namespace}/${x.name}`, x),
      vpcs: () => built.vpcs,
      vpcOfNamespace: nsVpc,
      subnets: () => built.subnets,
      nodes: () => built.nodes,
      endpoints: () => built.endpoints,
      logicalRouters: () => built.routers,
      vrbs: () => built.vrbs.map((v) => v.vrb),
    },
  };
}

/** True if `ip` is an IPv4 address inside `cidr`. */
export function inside(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  const v = parseIp(ip);
  return v.family === c.family && v.value >= cidrFirst(c) && v.value < cidrFirst(c) + (1n << BigInt(32 - c.prefix));
}
