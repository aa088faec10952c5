/**
 * Test helpers: a simulated leaf (fresh ovsdb-server with hardware_vtep, behind the counting tap) with sessions
 * that are all closed afterwards, fabric configs in input form, polling; and the packet lab of the real-packet tests
 * (LAB.md "A leaf switch: the OVS hardware-VTEP emulator"): pods in namespaces, node bridges, a leaf run by ovs-vtep,
 * and the check that nothing of it is left behind.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type HwVtepDeviceHarness, type HwVtepSimulatorInstance, hwVtepFabric, hwVtepSimulator } from '@netloom/adapter-hw-vtep';
import { type FabricConfig, type FabricConfigInput, FabricConfigCodec, decodeOrThrow, silentLogger } from '@netloom/ports';
import { type OvsSandbox, ovsUnavailableReason, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import type { HwVtepFabricSession } from '@netloom/adapter-hw-vtep';

/** A simulated leaf and the sessions opened on it. */
export interface Leaf {
  readonly instance: HwVtepSimulatorInstance;
  /** Opens a session (a new driver, as a second controller would). Closed by {@link Leaf.dispose}. */
  connect(options?: Record<string, unknown>): Promise<HwVtepFabricSession>;
  dispose(): Promise<void>;
}

/** Starts a simulated leaf. */
export async function startLeaf(checkId = 'unit'): Promise<Leaf> {
  const instance = await hwVtepSimulator().create({ checkId });
  const sessions: HwVtepFabricSession[] = [];
  return {
    instance,
    async connect(options = {}) {
      const driver = hwVtepFabric({ target: instance.target, options: { ...(instance.options as object), ...options }, logger: silentLogger });
      const s = await driver.connect();
      sessions.push(s);
      return s;
    },
    async dispose() {
      for (const s of sessions.splice(0)) await s.close().catch(() => undefined);
      await instance.dispose();
    },
  };
}

/**
 * Registers in the calling `describe`: skip (with the sandbox's printed reason) without ovsdb-server's
 * hardware_vtep schema, a fresh simulated leaf before each test, disposed after it. `use` receives each test's leaf.
 * @example
 * let leaf: Leaf;
 * freshLeafPerTest((l) => (leaf = l));
 */
export function freshLeafPerTest(use: (leaf: Leaf, harness: HwVtepDeviceHarness) => void): void {
  let leaf: Leaf | undefined;

  before(function () {
    skipUnlessOvs(this, { vtep: true });
  });

  beforeEach(async () => {
    leaf = await startLeaf();
    use(leaf, leaf.instance.harness);
  });

  afterEach(async () => {
    await leaf?.dispose();
    leaf = undefined;
  });
}

/**
 * A fabric config from its segments, bindings and (when given, even empty) flood VTEPs `[l2Vni, remoteIp]`
 * (decoded, canonical).
 */
export function fabric(segments: ReadonlyArray<readonly [number, string]>, bindings: ReadonlyArray<readonly [string, number, number]> = [], floods?: ReadonlyArray<readonly [number, string]>): FabricConfig {
  const input: FabricConfigInput = {
    vrf: {},
    interconnect: {},
    segment: Object.fromEntries(segments.map(([vni, name]) => [String(vni), { key: String(vni), name, l2Vni: vni }])),
    binding: Object.fromEntries(bindings.map(([iface, vlan, vni]) => [`${iface}:${vlan}`, { key: `${iface}:${vlan}`, interface: iface, vlan, l2Vni: vni }])),
    ...(floods === undefined ? {} : { floodVtep: Object.fromEntries(floods.map(([vni, ip]) => [`${vni}:${ip}`, { key: `${vni}:${ip}`, l2Vni: vni, remoteIp: ip }])) }),
  };
  return decodeOrThrow(FabricConfigCodec, input, 'test config');
}

/** Plans, applies and confirms `desired`. */
export async function converge(session: HwVtepFabricSession, desired: FabricConfig): Promise<void> {
  const tx = await session.apply({ changeSet: await session.plan({ desired }) });
  await session.confirm({ transaction: tx });
}

/** Polls `probe` until it returns something other than undefined/false; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// --- the packet lab ----------------------------------------------------------------------------------------------

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const OVS_VTEP = '/usr/share/openvswitch/scripts/ovs-vtep';

/** Runs a command (no shell) and returns its trimmed standard output. */
export async function sh(cmd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args);
  return stdout.trim();
}

/** True if one ping from namespace `from` to `to` is answered within a second. */
export async function pings(from: string, to: string): Promise<boolean> {
  try {
    await run('ip', ['netns', 'exec', from, 'ping', '-c', '1', '-W', '1', to]);
    return true;
  } catch {
    return false;
  }
}

