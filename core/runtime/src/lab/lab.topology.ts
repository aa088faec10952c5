/**
 * The lab's fixed plan: names, addresses and the deployment profile the lab daemon runs the controller with.
 *
 * ```
 * netloom-lab-mgmt   the lab daemon (test API server + controller), Linux bridge mgmtbr 169.254.77.1/24
 *   | mg-node-N  <-> mgmt0 169.254.77.(10+N)     (API for netloom-cni, OpenFlow for the controller)
 * netloom-lab-node-N ovsdb-server + ovs-vswitchd (userspace), br-int, uplink eth1 (trunk)
 *   | eth1       <-> l1pN
 * netloom-lab-leaf1  ovsdb-server (Open_vSwitch + hardware_vtep) + ovs-vswitchd + ovs-vtep: the leaf emulator
 * netloom-lab-pod-<namespace>-<pod>   a pod: eth0 plumbed by netloom-cni into its node's br-int
 * netloom-lab-router ovsdb-server + ovs-vswitchd, br-router holding the uplink trunk eth1 (<-> leaf port l1r1);
 *                    the linux-router adapter adds a VRF namespace netloom-lab-vrf-<vrf> per VPC and a leg per LS
 * netloom-lab-vfw    the VFW: ovsdb-server + ovs-vswitchd, br-fw holding the uplink trunk eth1 (<-> leaf port l1f1);
 *                    the nftables adapter keeps its table here and adds a leg (veth, OVS access port) per peered LS
 * netloom-lab-lb     the F5 BIG-IP simulator (iControl REST on mgmt0 169.254.77.5:443, TCP forwarder):
 *   | eth0           the VLB's inside self-IP: a pod red/f5-inside plumbed by netloom-cni into node-1's br-int
 *   | ext0       <-> eth0 of netloom-lab-client 198.51.100.100/24 (outside; ext0 198.51.100.1/24 + the VIP /32)
 * ```
 *
 * OVSDB is reached over unix sockets in the lab directory, which work across network namespaces.
 * @packageDocumentation
 */
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { LabNode, LabSource } from './lab.state';

/** Every namespace the lab creates starts with this (and nothing else of the host does, we assume and check). */
export const LAB_PREFIX = 'netloom-lab';
/** The management namespace: the lab daemon lives here. */
export const MGMT_NS = `${LAB_PREFIX}-mgmt`;
/** The Linux bridge of the management network (inside {@link MGMT_NS}). */
export const MGMT_BRIDGE = 'mgmtbr';
/** The daemon's address on the management network (the API server listens here). */
export const MGMT_IP = '169.254.77.1';
/** Prefix length of the management network. */
export const MGMT_PREFIX = 24;
/** The port of the test Kubernetes API server. */
export const API_PORT = 6443;
/** The OpenFlow port each node's br-int listens on (its management address). */
export const OPENFLOW_PORT = 6653;
/** The leaf (hardware-VTEP emulator). */
export const LEAF = 'leaf1';
/** The leaf's namespace. */
export const LEAF_NS = `${LAB_PREFIX}-${LEAF}`;
/** The node's uplink interface (the projection's default) and the integration bridge. */
export const UPLINK = 'eth1';
export const BRIDGE = 'br-int';
/** Nodes built by `up`. */
export const INITIAL_NODES = 3;

/** The VPC router (ADR 0012): its inventory name, host namespace, OVS bridge, trunk and leaf port. */
export const ROUTER = {
  device: 'router1',
  ns: `${LAB_PREFIX}-router`,
  bridge: 'br-router',
  uplink: 'eth1',
  leafPort: 'l1r1',
  /**
   * The prefix of the VRF namespaces the linux-router adapter creates (16 characters, its limit). It starts with
   * the lab prefix, so `down`'s "nothing of the lab remains" check covers them.
   */
  vrfPrefix: `${LAB_PREFIX}-vrf-`,
} as const;

/**
 * The VFW (ADR 0013): its inventory name, namespace (the nft table, the legs and the firewall's own Open vSwitch:
 * a VNF whose switch runs beside its firewall), OVS bridge, trunk and leaf port.
 */
