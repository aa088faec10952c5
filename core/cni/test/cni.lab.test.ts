// netloom-cni on a real node: the real executable (node bin/netloom-cni.cjs) run with CNI environment and stdin,
// pods as network namespaces, a real Open vSwitch (ovsdb-server + ovs-vswitchd, userspace datapath) and the
// Kubernetes API simulator of @netloom/conformance serving the pods' allocation annotations and the Subnet over
// HTTPS. Needs root and OVS; skips with the reason otherwise (throws when NETLOOM_LAB_REQUIRED=1).
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type OvsSandbox, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { KubeApiServer } from '@netloom/conformance/simulators';
import { CniResultCodec, hostVethName } from '@netloom/cni';
import { REPO, eventually, exitCode, ipJson, linkExists, ovsRows, runPlugin, sh, type PluginRun } from './cni.helpers';

const PID = process.pid;
const BRIDGE = `br-${PID}`;
const SUBNET = { name: 'web', cidr: '10.77.0.0/24', gateway: '10.77.0.1' };

interface TestPod {
  readonly namespace: string;
  readonly name: string;
  /** The named network namespace. */
  readonly ns: string;
  readonly containerId: string;
  readonly ip: string;
  readonly mac: string;
}

const podA: TestPod = { namespace: 'cni-a', name: 'web-a', ns: `nlcni${PID}a`, containerId: `a${PID}c0ffee`, ip: '10.77.0.10', mac: '02:77:00:00:00:0a' };
const podB: TestPod = { namespace: 'cni-b', name: 'web-b', ns: `nlcni${PID}b`, containerId: `b${PID}c0ffee`, ip: '10.77.0.11', mac: '02:77:00:00:00:0b' };
const VLAN = 100;

const allocation = (p: TestPod): Record<string, string> => ({
  'netloom.io/allocated-ips': p.ip,
  'netloom.io/mac-address': p.mac,
  'netloom.io/vlan': String(VLAN),
  'netloom.io/allocated-subnet': SUBNET.name,
});

