// Hybrid overlay with real packets (ADR 0010): a network-overlay pod behind a leaf emulated by ovs-vtep (the node's
// bridge tags it with VLAN 100 and trunks it into leaf port p1) and a host-overlay pod behind a VTEP bridge of its own
// (a plain OVS VXLAN port, key = the VNI) are in one L2 VNI. The leaf is programmed only through the hw-vtep adapter:
// the segment, the binding (p1, 100) and the flood VTEP of the host-overlay node. With the flood VTEP the pods ping
// each other over VXLAN; without it (the last host-overlay pod gone) they do not.
//
// The underlay follows the h3c-s1020v packet test (LAB.md: userspace tunnels need the tunnel IP on an OVS bridge and
// a route): the leaf's and the host's VTEP addresses sit on the LOCAL ports of two underlay bridges joined by a veth
// pair; both live in this one ovs-vswitchd, so their kernel local routes are taken away and OVS gets explicit routes
// (`ovs/route/add`) and neighbours (`tnl/neigh/set`). None of it touches a row netloom owns.
// NOTE: the host's VXLAN port has no `options:local_ip`: with it, OVS 3.1's native tunnel routing finds no route for
// the user route added here ("native tunnel routing failed"); the source address comes from the route instead.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { type HwVtepFabricSession } from '@netloom/adapter-hw-vtep';
import { configEquals, type FabricConfig } from '@netloom/ports';
import { type OvsSandbox } from '@netloom/ovsdb/testing';
import { VtepPacketLab, converge, describeNothingLeftBehind, eventually, fabric, pings, sh } from './support';

// Short and unique per run: with the userspace datapath every bridge is a network device (at most 15 characters), and
// ovs-vtep names its bridge per logical switch <leaf>_vtep_ls<n>.
const sfx = String(process.pid % 10_000);
const N = {
  leaf: `hl${sfx}`,
  nodeA: `hna${sfx}`,
  host: `hh${sfx}`,
  podA: `nlhya${process.pid}`,
  podB: `nlhyb${process.pid}`,
  vethA: `hva${sfx}`,
  vethB: `hvb${sfx}`,
  podIfA: `hea${sfx}`,
  podIfB: `heb${sfx}`,
  upA: `hua${sfx}`,
  p1: `hp1x${sfx}`,
  vxlan: `hx${sfx}`,
  underLeaf: `hul${sfx}`,
  underHost: `huh${sfx}`,
  wireLeaf: `hwl${sfx}`,
  wireHost: `hwh${sfx}`,
};
const net = process.pid % 200;
const LEAF_VTEP = `172.30.${net}.1`;
const HOST_VTEP = `172.30.${net}.2`;
const VNI = 5000;
const IP_A = '10.79.0.1';
const IP_B = '10.79.0.2';
/** Network devices this test creates in the host namespace (directly, or as bridges). */
const HOST_DEVICES = [
  N.leaf,
  `${N.leaf}_vtep_ls1`,
  'vtep_bfd',
  N.nodeA,
  N.host,
  N.vethA,
  N.vethB,
  N.upA,
  N.p1,
  N.underLeaf,
  N.underHost,
  N.wireLeaf,
  N.wireHost,
];

/** The leaf's desired config: segment 5000, the binding (p1, 100), and flood VTEPs to `floods`. */
function leafConfig(floods: readonly string[]): FabricConfig {
  return fabric([[VNI, 'ls-hybrid']], [[N.p1, 100, VNI]], floods.map((ip) => [VNI, ip] as const));
}

const lab = new VtepPacketLab();

