/**
 * `netloom lab up|down` as a library: builds the lab in network namespaces (three Open vSwitch nodes, the
 * hardware-VTEP emulator as the leaf, the VPC router host, the VFW, the load balancer with its client, a management
 * namespace with the lab daemon), adds and removes nodes and pods, and tears everything down from the state file. See
 * docs/lab.md.
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CniResultCodec, type CniResult, type NetloomCniConfig } from '@netloom/cni';
import { DeviceProtocolError, InputError, decodeProblems } from '@netloom/ports';
import { LabControl } from './lab.control';
import { webEndpointSlice, webService } from './lab.lb';
import { onPath, pidAlive, processCommandLine, run, runIn, tryRun, waitUntil } from './lab.exec';
import { OVS_VTEP, SYSTEM_PYTHON, VSWITCH_SCHEMA, VTEP_SCHEMA, ovsEnv, startLabProcess, startOvs, vsctl, vtepctl } from './lab.ovs';
import { LabState, type LabItem, type LabNode, type LabPod, type LabSource } from './lab.state';
import {
  BRIDGE,
  EXTRA_SUBNETS,
  INITIAL_NODES,
  LAB_PREFIX,
  LB,
  LEAF,
  LEAF_NS,
  MGMT_BRIDGE,
  MGMT_IP,
  MGMT_NS,
  MGMT_PREFIX,
  OPENFLOW_PORT,
  OUTSIDE,
  PEERING,
  ROUTER,
  SERVICE_NAMESPACES,
  UPLINK,
  VFW,
  WEB_SERVICE,
  labFiles,
  labProfile,
  labScenario,
  ovsdbSocket,
  planNode,
  podNs,
  tenantObjects,
  type ServiceNamespacePlan,
} from './lab.topology';

/** Where progress lines go. */
export type LabPrinter = (line: string) => void;

/** Options shared by the lab operations. */
export interface LabOptions {
  /** The lab directory (state file, sockets, logs). */
  readonly dir: string;
  /** Progress lines. Default: none. */
  readonly print?: LabPrinter;
}

/** Tools the lab needs, with the Debian package that has each. */
const TOOLS: ReadonlyArray<readonly [string, string]> = [
  ['ip', 'iproute2'],
  ['nsenter', 'util-linux'],
  ['ping', 'iputils-ping'],
  ['nft', 'nftables'],
  ['openssl', 'openssl'],
  ['ovsdb-server', 'openvswitch-switch'],
  ['ovsdb-tool', 'openvswitch-switch'],
  ['ovs-vswitchd', 'openvswitch-switch'],
  ['ovs-vsctl', 'openvswitch-switch'],
  ['vtep-ctl', 'openvswitch-vtep'],
  [OVS_VTEP, 'openvswitch-vtep'],
  [SYSTEM_PYTHON, 'python3-openvswitch'],
  [VSWITCH_SCHEMA, 'openvswitch-common'],
  [VTEP_SCHEMA, 'openvswitch-vtep'],
];

/**
 * Why the lab cannot run here (not root, a tool missing: the message names the Debian package), or undefined.
 * @example const reason = labUnavailableReason(); if (reason) console.error(reason);
 */
export function labUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'netloom lab needs root (network namespaces, Open vSwitch)';
  const missing = TOOLS.filter(([tool]) => !onPath(tool));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(([, p]) => p))];
    return `netloom lab needs ${missing.map(([t]) => path.basename(t)).join(', ')}: apt-get install ${packages.join(' ')}`;
  }
  return undefined;
}