/** The names of the network devices in the host namespace. */
export async function hostDevices(): Promise<string[]> {
  const out = await sh('ip', '-o', 'link', 'show');
  return out
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** Why the packet lab cannot run here (OVS with vswitchd and the VTEP schema, ovs-vtep, ip, ping), or undefined. */
function packetLabUnavailable(): string | undefined {
  const ovs = ovsUnavailableReason({ vswitchd: true, vtep: true });
  if (ovs !== undefined) return ovs;
  for (const f of [PYTHON, OVS_VTEP, '/usr/sbin/ip', '/usr/bin/ping']) if (!fs.existsSync(f)) return `${f} is missing (LAB.md: openvswitch-vtep, iproute2, iputils-ping)`;
  return undefined;
}

/**
 * What one real-packet test builds in one OVS sandbox (ovsdb-server with hardware_vtep, ovs-vswitchd on the
 * userspace datapath): pods in namespaces, node bridges, a leaf run by ovs-vtep, an adapter session on it. It keeps
 * what it started (daemon PIDs, namespaces, the sandbox directory) for `stop` and for
 * {@link describeNothingLeftBehind}.
 */
export class VtepPacketLab {
  /** The sandbox, once {@link start} made it. */
  ovs: OvsSandbox | undefined;
  /** The sandbox's directory (it stays set after `stop`, to check that it is gone). */
  sandboxDir: string | undefined;
  /** PIDs of ovsdb-server, ovs-vswitchd and ovs-vtep. */
  readonly daemonPids: number[] = [];
  /** The pod namespaces made by {@link addPod}. */
  readonly namespaces: string[] = [];
  private vtep: ChildProcess | undefined;
  private session: HwVtepFabricSession | undefined;

  /**
   * In a mocha `before`: skips (printed reason) where the lab cannot run, or fails when it is required
   * (`NETLOOM_LAB_REQUIRED=1`); else starts the sandbox and records its daemons.
   */
  async start(ctx: Mocha.Context): Promise<OvsSandbox> {
    skipUnlessOvs(ctx, { vswitchd: true, vtep: true });
    const reason = packetLabUnavailable();
    if (reason !== undefined) {
      if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
      process.stdout.write(`      skipped: ${reason}\n`);
      ctx.skip();
    }
    const ovs = await startOvsSandbox({ vswitchd: true, vtep: true });
    this.ovs = ovs;
    this.sandboxDir = ovs.dir;
    for (const f of ['ovsdb.pid', 'vswitchd.pid']) {
      const pid = Number(fs.readFileSync(path.join(ovs.dir, f), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) this.daemonPids.push(pid);
    }
    return ovs;
  }

  /** A pod: namespace `netns` with `podIf` (address `ip`/24) whose veth peer `veth` stays in the host namespace. */
  async addPod(netns: string, veth: string, podIf: string, ip: string): Promise<void> {
    await sh('ip', 'netns', 'add', netns);
    this.namespaces.push(netns);
    await sh('ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', podIf);
    await sh('ip', 'link', 'set', podIf, 'netns', netns);
    await sh('ip', 'netns', 'exec', netns, 'ip', 'addr', 'add', `${ip}/24`, 'dev', podIf);
    await sh('ip', 'netns', 'exec', netns, 'ip', 'link', 'set', podIf, 'up');
    await sh('ip', 'netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up');
    await sh('ip', 'link', 'set', veth, 'up');
  }

  /**
   * A network-overlay node: bridge `bridge` with the pod's `podVeth` as an access port of `vlan` and a trunk uplink
   * veth `uplink` whose other end, `leafPort`, is to become a port of the leaf.
   */
  async addNetworkNode(node: { bridge: string; podVeth: string; vlan: number; uplink: string; leafPort: string }): Promise<void> {
    const ovs = this.sandbox();
    await sh('ip', 'link', 'add', node.uplink, 'type', 'veth', 'peer', 'name', node.leafPort);
    await sh('ip', 'link', 'set', node.uplink, 'up');
    await sh('ip', 'link', 'set', node.leafPort, 'up');
    await ovs.vsctl('add-br', node.bridge, '--', 'set', 'bridge', node.bridge, 'datapath_type=netdev');
    await ovs.vsctl('add-port', node.bridge, node.podVeth, `tag=${node.vlan}`);
    await ovs.vsctl('add-port', node.bridge, node.uplink);
  }

  /**
   * The leaf: an OVS bridge `name` with `ports`, known to hardware_vtep as a Physical_Switch with those ports and
   * VTEP address `tunnelIp`, run by ovs-vtep; resolves once ovs-vtep has taken it over.
   */
  async startLeaf(leaf: { name: string; ports: readonly string[]; tunnelIp: string }): Promise<void> {
    const ovs = this.sandbox();
    await ovs.vsctl('add-br', leaf.name, '--', 'set', 'bridge', leaf.name, 'datapath_type=netdev');
    for (const p of leaf.ports) await ovs.vsctl('add-port', leaf.name, p);
    await ovs.vtepctl('add-ps', leaf.name);
    await ovs.vtepctl('set', 'Physical_Switch', leaf.name, `tunnel_ips=${leaf.tunnelIp}`);
    for (const p of leaf.ports) await ovs.vtepctl('add-port', leaf.name, p);
    const log = path.join(ovs.dir, 'ovs-vtep.log');
    const vtep = spawn(PYTHON, [OVS_VTEP, `--log-file=${log}`, `--pidfile=${path.join(ovs.dir, 'ovs-vtep.pid')}`, leaf.name], { env: ovs.env, stdio: 'ignore' });
    this.vtep = vtep;
    if (vtep.pid !== undefined) this.daemonPids.push(vtep.pid);
    await eventually('ovs-vtep to take over the leaf', async () => {
      if (vtep.exitCode !== null) throw new Error(`ovs-vtep exited with ${String(vtep.exitCode)}: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : ''}`);
      const description = await ovs.vtepctl('get', 'Physical_Switch', leaf.name, 'description');
      const bfd = await ovs.vsctl('br-exists', 'vtep_bfd').then(
        () => true,
        () => false,
      );
      return description === '"OVS VTEP Emulator"' && bfd;
    });
  }

  /** An adapter session on the leaf's Physical_Switch `physicalSwitch` (closed by {@link stop}). */
  async connect(name: string, physicalSwitch: string): Promise<HwVtepFabricSession> {
    const ovs = this.sandbox();
    this.session = await hwVtepFabric({ target: { name, address: '127.0.0.1', port: ovs.tcpPort }, options: { physicalSwitch }, logger: silentLogger }).connect();
    return this.session;
  }

  /**
   * In `after`: closes the session, stops ovs-vtep, the sandbox (which deletes every bridge) and deletes the given
   * host devices (veth ends outside OVS) and the pod namespaces. Every step on its own: one failing must not leave the
   * others' leftovers.
   */
  async stop(hostVeths: readonly string[]): Promise<void> {
    await this.session?.close().catch(() => undefined);
    const vtep = this.vtep;
    if (vtep !== undefined && vtep.exitCode === null && vtep.signalCode === null) {
      const exited = new Promise<void>((r) => vtep.once('exit', () => r()));
      vtep.kill('SIGTERM');
      const timer = setTimeout(() => vtep.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await this.ovs?.stop().catch(() => undefined);
    for (const dev of hostVeths) await run('ip', ['link', 'del', dev]).catch(() => undefined);
    for (const ns of this.namespaces) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  }

  private sandbox(): OvsSandbox {
    if (this.ovs === undefined) throw new Error('VtepPacketLab: start() first');
    return this.ovs;
  }
}

/**
 * Registers a suite, to run after the packet test of `lab`, proving it left nothing behind: no pod namespace, none of
 * `hostDeviceNames` in the host namespace, none of the three daemons running, no sandbox directory. It skips (or
 * fails when the lab is required) where the packet test did not start its sandbox.
 */
export function describeNothingLeftBehind(title: string, lab: VtepPacketLab, opts: { test: string; pods: readonly string[]; hostDeviceNames: readonly string[] }): void {
  describe(title, function () {
    before(function () {
      if (lab.sandboxDir !== undefined) return;
      const reason = `${opts.test} did not start its sandbox, so there is nothing of it to check`;
      if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
      process.stdout.write(`      skipped: ${reason}\n`);
      this.skip();
    });

    it('no namespace, network device, daemon or directory of the test remains', async () => {
      const netns = await sh('ip', 'netns', 'list');
      assert.ok(opts.pods.every((p) => !netns.includes(p)), netns);
      const left = (await hostDevices()).filter((d) => opts.hostDeviceNames.includes(d));
      assert.deepEqual(left, []);
      assert.equal(lab.daemonPids.length, 3, 'the pids of ovsdb-server, ovs-vswitchd and ovs-vtep were recorded');
      for (const pid of lab.daemonPids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `daemon ${pid} still runs`);
      assert.equal(fs.existsSync(lab.sandboxDir!), false);
    });
  });
}
