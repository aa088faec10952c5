// Issue 8 acceptance, WITH REAL PACKETS: a VpcPeering through the whole pipeline — compileIntent with the three
// intent plugins → project → Reconciler → the nftables adapter driving a VFW in a fresh network namespace.
//
//   alpha (ns alpha, VPC alpha, subnet sub-alpha 10.92.1.0/24): pod 10.92.1.2 ─ a0 ═ va ─┐
//                                                                                        vfw (ip_forward=1; nftables)
//   beta  (ns beta,  VPC beta,  subnet sub-beta  10.92.2.0/24): pod 10.92.2.2 ─ b0 ═ vb ─┘
//
// The VFW's zones are the VPCs' subnet CIDRs as the projection gives them. Traffic between the VPCs is dropped
// before the peering, a peering allowing TCP 8080 opens exactly that port (8081 and ICMP stay closed), and deleting
// the peering closes it again. Names carry the pid; everything is torn down in `after`, also on failure.
import { strict as assert } from 'node:assert';
import { NftablesDriver } from '@netloom/adapter-nftables';
import { connects, pings, skipUnlessNft, startVfwLab, type VfwLab } from '@netloom/adapter-nftables/testing';
import { compileIntent, MemoryStore, project, Reconciler, vpcOfObject, type ClusterSnapshot, type EngineSettings } from '@netloom/engine';
import { silentLogger, type DeviceConfig, type DeviceDriver, type KubeNamespace, type KubePod, type KubeSubnet, type KubeVpcPeering } from '@netloom/ports';
import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
import { plugin as serviceLb } from '@netloom/plugin-service-lb';
import { plugin as vpcPeering } from '@netloom/plugin-vpc-peering';

const pid = process.pid;
const NS = { alpha: `nlra-${pid}`, beta: `nlrb-${pid}`, vfw: `nlrv-${pid}` };
const ALPHA_POD = '10.92.1.2';
const BETA_POD = '10.92.2.2';

// --- the cluster ------------------------------------------------------------------------------------------------------

let uid = 0;
const meta = (name: string, extra: Record<string, unknown> = {}): KubePod['metadata'] => ({ name, uid: `u${++uid}`, resourceVersion: '1', ...extra }) as KubePod['metadata'];
const namespace = (name: string): KubeNamespace => ({ kind: 'Namespace', metadata: meta(name) });
const subnet = (name: string, ns: string, cidr: string): KubeSubnet => ({ kind: 'Subnet', metadata: meta(name, { creationTimestamp: '2024-01-01T00:00:00Z' }), spec: { cidrs: [cidr], namespaces: [ns], default: true } });
const pod = (ns: string, name: string, addr: string): KubePod => ({ kind: 'Pod', metadata: meta(name, { namespace: ns, annotations: { 'netloom.io/ip-address': addr } }), spec: { nodeName: 'node-1' }, status: { phase: 'Running' } });
const PEERING: KubeVpcPeering = { kind: 'VpcPeering', metadata: meta('alpha-beta'), spec: { vpcs: ['alpha', 'beta'], allow: [{ protocol: 'tcp', ports: [8080] }] } };

const cluster = (peerings: readonly KubeVpcPeering[]): ClusterSnapshot => ({
  namespaces: [namespace('alpha'), namespace('beta')],
  nodes: [{ kind: 'Node', metadata: meta('node-1') }],
  pods: [pod('alpha', 'web-0', ALPHA_POD), pod('beta', 'api-0', BETA_POD)],
  services: [],
  endpointSlices: [],
  subnets: [subnet('sub-alpha', 'alpha', '10.92.1.0/24'), subnet('sub-beta', 'beta', '10.92.2.0/24')],
  peerings,
});

const SETTINGS: EngineSettings = {
  vpcPolicy: 'per-namespace',
  overlay: 'network',
  addressPlan: {
    vni: { l2: [{ from: 10000, to: 10999 }], l3: [{ from: 50000, to: 50999 }] },
    vlan: { from: 100, to: 999 },
    containerBlocks: [],
    defaultSubnetPrefix: { ipv4: 24, ipv6: 64 },
    vipPools: [],
  },
  topology: { nodes: [{ name: 'node-1', leaf: 'leaf1', port: 'Eth1/1' }] },
  // Only the firewall is driven here: the VFW is what a peering changes on the data path between VPCs.
  devices: [{ name: 'vfw1', role: 'firewall' }],
};