/** The root namespace's network namespaces and links (`<ifindex>:<name>`), for the before/after comparison. */
export async function rootSnapshot(): Promise<{ netns: string[]; links: string[] }> {
  const netns = (await run('ip', ['netns', 'list']))
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '')
    .sort();
  const links = (await run('ip', ['-o', 'link', 'show']))
    .split('\n')
    .map((l) => /^(\d+):\s+([^:@\s]+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]!}:${m[2]!}`)
    .sort();
  return { netns, links };
}

/** The CNI executable of @netloom/cni. */
export function cniExecutable(): string {
  return path.join(path.dirname(require.resolve('@netloom/cni/package.json')), 'bin', 'netloom-cni.cjs');
}

const say = (o: LabOptions, line: string): void => o.print?.(line);

// ---------------------------------------------------------------------------------------------------------------
// Building blocks (each records what it creates before creating it)

async function addNetns(state: LabState, name: string): Promise<void> {
  // A namespace of that name that we did not create (another lab, a leftover) must never end up in our state file:
  // down would remove it.
  if (fs.existsSync(`/var/run/netns/${name}`)) throw new InputError(`network namespace ${name} exists already (another lab, or a leftover: ip netns del ${name} if it is one); nothing of it was recorded`);
  state.record({ kind: 'netns', id: `netns:${name}`, name });
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

function addDir(state: LabState, dir: string): void {
  state.record({ kind: 'dir', id: `dir:${dir}`, path: dir });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * A namespace on the management network for a service the controller drives (the load balancer; the VFW next): the
 * namespace, a veth `mg-<name>` on the management bridge whose peer `mgmt0` holds the plan's address.
 */
async function addServiceNamespace(state: LabState, plan: ServiceNamespacePlan): Promise<void> {
  await addNetns(state, plan.ns);
  state.record({ kind: 'link', id: `link:${MGMT_NS}:${plan.mgIf}`, name: plan.mgIf, ns: MGMT_NS });
  await run('ip', ['-n', MGMT_NS, 'link', 'add', plan.mgIf, 'type', 'veth', 'peer', 'name', 'mgmt0', 'netns', plan.ns]);
  await run('ip', ['-n', MGMT_NS, 'link', 'set', plan.mgIf, 'master', MGMT_BRIDGE, 'up']);
  await run('ip', ['-n', plan.ns, 'addr', 'add', `${plan.mgmtIp}/${MGMT_PREFIX}`, 'dev', 'mgmt0']);
  await run('ip', ['-n', plan.ns, 'link', 'set', 'mgmt0', 'up']);
}

/** A host behind a leaf port whose devices are OVS access ports of its own bridge (the VPC router, the VFW). */
interface TrunkHostPlan {
  /** The inventory name (the id prefix of its processes in the state file). */
  readonly device: string;
  readonly ns: string;
  readonly dir: string;
  readonly bridge: string;
  readonly uplink: string;
  readonly leafPort: string;
}

/**
 * A host behind a leaf port: its namespace, its own ovsdb-server and userspace ovs-vswitchd, the bridge holding the
 * uplink trunk, whose peer is a port of the leaf. The adapter driving it (through the controller) adds its legs as
 * OVS access ports of that bridge.
 */
async function buildTrunkHost(state: LabState, plan: TrunkHostPlan): Promise<void> {
  await addNetns(state, plan.ns);
  addDir(state, plan.dir);
  await startOvs(state, { id: plan.device, ns: plan.ns, dir: plan.dir });
  await vsctl(plan.dir, 'add-br', plan.bridge, '--', 'set', 'Bridge', plan.bridge, 'datapath_type=netdev');
  state.record({ kind: 'link', id: `link:${plan.ns}:${plan.uplink}`, name: plan.uplink, ns: plan.ns });
  await run('ip', ['-n', plan.ns, 'link', 'add', plan.uplink, 'type', 'veth', 'peer', 'name', plan.leafPort, 'netns', LEAF_NS]);
  await run('ip', ['-n', plan.ns, 'link', 'set', plan.uplink, 'up']);
  await run('ip', ['-n', LEAF_NS, 'link', 'set', plan.leafPort, 'up']);
  // A port without tag is a trunk: every leg's VLAN crosses it.
  await vsctl(plan.dir, 'add-port', plan.bridge, plan.uplink);
  await vsctl(labFiles(state.dir).leafDir, '--may-exist', 'add-port', LEAF, plan.leafPort);
}

/**
 * The load balancer and its outside: the LB namespace on the management network running the F5 simulator (its
 * admin password a random one in a 0600 file that the profile references), the client namespace on the external
 * network, and the VIP as a /32 on the LB's outside interface, so the simulator's forwarder finds it local once the
 * virtual server exists. Waits until the simulator serves (it writes the CA file the profile names).
 */
async function buildLoadBalancer(state: LabState): Promise<void> {
  const files = labFiles(state.dir);
  await addServiceNamespace(state, LB);
  addDir(state, files.lbDir);
  fs.writeFileSync(files.lbPassword, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  await addNetns(state, OUTSIDE.clientNs);
  state.record({ kind: 'link', id: `link:${OUTSIDE.clientNs}:eth0`, name: 'eth0', ns: OUTSIDE.clientNs });
  await run('ip', ['-n', OUTSIDE.clientNs, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', OUTSIDE.lbIf, 'netns', LB.ns]);
  await run('ip', ['-n', OUTSIDE.clientNs, 'addr', 'add', `${OUTSIDE.clientIp}/${OUTSIDE.prefix}`, 'dev', 'eth0']);
  await run('ip', ['-n', OUTSIDE.clientNs, 'link', 'set', 'eth0', 'up']);
  await run('ip', ['-n', LB.ns, 'addr', 'add', `${OUTSIDE.lbIp}/${OUTSIDE.prefix}`, 'dev', OUTSIDE.lbIf]);
  await run('ip', ['-n', LB.ns, 'addr', 'add', `${OUTSIDE.vip}/32`, 'dev', OUTSIDE.lbIf]);
  await run('ip', ['-n', LB.ns, 'link', 'set', OUTSIDE.lbIf, 'up']);
  const pid = startLabProcess(state, {
    id: `${LB.name}:f5-simulator`,
    name: 'F5 BIG-IP simulator (iControl REST + TCP forwarder)',
    program: process.execPath,
    args: [path.join(__dirname, 'lab.f5.js'), state.dir],
    ns: LB.ns,
    log: files.lbLog,
  });
  await waitUntil(
    'the F5 simulator to serve',
    async () => {
      if (!pidAlive(pid)) throw new DeviceProtocolError(`the F5 simulator exited: ${tail(files.lbLog)}`);
      return fs.existsSync(files.lbReady);
    },
    60_000,
  );
}

/** A node: namespace, management veth, uplink veth into the leaf, OVS with br-int; the leaf port. */
async function buildNode(state: LabState, node: LabNode): Promise<void> {
  state.putNode(node);
  await addNetns(state, node.ns);
  const mgmtIf = `mg-${node.name}`;
  state.record({ kind: 'link', id: `link:${MGMT_NS}:${mgmtIf}`, name: mgmtIf, ns: MGMT_NS });
  await run('ip', ['-n', MGMT_NS, 'link', 'add', mgmtIf, 'type', 'veth', 'peer', 'name', 'mgmt0', 'netns', node.ns]);
  await run('ip', ['-n', MGMT_NS, 'link', 'set', mgmtIf, 'master', MGMT_BRIDGE, 'up']);
  await run('ip', ['-n', node.ns, 'addr', 'add', `${node.mgmtIp}/${MGMT_PREFIX}`, 'dev', 'mgmt0']);
  await run('ip', ['-n', node.ns, 'link', 'set', 'mgmt0', 'up']);
  state.record({ kind: 'link', id: `link:${node.ns}:${UPLINK}`, name: UPLINK, ns: node.ns });
  await run('ip', ['-n', node.ns, 'link', 'add', UPLINK, 'type', 'veth', 'peer', 'name', node.leafPort, 'netns', LEAF_NS]);
  await run('ip', ['-n', node.ns, 'link', 'set', UPLINK, 'up']);
  await run('ip', ['-n', LEAF_NS, 'link', 'set', node.leafPort, 'up']);
  addDir(state, node.dir);
  await startOvs(state, { id: node.name, ns: node.ns, dir: node.dir });
  // br-int exists before the controller runs (netloom-cni needs it); the controller adopts it (adoptBridges).
  await vsctl(node.dir, 'add-br', BRIDGE, '--', 'set', 'Bridge', BRIDGE, 'datapath_type=netdev', 'fail_mode=secure');
  // The leaf side: the port on the emulator's bridge (ovs-vtep adds the Physical_Port itself).
  const leafDir = labFiles(state.dir).leafDir;
  await vsctl(leafDir, '--may-exist', 'add-port', LEAF, node.leafPort);
}

/** Removes a node's processes, namespace and directory (it must have no pods left). */
async function destroyNode(state: LabState, node: LabNode): Promise<void> {
  const mine = state.items.filter(
    (i) => (i.kind === 'process' && i.id.startsWith(`${node.name}:`)) || (i.kind === 'netns' && i.name === node.ns) || (i.kind === 'link' && (i.ns === node.ns || i.name === `mg-${node.name}`)) || (i.kind === 'dir' && i.path === node.dir),
  );
  await vsctl(labFiles(state.dir).leafDir, '--if-exists', 'del-port', LEAF, node.leafPort).catch(() => undefined);
  await removeItems(state, mine);
  state.removeNode(node.name);
}

function nodeObject(node: LabNode): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux', 'netloom.io/lab': 'true' } },
    status: { addresses: [{ type: 'InternalIP', address: node.mgmtIp }, { type: 'Hostname', address: node.name }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** Writes the profile for the current nodes. */
function writeProfile(state: LabState, nodes: readonly LabNode[] = state.nodes): void {
  const file = labFiles(state.dir).profile;
  state.record({ kind: 'file', id: `file:${file}`, path: file });
  fs.writeFileSync(file, labProfile(state.dir, [...nodes].sort((a, b) => a.index - b.index), state.source), { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------------------------
// Pods

/** What a pod needs: where it runs, and optionally a fixed address. */
export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly fixedIp?: string;
  /** The subnet to take the address from (annotation `netloom.io/subnet`); default: the namespace's default one. */
  readonly subnet?: string;
  /**
   * Plumb the pod's `eth0` into this existing lab namespace instead of a namespace of its own (the load balancer's
   * inside interface); deleting the pod then leaves the namespace.
   */
  readonly netns?: string;
  /** Labels of the Pod object (default: `app=<name without a -N suffix>`). */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Turn TX checksumming off on the pod's `eth0`, for TCP/UDP: a veth hands those packets to the userspace datapath
   * with the checksum left to offload, OVS forwards them as they are and the receiver drops them (ICMP is not
   * affected). core/cni's README.
   */
  readonly tcp?: boolean;
}

interface CniRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCni(node: LabNode, files: ReturnType<typeof labFiles>, command: 'ADD' | 'DEL', pod: LabPod): Promise<CniRun> {
  const config = {
    cniVersion: '1.0.0',
    name: 'netloom',
    type: 'netloom-cni',
    bridge: BRIDGE,
    ovsdb: `unix:${ovsdbSocket(node.dir)}`,
    kubeconfig: files.kubeconfigJson,
    annotationTimeoutMs: 60_000,
    logFile: path.join(files.mgmtDir, 'cni.log'),
    logLevel: 'info',
  } satisfies Partial<NetloomCniConfig>;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: pod.containerId,
    CNI_NETNS: `/var/run/netns/${pod.netns}`,
    CNI_IFNAME: 'eth0',
    CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name}`,
    CNI_PATH: '/opt/cni/bin',
  };
  // netloom-cni runs in the node's namespace: the host end of the veth must be where that node's ovs-vswitchd is.
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', node.ns, process.execPath, cniExecutable()], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(JSON.stringify(config));
  });
}

