// Real packets driven from SecurityGroup resources: the security-groups plugin compiles them (with the kubernetes
// plugin), the engine projects the node's vswitch config, the OVS adapter applies it to a throw-away Open vSwitch
// (userspace datapath) and pods as network namespaces talk TCP. The only test-side change to the projected config:
// the bridge gets a per-run name and the uplink (no leaf here) is left out.
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { type OvsSandbox, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { freePort, ovsVSwitch, type OvsVSwitchSession } from '@netloom/adapter-ovs';
import { compileIntent, MemoryStore, project, type EngineSettings } from '@netloom/engine';
import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
import { plugin as securityGroups } from '@netloom/plugin-security-groups';
import { silentLogger, type ClusterSnapshot, type KubePod, type KubeSecurityGroup, type VSwitchConfig, type VSwitchConfigInput } from '@netloom/ports';
import { createPod, deletePod, startServer, stopProcess, tcpExchange, type Pod } from '@netloom/ovs-vswitch/testing';

const id = process.pid;
/** The namespace (and so the VPC and every derived port name) is unique per run. */
const NS = `sg${id}`;
const BRIDGE = `nlsg${id}`;
const ANNOTATION = 'netloom.io/security-groups';
const IPS = { a: '10.78.0.11', b: '10.78.0.12', c: '10.78.0.13' } as const;
type PodName = keyof typeof IPS;

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, uid: `${NS}-${name}`, resourceVersion: '1', ...extra });
const kubePod = (name: PodName, groups?: string): KubePod => ({
  kind: 'Pod',
  metadata: meta(name, { namespace: NS, annotations: { 'netloom.io/ip-address': IPS[name], ...(groups === undefined ? {} : { [ANNOTATION]: groups }) } }),
  spec: { nodeName: 'worker-1' },
  status: { phase: 'Running' },
});
const group = (name: string, rules: NonNullable<KubeSecurityGroup['spec']['rules']>): KubeSecurityGroup => ({ kind: 'SecurityGroup', metadata: meta(name, { namespace: NS }), spec: { rules } });

/**
 * `web`: tcp 8080 from the subnet, tcp 9000 from the members of `client`. `client`: may open tcp anywhere. a serves
 * 8080, 8081 and 9000.
 */
const GROUPS = [
  group('web', [
    { name: 'http', direction: 'ingress', protocol: 'tcp', ports: [8080], remote: { cidr: '10.78.0.0/24' } },
    { name: 'peer', direction: 'ingress', protocol: 'tcp', ports: [9000], remote: { group: 'client' } },
  ]),
  group('client', [{ name: 'out', direction: 'egress', protocol: 'tcp' }]),
];

const cluster = (annotations: { readonly [P in PodName]?: string }): ClusterSnapshot => ({
  namespaces: [{ kind: 'Namespace', metadata: meta(NS) }],
  nodes: [{ kind: 'Node', metadata: meta('worker-1'), status: { addresses: [{ type: 'InternalIP', address: '192.0.2.21' }] } }],
  pods: (['a', 'b', 'c'] as const).map((p) => kubePod(p, annotations[p])),
  services: [],
  endpointSlices: [],
  subnets: [{ kind: 'Subnet', metadata: meta(`${NS}-net`), spec: { cidrs: ['10.78.0.0/24'], gateways: ['10.78.0.1'], namespaces: [NS], default: true } }],
  peerings: [],
  securityGroups: GROUPS,
});

const SETTINGS: EngineSettings = {
  vpcPolicy: 'per-namespace',
  overlay: 'network',
  addressPlan: {
    vni: { l2: [{ from: 10000, to: 19999 }], l3: [{ from: 50000, to: 50999 }] },
    vlan: { from: 100, to: 999 },
    containerBlocks: ['10.244.0.0/16'],
    defaultSubnetPrefix: { ipv4: 24, ipv6: 64 },
    vipPools: [],
  },
  topology: { nodes: [{ name: 'worker-1', leaf: 'leaf1', port: 'Eth1/1', vswitch: 'vs-1' }] },
  devices: [{ name: 'vs-1', role: 'vswitch' }],
};