export const VFW = {
  device: 'fw1',
  ns: `${LAB_PREFIX}-vfw`,
  bridge: 'br-fw',
  uplink: 'eth1',
  leafPort: 'l1f1',
} as const;

/**
 * The VpcPeering of the lab's check: red and green, TCP 8080 allowed. Green's pod also listens on `closedPort`,
 * which the peering does not open.
 */
export const PEERING = { name: 'red-green', vpcs: ['red', 'green'], port: 8080, closedPort: 8081 } as const;

/**
 * A namespace on the management network that runs a service the controller drives over the network (the load
 * balancer; the VFW is driven with `ip netns exec` and needs none): `mgmtIp` on its `mgmt0`, whose peer `mgIf` is a port of {@link MGMT_BRIDGE}. Addresses 169.254.77.2-9 are
 * for these (nodes use 10+N).
 */
export interface ServiceNamespacePlan {
  /** A short name (`lb`): the namespace is `netloom-lab-<name>`, its directory `<dir>/<name>`. */
  readonly name: string;
  readonly ns: string;
  readonly mgmtIp: string;
  /** The management veth's end on the bridge (at most 15 characters). */
  readonly mgIf: string;
}

/** The plan of a service namespace. */
export function planServiceNamespace(name: string, mgmtIp: string): ServiceNamespacePlan {
  return { name, ns: `${LAB_PREFIX}-${name}`, mgmtIp, mgIf: `mg-${name}` };
}

/** The load balancer: the F5 BIG-IP simulator's namespace on the management network. */
export const LB = planServiceNamespace('lb', '169.254.77.5');
/** Every service namespace of the lab (`down` checks that none of their management links remains). */
export const SERVICE_NAMESPACES: readonly ServiceNamespacePlan[] = [LB];
/** The load balancer's inventory name and iControl REST port. */
export const LB_DEVICE = 'lb1';
export const LB_REST_PORT = 443;
/** The F5 user the lab creates (its password is a random one in a 0600 file of the lab directory). */
export const LB_USER = 'admin';

/**
 * The outside of the load balancer: a client namespace on an external network inside the VIP pool. The client's
 * `eth0` is a veth to the load balancer's `ext0`; the Service's VIP is a /32 on `ext0` (the simulator's forwarder
 * listens only on local addresses).
 */
export const OUTSIDE = {
  clientNs: `${LAB_PREFIX}-client`,
  clientIp: '198.51.100.100',
  lbIf: 'ext0',
  lbIp: '198.51.100.1',
  prefix: 24,
  vip: '198.51.100.10',
} as const;

/** The LoadBalancer Service of the lab: `red/web`, port 8080 to the pods' 8080, pods labelled app=web. */
export const WEB_SERVICE = { namespace: 'red', name: 'web', port: 8080, slice: 'web-lab' } as const;

/** The namespace of a node. */
export function nodeNs(node: string): string {
  return `${LAB_PREFIX}-${node}`;
}

/** The plan of node number `index` (1-based). */
export function planNode(dir: string, index: number): LabNode {
  const name = `node-${index}`;
  return { name, index, ns: nodeNs(name), dir: path.join(dir, name), mgmtIp: `169.254.77.${10 + index}`, leafPort: `l1p${index}`, vswitch: `${name}-vs` };
}

/** The namespace of a pod. */
export function podNs(namespace: string, name: string): string {
  return `${LAB_PREFIX}-pod-${namespace}-${name}`;
}

/** The OVSDB unix socket of an OVS directory. */
export function ovsdbSocket(ovsDir: string): string {
  return path.join(ovsDir, 'db.sock');
}