function nodeOf(state: LabState, name: string): LabNode {
  const node = state.nodes.find((n) => n.name === name);
  if (node === undefined) throw new InputError(`lab: no node ${name}`);
  return node;
}

/** Progress callbacks of {@link addPod} (the benchmark times a pod from the moment its API object exists). */
export interface AddPodHooks {
  /** Called once the Pod object is in the API, before the namespace and netloom-cni. */
  readonly onCreated?: () => void;
}

/**
 * Creates a pod: the Pod object in the API (Running, on its node; `netloom.io/ip-address` for a fixed IP), its
 * network namespace, then `netloom-cni ADD` (which waits for the controller's allocation). Returns its address.
 * @example const pod = await addPod({ dir }, state, labControl(dir), { namespace: 'red', name: 'web-1', node: 'node-1' });
 */
export async function addPod(o: LabOptions, state: LabState, control: LabControl, spec: PodSpec, hooks: AddPodHooks = {}): Promise<LabPod & { ip: string }> {
  const node = nodeOf(state, spec.node);
  const files = labFiles(state.dir);
  const pod: LabPod = {
    namespace: spec.namespace,
    name: spec.name,
    node: spec.node,
    netns: spec.netns ?? podNs(spec.namespace, spec.name),
    containerId: `${LAB_PREFIX}-${spec.namespace}-${spec.name}`,
    ...(spec.fixedIp !== undefined ? { fixedIp: spec.fixedIp } : {}),
    ...(spec.subnet !== undefined ? { subnet: spec.subnet } : {}),
    ...(spec.netns !== undefined ? { sharedNetns: true } : {}),
  };
  state.putPod(pod);
  const annotations = { ...(spec.fixedIp !== undefined ? { 'netloom.io/ip-address': spec.fixedIp } : {}), ...(spec.subnet !== undefined ? { 'netloom.io/subnet': spec.subnet } : {}) };
  await control.put([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: spec.namespace, name: spec.name, labels: spec.labels ?? { app: spec.name.replace(/-\d+$/, '') }, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      spec: { nodeName: spec.node, containers: [{ name: 'app', image: 'netloom-lab' }] },
      status: { phase: 'Running', hostIP: node.mgmtIp },
    },
  ]);
  hooks.onCreated?.();
  if (spec.netns === undefined) await addNetns(state, pod.netns);
  const r = await runCni(node, files, 'ADD', pod);
  if (r.code !== 0) throw new DeviceProtocolError(`lab: netloom-cni ADD of pod ${spec.namespace}/${spec.name} on ${spec.node} failed: ${r.stdout.trim()} ${r.stderr.trim()}`.trim());
  const result = cniResult(r.stdout, `netloom-cni ADD of ${spec.namespace}/${spec.name}`);
  const ip = result.ips?.[0]?.address.split('/')[0];
  if (ip === undefined) throw new DeviceProtocolError(`lab: netloom-cni ADD of ${spec.namespace}/${spec.name} returned no address: ${r.stdout}`);
  if (spec.tcp === true) await txChecksumOff(pod.netns, 'eth0');
  const done = { ...pod, ip };
  state.putPod(done);
  say(o, `  pod ${spec.namespace}/${spec.name} on ${spec.node}: ${ip}`);
  return done;
}

