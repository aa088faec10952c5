// With real packets (LAB.md "A leaf switch: the OVS hardware-VTEP emulator"): two nodes (OVS bridges) each with a
// pod namespace on its own VLAN (100 on node a, 230 on node b) trunk into the ports of a leaf emulated by ovs-vtep.
// The leaf is driven only through the adapter: the segment with L2 VNI 5000 and the bindings (l1p1, 100) and
// (l1p2, 230) make the pods reach each other; deleting one binding separates them again.
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type HwVtepFabricSession, hwVtepFabric } from '@netloom/adapter-hw-vtep';
import { configEquals, silentLogger } from '@netloom/ports';
import { type OvsSandbox, ovsUnavailableReason, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { converge, eventually, fabric } from './support';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const OVS_VTEP = '/usr/share/openvswitch/scripts/ovs-vtep';

// Unique per run, and short: ovs-vtep names its bridge per logical switch <leaf>_vtep_ls<n>, and with the userspace
// datapath every bridge is also a network device (at most 15 characters).
const sfx = String(process.pid % 10_000);
const N = {
  leaf: `l${sfx}`,
  nodeA: `na${sfx}`,
  nodeB: `nb${sfx}`,
  podA: `nlpoda${process.pid}`,
  podB: `nlpodb${process.pid}`,
  vethA: `va${sfx}`,
  vethB: `vb${sfx}`,
  podIfA: `ea${sfx}`,
  podIfB: `eb${sfx}`,
  upA: `ua${sfx}`,
  upB: `ub${sfx}`,
  l1p1: `l1p1x${sfx}`,
  l1p2: `l1p2x${sfx}`,
};
const IP_A = '10.77.0.1';
const IP_B = '10.77.0.2';
/** Network devices this test creates in the host namespace (directly, or as bridges). */
const HOST_DEVICES = [N.leaf, `${N.leaf}_vtep_ls1`, 'vtep_bfd', N.nodeA, N.nodeB, N.vethA, N.vethB, N.upA, N.upB, N.l1p1, N.l1p2];

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

/** PIDs of the daemons of this test (ovsdb-server, ovs-vswitchd, ovs-vtep). */
const daemonPids: number[] = [];
let sandboxDir: string | undefined;

describe('hw-vtep with real packets through ovs-vtep', function () {
  this.timeout(120_000);
  let ovs: OvsSandbox | undefined;
  let vtep: ChildProcess | undefined;
  let session: HwVtepFabricSession | undefined;
  const namespaces: string[] = [];

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
    // Pods: a namespace each, a veth into the node bridge as an access port of the pod's VLAN.
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
    // Nodes: OVS bridges with the pod port (tagged) and a trunk uplink veth whose other end is a leaf port.
    for (const [node, veth, tag, up, leafPort] of [
      [N.nodeA, N.vethA, 100, N.upA, N.l1p1],
      [N.nodeB, N.vethB, 230, N.upB, N.l1p2],
    ] as const) {
      await sh('ip', 'link', 'add', up, 'type', 'veth', 'peer', 'name', leafPort);
      await sh('ip', 'link', 'set', up, 'up');
      await sh('ip', 'link', 'set', leafPort, 'up');
      await v('add-br', node, '--', 'set', 'bridge', node, 'datapath_type=netdev');
      await v('add-port', node, veth, `tag=${tag}`);
      await v('add-port', node, up);
    }
    // The leaf: an OVS bridge with the two ports, known to hardware_vtep as a Physical_Switch with those ports.
    await v('add-br', N.leaf, '--', 'set', 'bridge', N.leaf, 'datapath_type=netdev');
    await v('add-port', N.leaf, N.l1p1);
    await v('add-port', N.leaf, N.l1p2);
    await ovs.vtepctl('add-ps', N.leaf);
    await ovs.vtepctl('set', 'Physical_Switch', N.leaf, 'tunnel_ips=127.0.0.1');
    await ovs.vtepctl('add-port', N.leaf, N.l1p1);
    await ovs.vtepctl('add-port', N.leaf, N.l1p2);
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
    session = await hwVtepFabric({ target: { name: 'leaf-pkt', address: '127.0.0.1', port: ovs.tcpPort }, options: { physicalSwitch: N.leaf }, logger: silentLogger }).connect();
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
    // Deletes every bridge (the leaf, the nodes, ovs-vtep's), stops ovsdb-server and ovs-vswitchd.
    await ovs?.stop().catch(() => undefined);
    for (const dev of [N.upA, N.upB, N.vethA, N.vethB]) await run('ip', ['link', 'del', dev]).catch(() => undefined);
    for (const ns of namespaces) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  });

  it('before netloom binds anything, the pods do not reach each other', async () => {
    assert.ok(configEquals((await session!.observe()).config, fabric([])));
    assert.equal(await pings(N.podA, IP_B), false);
    assert.equal(await pings(N.podA, IP_B), false);
  });

  it('segment 5000 with bindings (l1p1, 100) and (l1p2, 230), applied through the adapter, connects the pods', async () => {
    const desired = fabric([[5000, 'ls-pods']], [
      [N.l1p1, 100, 5000],
      [N.l1p2, 230, 5000],
    ]);
    await converge(session!, desired);
    assert.ok(configEquals((await session!.observe()).config, desired));
    await eventually('pod a to reach pod b through the leaf', () => pings(N.podA, IP_B), 60_000);
    assert.equal(await pings(N.podB, IP_A), true);
    // ovs-vtep built its per-switch bridge and the two binding patches from what the adapter wrote.
    const ports = (await ovs!.vsctl('list-ports', N.leaf)).split('\n');
    assert.ok(ports.includes(`0100-${N.l1p1}-p`) && ports.includes(`0230-${N.l1p2}-p`), ports.join(','));
  });

  it('after deleting the binding (l1p2, 230) through the adapter, the pods no longer reach each other', async () => {
    const desired = fabric([[5000, 'ls-pods']], [[N.l1p1, 100, 5000]]);
    await converge(session!, desired);
    assert.ok(configEquals((await session!.observe()).config, desired));
    await eventually('ovs-vtep to remove the binding patch of (l1p2, 230)', async () => !(await ovs!.vsctl('list-ports', N.leaf)).split('\n').includes(`0230-${N.l1p2}-p`), 30_000);
    for (let i = 0; i < 3; i++) assert.equal(await pings(N.podA, IP_B), false, `ping ${i + 1} went through`);
  });
});

describe('hw-vtep with real packets: nothing left behind', function () {
  before(function () {
    if (sandboxDir !== undefined) return;
    const reason = 'the packet test above did not start its sandbox, so there is nothing of it to check';
    if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
    process.stdout.write(`      skipped: ${reason}
`);
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