/** The node's projected vswitch config, on this run's bridge, without the uplink. */
async function projected(store: MemoryStore, annotations: { readonly [P in PodName]?: string }): Promise<VSwitchConfigInput> {
  const desired = await compileIntent({ cluster: cluster(annotations), settings: SETTINGS, store, plugins: [kubernetes, securityGroups] });
  assert.deepEqual(desired.problems, []);
  const config = project({ desired, settings: SETTINGS }).devices.get('vs-1')?.config as unknown as VSwitchConfigInput | undefined;
  assert.ok(config);
  const endpointPort = Object.fromEntries(Object.entries(config.endpointPort).map(([k, p]) => [k, { ...p, bridge: BRIDGE }]));
  return { ...config, bridge: { [BRIDGE]: { key: BRIDGE, name: BRIDGE, failMode: 'secure' } }, uplink: {}, endpointPort };
}

async function converge(session: OvsVSwitchSession, desired: VSwitchConfigInput): Promise<void> {
  const plan = await session.plan({ desired: desired as unknown as VSwitchConfig });
  const tx = await session.apply({ changeSet: plan });
  await session.confirm({ transaction: tx });
}

describe('security groups with real packets: SecurityGroup resources → OVS flows', function () {
  this.timeout(120_000);
  const store = new MemoryStore();
  const pods = new Map<PodName, Pod>();
  let sandbox: OvsSandbox | undefined;
  let session: OvsVSwitchSession | undefined;
  let server: ChildProcess | undefined;
  const pod = (p: PodName): Pod => pods.get(p) as Pod;

  before(async function () {
    skipUnlessOvs(this, { vswitchd: true });
    // The pods' ports are named and addressed by the projection: plug the namespaces in as the CNI would.
    const first = await projected(store, {});
    for (const port of Object.values(first.endpointPort)) {
      const name = port.pod?.name as PodName;
      pods.set(name, { ns: `${NS}-${name}`, hostIf: port.name, ip: IPS[name], mac: port.mac });
    }
    assert.deepEqual([...pods.keys()].sort(), ['a', 'b', 'c']);
    sandbox = await startOvsSandbox({ vswitchd: true });
    for (const p of pods.values()) await createPod(p);
    const driver = ovsVSwitch({
      target: { name: 'node-sg-packets' },
      options: { ovsdb: sandbox.unixRemote, openflow: { listen: { host: '127.0.0.1', port: await freePort() } }, datapathType: 'netdev' },
      logger: silentLogger,
    });
    session = await driver.connect();
    await converge(session, first);
    server = await startServer(pod('a'), [8080, 8081, 9000]);
  });

  after(async function () {
    await stopProcess(server);
    await session?.close().catch(() => undefined);
    await sandbox?.stop().catch(() => undefined);
    for (const p of pods.values()) await deletePod(p);
  });

  it('without annotations nothing is filtered (the server answers on every port)', async () => {
    assert.equal(await tcpExchange(pod('b'), IPS.a, 8081), 'pong:8081:ping');
    assert.equal(await tcpExchange(pod('c'), IPS.a, 9000), 'pong:9000:ping');
  });

  it('a pod in `web`: the allowed port answers, another does not; the remote group admits only its members', async () => {
    const config = await projected(store, { a: 'web', b: 'client' });
    assert.deepEqual(Object.values(config.securityGroupRule).map((r) => `${r.group} ${r.direction} ${r.protocol}`).sort(), [`${NS}.client egress tcp`, `${NS}.client egress tcp`, `${NS}.web ingress tcp`, `${NS}.web ingress tcp`]);
    await converge(session!, config);
    assert.equal(await tcpExchange(pod('c'), IPS.a, 8080), 'pong:8080:ping', 'tcp 8080 from the subnet is allowed, and the reply comes back');
    assert.equal(await tcpExchange(pod('c'), IPS.a, 8081), undefined, '8081 is allowed by no rule');
    assert.equal(await tcpExchange(pod('b'), IPS.a, 9000), 'pong:9000:ping', 'b is in `client` (and may open tcp): 9000 is open to it');
    assert.equal(await tcpExchange(pod('c'), IPS.a, 9000), undefined, 'c is not in `client`: 9000 stays closed to it');
  });

  it('removing the annotation removes the filtering', async () => {
    const config = await projected(store, {});
    assert.deepEqual(config.securityGroupRule, {});
    await converge(session!, config);
    assert.equal(await tcpExchange(pod('c'), IPS.a, 8081), 'pong:8081:ping');
    assert.equal(await tcpExchange(pod('c'), IPS.a, 9000), 'pong:9000:ping');
  });
});