/** The CNI result on netloom-cni's stdout, checked against the CNI 1.0 result schema. */
function cniResult(stdout: string, what: string): CniResult {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch (e) {
    throw new DeviceProtocolError(`lab: ${what} printed no JSON: ${stdout.slice(0, 200)}`, { cause: e });
  }
  const { value, problems } = decodeProblems(CniResultCodec, raw);
  if (value === undefined) throw new DeviceProtocolError(`lab: ${what} printed an invalid CNI result: ${problems.map((p) => `${p.path || '(root)'}: ${p.reason}`).join('; ')}`);
  return value;
}

// The ioctl `ethtool -K <if> tx off` makes (ethtool is not installed everywhere; python3 is, for ovs-vtep).
const TX_CSUM_OFF = [
  'import ctypes, fcntl, socket, struct, sys',
  "value = ctypes.create_string_buffer(struct.pack('II', 0x17, 0))  # ETHTOOL_STXCSUM, off",
  "ifreq = struct.pack('16sP16x', sys.argv[1].encode(), ctypes.addressof(value))",
  'sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  'fcntl.ioctl(sock.fileno(), 0x8946, ifreq)  # SIOCETHTOOL',
].join('\n');

/** Turns TX checksum offload off on an interface of a namespace (see {@link PodSpec.tcp}). */
async function txChecksumOff(ns: string, ifname: string): Promise<void> {
  await runIn(ns, SYSTEM_PYTHON, ['-c', TX_CSUM_OFF, ifname]);
}

// A pod's TCP responder: answers every connection with the pod's name and closes it.
const RESPONDER = [
  "const [name, port] = process.argv.slice(1);",
  "require('node:net').createServer((s) => { s.on('error', () => s.destroy()); s.end(name + '\\n'); })",
  "  .listen(Number(port), '0.0.0.0', () => console.log('listening ' + name + ' ' + port));",
].join('\n');

/**
 * Starts a TCP responder in a pod's namespace (a Node.js process recorded by PID, so `down` and {@link deletePod}
 * end it) that answers each connection on `port` with the pod's name; resolves once it listens.
 * @example await startResponder(state, pod, 8080);
 */
export async function startResponder(state: LabState, pod: LabPod, port: number): Promise<void> {
  const log = path.join(labFiles(state.dir).mgmtDir, `responder-${pod.namespace}-${pod.name}-${port}.log`);
  fs.rmSync(log, { force: true });
  const pid = startLabProcess(state, { id: `pod:${pod.namespace}/${pod.name}:responder-${port}`, name: `TCP responder of ${pod.namespace}/${pod.name} on ${port}`, program: process.execPath, args: ['-e', RESPONDER, pod.name, String(port)], ns: pod.netns, log });
  await waitUntil(
    `the responder of ${pod.namespace}/${pod.name} to listen`,
    async () => {
      if (!pidAlive(pid)) throw new DeviceProtocolError(`the responder of ${pod.namespace}/${pod.name} exited: ${tail(log)}`);
      return tail(log).includes('listening');
    },
    30_000,
    100,
  );
}

