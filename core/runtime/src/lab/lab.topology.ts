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
 * ```
 *
 * OVSDB is reached over unix sockets in the lab directory, which work across network namespaces.
 * @packageDocumentation
 */
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { LabNode } from './lab.state';

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
export function labFiles(dir: string): { profile: string; kubeconfigYaml: string; kubeconfigJson: string; control: string; daemonLog: string; ready: string; store: string; leafDir: string; mgmtDir: string } {
  const mgmtDir = path.join(dir, 'mgmt');
  return {
    profile: path.join(dir, 'profile.yaml'),
    kubeconfigYaml: path.join(mgmtDir, 'kubeconfig.yaml'),
    kubeconfigJson: path.join(mgmtDir, 'kubeconfig.json'),
    control: path.join(mgmtDir, 'control.sock'),
    daemonLog: path.join(mgmtDir, 'daemon.log'),
    ready: path.join(mgmtDir, 'ready.json'),
    store: path.join(mgmtDir, 'state.db'),
    leafDir: path.join(dir, LEAF),
    mgmtDir,
  };
}

/** The VPCs, namespaces and subnets of the lab. Both subnets use the same CIDR (overlapping VPCs). */
export const TENANTS = {
  red: { namespace: 'red', vpc: 'red', subnet: 'red-web', cidr: '10.60.1.0/24', gateway: '10.60.1.1' },
  blue: { namespace: 'blue', vpc: 'blue', subnet: 'blue-web', cidr: '10.60.1.0/24', gateway: '10.60.1.1' },
} as const;

/**
 * The deployment profile the daemon runs: the leaf through the hw-vtep adapter (its OVSDB socket; the projection
 * leaves out the VRFs and gateways hw-vtep does not declare, ADR 0011), every node's
 * vswitch through the ovs adapter (its OVSDB socket; OpenFlow by dialling br-int's listener on the management
 * network), fake firewall and load balancer (not built yet), the test API server as the Kubernetes source.
 * @example fs.writeFileSync(files.profile, labProfile(dir, state.nodes))
 */
export function labProfile(dir: string, nodes: readonly LabNode[]): string {
  const files = labFiles(dir);
  const profile = {
    apiVersion: 'netloom.io/v1alpha1',
    kind: 'Profile',
    metadata: { name: 'netloom-lab', description: 'netloom lab: real Open vSwitch nodes, the hardware-VTEP emulator as the leaf (netloom lab up)' },
    sources: { kubernetes: { kubeconfig: files.kubeconfigYaml } },
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
        { name: 'fw1', role: 'firewall', adapter: '@netloom/adapter-fake' },
        { name: 'lb1', role: 'loadBalancer', adapter: '@netloom/adapter-fake' },
      ],
    },
    topology: { nodes: nodes.map((n) => ({ name: n.name, leaf: LEAF, port: n.leafPort, vswitch: n.vswitch })) },
    vpcPolicy: 'per-namespace',
    plugins: ['kubernetes'],
    store: { adapter: '@netloom/adapter-sqlite', options: { path: files.store } },
    controller: { batchWindowMs: 200, confirmTimeoutSec: 60, resyncSec: 30 },
  };
  return `# Generated by netloom lab; do not edit (netloom lab down removes it).\n${stringify(profile)}`;
}
