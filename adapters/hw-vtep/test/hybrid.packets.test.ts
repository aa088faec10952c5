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
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type HwVtepFabricSession, hwVtepFabric } from '@netloom/adapter-hw-vtep';
import { FabricConfigCodec, configEquals, decodeOrThrow, silentLogger, type FabricConfig } from '@netloom/ports';
import { type OvsSandbox, ovsUnavailableReason, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { converge, eventually } from './support';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const OVS_VTEP = '/usr/share/openvswitch/scripts/ovs-vtep';

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

function labUnavailable(): string | undefined {
  const ovs = ovsUnavailableReason({ vswitchd: true, vtep: true });
  if (ovs !== undefined) return ovs;
  for (const f of [PYTHON, OVS_VTEP, '/usr/sbin/ip', '/usr/bin/ping']) if (!fs.existsSync(f)) return `${f} is missing (LAB.md: openvswitch-vtep, iproute2, iputils-ping)`;
  return undefined;
}

async function sh(cmd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args);
  return stdout.trim();
}

async function pings(from: string, to: string): Promise<boolean> {
  try {
    await run('ip', ['netns', 'exec', from, 'ping', '-c', '1', '-W', '1', to]);
    return true;
  } catch {
    return false;
  }
}

async function hostDevices(): Promise<string[]> {
  const out = await sh('ip', '-o', 'link', 'show');
  return out
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** The leaf's desired config: segment 5000, the binding (p1, 100), and flood VTEPs to `floods`. */
function leafConfig(floods: readonly string[]): FabricConfig {
  return decodeOrThrow(
    FabricConfigCodec,
    {
      vrf: {},
      interconnect: {},
      segment: { [VNI]: { key: String(VNI), name: 'ls-hybrid', l2Vni: VNI } },
      binding: { [`${N.p1}:100`]: { key: `${N.p1}:100`, interface: N.p1, vlan: 100, l2Vni: VNI } },
      floodVtep: Object.fromEntries(floods.map((ip) => [`${VNI}:${ip}`, { key: `${VNI}:${ip}`, l2Vni: VNI, remoteIp: ip }])),
    },
    'leaf config',
  );
}

/** PIDs of the daemons of this test (ovsdb-server, ovs-vswitchd, ovs-vtep). */
const daemonPids: number[] = [];
let sandboxDir: string | undefined;

describe('hw-vtep hybrid overlay with real packets (ovs-vtep leaf ↔ host-overlay VTEP)', function () {
  this.timeout(180_000);
  let ovs: OvsSandbox | undefined;
  let vtep: ChildProcess | undefined;
  let session: HwVtepFabricSession | undefined;
  const namespaces: string[] = [];
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
    skipUnlessOvs(this, { vswitchd: true, vtep: true });
    const reason = labUnavailable();
    if (reason !== undefined) {
      if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
      process.stdout.write(`      skipped: ${reason}\n`);
      this.skip();
    }
    ovs = await startOvsSandbox({ vswitchd: true, vtep: true });
    sandboxDir = ovs.dir;
    for (const f of ['ovsdb.pid', 'vswitchd.pid']) {
      const pid = Number(fs.readFileSync(path.join(ovs.dir, f), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) daemonPids.push(pid);
    }
    const v = ovs.vsctl.bind(ovs);
    await underlay(ovs);
    // Pods: a namespace each with a veth into its node's bridge.
    for (const [ns, veth, podIf, ip] of [
      [N.podA, N.vethA, N.podIfA, IP_A],
      [N.podB, N.vethB, N.podIfB, IP_B],
    ] as const) {
      await sh('ip', 'netns', 'add', ns);
      namespaces.push(ns);
      await sh('ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', podIf);
      await sh('ip', 'link', 'set', podIf, 'netns', ns);
      await sh('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', `${ip}/24`, 'dev', podIf);
      await sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', podIf, 'up');
      await sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      await sh('ip', 'link', 'set', veth, 'up');
    }
    // Network-overlay node: the pod on VLAN 100, a trunk uplink whose other end is leaf port p1.
    await sh('ip', 'link', 'add', N.upA, 'type', 'veth', 'peer', 'name', N.p1);
    await sh('ip', 'link', 'set', N.upA, 'up');
    await sh('ip', 'link', 'set', N.p1, 'up');
    await v('add-br', N.nodeA, '--', 'set', 'bridge', N.nodeA, 'datapath_type=netdev');
    await v('add-port', N.nodeA, N.vethA, 'tag=100');
    await v('add-port', N.nodeA, N.upA);
    // Host-overlay node: its bridge is the VTEP (HOST_VTEP), the pod and a VXLAN port to the leaf carrying the VNI.
    await v('add-br', N.host, '--', 'set', 'bridge', N.host, 'datapath_type=netdev');
    await v('add-port', N.host, N.vethB);
    await v('add-port', N.host, N.vxlan, '--', 'set', 'interface', N.vxlan, 'type=vxlan', `options:remote_ip=${LEAF_VTEP}`, `options:key=${VNI}`);
    // The leaf: an OVS bridge with port p1, a Physical_Switch whose VTEP address is LEAF_VTEP, run by ovs-vtep.
    await v('add-br', N.leaf, '--', 'set', 'bridge', N.leaf, 'datapath_type=netdev');
    await v('add-port', N.leaf, N.p1);
    await ovs.vtepctl('add-ps', N.leaf);
    await ovs.vtepctl('set', 'Physical_Switch', N.leaf, `tunnel_ips=${LEAF_VTEP}`);
    await ovs.vtepctl('add-port', N.leaf, N.p1);
    const log = path.join(ovs.dir, 'ovs-vtep.log');
    vtep = spawn(PYTHON, [OVS_VTEP, `--log-file=${log}`, `--pidfile=${path.join(ovs.dir, 'ovs-vtep.pid')}`, N.leaf], { env: ovs.env, stdio: 'ignore' });
    if (vtep.pid !== undefined) daemonPids.push(vtep.pid);
    const sandbox = ovs;
    await eventually('ovs-vtep to take over the leaf', async () => {
      if (vtep?.exitCode !== null) throw new Error(`ovs-vtep exited with ${String(vtep?.exitCode)}: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : ''}`);
      const description = await sandbox.vtepctl('get', 'Physical_Switch', N.leaf, 'description');
      const bfd = await sandbox.vsctl('br-exists', 'vtep_bfd').then(
        () => true,
        () => false,
      );
      return description === '"OVS VTEP Emulator"' && bfd;
    });
    session = await hwVtepFabric({ target: { name: 'leaf-hybrid', address: '127.0.0.1', port: ovs.tcpPort }, options: { physicalSwitch: N.leaf }, logger: silentLogger }).connect();
  });

  after(async function () {
    this.timeout(60_000);
    // Every step on its own: one failing must not leave the others' leftovers.
    await session?.close().catch(() => undefined);
    if (vtep !== undefined && vtep.exitCode === null && vtep.signalCode === null) {
      const exited = new Promise<void>((r) => vtep!.once('exit', () => r()));
      vtep.kill('SIGTERM');
      const timer = setTimeout(() => vtep?.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    // Deletes every bridge (leaf, node, host VTEP, underlay, ovs-vtep's), stops ovsdb-server and ovs-vswitchd.
    await ovs?.stop().catch(() => undefined);
    for (const dev of [N.upA, N.vethA, N.vethB, N.wireLeaf]) await run('ip', ['link', 'del', dev]).catch(() => undefined);
    for (const ns of namespaces) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  });

  it('segment and binding without the flood VTEP: the host-overlay pod is not reached', async () => {
    await converge(session!, leafConfig([]));
    assert.ok(configEquals((await session!.observe()).config, leafConfig([])));
    for (let i = 0; i < 3; i++) assert.equal(await pings(N.podA, IP_B), false, `ping ${i + 1} went through without a flood VTEP`);
  });

  it('the flood VTEP of the host-overlay node, applied through the adapter, connects the pods over VXLAN', async () => {
    await converge(session!, leafConfig([HOST_VTEP]));
    assert.ok(configEquals((await session!.observe()).config, leafConfig([HOST_VTEP])));
    await eventually('pod a (behind the leaf) to reach pod b (behind the host VTEP)', () => pings(N.podA, IP_B), 60_000);
    assert.equal(await pings(N.podB, IP_A), true);
    // ovs-vtep built a VXLAN port to the host VTEP, with the VNI as key, from the locator the adapter wrote.
    const ports = (await ovs!.vsctl('list-ports', `${N.leaf}_vtep_ls1`)).split('\n');
    const tunnels: string[] = [];
    for (const p of ports) if ((await ovs!.vsctl('get', 'interface', p, 'type')) === 'vxlan') tunnels.push(await ovs!.vsctl('get', 'interface', p, 'options'));
    assert.deepEqual(tunnels, [`{key="${VNI}", remote_ip="${HOST_VTEP}"}`]);
  });

  it('removing the flood VTEP (the last host-overlay pod of the LS gone) separates the pods again', async () => {
    await converge(session!, leafConfig([]));
    assert.ok(configEquals((await session!.observe()).config, leafConfig([])));
    await eventually('ovs-vtep to remove the tunnel to the host VTEP', async () => {
      const ports = (await ovs!.vsctl('list-ports', `${N.leaf}_vtep_ls1`)).split('\n').filter((p) => p !== '');
      for (const p of ports) if ((await ovs!.vsctl('get', 'interface', p, 'type')) === 'vxlan') return false;
      return true;
    }, 30_000);
    for (let i = 0; i < 3; i++) assert.equal(await pings(N.podA, IP_B), false, `ping ${i + 1} went through`);
  });
});

describe('hw-vtep hybrid overlay with real packets: nothing left behind', function () {
  before(function () {
    if (sandboxDir !== undefined) return;
    const reason = 'the hybrid packet test above did not start its sandbox, so there is nothing of it to check';
    if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
    process.stdout.write(`      skipped: ${reason}\n`);
    this.skip();
  });

  it('no namespace, network device, daemon or directory of the test remains', async () => {
    const netns = await sh('ip', 'netns', 'list');
    assert.ok(!netns.includes(N.podA) && !netns.includes(N.podB), netns);
    const left = (await hostDevices()).filter((d) => HOST_DEVICES.includes(d));
    assert.deepEqual(left, []);
    assert.equal(daemonPids.length, 3, 'the pids of ovsdb-server, ovs-vswitchd and ovs-vtep were recorded');
    for (const pid of daemonPids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `daemon ${pid} still runs`);
    assert.equal(fs.existsSync(sandboxDir!), false);
  });
});