/** Deletes a pod: its processes, `netloom-cni DEL`, the Pod object, its namespace (unless shared). */
export async function deletePod(state: LabState, control: LabControl, namespace: string, name: string): Promise<void> {
  const pod = state.pods.find((p) => p.namespace === namespace && p.name === name);
  if (pod === undefined) return;
  await removeItems(state, state.items.filter((i) => i.kind === 'process' && i.id.startsWith(`pod:${namespace}/${name}:`)));
  const node = state.nodes.find((n) => n.name === pod.node);
  if (node !== undefined) {
    const r = await runCni(node, labFiles(state.dir), 'DEL', pod);
    if (r.code !== 0) throw new DeviceProtocolError(`lab: netloom-cni DEL of pod ${namespace}/${name} failed: ${r.stdout.trim()}`);
  }
  await control.remove([{ kind: 'Pod', namespace, name }]);
  if (pod.sharedNetns !== true) await removeItems(state, state.items.filter((i) => i.kind === 'netns' && i.name === pod.netns));
  state.removePod(namespace, name);
}

// ---------------------------------------------------------------------------------------------------------------
// Nodes added and removed while the lab runs

/** Adds node number `index`: namespace, OVS, uplink into the leaf, the Node object, the profile (daemon reloads). */
export async function addNode(o: LabOptions, state: LabState, control: LabControl, index: number): Promise<LabNode> {
  const node = planNode(state.dir, index);
  await buildNode(state, node);
  writeProfile(state);
  await control.reload();
  await control.put([nodeObject(node)]);
  say(o, `  node ${node.name} added (leaf port ${node.leafPort})`);
  return node;
}

/** Removes a node: its pods, the Node object, the profile entry (daemon reloads), its namespace and processes. */
export async function removeNode(o: LabOptions, state: LabState, control: LabControl, name: string): Promise<void> {
  const node = nodeOf(state, name);
  for (const p of state.pods.filter((x) => x.node === name)) await deletePod(state, control, p.namespace, p.name);
  await control.remove([{ kind: 'Node', name }]);
  writeProfile(state, state.nodes.filter((n) => n.name !== name));
  await control.reload();
  await destroyNode(state, node);
  say(o, `  node ${name} removed`);
}

// ---------------------------------------------------------------------------------------------------------------
// up

/** The control channel of a lab directory. */
export function labControl(dir: string): LabControl {
  return new LabControl(labFiles(dir).control);
}

/**
 * Builds the lab and starts the daemon; then creates the cluster objects and the pods the checks use.
 * On failure the state file lists everything created so far: run {@link labDown}.
 * @throws InputError when a lab is already up in `dir`; the first failing step's error otherwise
 */
