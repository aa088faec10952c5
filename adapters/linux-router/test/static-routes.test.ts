// VRF static routes (port API 1.2, capability staticRoute) on real network namespaces: what the kernel holds after an
// apply, what observe reads back, exactly which commands an update sends, drift, the kernel refusing a next hop that
// is not on-link (CommitError, the router as before), the routes of a deleted VRF coming back with a rollback. And
// real packets: a pod reaches a prefix behind a "host" of its segment only while the static route exists.
//
// Names used only here: VRF namespaces `nlsr<pid>-*` (and `nlsro<pid>-*` for the packet suite), the router host
// namespace `nlsrh<pid>`, pods `nlsrpod<pid><p>`, interfaces `nlsu<pid>`, `nlsl<pid>`, `nlsv<pid><p>`, OVS bridges
// `nlsrb<pid>`, `nlslb<pid>`.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { LinuxRouterDriver, netnsForVrf, type LinuxRouterSession } from '@netloom/adapter-linux-router';
import { skipUnlessOvs, startOvsSandbox, type OvsSandbox } from '@netloom/ovsdb/testing';
import { ErrorCode, fabricVocabulary, isNetloomError, silentLogger, type FabricConfig, type FabricConfigInput } from '@netloom/ports';
import { skipUnlessRouter } from './lab';

const run = promisify(execFile);
const pid = process.pid.toString(36);

const decode = (c: Partial<FabricConfigInput>): FabricConfig => {
  const r = fabricVocabulary.configCodec.decode({ vrf: {}, interconnect: {}, segment: {}, binding: {}, ...c });
  if (r._tag === 'Left') throw new Error(`bad test config: ${JSON.stringify(c)}`);
  return r.right;
};

interface KernelRoute {
  readonly dst: string;
  readonly gateway?: string;
}

/** The `proto static` routes of `netns` as the kernel holds them (both families), as `dst via gateway`. */
async function kernelRoutes(netns: string): Promise<string[]> {
  const out: string[] = [];
  for (const family of ['-4', '-6']) {
    const r = await run('ip', ['-n', netns, family, '-json', 'route', 'show', 'proto', 'static']);
    const routes = r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as KernelRoute[]);
    for (const route of routes) out.push(`${route.dst} via ${route.gateway ?? '-'}`);
  }
  return out.sort();
}

async function namespacesWith(prefix: string): Promise<string[]> {
  const r = await run('ip', ['-json', 'netns', 'list']);
  const all = r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as { name: string }[]);
  return all.map((n) => n.name).filter((n) => n.startsWith(prefix));
}

async function applyAndConfirm(s: LinuxRouterSession, desired: FabricConfig): Promise<string[]> {
  const cs = await s.plan({ desired });
  await s.confirm({ transaction: await s.apply({ changeSet: cs }) });
  return cs.operations.map((o) => o.text);
}