describe('netloom-cni on a real node (network namespaces, Open vSwitch, Kubernetes API simulator)', function () {
  this.timeout(120_000);
  let sandbox: OvsSandbox | undefined;
  let api: KubeApiServer | undefined;
  let dir = '';
  let kubeconfig = '';
  let logFile = '';
  /** A process inside pod B's namespace, so B is handed to the plugin as /proc/<pid>/ns/net (Docker-style). */
  let holder: ChildProcess | undefined;
  let netnsB = '';
  const namespaces: string[] = [];
  const containers: Array<{ id: string; netns: string }> = [];

  const config = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    cniVersion: '1.0.0',
    name: 'netloom',
    type: 'netloom-cni',
    bridge: BRIDGE,
    ovsdb: sandbox!.unixRemote,
    kubeconfig,
    annotationTimeoutMs: 10_000,
    logFile,
    logLevel: 'debug',
    ...extra,
  });
  const env = (command: string, pod: TestPod, netns: string, extra: Record<string, string> = {}): Record<string, string> => ({
    CNI_COMMAND: command,
    CNI_CONTAINERID: pod.containerId,
    CNI_NETNS: netns,
    CNI_IFNAME: 'eth0',
    CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name};K8S_POD_INFRA_CONTAINER_ID=${pod.containerId}`,
    CNI_PATH: '/opt/cni/bin',
    ...extra,
  });
  const add = (pod: TestPod, netns: string, cfg: Record<string, unknown> = config()): Promise<PluginRun> => runPlugin(env('ADD', pod, netns), cfg);
  const nsPath = (ns: string): string => `/var/run/netns/${ns}`;
  const logLines = (): Array<Record<string, unknown>> =>
    fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : [];

  async function newNetns(name: string): Promise<string> {
    await sh('ip', 'netns', 'add', name);
    namespaces.push(name);
    await sh('ip', '-n', name, 'link', 'set', 'lo', 'up');
    return nsPath(name);
  }

  async function putPod(pod: TestPod, annotations: Record<string, string> | undefined): Promise<void> {
    await api!.put([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.name, namespace: pod.namespace, ...(annotations !== undefined ? { annotations } : {}) }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'app' }] } }]);
  }

  async function portRow(name: string): Promise<Record<string, unknown> | undefined> {
    return (await ovsRows((...a) => sandbox!.vsctl(...a), 'Port', name, ['_uuid', 'name', 'tag', 'vlan_mode', 'interfaces', 'external_ids']))[0];
  }
  async function ifaceRow(name: string): Promise<Record<string, unknown> | undefined> {
    return (await ovsRows((...a) => sandbox!.vsctl(...a), 'Interface', name, ['_uuid', 'name', 'type', 'ofport', 'external_ids']))[0];
  }

  before(async function () {
    skipUnlessOvs(this, { vswitchd: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-cni-'));
    logFile = path.join(dir, 'cni.log');
    sandbox = await startOvsSandbox({ vswitchd: true });
    await sandbox.vsctl('add-br', BRIDGE, '--', 'set', 'bridge', BRIDGE, 'datapath_type=netdev');
    api = new KubeApiServer({ crdDir: path.join(REPO, 'deploy', 'crds') });
    await api.start();
    kubeconfig = path.join(dir, 'kubeconfig.json');
    fs.writeFileSync(kubeconfig, JSON.stringify(api.kubeconfigObject()), { mode: 0o600 });
    await api.put([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: podA.namespace } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: podB.namespace } },
      { apiVersion: 'netloom.io/v1alpha1', kind: 'Subnet', metadata: { name: SUBNET.name }, spec: { cidrs: [SUBNET.cidr], namespaces: [podA.namespace, podB.namespace] } },
    ]);
    await putPod(podA, allocation(podA));
    await putPod(podB, allocation(podB));
    await newNetns(podA.ns);
    await newNetns(podB.ns);
    holder = spawn('ip', ['netns', 'exec', podB.ns, 'sleep', '3600'], { stdio: 'ignore' });
    const holderPid = holder.pid;
    assert.ok(holderPid !== undefined, 'the namespace holder started');
    netnsB = `/proc/${holderPid}/ns/net`;
    // `ip netns exec` enters the namespace, then execs sleep: wait until the process is inside it.
    const inode = fs.statSync(nsPath(podB.ns)).ino;
    assert.ok(await eventually(async () => fs.existsSync(netnsB) && fs.statSync(netnsB).ino === inode), 'the holder runs inside pod B\'s namespace');
  });

  after(async function () {
    // Best-effort clean-up of everything this suite started or created, also after a failure.
    for (const c of containers) await runPlugin({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: c.id, CNI_NETNS: c.netns, CNI_IFNAME: 'eth0' }, config()).catch(() => undefined);
    for (const c of containers) await exitCode('ip', 'link', 'del', hostVethName(c.id, 'eth0'));
    if (holder !== undefined && holder.exitCode === null) {
      const exited = new Promise<void>((r) => holder!.once('exit', () => r()));
      holder.kill('SIGTERM');
      await exited;
    }
    for (const ns of namespaces) await exitCode('ip', 'netns', 'del', ns);
    await api?.stop();
    await sandbox?.stop();
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ADD plumbs pod A as allocated: result JSON, veth in the namespace with MAC, address, MTU and default route, OVS access port with the VLAN and marks', async function () {
    containers.push({ id: podA.containerId, netns: nsPath(podA.ns) });
    const r = await add(podA, nsPath(podA.ns));
    assert.equal(r.code, 0, `ADD failed: ${r.stdout}${r.stderr}`);
    const host = hostVethName(podA.containerId, 'eth0');
    const result = CniResultCodec.decode(r.json);
    assert.equal(result._tag, 'Right', 'the result decodes as a CNI result');
    const hostLink = (await ipJson('link', 'show', 'dev', host))[0]!;
    assert.deepEqual(r.json, {
      cniVersion: '1.0.0',
      interfaces: [
        { name: host, mac: hostLink['address'] },
        { name: 'eth0', mac: podA.mac, sandbox: nsPath(podA.ns) },
      ],
      ips: [{ address: `${podA.ip}/24`, gateway: SUBNET.gateway, interface: 1 }],
      routes: [{ dst: '0.0.0.0/0', gw: SUBNET.gateway }],
      dns: {},
    });
    // Kernel: the container end, its address, MTU, state and default route; the host end up.
    const inside = (await ipJson('-n', podA.ns, 'addr', 'show', 'dev', 'eth0'))[0]!;
    assert.equal(inside['address'], podA.mac);
    assert.equal(inside['mtu'], 1500, 'a pod on a VLAN gets MTU 1500 by default');
    assert.ok((inside['flags'] as string[]).includes('UP'));
    assert.equal(inside['link_index'], hostLink['ifindex'], 'eth0 is the peer of the host veth');
    assert.deepEqual(
      (inside['addr_info'] as Array<Record<string, unknown>>).filter((a) => a['family'] === 'inet').map((a) => `${String(a['local'])}/${String(a['prefixlen'])}`),
      [`${podA.ip}/24`],
    );
    const routes = await ipJson('-n', podA.ns, '-4', 'route', 'show', 'default');
    assert.deepEqual(routes.map((x) => [x['gateway'], x['dev'] ?? 'eth0']), [[SUBNET.gateway, 'eth0']]);
    assert.equal(hostLink['mtu'], 1500);
    assert.ok((hostLink['flags'] as string[]).includes('UP'));
    // OVS: one Port + Interface on the bridge, tag = VLAN, netloom's marks and the attachment.
    assert.ok((await sandbox!.vsctl('list-ports', BRIDGE)).split('\n').includes(host));
    const port = await portRow(host);
    assert.equal(port?.['tag'], VLAN);
    assert.equal(port?.['vlan_mode'], 'access');
    assert.deepEqual(port?.['external_ids'], {
      'netloom-owner': 'netloom',
      'netloom-kind': 'cni-port',
      'netloom-key': host,
      'netloom-pod-namespace': podA.namespace,
      'netloom-pod-name': podA.name,
      'netloom-container-id': podA.containerId,
      'netloom-ifname': 'eth0',
      'netloom-mac': podA.mac,
      'netloom-ips': podA.ip,
      'netloom-subnet': SUBNET.name,
      'netloom-vlan': String(VLAN),
    });
    const iface = await ifaceRow(host);
    assert.deepEqual(iface?.['external_ids'], {
      'netloom-owner': 'netloom',
      'netloom-kind': 'cni-iface',
      'netloom-key': host,
      'netloom-container-id': podA.containerId,
      'attached-mac': podA.mac,
      'iface-id': `${podA.namespace}/${podA.name}`,
      'iface-status': 'active',
    });
    assert.ok(typeof iface?.['ofport'] === 'number' && iface['ofport'] > 0, 'ovs-vswitchd opened the veth (ADD waited for it)');
  });

  it('ADD plumbs pod B (namespace given as /proc/<pid>/ns/net) and the two pods ping each other over the bridge', async function () {
    containers.push({ id: podB.containerId, netns: netnsB });
    const r = await add(podB, netnsB);
    assert.equal(r.code, 0, `ADD failed: ${r.stdout}${r.stderr}`);
    assert.deepEqual((r.json?.['interfaces'] as unknown[])[1], { name: 'eth0', mac: podB.mac, sandbox: netnsB });
    assert.equal((await sh('ip', '-n', podB.ns, '-br', 'addr', 'show', 'dev', 'eth0')).includes(`${podB.ip}/24`), true);
    assert.equal(await exitCode('ip', 'netns', 'exec', podA.ns, 'ping', '-n', '-q', '-c', '3', '-i', '0.2', '-W', '2', podB.ip), 0, 'A reaches B');
    assert.equal(await exitCode('ip', 'netns', 'exec', podB.ns, 'ping', '-n', '-q', '-c', '3', '-i', '0.2', '-W', '2', podA.ip), 0, 'B reaches A');
    // The VLAN tag ADD wrote is what joins them: on another VLAN, B is out of A's reach; back on it, reachable again.
    const hostB = hostVethName(podB.containerId, 'eth0');
    await sandbox!.vsctl('set', 'Port', hostB, 'tag=200');
    assert.notEqual(await exitCode('ip', 'netns', 'exec', podA.ns, 'ping', '-n', '-q', '-c', '2', '-i', '0.2', '-W', '1', podB.ip), 0, 'B on VLAN 200 is unreachable from A on VLAN 100');
    await sandbox!.vsctl('set', 'Port', hostB, `tag=${VLAN}`);
    assert.equal(await exitCode('ip', 'netns', 'exec', podA.ns, 'ping', '-n', '-q', '-c', '3', '-i', '0.2', '-W', '2', podB.ip), 0, 'A reaches B again');
  });

  it('ADD again for the same container returns the same result and changes nothing', async function () {
    const host = hostVethName(podA.containerId, 'eth0');
    const before = { link: (await ipJson('link', 'show', 'dev', host))[0], inside: (await ipJson('-n', podA.ns, 'addr', 'show', 'dev', 'eth0'))[0], port: await portRow(host), iface: await ifaceRow(host) };
    const first = await add(podA, nsPath(podA.ns));
    const again = await add(podA, nsPath(podA.ns));
    assert.equal(again.code, 0, again.stdout);
    assert.deepEqual(again.json, first.json);
    const after = { link: (await ipJson('link', 'show', 'dev', host))[0], inside: (await ipJson('-n', podA.ns, 'addr', 'show', 'dev', 'eth0'))[0], port: await portRow(host), iface: await ifaceRow(host) };
    assert.equal(after.link?.['ifindex'], before.link?.['ifindex'], 'the host veth is the same link');
    assert.equal(after.inside?.['ifindex'], before.inside?.['ifindex'], 'the container interface is the same link');
    assert.deepEqual(after.inside?.['addr_info'], before.inside?.['addr_info']);
    assert.equal(after.port?.['_uuid'], before.port?.['_uuid'], 'the OVS port row is the same');
    assert.equal(after.iface?.['_uuid'], before.iface?.['_uuid'], 'the OVS interface row is the same');
    assert.ok(logLines().some((l) => l['msg'] === 'already plumbed as allocated; nothing changed'));
  });

  it('CHECK passes on a plumbed pod, and reports drift: a deleted default route, then a changed VLAN tag', async function () {
    const prev = (await add(podA, nsPath(podA.ns))).json;
    const check = (): Promise<PluginRun> => runPlugin(env('CHECK', podA, nsPath(podA.ns)), config({ prevResult: prev }));
    const ok = await check();
    assert.equal(ok.code, 0, ok.stdout);
    assert.equal(ok.stdout, '', 'CHECK prints nothing on success');

    await sh('ip', '-n', podA.ns, 'route', 'del', 'default');
    const noRoute = await check();
    assert.equal(noRoute.code, 1);
    assert.equal(noRoute.json?.['code'], 103);
    assert.match(String(noRoute.json?.['msg']), /lacks the IPv4 default route via 10\.77\.0\.1/);
    await sh('ip', '-n', podA.ns, 'route', 'add', 'default', 'via', SUBNET.gateway, 'dev', 'eth0');
    assert.equal((await check()).code, 0, 'repaired: CHECK passes again');

    const host = hostVethName(podA.containerId, 'eth0');
    await sandbox!.vsctl('set', 'Port', host, 'tag=200');
    const retagged = await check();
    assert.equal(retagged.json?.['code'], 103);
    assert.match(String(retagged.json?.['details']), new RegExp(`OVS port ${host} has tag 200, expected ${VLAN}`));
    await sandbox!.vsctl('set', 'Port', host, `tag=${VLAN}`);
    assert.equal((await check()).code, 0);

    const noPrev = await runPlugin(env('CHECK', podA, nsPath(podA.ns)), config());
    assert.equal(noPrev.json?.['code'], 7, 'CHECK without prevResult is an invalid configuration');
  });

  it('ADD over a drifted attachment of the same container plumbs it again as allocated', async function () {
    const host = hostVethName(podA.containerId, 'eth0');
    await sh('ip', '-n', podA.ns, 'route', 'del', 'default');
    await sandbox!.vsctl('set', 'Port', host, 'tag=300');
    const r = await add(podA, nsPath(podA.ns));
    assert.equal(r.code, 0, r.stdout);
    assert.ok(logLines().some((l) => l['containerId'] === podA.containerId && l['msg'] === 'an earlier attachment of this container differs from the allocation; plumbing it again'));
    assert.deepEqual((await ipJson('-n', podA.ns, '-4', 'route', 'show', 'default')).map((x) => x['gateway']), [SUBNET.gateway], 'the route is back');
    assert.equal((await portRow(host))?.['tag'], VLAN, 'the tag is back');
    const check = await runPlugin(env('CHECK', podA, nsPath(podA.ns)), config({ prevResult: r.json }));
    assert.equal(check.code, 0, check.stdout);
    assert.equal(await exitCode('ip', 'netns', 'exec', podA.ns, 'ping', '-n', '-q', '-c', '3', '-i', '0.2', '-W', '2', podB.ip), 0, 'A reaches B again');
  });

  it('ADD without an allocation waits (bounded) and fails with code 11, leaving nothing behind', async function () {
    const pod: TestPod = { namespace: podA.namespace, name: 'unallocated', ns: `nlcni${PID}u`, containerId: `u${PID}c0ffee`, ip: '', mac: '' };
    await putPod(pod, undefined);
    const netns = await newNetns(pod.ns);
    containers.push({ id: pod.containerId, netns });
    const r = await add(pod, netns, config({ annotationTimeoutMs: 1500 }));
    assert.equal(r.code, 1);
    assert.equal(r.json?.['code'], 11, 'try again later');
    assert.equal(r.json?.['cniVersion'], '1.0.0');
    assert.match(String(r.json?.['msg']), /pod cni-a\/unallocated has no usable netloom allocation after \d+ ms/);
    assert.match(String(r.json?.['details']), /annotations missing: netloom\.io\/allocated-ips/);
    const attempts = logLines().filter((l) => l['containerId'] === pod.containerId && l['msg'] === 'allocation not ready').length;
    assert.ok(attempts >= 2, `it asked the API more than once (${attempts})`);
    assert.equal(await linkExists(hostVethName(pod.containerId, 'eth0')), false, 'no host veth');
    assert.equal(await linkExists('eth0', pod.ns), false, 'no interface in the namespace');
  });

  it('ADD uses an allocation that arrives while it waits', async function () {
    const pod: TestPod = { namespace: podB.namespace, name: 'late', ns: `nlcni${PID}l`, containerId: `l${PID}c0ffee`, ip: '10.77.0.12', mac: '02:77:00:00:00:0c' };
    await putPod(pod, undefined);
    const netns = await newNetns(pod.ns);
    containers.push({ id: pod.containerId, netns });
    const pending = add(pod, netns, config({ annotationTimeoutMs: 30_000 }));
    assert.ok(await eventually(async () => logLines().some((l) => l['containerId'] === pod.containerId && l['msg'] === 'allocation not ready')), 'ADD is waiting');
    await putPod(pod, allocation(pod));
    const r = await pending;
    assert.equal(r.code, 0, r.stdout);
    assert.equal((r.json?.['ips'] as Array<Record<string, unknown>>)[0]?.['address'], `${pod.ip}/24`);
    assert.equal(await exitCode('ip', 'netns', 'exec', pod.ns, 'ping', '-n', '-q', '-c', '2', '-i', '0.2', '-W', '2', podA.ip), 0, 'the late pod reaches A');
    const del = await runPlugin(env('DEL', pod, netns), config());
    assert.equal(del.code, 0, del.stdout);
  });

  it('a failure after the veth was created (OVSDB unreachable) undoes it: no veth, no interface in the namespace', async function () {
    const pod: TestPod = { namespace: podA.namespace, name: 'half-way', ns: `nlcni${PID}h`, containerId: `h${PID}c0ffee`, ip: '10.77.0.13', mac: '02:77:00:00:00:0d' };
    await putPod(pod, allocation(pod));
    const netns = await newNetns(pod.ns);
    containers.push({ id: pod.containerId, netns });
    const r = await add(pod, netns, config({ ovsdb: `unix:${path.join(dir, 'no-such.sock')}`, ovsdbTimeoutMs: 2000 }));
    assert.equal(r.code, 1);
    assert.equal(r.json?.['code'], 101);
    assert.match(String(r.json?.['msg']), /no-such\.sock: connecting failed/);
    const mine = logLines().filter((l) => l['containerId'] === pod.containerId);
    assert.ok(mine.some((l) => l['msg'] === 'created veth'), 'the veth had been created');
    assert.ok(mine.some((l) => l['msg'] === 'undone' && l['step'] === `delete veth ${hostVethName(pod.containerId, 'eth0')}`), 'and was deleted by the undo');
    assert.equal(await linkExists(hostVethName(pod.containerId, 'eth0')), false, 'no host veth');
    assert.equal(await linkExists('eth0', pod.ns), false, 'no interface in the namespace');
  });

  it('a failed OVSDB transaction (bridge missing) adds no row and undoes the veth', async function () {
    const pod: TestPod = { namespace: podA.namespace, name: 'no-bridge', ns: `nlcni${PID}n`, containerId: `n${PID}c0ffee`, ip: '10.77.0.14', mac: '02:77:00:00:00:0e' };
    await putPod(pod, allocation(pod));
    const netns = await newNetns(pod.ns);
    containers.push({ id: pod.containerId, netns });
    const host = hostVethName(pod.containerId, 'eth0');
    const r = await add(pod, netns, config({ bridge: 'br-missing' }));
    assert.equal(r.json?.['code'], 101);
    assert.match(String(r.json?.['msg']), /bridge br-missing does not exist/);
    assert.equal(await portRow(host), undefined, 'no Port row');
    assert.equal(await ifaceRow(host), undefined, 'no Interface row');
    assert.equal(await linkExists(host), false, 'no host veth');
    assert.equal(await linkExists('eth0', pod.ns), false, 'no interface in the namespace');
  });

  it('DEL removes the veth and the OVS port; DEL again, and DEL of an unknown container without namespace, succeed', async function () {
    for (const [pod, netns] of [[podA, nsPath(podA.ns)], [podB, netnsB]] as const) {
      const host = hostVethName(pod.containerId, 'eth0');
      const r = await runPlugin(env('DEL', pod, netns), config());
      assert.equal(r.code, 0, r.stdout);
      assert.equal(r.stdout, '', 'DEL prints nothing');
      assert.equal(await linkExists(host), false, 'host veth gone');
      assert.equal(await linkExists('eth0', pod.ns), false, 'container interface gone');
      assert.equal(await portRow(host), undefined, 'Port row gone');
      assert.equal(await ifaceRow(host), undefined, 'Interface row gone');
      const again = await runPlugin(env('DEL', pod, netns), config());
      assert.equal(again.code, 0, `DEL again: ${again.stdout}`);
    }
    assert.equal(await sandbox!.vsctl('list-ports', BRIDGE), '', 'nothing is left on the bridge');
    const unknown = await runPlugin({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'never-added', CNI_IFNAME: 'eth0' }, config({ kubeconfig: path.join(dir, 'missing.json') }));
    assert.equal(unknown.code, 0, `DEL of an unknown container: ${unknown.stdout}`);
  });
});
