// Real packets through the router: two pods (namespaces) on two VLANs of the router's uplink trunk, in two subnets of
// one VPC, ping each other through the VRF namespace (their gateway is the segment's anycast gateway); a pod of
// another VPC (another VRF namespace, an overlapping CIDR) does not reach them; after removing everything nothing
// remains. The leaf port is an Open vSwitch bridge (userspace datapath) with the pods as access ports and a trunk
// towards the router, whose legs are OVS access ports of its own bridge (this kernel has no 802.1Q; with 802.1Q
// the legs are sub-interfaces, which the render tests and the 802.1Q kit cover).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LinuxRouterDriver, type LinuxRouterSession } from '@netloom/adapter-linux-router';
import { skipUnlessOvs, startOvsSandbox, type OvsSandbox } from '@netloom/ovsdb/testing';
import { fabricVocabulary, silentLogger, type FabricConfig, type FabricConfigInput } from '@netloom/ports';
import { skipUnlessRouter } from './lab';

const run = promisify(execFile);
const tag = `p${process.pid.toString(36)}`;
const prefix = `nlr${tag}-`;
const uplink = `nlu${tag}`;
const leafTrunk = `nll${tag}`;
const routerBridge = `nlrb${tag}`;
const leafBridge = `nllb${tag}`;
const pods = { a: { vlan: 100, ip: '10.1.0.10/24', gw: '10.1.0.1' }, b: { vlan: 200, ip: '10.2.0.10/24', gw: '10.2.0.1' }, c: { vlan: 300, ip: '10.1.0.20/24', gw: '10.1.0.1' } } as const;
const podNs = (p: string): string => `nlpod${tag}${p}`;

async function ping(from: string, to: string): Promise<boolean> {
  try {
    await run('ip', ['netns', 'exec', podNs(from), 'ping', '-c', '3', '-i', '0.2', '-W', '1', '-w', '4', to]);
    return true;
  } catch {
    return false;
  }
}

const decode = (c: FabricConfigInput): FabricConfig => {
  const r = fabricVocabulary.configCodec.decode(c);
  if (r._tag === 'Left') throw new Error('bad test config');
  return r.right;
};

const two = (vpc: string, l3Vni: number): Record<string, unknown> => ({ key: vpc, name: vpc, l3Vni });