/** Files the daemon and the CLI share, in the lab directory. */
export function labFiles(dir: string): {
  profile: string;
  kubeconfigYaml: string;
  kubeconfigJson: string;
  scenario: string;
  control: string;
  daemonLog: string;
  ready: string;
  store: string;
  leafDir: string;
  mgmtDir: string;
  routerDir: string;
  vfwDir: string;
  lbDir: string;
  lbPassword: string;
  lbCa: string;
  lbReady: string;
  lbLog: string;
} {
  const mgmtDir = path.join(dir, 'mgmt');
  const lbDir = path.join(dir, LB.name);
  return {
    profile: path.join(dir, 'profile.yaml'),
    kubeconfigYaml: path.join(mgmtDir, 'kubeconfig.yaml'),
    kubeconfigJson: path.join(mgmtDir, 'kubeconfig.json'),
    scenario: path.join(mgmtDir, 'cluster.scenario.yaml'),
    control: path.join(mgmtDir, 'control.sock'),
    daemonLog: path.join(mgmtDir, 'daemon.log'),
    ready: path.join(mgmtDir, 'ready.json'),
    store: path.join(mgmtDir, 'state.db'),
    leafDir: path.join(dir, LEAF),
    mgmtDir,
    routerDir: path.join(dir, 'router'),
    vfwDir: path.join(dir, 'vfw'),
    lbDir,
    lbPassword: path.join(lbDir, 'admin-password'),
    lbCa: path.join(lbDir, 'ca.pem'),
    lbReady: path.join(lbDir, 'ready.json'),
    lbLog: path.join(lbDir, 'f5.log'),
  };
}

/**
 * The VPCs, namespaces and default subnets of the lab. Red and blue use the same CIDR (overlapping VPCs); green is
 * apart, the VPC red peers with ({@link PEERING}).
 */
export const TENANTS = {
  red: { namespace: 'red', vpc: 'red', subnet: 'red-web', cidr: '10.60.1.0/24', gateway: '10.60.1.1' },
  blue: { namespace: 'blue', vpc: 'blue', subnet: 'blue-web', cidr: '10.60.1.0/24', gateway: '10.60.1.1' },
  green: { namespace: 'green', vpc: 'green', subnet: 'green-web', cidr: '10.61.1.0/24', gateway: '10.61.1.1' },
} as const;

/**
 * Further subnets, not default: a pod takes one with the annotation `netloom.io/subnet: <name>`. Red's second
 * subnet is reached from red-web only through the VPC's router.
 */
export const EXTRA_SUBNETS = [{ namespace: 'red', vpc: 'red', subnet: 'red-api', cidr: '10.60.2.0/24', gateway: '10.60.2.1' }] as const;

/** The lab's VPCs as cluster objects: a Namespace (label `netloom.io/vpc`) and the Subnets of each. */
export function tenantObjects(): Record<string, unknown>[] {
  return [
    ...Object.values(TENANTS).flatMap((t) => [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: t.namespace, labels: { 'netloom.io/vpc': t.vpc } } },
      { apiVersion: 'netloom.io/v1alpha1', kind: 'Subnet', metadata: { name: t.subnet }, spec: { cidrs: [t.cidr], gateways: [t.gateway], namespaces: [t.namespace], default: true, vpc: t.vpc } },
    ]),
    ...EXTRA_SUBNETS.map((t) => ({ apiVersion: 'netloom.io/v1alpha1', kind: 'Subnet', metadata: { name: t.subnet }, spec: { cidrs: [t.cidr], gateways: [t.gateway], namespaces: [t.namespace], default: false, vpc: t.vpc } })),
  ];
}

/**
 * The scenario file of a lab whose controller reads the scenario source (`lab up --source scenario`): one step with
 * the lab's VPCs ({@link tenantObjects}); nodes, pods, Services and peerings come later, applied to the running
 * source through the lab daemon's control socket.
 */
export function labScenario(): string {
  const scenario = {
    apiVersion: 'netloom.io/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'netloom-lab', description: 'the lab cluster; the lab applies nodes, pods, the Service and the peering while it runs' },
    steps: [{ name: 'the lab VPCs: red, blue (same CIDR as red), green', apply: tenantObjects() }],
  };
  return `# Generated by netloom lab; do not edit (netloom lab down removes it).\n${stringify(scenario)}`;
}