describe('linux-router static routes (real namespaces)', function () {
  this.timeout(120_000);
  const prefix = `nlsr${pid}-`;
  const host = `nlsrh${pid}`;
  const ns = netnsForVrf(prefix, 'red');
  let stateDir: string | undefined;
  let session: LinuxRouterSession | undefined;

  const segment = (gateway: string, ipv6?: string): FabricConfigInput['segment'] => ({
    '10061': { key: '10061', name: 'red-web', l2Vni: 10061, vrf: 'red', anycastGateway: { ipv4: [gateway], ...(ipv6 === undefined ? {} : { ipv6: [ipv6] }), mac: '00:00:5e:00:01:01' } },
  });
  const red = (routes: readonly { prefix: string; nextHop: string }[]): FabricConfigInput['vrf'] => ({
    red: { key: 'red', name: 'red', l3Vni: 50061, ...(routes.length === 0 ? {} : { staticRoutes: [...routes] }) },
  });

  before(async function () {
    skipUnlessRouter(this);
    stateDir = await mkdtemp(path.join(tmpdir(), 'nlsr-'));
    await run('ip', ['netns', 'add', host]);
    await run('ip', ['-n', host, 'link', 'add', 'name', 'eth0', 'type', 'veth', 'peer', 'name', 'leaf0']);
    await run('ip', ['-n', host, 'link', 'set', 'dev', 'eth0', 'up']);
    const driver = new LinuxRouterDriver({ target: { name: 'router-routes' }, options: { uplink: 'eth0', netns: host, netnsPrefix: prefix, stateDir }, logger: silentLogger });
    session = await driver.connect();
  });

  after(async function () {
    await session?.close().catch(() => undefined);
    for (const n of await namespacesWith(prefix).catch(() => [])) await run('ip', ['netns', 'del', n]).catch(() => undefined);
    await run('ip', ['netns', 'del', host]).catch(() => undefined);
    if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  });

  afterEach(async function () {
    // Every test starts from an empty router.
    if (session !== undefined) await applyAndConfirm(session, fabricVocabulary.empty()).catch(() => undefined);
  });

  it('a VRF created with a segment and static routes in one change: routes go in last, the kernel holds them, observe reads them back, the next plan is empty', async function () {
    const s = session!;
    const desired = decode({
      vrf: red([
        { prefix: '10.99.0.0/24', nextHop: '10.60.1.250' },
        { prefix: 'fd00:99::/64', nextHop: 'fd00:60::250' },
      ]),
      segment: segment('10.60.1.1/24', 'fd00:60::1/64'),
    });
    const ops = await applyAndConfirm(s, desired);
    // A next hop must be on-link: the routes come after the bridge and its gateway addresses.
    assert.deepEqual(ops.slice(-2), [`ip -n ${ns} route replace 10.99.0.0/24 via 10.60.1.250 proto static`, `ip -n ${ns} route replace fd00:99::/64 via fd00:60::250 proto static`]);
    assert.ok(ops.findIndex((o) => o.includes(' addr add ')) < ops.findIndex((o) => o.includes(' route ')), ops.join('\n'));
    assert.deepEqual(await kernelRoutes(ns), ['10.99.0.0/24 via 10.60.1.250', 'fd00:99::/64 via fd00:60::250']);
    assert.deepEqual((await s.observe()).config, desired);
    const again = await s.plan({ desired });
    assert.deepEqual(again.changes, []);
    assert.deepEqual(again.operations, []);
  });

  it('an update that changes one next hop, or removes one route, sends exactly that one command', async function () {
    const s = session!;
    const routes = [
      { prefix: '10.98.0.0/24', nextHop: '10.60.1.250' },
      { prefix: '10.99.0.0/24', nextHop: '10.60.1.250' },
    ];
    await applyAndConfirm(s, decode({ vrf: red(routes), segment: segment('10.60.1.1/24') }));
    assert.deepEqual(await kernelRoutes(ns), ['10.98.0.0/24 via 10.60.1.250', '10.99.0.0/24 via 10.60.1.250']);

    const moved = decode({ vrf: red([routes[0]!, { prefix: '10.99.0.0/24', nextHop: '10.60.1.251' }]), segment: segment('10.60.1.1/24') });
    assert.deepEqual(await applyAndConfirm(s, moved), [`ip -n ${ns} route replace 10.99.0.0/24 via 10.60.1.251 proto static`]);
    assert.deepEqual(await kernelRoutes(ns), ['10.98.0.0/24 via 10.60.1.250', '10.99.0.0/24 via 10.60.1.251']);
    assert.deepEqual((await s.observe()).config, moved);

    const fewer = decode({ vrf: red([{ prefix: '10.99.0.0/24', nextHop: '10.60.1.251' }]), segment: segment('10.60.1.1/24') });
    assert.deepEqual(await applyAndConfirm(s, fewer), [`ip -n ${ns} route del 10.98.0.0/24 via 10.60.1.250 proto static`]);
    assert.deepEqual(await kernelRoutes(ns), ['10.99.0.0/24 via 10.60.1.251']);
    assert.deepEqual((await s.observe()).config, fewer);

    const none = decode({ vrf: red([]), segment: segment('10.60.1.1/24') });
    assert.deepEqual(await applyAndConfirm(s, none), [`ip -n ${ns} route del 10.99.0.0/24 via 10.60.1.251 proto static`]);
    assert.deepEqual(await kernelRoutes(ns), []);
    assert.deepEqual((await s.observe()).config, none, 'no route: staticRoutes is absent');
  });

  it('a route removed or added out of band shows as drift, and the next apply puts the desired routes back', async function () {
    const s = session!;
    const desired = decode({ vrf: red([{ prefix: '10.99.0.0/24', nextHop: '10.60.1.250' }]), segment: segment('10.60.1.1/24') });
    await applyAndConfirm(s, desired);
    await run('ip', ['-n', ns, 'route', 'del', '10.99.0.0/24']);
    await run('ip', ['-n', ns, 'route', 'add', '10.77.0.0/16', 'via', '10.60.1.9', 'proto', 'static']);
    const drifted = (await s.observe()).config;
    assert.deepEqual(drifted.vrf['red']?.staticRoutes, [{ prefix: '10.77.0.0/16', nextHop: '10.60.1.9' }], 'the removed route is gone, the added one is netloom\'s (the namespace is owned whole)');
    assert.deepEqual(await applyAndConfirm(s, desired), [`ip -n ${ns} route del 10.77.0.0/16 via 10.60.1.9 proto static`, `ip -n ${ns} route replace 10.99.0.0/24 via 10.60.1.250 proto static`]);
    assert.deepEqual(await kernelRoutes(ns), ['10.99.0.0/24 via 10.60.1.250']);
    assert.deepEqual((await s.observe()).config, desired);
  });

  it('a next hop that is not on-link: the kernel refuses, the CommitError names the VRF and the prefix, the router is as before', async function () {
    const s = session!;
    const start = decode({ vrf: red([{ prefix: '10.99.0.0/24', nextHop: '10.60.1.250' }]), segment: segment('10.60.1.1/24') });
    await applyAndConfirm(s, start);
    const before = (await s.observe()).config;
    // 10.96.0.0/24 is valid and goes in first (sorted): the undo must take it out again.
    const bad = decode({
      vrf: red([
        { prefix: '10.96.0.0/24', nextHop: '10.60.1.250' },
        { prefix: '10.97.0.0/24', nextHop: '10.61.0.5' },
        { prefix: '10.99.0.0/24', nextHop: '10.60.1.250' },
      ]),
      segment: segment('10.60.1.1/24'),
    });
    const cs = await s.plan({ desired: bad });
    let caught: unknown;
    try {
      await s.apply({ changeSet: cs });
    } catch (e) {
      caught = e;
    }
    assert.ok(isNetloomError(caught), `a netloom error, got ${String(caught)}`);
    assert.equal(caught.code, ErrorCode.DEVICE_COMMIT);
    assert.match(caught.message, /static route 10\.97\.0\.0\/24 via 10\.61\.0\.5 of vrf "red"/);
    assert.match(caught.message, /restored the router/);
    assert.equal((caught.details as { restored?: unknown } | undefined)?.restored, true);
    assert.deepEqual((await s.observe()).config, before);
    assert.deepEqual(await kernelRoutes(ns), ['10.99.0.0/24 via 10.60.1.250'], 'the route that went in before the refusal was taken out again');
  });

  it('a VRF delete takes its routes along with the namespace (no route command); rolling it back puts them back', async function () {
    const s = session!;
    const desired = decode({ vrf: red([{ prefix: '10.99.0.0/24', nextHop: '10.60.1.250' }]), segment: segment('10.60.1.1/24') });
    await applyAndConfirm(s, desired);
    const cs = await s.plan({ desired: fabricVocabulary.empty() });
    assert.deepEqual(
      cs.operations.map((o) => o.text),
      [`ip -n ${ns} link del dev nls10061`, `ip netns del ${ns}`],
    );
    const tx = await s.apply({ changeSet: cs });
    assert.deepEqual(await namespacesWith(prefix), []);
    await s.rollback({ transaction: tx });
    assert.deepEqual((await s.observe()).config, desired);
    assert.deepEqual(await kernelRoutes(ns), ['10.99.0.0/24 via 10.60.1.250']);
  });

  it('a gateway that moves to another subnet with the routes: routes out first and in last; a rollback restores the old gateway and routes', async function () {
    const s = session!;
    const before = decode({ vrf: red([{ prefix: '10.99.0.0/24', nextHop: '10.60.1.250' }]), segment: segment('10.60.1.1/24') });
    await applyAndConfirm(s, before);
    const after = decode({ vrf: red([{ prefix: '10.99.0.0/24', nextHop: '10.60.2.250' }]), segment: segment('10.60.2.1/24') });
    const cs = await s.plan({ desired: after });
    assert.deepEqual(
      cs.operations.map((o) => o.text),
      [
        `ip -n ${ns} route del 10.99.0.0/24 via 10.60.1.250 proto static`,
        `ip -n ${ns} addr del 10.60.1.1/24 dev nls10061`,
        `ip -n ${ns} addr add 10.60.2.1/24 dev nls10061`,
        `ip -n ${ns} route replace 10.99.0.0/24 via 10.60.2.250 proto static`,
      ],
    );
    const tx = await s.apply({ changeSet: cs });
    assert.deepEqual((await s.observe()).config, after);
    await s.rollback({ transaction: tx });
    assert.deepEqual((await s.observe()).config, before);
    assert.deepEqual(await kernelRoutes(ns), ['10.99.0.0/24 via 10.60.1.250']);
  });
});