describe('linux-router real packets (VPC router namespaces behind an OVS leaf trunk)', function () {
  this.timeout(180_000);
  let ovs: OvsSandbox | undefined;
  let session: LinuxRouterSession | undefined;
  const vsctl = (...args: string[]): Promise<unknown> => run('ovs-vsctl', [`--db=${ovs!.unixRemote}`, ...args], { env: ovs!.env });

  before(async function () {
    skipUnlessRouter(this);
    skipUnlessOvs(this, { vswitchd: true });
    ovs = await startOvsSandbox({ vswitchd: true });
    for (const br of [routerBridge, leafBridge]) await vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev');
    await run('ip', ['link', 'add', 'name', uplink, 'type', 'veth', 'peer', 'name', leafTrunk]);
    for (const d of [uplink, leafTrunk]) await run('ip', ['link', 'set', 'dev', d, 'up']);
    await vsctl('add-port', routerBridge, uplink);
    await vsctl('add-port', leafBridge, leafTrunk);
    for (const [p, pod] of Object.entries(pods)) {
      await run('ip', ['netns', 'add', podNs(p)]);
      await run('ip', ['link', 'add', 'name', `nlv${tag}${p}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs(p)]);
      await run('ip', ['link', 'set', 'dev', `nlv${tag}${p}`, 'up']);
      await run('ip', ['-n', podNs(p), 'addr', 'add', pod.ip, 'dev', 'eth0']);
      await run('ip', ['-n', podNs(p), 'link', 'set', 'dev', 'eth0', 'up']);
      await run('ip', ['-n', podNs(p), 'route', 'add', 'default', 'via', pod.gw]);
      await vsctl('add-port', leafBridge, `nlv${tag}${p}`, `tag=${pod.vlan}`);
    }
    const driver = new LinuxRouterDriver({ target: { name: 'router-lab' }, options: { uplink, netnsPrefix: prefix, ovs: { bridge: routerBridge, db: ovs.unixRemote } }, logger: silentLogger });
    session = await driver.connect();
  });

  after(async function () {
    await session?.close().catch(() => undefined);
    const namespaces = await run('ip', ['-json', 'netns', 'list']).then((r) => (r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as { name: string }[]))).catch(() => []);
    for (const n of namespaces) if (n.name.startsWith(prefix) || n.name.startsWith(`nlpod${tag}`)) await run('ip', ['netns', 'del', n.name]).catch(() => undefined);
    await run('ip', ['link', 'del', 'dev', uplink]).catch(() => undefined);
    for (const p of Object.keys(pods)) await run('ip', ['link', 'del', 'dev', `nlv${tag}${p}`]).catch(() => undefined);
    if (ovs !== undefined) {
      for (const br of [routerBridge, leafBridge]) await vsctl('del-br', br).catch(() => undefined);
      await ovs.stop();
    }
  });

  it('pods of two subnets of one VPC reach each other through the router; a pod of another VPC does not; nothing remains after removal', async function () {
    const s = session!;
    const binding = (vlan: number, l2Vni: number): Record<string, unknown> => ({ key: `${uplink}:${vlan}`, interface: uplink, vlan, l2Vni });
    const desired = decode({
      vrf: { red: two('red', 50001), blue: two('blue', 50002) } as never,
      interconnect: {},
      segment: {
        '10010': { key: '10010', name: 'red-web', l2Vni: 10010, vrf: 'red', anycastGateway: { ipv4: ['10.1.0.1/24'], mac: '00:00:5e:00:01:01' } },
        '10020': { key: '10020', name: 'red-db', l2Vni: 10020, vrf: 'red', anycastGateway: { ipv4: ['10.2.0.1/24'], mac: '00:00:5e:00:01:01' } },
        '10030': { key: '10030', name: 'blue-web', l2Vni: 10030, vrf: 'blue', anycastGateway: { ipv4: ['10.1.0.1/24'], mac: '00:00:5e:00:01:01' } },
      },
      binding: { [`${uplink}:100`]: binding(100, 10010), [`${uplink}:200`]: binding(200, 10020), [`${uplink}:300`]: binding(300, 10030) } as never,
    });
    assert.equal(await ping('a', '10.2.0.10'), false, 'before apply there is no router');
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired }) }) });
    assert.deepEqual((await s.observe()).config, desired);
    assert.equal(await ping('a', '10.2.0.10'), true, 'red pod a reaches red pod b through the red router');
    assert.equal(await ping('b', '10.1.0.10'), true, 'red pod b reaches red pod a');
    assert.equal(await ping('c', '10.1.0.1'), true, 'blue pod c reaches its own gateway (same address as red\'s, another VRF)');
    assert.equal(await ping('c', '10.2.0.10'), false, 'blue pod c does not reach red pod b');
    // The router answers from the anycast gateway MAC.
    const neigh = await run('ip', ['-n', podNs('a'), '-json', 'neigh', 'show', '10.1.0.1']);
    assert.match(neigh.stdout, /00:00:5e:00:01:01/);

    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: fabricVocabulary.empty() }) }) });
    assert.deepEqual((await s.observe()).config, fabricVocabulary.empty());
    const namespaces = await run('ip', ['-json', 'netns', 'list']).then((r) => (r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as { name: string }[])));
    assert.deepEqual(namespaces.filter((n) => n.name.startsWith(prefix)), [], 'no VRF namespace remains');
    const ports = ((await vsctl('list-ports', routerBridge)) as { stdout: string }).stdout.trim().split('\n').filter((p) => p !== '');
    assert.deepEqual(ports, [uplink], 'only the uplink remains on the router bridge');
    assert.equal(await ping('a', '10.2.0.10'), false, 'without the router the pods no longer reach each other');
  });
});