describe('hw-vtep hybrid overlay with real packets (ovs-vtep leaf ↔ host-overlay VTEP)', function () {
  this.timeout(180_000);
  let ovs: OvsSandbox | undefined;
  let session: HwVtepFabricSession | undefined;
  const appctl = (...args: string[]): Promise<string> => sh('ovs-appctl', '-t', path.join(ovs!.dir, 'vswitchd.ctl'), ...args);

  /** The underlay: the two VTEP addresses on the LOCAL ports of two bridges joined by a veth pair. */
  async function underlay(s: OvsSandbox): Promise<void> {
    await sh('ip', 'link', 'add', N.wireLeaf, 'type', 'veth', 'peer', 'name', N.wireHost);
    for (const [bridge, wire, addr] of [
      [N.underLeaf, N.wireLeaf, LEAF_VTEP],
      [N.underHost, N.wireHost, HOST_VTEP],
    ] as const) {
      await s.vsctl('add-br', bridge, '--', 'set', 'bridge', bridge, 'datapath_type=netdev', 'fail_mode=secure');
      await s.vsctl('add-port', bridge, wire, '--', 'set', 'interface', wire, 'ofport_request=1');
      await s.ofctl('add-flow', bridge, 'in_port=LOCAL,actions=output:1');
      await s.ofctl('add-flow', bridge, 'in_port=1,actions=LOCAL');
      await sh('ip', 'link', 'set', wire, 'up');
      await sh('ip', 'link', 'set', bridge, 'up');
      await sh('ip', 'addr', 'add', `${addr}/24`, 'dev', bridge, 'noprefixroute');
      await sh('ip', 'route', 'del', 'local', addr, 'dev', bridge, 'table', 'local');
    }
    await eventually('OVS to forget the local routes of the VTEP addresses', async () => {
      const routes = await appctl('ovs/route/show');
      return !routes.includes(`${LEAF_VTEP}/32 dev ${N.underLeaf}`) && !routes.includes(`${HOST_VTEP}/32 dev ${N.underHost}`);
    });
    await appctl('ovs/route/add', `${HOST_VTEP}/32`, N.underLeaf);
    await appctl('ovs/route/add', `${LEAF_VTEP}/32`, N.underHost);
    const macLeaf = await sh('cat', `/sys/class/net/${N.underLeaf}/address`);
    const macHost = await sh('cat', `/sys/class/net/${N.underHost}/address`);
    await appctl('tnl/neigh/set', N.underLeaf, HOST_VTEP, macHost);
    await appctl('tnl/neigh/set', N.underHost, LEAF_VTEP, macLeaf);
  }

  before(async function () {
    ovs = await lab.start(this);
    const v = ovs.vsctl.bind(ovs);
    await underlay(ovs);
    // Pods: a namespace each with a veth into its node's bridge.
    await lab.addPod(N.podA, N.vethA, N.podIfA, IP_A);
    await lab.addPod(N.podB, N.vethB, N.podIfB, IP_B);
    // Network-overlay node: the pod on VLAN 100, a trunk uplink whose other end is leaf port p1.
    await lab.addNetworkNode({ bridge: N.nodeA, podVeth: N.vethA, vlan: 100, uplink: N.upA, leafPort: N.p1 });
    // Host-overlay node: its bridge is the VTEP (HOST_VTEP), the pod and a VXLAN port to the leaf carrying the VNI.
    await v('add-br', N.host, '--', 'set', 'bridge', N.host, 'datapath_type=netdev');
    await v('add-port', N.host, N.vethB);
    await v('add-port', N.host, N.vxlan, '--', 'set', 'interface', N.vxlan, 'type=vxlan', `options:remote_ip=${LEAF_VTEP}`, `options:key=${VNI}`);
    // The leaf: an OVS bridge with port p1, a Physical_Switch whose VTEP address is LEAF_VTEP, run by ovs-vtep.
    await lab.startLeaf({ name: N.leaf, ports: [N.p1], tunnelIp: LEAF_VTEP });
    session = await lab.connect('leaf-hybrid', N.leaf);
  });

  after(async function () {
    this.timeout(60_000);
    // Deletes every bridge (leaf, node, host VTEP, underlay, ovs-vtep's), stops ovsdb-server and ovs-vswitchd.
    await lab.stop([N.upA, N.vethA, N.vethB, N.wireLeaf]);
  });

  it('segment and binding without the flood VTEP: the host-overlay pod is not reached', async () => {
    await converge(session!, leafConfig([]));
    assert.ok(configEquals((await session!.observe()).config, leafConfig([])));
    for (let i = 0; i < 3; i++) assert.equal(await pings(N.podA, IP_B), false, `ping ${i + 1} went through without a flood VTEP`);
  });

  /** An interface's type, or undefined when ovs-vtep removed it between list-ports and this read (it does so at will). */
  const typeOf = (port: string): Promise<string | undefined> => ovs!.vsctl('get', 'interface', port, 'type').catch(() => undefined);

  it('the flood VTEP of the host-overlay node, applied through the adapter, connects the pods over VXLAN', async () => {
    await converge(session!, leafConfig([HOST_VTEP]));
    assert.ok(configEquals((await session!.observe()).config, leafConfig([HOST_VTEP])));
    await eventually('pod a (behind the leaf) to reach pod b (behind the host VTEP)', () => pings(N.podA, IP_B), 60_000);
    assert.equal(await pings(N.podB, IP_A), true);
    // ovs-vtep built a VXLAN port to the host VTEP, with the VNI as key, from the locator the adapter wrote.
    const ports = (await ovs!.vsctl('list-ports', `${N.leaf}_vtep_ls1`)).split('\n');
    const tunnels: string[] = [];
    for (const p of ports) if ((await typeOf(p)) === 'vxlan') tunnels.push(await ovs!.vsctl('get', 'interface', p, 'options'));
    assert.deepEqual(tunnels, [`{key="${VNI}", remote_ip="${HOST_VTEP}"}`]);
  });

  it('removing the flood VTEP (the last host-overlay pod of the LS gone) separates the pods again', async () => {
    await converge(session!, leafConfig([]));
    assert.ok(configEquals((await session!.observe()).config, leafConfig([])));
    await eventually('ovs-vtep to remove the tunnel to the host VTEP', async () => {
      const ports = (await ovs!.vsctl('list-ports', `${N.leaf}_vtep_ls1`)).split('\n').filter((p) => p !== '');
      for (const p of ports) if ((await typeOf(p)) === 'vxlan') return false;
      return true;
    }, 30_000);
    for (let i = 0; i < 3; i++) assert.equal(await pings(N.podA, IP_B), false, `ping ${i + 1} went through`);
  });
});

describeNothingLeftBehind('hw-vtep hybrid overlay with real packets: nothing left behind', lab, { test: 'the hybrid packet test above', pods: [N.podA, N.podB], hostDeviceNames: HOST_DEVICES });
