// Real packets through the host overlay: two "nodes" as two bridges that netloom creates in ONE throw-away Open
// vSwitch (userspace datapath), each bridge a VTEP with a VXLAN tunnel to the other, pods as network namespaces.
//
// The underlay (LAB.md: "userspace tunnels need the tunnel IP on an OVS bridge and a route"): each node has an
// underlay bridge whose LOCAL port holds its VTEP address, and a veth pair joins the two underlay bridges. Both
// addresses live in the one network namespace of the one ovs-vswitchd, so OVS's router would find the remote VTEP
// address "local" and send the encapsulated packet out of the wrong bridge; the lab therefore takes the kernel's
// local routes for the two addresses away (OVS mirrors the kernel's routes), routes each remote address through
// its own node's underlay bridge with `ovs/route/add`, and sets the neighbour entries with `tnl/neigh/set` (no
// kernel answers ARP for an address without a local route). None of this touches a row netloom owns.
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { type OvsSandbox, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { freePort, h3cS1020vVSwitch, type H3cVSwitchSession } from '@netloom/adapter-h3c-s1020v';
import { emptyVSwitchConfig, silentLogger, type VSwitchConfig } from '@netloom/ports';
import { canPing, createPod, deletePod, exitCode, sh, startServer, stopProcess, tcpExchange, type Pod } from '@netloom/ovs-vswitch/testing';

const id = process.pid;
const net = id % 200;
/** The two VTEP (underlay) addresses. */
const vtep1 = `172.31.${net}.1`;
const vtep2 = `172.31.${net}.2`;
/** Node bridges (netloom's) and underlay bridges (the lab's), at most 15 characters each. */
const node1 = `h3n1${id}`;
const node2 = `h3n2${id}`;
const under1 = `h3u1${id}`;
const under2 = `h3u2${id}`;
const wire1 = `h3w1${id}`;
const wire2 = `h3w2${id}`;

const podA: Pod = { ns: `h3c-a-${id}`, hostIf: `h3a${id}`, ip: '10.78.0.1', mac: '0a:58:0a:4e:00:01' };
const podB: Pod = { ns: `h3c-b-${id}`, hostIf: `h3b${id}`, ip: '10.78.0.2', mac: '0a:58:0a:4e:00:02' };
const podC: Pod = { ns: `h3c-c-${id}`, hostIf: `h3c${id}`, ip: '10.78.0.3', mac: '0a:58:0a:4e:00:03' };
const podD: Pod = { ns: `h3c-d-${id}`, hostIf: `h3d${id}`, ip: '10.78.0.4', mac: '0a:58:0a:4e:00:04' };
const pods = [podA, podB, podC, podD];
/** Where each pod lives: A and D on node 1, B and C on node 2; A and B on VNI 5001, C and D on VNI 5002. */
const placement: readonly [Pod, string, number][] = [
  [podA, node1, 5001],
  [podD, node1, 5002],
  [podB, node2, 5001],
  [podC, node2, 5002],
];

interface Shape {
  /** `flow`: one tunnel per direction carrying every VNI; `per-vni`: one tunnel per VNI with a fixed key; `none`. */
  readonly tunnels?: 'flow' | 'per-vni' | 'none';
  /** B is isolated in group web, which admits tcp 8080 from A's address. */
  readonly isolateB?: boolean;
}

function config(shape: Shape = {}): VSwitchConfig {
  const c = emptyVSwitchConfig() as unknown as Record<string, Record<string, unknown>>;
  c['bridge'] = { [node1]: { key: node1, name: node1 }, [node2]: { key: node2, name: node2 } };
  const tunnels: Record<string, unknown> = {};
  const tunnel = (name: string, bridge: string, remoteIp: string, tunnelKey: number | 'flow'): void => {
    tunnels[name] = { key: name, name, bridge, remoteIp, tunnelKey };
  };
  if ((shape.tunnels ?? 'flow') === 'flow') {
    tunnel(`h3x1${id}`, node1, vtep2, 'flow');
    tunnel(`h3x2${id}`, node2, vtep1, 'flow');
  } else if (shape.tunnels === 'per-vni') {
    for (const vni of [5001, 5002]) {
      tunnel(`h3k${vni % 10}1${id}`, node1, vtep2, vni);
      tunnel(`h3k${vni % 10}2${id}`, node2, vtep1, vni);
    }
  }
  c['tunnel'] = tunnels;
  c['securityGroupRule'] =
    shape.isolateB === true
      ? { 'web:http-in': { key: 'web:http-in', group: 'web', name: 'http-in', direction: 'ingress', protocol: 'tcp', ports: [{ from: 8080, to: 8080 }], remote: { cidr: `${podA.ip}/32` } } }
      : {};
  const ports: Record<string, unknown> = {};
  for (const [pod, bridge, vni] of placement) {
    ports[pod.hostIf] = {
      key: pod.hostIf,
      name: pod.hostIf,
      bridge,
      mac: pod.mac,
      ips: [pod.ip],
      attachment: { type: 'tunnel', tunnelKey: vni },
      endpointId: `test/${pod.ns}`,
      pod: { namespace: 'test', name: pod.ns },
      ...(pod === podB && shape.isolateB === true ? { securityGroups: ['web'] } : {}),
    };
  }
  c['endpointPort'] = ports;
  return c as unknown as VSwitchConfig;
}

async function converge(session: H3cVSwitchSession, desired: VSwitchConfig): Promise<void> {
  const plan = await session.plan({ desired });
  const tx = await session.apply({ changeSet: plan });
  await session.confirm({ transaction: tx });
  const again = await session.plan({ desired });
  assert.equal(again.changes.length, 0, 'converged: nothing left to change');
}

describe('h3c-s1020v host overlay with real packets (two VTEP bridges, VXLAN between them, pods as namespaces)', function () {
  this.timeout(120_000);
  let sandbox: OvsSandbox | undefined;
  let session: H3cVSwitchSession | undefined;
  let server: ChildProcess | undefined;
  const appctl = (...args: string[]): Promise<string> => sh('ovs-appctl', '-t', `${sandbox!.dir}/vswitchd.ctl`, ...args);
  const ofport = async (iface: string): Promise<string> => sandbox!.vsctl('get', 'interface', iface, 'ofport');

  /** The underlay: two bridges with the VTEP addresses on their LOCAL ports, joined by a veth pair. */
  async function underlay(s: OvsSandbox): Promise<void> {
    await sh('ip', 'link', 'add', wire1, 'type', 'veth', 'peer', 'name', wire2);
    for (const [bridge, wire, addr] of [
      [under1, wire1, vtep1],
      [under2, wire2, vtep2],
    ] as const) {
      await s.vsctl('add-br', bridge, '--', 'set', 'bridge', bridge, 'datapath_type=netdev', 'fail_mode=secure');
      await s.vsctl('add-port', bridge, wire, '--', 'set', 'interface', wire, 'ofport_request=1');
      // The underlay bridge only joins its LOCAL port (the VTEP address) to the wire.
      await s.ofctl('add-flow', bridge, 'in_port=LOCAL,actions=output:1');
      await s.ofctl('add-flow', bridge, 'in_port=1,actions=LOCAL');
      await sh('ip', 'link', 'set', wire, 'up');
      await sh('ip', 'link', 'set', bridge, 'up');
      await sh('ip', 'addr', 'add', `${addr}/24`, 'dev', bridge, 'noprefixroute');
      await sh('ip', 'route', 'del', 'local', addr, 'dev', bridge, 'table', 'local');
    }
    // OVS re-reads the kernel's routes after a change; wait until neither VTEP address is "local" to it any more.
    for (let i = 0; ; i++) {
      const routes = await appctl('ovs/route/show');
      if (!routes.includes(`${vtep1}/32 dev ${under1}`) && !routes.includes(`${vtep2}/32 dev ${under2}`)) break;
      if (i > 100) assert.fail(`OVS still routes a VTEP address locally:\n${routes}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await appctl('ovs/route/add', `${vtep2}/32`, under1);
    await appctl('ovs/route/add', `${vtep1}/32`, under2);
    const mac1 = await sh('cat', `/sys/class/net/${under1}/address`);
    const mac2 = await sh('cat', `/sys/class/net/${under2}/address`);
    await appctl('tnl/neigh/set', under1, vtep2, mac2);
    await appctl('tnl/neigh/set', under2, vtep1, mac1);
  }

  before(async function () {
    skipUnlessOvs(this, { vswitchd: true });
    sandbox = await startOvsSandbox({ vswitchd: true });
    await underlay(sandbox);
    for (const p of pods) await createPod(p);
    const driver = h3cS1020vVSwitch({
      target: { name: 'vteps' },
      // Several bridges: netloom is their OpenFlow controller (listen mode).
      options: { ovsdb: sandbox.unixRemote, openflow: { listen: { host: '127.0.0.1', port: await freePort() } }, datapathType: 'netdev' },
      logger: silentLogger,
    });
    session = await driver.connect();
    await converge(session, config());
  });

  after(async function () {
    await stopProcess(server);
    await session?.close().catch(() => undefined);
    await sandbox?.stop().catch(() => undefined);
    for (const p of pods) await deletePod(p);
    await exitCode('ip', 'link', 'del', wire1);
    const links = await sh('ip', '-br', 'link');
    for (const name of [...pods.map((p) => p.hostIf), node1, node2, under1, under2, wire1, wire2]) assert.equal(links.includes(name), false, `${name} is left in the host namespace`);
  });

  it('pods of VNI 5001 on the two nodes ping each other across the tunnel, so do those of VNI 5002; across VNIs nothing passes', async function () {
    assert.equal(await canPing(podA, podB.ip), true, 'A (node 1) pings B (node 2) on VNI 5001');
    assert.equal(await canPing(podB, podA.ip), true, 'B pings A');
    assert.equal(await canPing(podC, podD.ip), true, 'C (node 2) pings D (node 1) on VNI 5002');
    assert.equal(await canPing(podC, podA.ip), false, 'C (VNI 5002) must not reach A (VNI 5001) across the tunnel');
    assert.equal(await canPing(podA, podD.ip), false, 'A must not reach D: same node, other VNI');
    assert.equal(await canPing(podB, podC.ip), false, 'B must not reach C: same node, other VNI');
  });

  it('on the wire: a local packet gets tun_id = its VNI and leaves through the tunnel; a tunnel packet reaches local ports of its VNI only', async function () {
    const [portA, portB, tun1, tun2] = await Promise.all([ofport(podA.hostIf), ofport(podB.hostIf), ofport(`h3x1${id}`), ofport(`h3x2${id}`)]);
    const out = await appctl('ofproto/trace', node1, `in_port=${portA},dl_src=${podA.mac},dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_spa=${podA.ip},arp_tpa=${podB.ip}`);
    assert.match(out, /set_field:0x1389->tun_id/, out);
    assert.match(out, new RegExp(`output:${tun1}\\b`), out);
    assert.match(out, new RegExp(`tunneling to ${vtep2.replace(/\./g, '\\.')} via ${under1}`), out);
    // Decapsulated on node 2: VNI 5001 goes to B only — not back into a tunnel (split horizon), not to C (VNI 5002).
    const decap = await appctl('ofproto/trace', node2, `in_port=${tun2},tun_id=0x1389,tun_src=${vtep1},tun_dst=${vtep2},dl_src=${podA.mac},dl_dst=ff:ff:ff:ff:ff:ff,arp`);
    const outputs = [...decap.matchAll(/^\s+output:(\d+)/gm)].map((m) => m[1]);
    assert.deepEqual(outputs, [portB], decap);
    // A VNI no local port uses is dropped.
    const unknown = await appctl('ofproto/trace', node2, `in_port=${tun2},tun_id=0x2710,tun_src=${vtep1},tun_dst=${vtep2},dl_dst=ff:ff:ff:ff:ff:ff,arp`);
    assert.match(unknown, /Datapath actions: drop/, unknown);
  });

  it('per-VNI keys: one fixed-key tunnel per VNI carries that VNI only, and isolation still holds', async function () {
    await converge(session!, config({ tunnels: 'per-vni' }));
    assert.equal(await sandbox!.vsctl('get', 'interface', `h3k11${id}`, 'options:key'), '"5001"');
    assert.equal(await canPing(podA, podB.ip), true, 'A pings B through the key-5001 tunnel');
    assert.equal(await canPing(podD, podC.ip), true, 'D pings C through the key-5002 tunnel');
    assert.equal(await canPing(podA, podC.ip), false, 'still no path across VNIs');
    await converge(session!, config({ tunnels: 'none' }));
    assert.equal(await canPing(podA, podB.ip), false, 'without tunnels the nodes are cut off from each other');
    await converge(session!, config());
    assert.equal(await canPing(podA, podB.ip), true, 'the tunnel is back');
  });

  it('a security group on B (node 2) admits tcp 8080 from A (node 1) across the tunnel, replies included, and nothing else', async function () {
    server = await startServer(podB, [8080, 8081]);
    assert.equal(await tcpExchange(podA, podB.ip, 8081), 'pong:8081:ping', 'not isolated yet: every port answers');
    await converge(session!, config({ isolateB: true }));
    assert.equal(await tcpExchange(podA, podB.ip, 8080), 'pong:8080:ping', 'allowed: A → B:8080, and the reply comes back (conntrack)');
    assert.equal(await tcpExchange(podA, podB.ip, 8081), undefined, 'B:8081 must be closed (no rule)');
    assert.equal(await canPing(podA, podB.ip), false, 'ICMP to B is not allowed by the group');
    assert.equal(await canPing(podC, podD.ip), true, 'VNI 5002 is not affected');
    await converge(session!, config());
    assert.equal(await tcpExchange(podA, podB.ip, 8081), 'pong:8081:ping', 'not isolated any more: everything passes again');
  });
});
