// `netloom demo` (= `npm start`) on the protocol simulators: leaf1 on the Huawei CE simulator (SSH CLI), leaf2 on
// the Arista eAPI simulator (HTTPS), lb1 on the F5 iControl REST simulator (HTTPS); the rest on fake devices.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { ScenarioSource } from '@netloom/adapter-scenario';
import type { KubeEndpointSlice, KubeService, KubeVpcPeering } from '@netloom/ports';
import { Controller, loadProfile, loadProfileAdapters, startSimulators, type SimulatorSet } from '@netloom/runtime';
import { cleanTmp, cli, CLI, example, openSimulatedDemo, ROOT, writeProfile, type Run, type SimulatedDemo } from './helpers';

/** Runs the built CLI as a child process, from the repository root, as `npm start` does. */
function spawnCli(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The output of one step (`== Step n ...` up to the next `==`). */
function stepOf(stdout: string, n: number): string {
  const m = new RegExp(`^== Step ${n} [^]*?(?=^== )`, 'm').exec(stdout);
  assert.ok(m, `no step ${n} in:\n${stdout}`);
  return m[0];
}

/** What the scenario says after `steps` steps: the Service's VIP and ready members, and the peering. */
async function scenarioAt(steps: number): Promise<{ vip: string | undefined; members: string[]; peeringPorts: number[] }> {
  const source = await ScenarioSource.fromFile(example('scenario.yaml'));
  for (let i = 0; i < steps; i++) source.advance();
  const svc = source.get({ kind: 'Service', namespace: 'shop', name: 'web' }) as KubeService | undefined;
  const slices = source.objects('EndpointSlice') as KubeEndpointSlice[];
  const members = slices
    .filter((s) => s.metadata.namespace === 'shop' && s.metadata.labels?.['kubernetes.io/service-name'] === 'web')
    .flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).flatMap((e) => e.addresses.map((a) => `${a}:${s.ports?.[0]?.port ?? '?'}`)))
    .sort();
  const peering = source.get({ kind: 'VpcPeering', name: 'shop-billing' }) as KubeVpcPeering | undefined;
  const peeringPorts = (peering?.spec.allow ?? []).flatMap((a) => (a.ports ?? []).map(Number));
  return { vip: svc?.spec.loadBalancerIP, members, peeringPorts };
}