export async function labUp(o: LabOptions & { readonly failAfter?: 'daemon'; readonly source?: LabSource }): Promise<LabState> {
  const reason = labUnavailableReason();
  if (reason !== undefined) throw new InputError(reason);
  const dir = path.resolve(o.dir);
  const existing = fs.existsSync(dir) ? LabState.load(dir) : undefined;
  if (existing !== undefined) throw new InputError(`a lab is already up in ${dir} (state file ${existing.file}): run netloom lab down${dir === '/run/netloom-lab' ? '' : ` --dir ${dir}`} first`);
  const createdDir = !fs.existsSync(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const source = o.source ?? 'kubernetes';
  const state = LabState.create(dir, await rootSnapshot(), source);
  if (createdDir) state.record({ kind: 'dir', id: `dir:${dir}`, path: dir });
  const files = labFiles(dir);
  addDir(state, files.mgmtDir);

  say(o, `netloom lab up: ${dir}`);
  // Management network: a Linux bridge in the daemon's namespace; every node has a veth on it.
  await addNetns(state, MGMT_NS);
  await run('ip', ['-n', MGMT_NS, 'link', 'add', MGMT_BRIDGE, 'type', 'bridge']);
  await run('ip', ['-n', MGMT_NS, 'addr', 'add', `${MGMT_IP}/${MGMT_PREFIX}`, 'dev', MGMT_BRIDGE]);
  await run('ip', ['-n', MGMT_NS, 'link', 'set', MGMT_BRIDGE, 'up']);
  say(o, `  namespace ${MGMT_NS}: management bridge ${MGMT_BRIDGE} ${MGMT_IP}/${MGMT_PREFIX}`);

  // The leaf: OVS with the hardware_vtep database, its bridge, the Physical_Switch.
  await addNetns(state, LEAF_NS);
  addDir(state, files.leafDir);
  await startOvs(state, { id: LEAF, ns: LEAF_NS, dir: files.leafDir, vtep: true });
  await vsctl(files.leafDir, 'add-br', LEAF, '--', 'set', 'Bridge', LEAF, 'datapath_type=netdev');
  await vtepctl(files.leafDir, 'add-ps', LEAF);
  await vtepctl(files.leafDir, 'set', 'Physical_Switch', LEAF, 'tunnel_ips=127.0.0.1');
  say(o, `  namespace ${LEAF_NS}: ${LEAF} (ovsdb-server with hardware_vtep, ovs-vswitchd)`);

  for (let i = 1; i <= INITIAL_NODES; i++) {
    const node = planNode(dir, i);
    await buildNode(state, node);
    say(o, `  namespace ${node.ns}: ovsdb-server + ovs-vswitchd, ${BRIDGE}, ${UPLINK} <-> ${LEAF}:${node.leafPort}, mgmt ${node.mgmtIp}`);
  }
  await buildTrunkHost(state, { ...ROUTER, dir: files.routerDir });
  say(o, `  namespace ${ROUTER.ns}: ovsdb-server + ovs-vswitchd, ${ROUTER.bridge}, ${ROUTER.uplink} <-> ${LEAF}:${ROUTER.leafPort} (VRF namespaces ${ROUTER.vrfPrefix}*)`);
  // The VFW: the nftables adapter keeps its table in this namespace and adds its legs to br-fw (ovs.netns).
  await buildTrunkHost(state, { ...VFW, dir: files.vfwDir });
  say(o, `  namespace ${VFW.ns}: ovsdb-server + ovs-vswitchd, ${VFW.bridge}, ${VFW.uplink} <-> ${LEAF}:${VFW.leafPort} (nftables VFW, legs on ${VFW.bridge})`);
  await buildLoadBalancer(state);
  say(o, `  namespace ${LB.ns}: F5 BIG-IP simulator https://${LB.mgmtIp}:443 (TCP forwarder), ${OUTSIDE.lbIf} ${OUTSIDE.lbIp}/${OUTSIDE.prefix} + VIP ${OUTSIDE.vip}/32 <-> ${OUTSIDE.clientNs} ${OUTSIDE.clientIp}`);

  // The emulator itself, once its ports exist.
  startLabProcess(state, {
    id: `${LEAF}:ovs-vtep`,
    name: `ovs-vtep of ${LEAF}`,
    program: SYSTEM_PYTHON,
    args: [OVS_VTEP, `--log-file=${path.join(files.leafDir, 'ovs-vtep.log')}`, `--pidfile=${path.join(files.leafDir, 'ovs-vtep.pid')}`, LEAF],
    ns: LEAF_NS,
    env: ovsEnv(files.leafDir),
    pidfile: path.join(files.leafDir, 'ovs-vtep.pid'),
    log: path.join(files.leafDir, 'ovs-vtep.out'),
  });
  await waitUntil('ovs-vtep to take over the leaf', async () => (await vtepctl(files.leafDir, 'get', 'Physical_Switch', LEAF, 'description')) === '"OVS VTEP Emulator"', 30_000);
  say(o, `  ovs-vtep emulates ${LEAF}`);

  // The daemon: test API server + controller, in the management namespace.
  if (source === 'scenario') {
    state.record({ kind: 'file', id: `file:${files.scenario}`, path: files.scenario });
    fs.writeFileSync(files.scenario, labScenario(), { mode: 0o600 });
  }
  writeProfile(state);
  startLabProcess(state, {
    id: 'daemon',
    name: 'lab daemon (Kubernetes API server + netloom controller)',
    program: process.execPath,
    args: [path.join(__dirname, 'lab.daemon.js'), dir],
    ns: MGMT_NS,
    log: files.daemonLog,
    // The controller's linux-router adapter creates the VRF namespaces: they must be visible to `ip netns` here
    // (the checks, `down`), not only in a mount namespace of the daemon's own.
    hostMounts: true,
  });
  const daemonPid = state.items.find((i): i is Extract<LabItem, { kind: 'process' }> => i.kind === 'process' && i.id === 'daemon')?.pid;
  await waitUntil(
    'the lab daemon to be ready',
    async () => {
      if (daemonPid !== undefined && !pidAlive(daemonPid)) throw new DeviceProtocolError(`the lab daemon exited: ${tail(files.daemonLog)}`);
      return fs.existsSync(files.ready);
    },
    60_000,
  );
  const control = labControl(dir);
  say(
    o,
    source === 'scenario'
      ? `  lab daemon pid ${String(daemonPid)}: controller running on the scenario source (${files.scenario}; pods mirrored to the Kubernetes API https://${MGMT_IP}:6443 for netloom-cni; OpenFlow to br-int at <node>:${OPENFLOW_PORT})`
      : `  lab daemon pid ${String(daemonPid)}: Kubernetes API https://${MGMT_IP}:6443, controller running (OpenFlow to br-int at <node>:${OPENFLOW_PORT})`,
  );
  if (o.failAfter === 'daemon') throw new DeviceProtocolError('lab: failing on purpose after the daemon started (test of down after a failed up)');

  // The cluster: nodes, three VPCs (namespaces): red and blue with overlapping subnets, green apart.
  await control.put(state.nodes.map(nodeObject));
  // With the scenario source they are its first step already.
  if (source === 'kubernetes') await control.put(tenantObjects());
  // Pods one after the other, each plumbed before the next: the per-host VLAN allocator hands out VLANs in order,
  // so the blue pod on node-2 takes node-2's first VLAN and red's LS gets a different VLAN there than on node-1.
  await addPod(o, state, control, { namespace: 'blue', name: 'b1', node: 'node-2', fixedIp: '10.60.1.200' });
  // a1 also opens TCP connections (to green, through the VFW): TX checksum off (PodSpec.tcp).
  await addPod(o, state, control, { namespace: 'red', name: 'a1', node: 'node-1', tcp: true });
  await addPod(o, state, control, { namespace: 'red', name: 'a2', node: 'node-2' });
  await addPod(o, state, control, { namespace: 'blue', name: 'b2', node: 'node-3', fixedIp: '10.60.1.201' });
  await addPod(o, state, control, { namespace: 'red', name: 'fixed-0', node: 'node-3', fixedIp: '10.60.1.150' });
  // Red's second subnet, on another node than a1: reached from red-web only through the router.
  await addPod(o, state, control, { namespace: 'red', name: 'c1', node: 'node-3', subnet: EXTRA_SUBNETS[0].subnet });
  // Green's pod listens on the port the lab's peering opens and on one it does not.
  const g1 = await addPod(o, state, control, { namespace: 'green', name: 'g1', node: 'node-2', tcp: true });
  for (const port of [PEERING.port, PEERING.closedPort]) await startResponder(state, g1, port);
  // The load balancer's inside self-IP: the LB namespace joins red's LS like a pod (a VE in the cluster).
  await addPod(o, state, control, { namespace: 'red', name: 'f5-inside', node: 'node-1', netns: LB.ns, labels: { app: 'f5-inside' }, tcp: true });
  const web = [];
  for (const [name, node] of [['web-1', 'node-1'], ['web-2', 'node-2']] as const) {
    const p = await addPod(o, state, control, { namespace: 'red', name, node, tcp: true });
    await startResponder(state, p, WEB_SERVICE.port);
    web.push(p);
  }
  await control.put([webService(), webEndpointSlice(web.map((pod) => ({ pod, ready: true })))]);
  say(o, `  Service ${WEB_SERVICE.namespace}/${WEB_SERVICE.name} (LoadBalancer ${OUTSIDE.vip}:${WEB_SERVICE.port}) with ready endpoints ${web.map((p) => `${p.name} ${p.ip}`).join(', ')}`);
  say(o, `lab is up: ${state.nodes.length} nodes, ${state.pods.length} pods; state in ${state.file}`);
  return state;
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-1500);
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// down

async function killProcess(item: Extract<LabItem, { kind: 'process' }>): Promise<void> {
  const candidates = new Set<number>();
  if (item.pid !== undefined) candidates.add(item.pid);
  if (item.pidfile !== undefined) {
    const fromFile = Number((() => {
      try {
        return fs.readFileSync(item.pidfile, 'utf8').trim();
      } catch {
        return '';
      }
    })());
    if (Number.isInteger(fromFile) && fromFile > 0) candidates.add(fromFile);
  }
  const program = path.basename(item.program);
  for (const pid of candidates) {
    // Only a process that still runs our program: a PID reused by something else is left alone.
    const cmd = processCommandLine(pid);
    if (cmd === undefined || !cmd.includes(program)) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      continue;
    }
    const deadline = Date.now() + 5000;
    while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (pidAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      while (pidAlive(pid) && Date.now() < deadline + 3000) await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Removes items (reverse order of creation), tolerating what is already gone; forgets them in the state. */
async function removeItems(state: LabState, items: readonly LabItem[], keepDirs = false): Promise<string[]> {
  const problems: string[] = [];
  for (const item of [...items].reverse()) {
    try {
      switch (item.kind) {
        case 'process':
          await killProcess(item);
          break;
        case 'link':
          if (item.ns === undefined || (await tryRun('ip', ['netns', 'pids', item.ns])).code === 0) {
            await tryRun('ip', [...(item.ns !== undefined ? ['-n', item.ns] : []), 'link', 'del', item.name]);
          }
          break;
        case 'netns': {
          const r = await tryRun('ip', ['netns', 'del', item.name]);
          if (r.code !== 0 && !/No such file/.test(r.stderr)) problems.push(`namespace ${item.name}: ${r.stderr}`);
          break;
        }
        case 'file':
          if (keepDirs) continue;
          fs.rmSync(item.path, { force: true });
          break;
        case 'dir':
          if (keepDirs) continue;
          fs.rmSync(item.path, { recursive: true, force: true });
          // The state file lived in it: nothing left to update.
          if (item.path === state.dir) continue;
          break;
      }
      state.forget([item.id]);
    } catch (e) {
      problems.push(`${item.kind} ${item.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return problems;
}

/** Deletes every network namespace whose name starts with the router's VRF prefix; returns what failed. */
async function removeRouterVrfs(): Promise<string[]> {
  const problems: string[] = [];
  for (const ns of (await rootSnapshot()).netns.filter((n) => n.startsWith(ROUTER.vrfPrefix))) {
    const r = await tryRun('ip', ['netns', 'del', ns]);
    if (r.code !== 0 && !/No such file/.test(r.stderr)) problems.push(`namespace ${ns}: ${r.stderr}`);
  }
  return problems;
}

/** One line of the teardown verification. */
export interface LabCheckLine {
  readonly status: 'PASS' | 'FAIL';
  readonly name: string;
  readonly detail: string;
}

/**
 * Tears the lab down from its state file: asks the daemon to stop, then removes every recorded item in reverse order
 * (processes by PID, links, namespaces, directories), tolerating missing ones; then verifies that nothing of the lab
 * remains and that the root namespace still has every namespace and link it had before `up` (check f).
 * Without a state file it only verifies.
 */
export async function labDown(o: LabOptions & { readonly keep?: boolean }): Promise<LabCheckLine[]> {
  if (process.getuid?.() !== 0) throw new InputError('netloom lab needs root (network namespaces, Open vSwitch)');
  const dir = path.resolve(o.dir);
  const state = fs.existsSync(dir) ? LabState.load(dir) : undefined;
  const pids: number[] = [];
  // Names of what down may remove: a pre-existing namespace or link can only have been touched by the lab if it
  // shares a name with one of these (e.g. an `ip link del` run in the wrong namespace).
  const recorded = new Set<string>();
  const baseline = state?.baseline;
  const problems: string[] = [];
  if (state === undefined) {
    say(o, `netloom lab down: no state file in ${dir}; checking that nothing of a lab remains`);
  } else {
    say(o, `netloom lab down: ${dir} (${state.items.length} recorded items)`);
    for (const i of state.items) if (i.kind === 'process' && i.pid !== undefined) pids.push(i.pid);
    for (const i of state.items) if (i.kind === 'netns' || i.kind === 'link') recorded.add(i.name);
    const daemon = state.items.find((i) => i.kind === 'process' && i.id === 'daemon');
    if (daemon?.kind === 'process' && daemon.pid !== undefined && pidAlive(daemon.pid)) {
      await labControl(dir).stop().catch(() => undefined);
      const deadline = Date.now() + 10_000;
      while (pidAlive(daemon.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    }
    // The router's VRF namespaces are the linux-router adapter's (the controller made them, none is recorded): with
    // the daemon gone nothing makes new ones, and every namespace with the lab's router prefix is the lab's.
    problems.push(...(await removeRouterVrfs()));
    problems.push(...(await removeItems(state, state.items, o.keep === true)));
    if (problems.length === 0) state.remove();
    if (o.keep === true) say(o, `  kept ${dir} (logs, databases): remove it yourself`);
    for (const p of problems) say(o, `  could not remove: ${p}`);
  }
  return verifyDown(dir, pids, baseline, problems, o.keep === true, recorded);
}

async function verifyDown(
  dir: string,
  pids: readonly number[],
  baseline: { netns: string[]; links: string[] } | undefined,
  problems: readonly string[],
  keep: boolean,
  recorded: ReadonlySet<string>,
): Promise<LabCheckLine[]> {
  const now = await rootSnapshot();
  const lines: LabCheckLine[] = [];
  const leftNs = now.netns.filter((n) => n.startsWith(LAB_PREFIX));
  const alive = pids.filter((p) => pidAlive(p) && processCommandLine(p) !== undefined);
  const leftState = fs.existsSync(path.join(dir, 'state.json'));
  // What the lab writes into a directory that existed before up (`--dir`): nothing of it may stay (unless --keep).
  const leftFiles = keep ? [] : [labFiles(dir).profile].filter((f) => fs.existsSync(f));
  // Only names no one else uses: `leaf1`, `l1pN` and ovs-vtep's `vtep_bfd` also belong to the hw-vtep tests and
  // LAB.md's recipe, which run in the root namespace of a shared host at the same time (a false FAIL otherwise).
  // The lab creates every link inside its namespaces, so these would only show a leak of its own.
  const serviceLinks = new Set(SERVICE_NAMESPACES.map((n) => n.mgIf));
  const leftLinks = now.links.filter((l) => /:(mgmtbr|mg-node-\d+)$/.test(l) || serviceLinks.has(l.slice(l.indexOf(':') + 1)));
  const ok = leftNs.length === 0 && alive.length === 0 && !leftState && leftLinks.length === 0 && leftFiles.length === 0 && problems.length === 0;
  lines.push({
    status: ok ? 'PASS' : 'FAIL',
    name: 'nothing of the lab remains',
    detail: ok
      ? `no ${LAB_PREFIX}-* namespace, none of ${pids.length} recorded processes alive, no lab link in the root namespace, no state file${keep ? '' : ' or profile'}`
      : `namespaces ${JSON.stringify(leftNs)}, live PIDs ${JSON.stringify(alive)}, links ${JSON.stringify(leftLinks)}, state file ${leftState ? 'left' : 'gone'}, files ${JSON.stringify(leftFiles)}, problems ${JSON.stringify(problems)}`,
  });
  if (baseline !== undefined) {
    const linkName = (l: string): string => l.slice(l.indexOf(':') + 1);
    const goneNs = baseline.netns.filter((n) => !now.netns.includes(n));
    const goneLinks = baseline.links.filter((l) => !now.links.includes(l));
    // On a shared host other tests remove their own namespaces and links while the lab runs; the lab can only have
    // removed one that has the name of something it recorded. Those fail the check; the others are listed.
    const missingNs = goneNs.filter((n) => recorded.has(n));
    const missingLinks = goneLinks.filter((l) => recorded.has(linkName(l)));
    const others = [...goneNs.filter((n) => !recorded.has(n)), ...goneLinks.filter((l) => !recorded.has(linkName(l)))];
    const untouched = missingNs.length === 0 && missingLinks.length === 0;
    const note = others.length > 0 ? `; gone meanwhile, never named in the state file (another process's): ${JSON.stringify(others)}` : '';
    lines.push({
      status: untouched ? 'PASS' : 'FAIL',
      name: 'nothing pre-existing touched',
      detail: !untouched
        ? `gone since up, with the name of something the lab created: namespaces ${JSON.stringify(missingNs)}, links ${JSON.stringify(missingLinks)}${note}`
        : others.length === 0
          ? `all ${baseline.netns.length} namespaces and ${baseline.links.length} links (same ifindex) of the root namespace from before up are still there`
          : `every namespace and link (same ifindex) of the root namespace from before up that shares a name with something the lab created is still there${note}`,
    });
  }
  return lines;
}