describe('VpcPeering on real nftables through the whole pipeline (compile → project → reconcile → packets)', function () {
  this.timeout(120_000);
  let lab: VfwLab | undefined;
  const store = new MemoryStore();
  let reconciler: Reconciler | undefined;

  before(async function () {
    await skipUnlessNft(this);
    lab = await startVfwLab({
      vfw: NS.vfw,
      sides: [
        { netns: NS.alpha, dev: 'a0', address: `${ALPHA_POD}/24`, vfwDev: 'va', vfwAddress: '10.92.1.1/24' },
        { netns: NS.beta, dev: 'b0', address: `${BETA_POD}/24`, vfwDev: 'vb', vfwAddress: '10.92.2.1/24' },
      ],
      server: { netns: NS.beta, ports: [8080, 8081] },
    });
    const driver = new NftablesDriver({ target: { name: 'vfw1' }, options: { mode: 'local', netns: NS.vfw }, logger: silentLogger });
    reconciler = new Reconciler({ drivers: new Map([['vfw1', driver as unknown as DeviceDriver<DeviceConfig>]]), store, vpcOfObject, logger: silentLogger, confirmWithinSec: 30 });
  });

  after(async () => {
    await lab?.stop();
  });

  /** One pipeline pass with the three plugins; returns the VFW policies the projection gave the firewall. */
  const pass = async (peerings: readonly KubeVpcPeering[]): Promise<string[]> => {
    const desired = await compileIntent({ cluster: cluster(peerings), settings: SETTINGS, store, plugins: [kubernetes, serviceLb, vpcPeering] });
    assert.deepEqual(desired.problems, []);
    const configs = project({ desired, settings: SETTINGS });
    const report = await reconciler!.reconcile(configs);
    const fw = report.devices.find((d) => d.device === 'vfw1');
    assert.ok(fw !== undefined && (fw.outcome === 'applied' || fw.outcome === 'unchanged'), JSON.stringify(report.devices));
    const config = configs.devices.get('vfw1')?.config as unknown as { zone: Record<string, { cidrs: string[] }>; policy: Record<string, unknown> };
    assert.deepEqual(
      Object.entries(config.zone).map(([k, z]) => [k, z.cidrs]),
      [
        ['vpc-alpha', ['10.92.1.0/24']],
        ['vpc-beta', ['10.92.2.0/24']],
      ],
    );
    return Object.keys(config.policy).sort();
  };

  it('without any firewall config the two VPC sides reach each other (control: the topology forwards)', async () => {
    assert.ok(await pings(NS.alpha, BETA_POD), 'alpha → beta should ping before netloom configures the VFW');
    assert.ok(await connects(NS.alpha, BETA_POD, 8080));
  });

  it('before a VpcPeering, traffic between the two VPCs is blocked', async () => {
    assert.deepEqual(await pass([]), []);
    assert.ok(!(await connects(NS.alpha, BETA_POD, 8080)), 'alpha → beta:8080 must be dropped');
    assert.ok(!(await connects(NS.alpha, BETA_POD, 8081)), 'alpha → beta:8081 must be dropped');
    assert.ok(!(await pings(NS.alpha, BETA_POD)), 'alpha → beta ping must be dropped');
  });

  it('a VpcPeering allowing TCP 8080 opens exactly that port (8081 and ICMP stay blocked)', async () => {
    assert.deepEqual(await pass([PEERING]), ['peer-alpha-beta-0-alpha-to-beta', 'peer-alpha-beta-0-beta-to-alpha']);
    assert.ok(await connects(NS.alpha, BETA_POD, 8080), 'alpha → beta:8080 must connect (and the reply come back)');
    assert.ok(!(await connects(NS.alpha, BETA_POD, 8081)), 'alpha → beta:8081 must stay blocked');
    assert.ok(!(await pings(NS.alpha, BETA_POD)), 'alpha → beta ping must stay blocked');
  });

  it('deleting the VpcPeering blocks the traffic again', async () => {
    assert.deepEqual(await pass([]), []);
    assert.ok(!(await connects(NS.alpha, BETA_POD, 8080)), 'alpha → beta:8080 must be dropped again');
  });
});