/** Resolves with the error code of a TCP connection attempt to 127.0.0.1:port ('connected' if it connects). */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('runtime: netloom demo on the protocol simulators', function () {
  this.timeout(120_000);
  // The fake devices (vswitches, firewall) live in this process, shared by name: start each test clean, leave clean.
  beforeEach(() => fakeDeviceRegistry.reset());
  after(() => {
    fakeDeviceRegistry.reset();
    cleanTmp();
  });

  describe('npm start (child process)', () => {
    let run: Run;
    before(() => {
      run = spawnCli(['demo']);
    });

    it('plays every step, exits 0 and ends with a clean final plan', () => {
      assert.equal(run.code, 0, run.stdout + run.stderr);
      for (let i = 1; i <= 6; i++) assert.match(run.stdout, new RegExp(`^== Step ${i} "`, 'm'));
      assert.match(run.stdout, /^netloom demo — profile docs\/examples\/embedded\.yaml, 6 devices \(5 on protocol simulators, 1 in memory\)/);
      assert.match(run.stdout, /A final plan finds 0 changes: every device is in line with the cluster\./);
      assert.doesNotMatch(run.stdout, /Problems with|FAILED|rolled back/);
    });

    it('the leafs and the load balancer got the exact vendor operations over their protocols', () => {
      const first = stepOf(run.stdout, 1);
      // Huawei VRP over SSH: the bridge domain of the shop-web segment and the node's dot1q sub-interface.
      assert.match(first, /leaf1 \(fabric\): applied[^]*cli: bridge-domain \d+\n\s+cli: description netloom:\d+ ls-shop-web/);
      assert.match(first, /cli: interface 10GE1\/0\/1\.\d+ mode l2/);
      // Arista EOS over eAPI: the VLAN-to-VNI mapping and the trunk on the node's port.
      assert.match(first, /leaf2 \(fabric\): applied[^]*cli: vxlan vlan \d+ vni \d+/);
      assert.match(first, /cli: interface Ethernet1\/1/);
      // F5 over iControl REST: the virtual server of step 5, and the deleted pod's member leaving in step 6.
      assert.match(stepOf(run.stdout, 5), /lb1 \(loadBalancer\): applied, VPCs shop\n\s+http: POST \/mgmt\/tm\/sys\/folder [^]*http: POST \/mgmt\/tm\/ltm\/virtual /);
      assert.match(stepOf(run.stdout, 6), /lb1 \(loadBalancer\): applied[^]*http: DELETE \/mgmt\/tm\/ltm\/pool\/\S+\/members\/\S+10\.244\.100\.201:8080/);
      // Open vSwitch on the OVSDB simulator: the deleted pod's port leaves in one transaction.
      assert.match(stepOf(run.stdout, 6), /node-2-vs \(vswitch\): applied[^]*ovsdb: \{"op":"delete","table":"Port"/);
    });

    it('names each device with the facts it reported (Huawei, Arista and F5 simulators)', () => {
      assert.match(run.stdout, /^\s+DEVICE\s+PORT\s+ADAPTER\s+VENDOR\s+MODEL\s+OS VERSION\s+OWNED OBJECTS$/m);
      assert.match(run.stdout, /^\s+leaf1\s+fabric\s+huawei-ce \(simulator\)\s+Huawei\s+CE\d+\S*\s+V\d+R\d+\S*\s+3 vrf, 3 segment, 3 binding$/m);
      assert.match(run.stdout, /^\s+leaf2\s+fabric\s+arista-eos \(simulator\)\s+Arista\s+DCS-\S+\s+4\.\d+\.\S+\s+3 vrf, 3 segment, 3 binding$/m);
      assert.match(run.stdout, /^\s+lb1\s+loadBalancer\s+f5-bigip \(simulator\)\s+F5\s+BIG-IP\s+\d+\.\d+\.\d+\s+1 partition, 1 monitor, 1 pool, 2 member, 1 virtualServer$/m);
      assert.match(run.stdout, /^\s+fw1\s+firewall\s+fake\s+/m);
    });

    it('says when the Service gets its VIP, with the members the scenario makes ready, and when they change', async () => {
      const at5 = await scenarioAt(5);
      const at6 = await scenarioAt(6);
      const vip = /=> Service shop\/web: VIP (\d+\.\d+\.\d+\.\d+):80 on lb1 \(members: ([^)]*)\)/.exec(stepOf(run.stdout, 5));
      assert.ok(vip, stepOf(run.stdout, 5));
      const [a, b, c, d] = (vip[1] ?? '').split('.').map(Number);
      assert.ok(a === 198 && b === 51 && c === 100 && d !== undefined && d >= 0 && d <= 255, `${vip[1]} is inside 198.51.100.0/24`);
      assert.equal(vip[1], at5.vip, 'the VIP the scenario asks for (spec.loadBalancerIP)');
      assert.deepEqual((vip[2] ?? '').split(', ').sort(), at5.members);
      const after = /=> Service shop\/web: VIP [\d.]+:80 on lb1 \(members: ([^)]*)\)/.exec(stepOf(run.stdout, 6));
      assert.ok(after, stepOf(run.stdout, 6));
      assert.deepEqual((after[1] ?? '').split(', ').sort(), at6.members);
      assert.notDeepEqual(at5.members, at6.members, 'the scenario changes the members in step 6');
      for (const n of [1, 2, 3, 4]) assert.doesNotMatch(stepOf(run.stdout, n), /=> Service/, `no VIP before step 5 (step ${n})`);
    });

    it('says when the peering opens, on the port the scenario allows, with the firewall policies that open it', async () => {
      const { peeringPorts } = await scenarioAt(6);
      assert.deepEqual(peeringPorts, [8080]);
      const line = /=> Peering shop<->billing: open on tcp\/(\d+) \(fw1 policies: ([^;]+); routes: [^)]+\)/.exec(stepOf(run.stdout, 4));
      assert.ok(line, stepOf(run.stdout, 4));
      assert.equal(Number(line[1]), peeringPorts[0]);
      const policies = (line[2] ?? '').split(', ');
      assert.equal(policies.length, 2, 'one policy each way');
      // The policies named are the ones step 4 created on fw1.
      for (const p of policies) assert.match(stepOf(run.stdout, 4), new RegExp(`fw1 \\(firewall\\): applied[^]*create policy ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
      for (const n of [1, 2, 3]) assert.doesNotMatch(stepOf(run.stdout, n), /=> Peering/, `no peering before step 4 (step ${n})`);
    });
  });

  describe('the demo session through the library API', () => {
    let simulators: SimulatorSet | undefined;
    let demo: SimulatedDemo | undefined;
    afterEach(async () => {
      await demo?.close();
      await simulators?.dispose();
      demo = undefined;
      simulators = undefined;
    });

    it('the writes really reach the simulators: the Huawei leaf holds the bridge domain and VNI of the subnet, over SSH', async () => {
      demo = await openSimulatedDemo();
      const controller = await Controller.create({ container: demo.container, source: demo.source });
      const { compiled, report } = await controller.apply();
      assert.ok(report.devices.every((d) => d.outcome === 'applied'), JSON.stringify(report.devices.map((d) => [d.device, d.outcome, d.error?.message])));

      // What the scenario's subnet got: its LS's L2 VNI, and the VLAN of node-1 (on leaf1) for it.
      const ls = compiled.desired.network.logicalSwitches?.find((l) => l.subnet === 'shop-web');
      assert.ok(ls, 'the shop-web subnet has an LS');
      const leaf1 = demo.simulators.get('leaf1');
      assert.equal(leaf1.adapter.packageName, '@netloom/adapter-huawei-ce');
      assert.ok(leaf1.harness, 'the Huawei simulator target ships a harness');
      // Read back from the simulator's running configuration (what the SSH session committed).
      const onLeaf1 = (await leaf1.harness.readConfig()).owned as unknown as Record<string, Record<string, Record<string, unknown>>>;
      const segment = onLeaf1['segment']?.[String(ls.l2Vni)];
      assert.ok(segment, `leaf1 holds segment ${ls.l2Vni}: ${JSON.stringify(onLeaf1['segment'])}`);
      assert.equal(segment['l2Vni'], ls.l2Vni);
      assert.deepEqual((segment['anycastGateway'] as { ipv4?: string[] } | undefined)?.ipv4, ['10.244.100.1/24']);
      const bindings = Object.values(onLeaf1['binding'] ?? {}).filter((b) => b['l2Vni'] === ls.l2Vni);
      assert.deepEqual(
        bindings.map((b) => b['interface']),
        ['10GE1/0/1'],
        'node-1 is plugged into leaf1 10GE1/0/1',
      );
      assert.ok((await leaf1.harness.writeCount()) > 0, 'configuration lines were accepted by the simulator');

      // The Arista leaf and the F5 load balancer, likewise from their simulators.
      const onLeaf2 = (await demo.simulators.get('leaf2').harness!.readConfig()).owned as unknown as Record<string, Record<string, Record<string, unknown>>>;
      assert.equal(onLeaf2['segment']?.[String(ls.l2Vni)]?.['l2Vni'], ls.l2Vni);
      const onLb1 = (await demo.simulators.get('lb1').harness!.readConfig()).owned as unknown as Record<string, Record<string, Record<string, unknown>>>;
      assert.deepEqual(
        Object.values(onLb1['virtualServer'] ?? {}).map((v) => `${String(v['vip'])}:${String(v['port'])}`),
        ['198.51.100.10:80'],
      );

      // Idempotent over the wire: a second plan reads the simulators back and finds nothing to do.
      const again = await controller.plan();
      assert.equal(again.report.devices.reduce((n, d) => n + (d.changeSet?.changes.length ?? 0), 0), 0);
    });

    it('the simulators listen until the set is disposed, and not after', async () => {
      const loaded = loadProfile(writeProfile({ example: 'embedded.yaml' }));
      const set = await startSimulators(await loadProfileAdapters(loaded));
      simulators = set;
      assert.deepEqual(
        set.list().map((d) => `${d.name} ${d.port} ${d.adapter.packageName}`),
        [
          'leaf1 fabric @netloom/adapter-huawei-ce',
          'leaf2 fabric @netloom/adapter-arista-eos',
          'node-1-vs vswitch @netloom/adapter-ovs',
          'node-2-vs vswitch @netloom/adapter-ovs',
          'lb1 loadBalancer @netloom/adapter-f5-bigip',
        ],
      );
      assert.equal(set.has('fw1'), false, 'fake devices are not simulated');
      // The TCP ones (SSH, HTTPS) listen on loopback; the OVS simulators are reached over unix sockets in options.
      const tcp = set.list().filter((d) => d.port !== 'vswitch');
      const ports = tcp.map((d) => d.target.port);
      for (const d of set.list()) assert.equal(d.target.name, d.name, 'the target is named after the inventory device');
      for (const d of tcp) {
        assert.equal(d.target.address, '127.0.0.1');
        assert.equal(set.registry.device(d.name).simulated?.target, d.target, 'the registry binds the device to its simulator');
      }
      for (const port of ports) assert.equal(await tryConnect(port ?? 0), 'connected');
      await set.dispose();
      for (const port of ports) assert.equal(await tryConnect(port ?? 0), 'ECONNREFUSED');
    });
  });

  describe('other commands on simulated devices', () => {
    it('plan shows the vendor operations of a fresh simulated fabric and writes nothing', async () => {
      const r = await cli('plan', '--profile', writeProfile({ example: 'embedded.yaml' }));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /: 6 of 6 devices would change \(nothing was written\)/);
      assert.match(r.stdout, /leaf1 \(fabric\): planned[^]*cli: bridge-domain \d+/);
      assert.match(r.stdout, /leaf2 \(fabric\): planned[^]*cli: vxlan vlan \d+ vni \d+/);
    });

    it('apply --yes converges every device, simulated or not', async () => {
      const r = await cli('apply', '--profile', writeProfile({ example: 'embedded.yaml' }), '--yes');
      assert.equal(r.code, 0, r.stderr + r.stdout);
      for (const d of ['leaf1', 'leaf2', 'node-1-vs', 'node-2-vs', 'fw1', 'lb1']) assert.match(r.stdout, new RegExp(`^${d}\\s+\\S+\\s+applied`, 'm'));
    });

    it('Ctrl-C stops the demo after the step under way and stops the simulators (child process)', async () => {
      const child = spawn(process.execPath, [CLI, 'demo'], { cwd: ROOT, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      try {
        // Interrupt as soon as the first step has started (a condition, not a duration; the limit only bounds a hang).
        await new Promise<void>((resolve, reject) => {
          const limit = setTimeout(() => reject(new Error(`the demo did not start; stdout: ${out}; stderr: ${err}`)), 30_000);
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (/== Step 1 /.test(out)) {
              clearTimeout(limit);
              resolve();
            }
          });
        });
        child.kill('SIGINT');
        // A simulator left running would keep the process alive: exiting at all (by itself, with a code) proves
        // they were stopped.
        const { code, signal } = await exited;
        assert.equal(signal, null, 'the demo handled Ctrl-C instead of being killed by it');
        assert.equal(code, 1);
        assert.match(err, /netloom demo: interrupted; the simulators are stopped/);
        assert.doesNotMatch(out, /== Step 6 /);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  });
});
