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
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { NftablesDriver } from '@netloom/adapter-nftables';
import { compileIntent, MemoryStore, project, Reconciler, vpcOfObject, type ClusterSnapshot, type EngineSettings } from '@netloom/engine';
import { silentLogger, type DeviceConfig, type DeviceDriver, type KubeNamespace, type KubePod, type KubeSubnet, type KubeVpcPeering } from '@netloom/ports';
import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
import { plugin as serviceLb } from '@netloom/plugin-service-lb';
import { plugin as vpcPeering } from '@netloom/plugin-vpc-peering';

const pid = process.pid;
const NS = { alpha: `nlra-${pid}`, beta: `nlrb-${pid}`, vfw: `nlrv-${pid}` };
const ALPHA_POD = '10.92.1.2';
const BETA_POD = '10.92.2.2';

/** Why real nftables and network namespaces cannot be used here, or undefined (as adapters/nftables/test/lab.ts). */
function unavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (network namespaces and nftables need root)';
  for (const [cmd, args] of [
    ['nft', ['--version']],
    ['ip', ['-V']],
  ] as const) {
    try {
      execFileSync(cmd, [...args], { stdio: 'ignore' });
    } catch {
      return `${cmd} is not installed or not on PATH`;
    }
  }
  return undefined;
}

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: 'pipe' });
};

function pings(ns: string, addr: string): boolean {
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-W', '1', addr], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const CLIENT = `
const s = require('net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
s.setTimeout(1500, () => { console.log('failed'); process.exit(1); });
s.on('data', (d) => { console.log(String(d)); process.exit(0); });
s.on('error', () => { console.log('failed'); process.exit(1); });
`;

/** True if a TCP connection from `ns` to `addr:port` is accepted and the server's greeting comes back. */
function connects(ns: string, addr: string, port: number): boolean {
  try {
    return execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, addr, String(port)], { encoding: 'utf8' }).includes(`hello ${port}`);
  } catch {
    return false;
  }
}

const SERVER = `
const net = require('net');
let up = 0;
for (const port of [8080, 8081]) {
  net.createServer((c) => c.end('hello ' + port)).listen(port, '0.0.0.0', () => { if (++up === 2) console.log('ready'); });
}
`;

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
  let server: ChildProcess | undefined;
  let created = false;
  const store = new MemoryStore();
  let reconciler: Reconciler | undefined;

  const teardown = (): void => {
    server?.kill('SIGKILL');
    server = undefined;
    for (const ns of Object.values(NS)) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not there
      }
    }
  };

  before(async function () {
    const reason = unavailable();
    if (reason !== undefined) {
      if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
      process.stdout.write(`      skipped: ${reason}\n`);
      this.skip();
    }
    created = true;
    for (const ns of Object.values(NS)) ip('netns', 'add', ns);
    // veth pairs are created directly inside the namespaces: nothing ever appears in the host namespace.
    ip('link', 'add', 'va', 'netns', NS.vfw, 'type', 'veth', 'peer', 'name', 'a0', 'netns', NS.alpha);
    ip('link', 'add', 'vb', 'netns', NS.vfw, 'type', 'veth', 'peer', 'name', 'b0', 'netns', NS.beta);
    const link = (ns: string, dev: string, addr: string, gw?: string): void => {
      ip('-n', ns, 'addr', 'add', addr, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up');
      if (gw !== undefined) ip('-n', ns, 'route', 'add', 'default', 'via', gw);
    };
    link(NS.vfw, 'va', '10.92.1.1/24');
    link(NS.vfw, 'vb', '10.92.2.1/24');
    link(NS.alpha, 'a0', `${ALPHA_POD}/24`, '10.92.1.1');
    link(NS.beta, 'b0', `${BETA_POD}/24`, '10.92.2.1');
    for (const ns of Object.values(NS)) ip('-n', ns, 'link', 'set', 'lo', 'up');
    execFileSync('ip', ['netns', 'exec', NS.vfw, 'sysctl', '-w', 'net.ipv4.ip_forward=1'], { stdio: 'pipe' });
    const srv = spawn('ip', ['netns', 'exec', NS.beta, process.execPath, '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.stdout!.on('data', (d: Buffer) => {
        if (String(d).includes('ready')) resolve();
      });
      srv.once('exit', (code) => reject(new Error(`the test server in ${NS.beta} exited (${String(code)})`)));
    });
    const driver = new NftablesDriver({ target: { name: 'vfw1' }, options: { mode: 'local', netns: NS.vfw }, logger: silentLogger });
    reconciler = new Reconciler({ drivers: new Map([['vfw1', driver as unknown as DeviceDriver<DeviceConfig>]]), store, vpcOfObject, logger: silentLogger, confirmWithinSec: 30 });
  });

  after(() => {
    if (created) teardown();
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

  it('without any firewall config the two VPC sides reach each other (control: the topology forwards)', () => {
    assert.ok(pings(NS.alpha, BETA_POD), 'alpha → beta should ping before netloom configures the VFW');
    assert.ok(connects(NS.alpha, BETA_POD, 8080));
  });

  it('before a VpcPeering, traffic between the two VPCs is blocked', async () => {
    assert.deepEqual(await pass([]), []);
    assert.ok(!connects(NS.alpha, BETA_POD, 8080), 'alpha → beta:8080 must be dropped');
    assert.ok(!connects(NS.alpha, BETA_POD, 8081), 'alpha → beta:8081 must be dropped');
    assert.ok(!pings(NS.alpha, BETA_POD), 'alpha → beta ping must be dropped');
  });

  it('a VpcPeering allowing TCP 8080 opens exactly that port (8081 and ICMP stay blocked)', async () => {
    assert.deepEqual(await pass([PEERING]), ['peer-alpha-beta-0-alpha-to-beta', 'peer-alpha-beta-0-beta-to-alpha']);
    assert.ok(connects(NS.alpha, BETA_POD, 8080), 'alpha → beta:8080 must connect (and the reply come back)');
    assert.ok(!connects(NS.alpha, BETA_POD, 8081), 'alpha → beta:8081 must stay blocked');
    assert.ok(!pings(NS.alpha, BETA_POD), 'alpha → beta ping must stay blocked');
  });

  it('deleting the VpcPeering blocks the traffic again', async () => {
    assert.deepEqual(await pass([]), []);
    assert.ok(!connects(NS.alpha, BETA_POD, 8080), 'alpha → beta:8080 must be dropped again');
  });
});