/**
 * The deployment profile the daemon runs: the leaf through the hw-vtep adapter (its OVSDB socket; the projection
 * leaves out the VRFs and gateways hw-vtep does not declare, ADR 0011), every node's
 * vswitch through the ovs adapter (its OVSDB socket; OpenFlow by dialling br-int's listener on the management
 * network), the VPC router through the linux-router adapter (OVS legs on br-router, behind the leaf port l1r1),
 * the VFW through the nftables adapter (its namespace, legs as access ports of its own br-fw, behind the leaf port
 * l1f1), the load balancer through the F5 BIG-IP adapter (iControl REST on the simulator's management address, the
 * lab CA verified, the password by file reference), the test API server as the Kubernetes source (or, with
 * `source: 'scenario'`, the scenario source playing {@link labScenario}).
 * @example fs.writeFileSync(files.profile, labProfile(dir, state.nodes))
 */
export function labProfile(dir: string, nodes: readonly LabNode[], source: LabSource = 'kubernetes'): string {
  const files = labFiles(dir);
  const profile = {
    apiVersion: 'netloom.io/v1alpha1',
    kind: 'Profile',
    metadata: { name: 'netloom-lab', description: 'netloom lab: real Open vSwitch nodes, the hardware-VTEP emulator as the leaf (netloom lab up)' },
    sources: { kubernetes: source === 'scenario' ? { scenario: files.scenario } : { kubeconfig: files.kubeconfigYaml } },
    overlay: 'network',
    addressPlan: {
      vni: { l2: [{ from: 10000, to: 10999 }], l3: [{ from: 50000, to: 50999 }] },
      vlan: { from: 100, to: 199 },
      containerBlocks: ['10.250.0.0/16'],
      vipPools: [{ name: 'public', cidr: '198.51.100.0/24' }],
    },
    inventory: {
      devices: [
        { name: LEAF, role: 'leaf', adapter: '@netloom/adapter-hw-vtep', options: { physicalSwitch: LEAF, remote: `unix:${ovsdbSocket(files.leafDir)}` } },
        ...nodes.map((n) => ({
          name: n.vswitch,
          role: 'vswitch',
          adapter: '@netloom/adapter-ovs',
          options: { ovsdb: `unix:${ovsdbSocket(n.dir)}`, openflow: { connect: { host: n.mgmtIp, port: OPENFLOW_PORT } }, datapathType: 'netdev', adoptBridges: [BRIDGE] },
        })),
        {
          name: ROUTER.device,
          role: 'router',
          adapter: '@netloom/adapter-linux-router',
          options: { uplink: ROUTER.uplink, netns: ROUTER.ns, netnsPrefix: ROUTER.vrfPrefix, stateDir: files.routerDir, ovs: { bridge: ROUTER.bridge, db: `unix:${ovsdbSocket(files.routerDir)}` } },
        },
        {
          name: VFW.device,
          role: 'firewall',
          adapter: '@netloom/adapter-nftables',
          options: { mode: 'local', netns: VFW.ns, ovs: { bridge: VFW.bridge, db: `unix:${ovsdbSocket(files.vfwDir)}`, netns: VFW.ns } },
        },
        {
          name: LB_DEVICE,
          role: 'loadBalancer',
          adapter: '@netloom/adapter-f5-bigip',
          address: LB.mgmtIp,
          port: LB_REST_PORT,
          credentials: { username: { value: LB_USER }, password: { file: files.lbPassword } },
          tls: { verify: true, ca: { file: files.lbCa } },
          options: { auth: 'token', requestTimeoutMs: 15_000 },
        },
      ],
    },
    topology: {
      nodes: nodes.map((n) => ({ name: n.name, leaf: LEAF, port: n.leafPort, vswitch: n.vswitch })),
      routers: [{ device: ROUTER.device, leaf: LEAF, port: ROUTER.leafPort, uplink: ROUTER.uplink }],
      firewalls: [{ device: VFW.device, leaf: LEAF, port: VFW.leafPort, uplink: VFW.uplink }],
    },
    vpcPolicy: 'per-namespace',
    plugins: ['kubernetes', 'service-lb', 'vpc-peering'],
    store: { adapter: '@netloom/adapter-sqlite', options: { path: files.store } },
    controller: { batchWindowMs: 200, confirmTimeoutSec: 60, resyncSec: 30 },
  };
  return `# Generated by netloom lab; do not edit (netloom lab down removes it).\n${stringify(profile)}`;
}