// Real packets. As in packets.test.ts: the leaf is an OVS bridge (userspace datapath) with the pods as access ports
// and a trunk towards the router, whose legs are OVS access ports of its own bridge.
describe('linux-router static routes (real packets through an OVS leaf trunk)', function () {
  this.timeout(180_000);
  const prefix = `nlsro${pid}-`;
  const uplink = `nlsu${pid}`;
  const leafTrunk = `nlsl${pid}`;
  const routerBridge = `nlsrb${pid}`;
  const leafBridge = `nlslb${pid}`;
  const podNs = (p: string): string => `nlsrpod${pid}${p}`;
  const podIf = (p: string): string => `nlsv${pid}${p}`;
  // The "host" holds the next hop and, on lo, the address behind the static route; the pod is in the same segment.
  const pods = { h: { ip: '10.60.1.250/24' }, p: { ip: '10.60.1.10/24' } } as const;
  let ovs: OvsSandbox | undefined;
  let stateDir: string | undefined;
  let session: LinuxRouterSession | undefined;
  const vsctl = (...args: string[]): Promise<unknown> => run('ovs-vsctl', [`--db=${ovs!.unixRemote}`, ...args], { env: ovs!.env });

  async function ping(to: string): Promise<boolean> {
    try {
      await run('ip', ['netns', 'exec', podNs('p'), 'ping', '-c', '3', '-i', '0.2', '-W', '1', '-w', '4', to]);
      return true;
    } catch {
      return false;
    }
  }

  before(async function () {
    skipUnlessRouter(this);
    skipUnlessOvs(this, { vswitchd: true });
    stateDir = await mkdtemp(path.join(tmpdir(), 'nlsro-'));
    ovs = await startOvsSandbox({ vswitchd: true });
    for (const br of [routerBridge, leafBridge]) await vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev');
    await run('ip', ['link', 'add', 'name', uplink, 'type', 'veth', 'peer', 'name', leafTrunk]);
    for (const d of [uplink, leafTrunk]) await run('ip', ['link', 'set', 'dev', d, 'up']);
    await vsctl('add-port', routerBridge, uplink);
    await vsctl('add-port', leafBridge, leafTrunk);
    for (const [p, pod] of Object.entries(pods)) {
      await run('ip', ['netns', 'add', podNs(p)]);
      await run('ip', ['link', 'add', 'name', podIf(p), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs(p)]);
      await run('ip', ['link', 'set', 'dev', podIf(p), 'up']);
      await run('ip', ['-n', podNs(p), 'addr', 'add', pod.ip, 'dev', 'eth0']);
      await run('ip', ['-n', podNs(p), 'link', 'set', 'dev', 'eth0', 'up']);
      await run('ip', ['-n', podNs(p), 'link', 'set', 'dev', 'lo', 'up']);
      await vsctl('add-port', leafBridge, podIf(p), 'tag=100');
    }
    await run('ip', ['-n', podNs('h'), 'addr', 'add', '10.99.0.1/32', 'dev', 'lo']);
    await run('ip', ['-n', podNs('p'), 'route', 'add', 'default', 'via', '10.60.1.1']);
    // The router would answer the pod's first packet with an ICMP redirect to the host (same segment); a pod that
    // took it would reach the host directly, with or without the route. Pods of the lab ignore redirects.
    await run('ip', ['netns', 'exec', podNs('p'), 'sysctl', '-q', '-w', 'net.ipv4.conf.all.accept_redirects=0', 'net.ipv4.conf.eth0.accept_redirects=0']);
    const driver = new LinuxRouterDriver({ target: { name: 'router-routes-lab' }, options: { uplink, netnsPrefix: prefix, stateDir, ovs: { bridge: routerBridge, db: ovs.unixRemote } }, logger: silentLogger });
    session = await driver.connect();
  });

  after(async function () {
    await session?.close().catch(() => undefined);
    for (const n of await namespacesWith(prefix).catch(() => [])) await run('ip', ['netns', 'del', n]).catch(() => undefined);
    for (const p of Object.keys(pods)) {
      await run('ip', ['netns', 'del', podNs(p)]).catch(() => undefined);
      await run('ip', ['link', 'del', 'dev', podIf(p)]).catch(() => undefined);
    }
    await run('ip', ['link', 'del', 'dev', uplink]).catch(() => undefined);
    if (ovs !== undefined) {
      for (const br of [routerBridge, leafBridge]) await vsctl('del-br', br).catch(() => undefined);
      await ovs.stop();
    }
    if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  });

  it('a pod reaches a prefix behind a host of its segment only while the static route to that host exists', async function () {
    const s = session!;
    const config = (routes: boolean): FabricConfig =>
      decode({
        vrf: { red: { key: 'red', name: 'red', l3Vni: 50062, ...(routes ? { staticRoutes: [{ prefix: '10.99.0.0/24', nextHop: '10.60.1.250' }] } : {}) } },
        segment: { '10062': { key: '10062', name: 'red-web', l2Vni: 10062, vrf: 'red', anycastGateway: { ipv4: ['10.60.1.1/24'], mac: '00:00:5e:00:01:01' } } },
        binding: { [`${uplink}:100`]: { key: `${uplink}:100`, interface: uplink, vlan: 100, l2Vni: 10062 } },
      });
    await applyAndConfirm(s, config(false));
    assert.equal(await ping('10.60.1.1'), true, 'the pod reaches its gateway');
    assert.equal(await ping('10.60.1.250'), true, 'the pod reaches the host in its segment');
    assert.equal(await ping('10.99.0.1'), false, 'without the static route the router has no way to 10.99.0.1');

    await applyAndConfirm(s, config(true));
    assert.deepEqual((await s.observe()).config, config(true));
    assert.equal(await ping('10.99.0.1'), true, 'with the static route the router sends the pod\'s packets to the host');

    assert.deepEqual(await applyAndConfirm(s, config(false)), [`ip -n ${netnsForVrf(prefix, 'red')} route del 10.99.0.0/24 via 10.60.1.250 proto static`]);
    assert.equal(await ping('10.99.0.1'), false, 'after the route is deleted no answer again');

    await applyAndConfirm(s, fabricVocabulary.empty());
    assert.deepEqual(await namespacesWith(prefix), [], 'no VRF namespace remains');
  });
});
