// Session behaviour against a real Open vSwitch 3.1 sandbox standing in for the S1020V (ovsdb-server + userspace
// ovs-vswitchd), reached through the counting proxy of the conformance harness: what is refused before any write,
// vendor facts, the tunnel rows as OVS holds them, flows that read back exactly, stale plans, the rollback when
// OpenFlow fails after OVSDB committed, and no credential in errors or logs.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { skipUnlessOvs } from '@netloom/ovsdb/testing';
import { COMPATIBLE_VENDOR, h3cS1020vVSwitch, startH3cSandboxDevice, type H3cSandboxDevice, type H3cVSwitchSession } from '@netloom/adapter-h3c-s1020v';
import { ErrorCode, emptyVSwitchConfig, isNetloomError, silentLogger, type ChangeSet, type VSwitchConfig } from '@netloom/ports';

const codeOf = (e: unknown): string | undefined => (isNetloomError(e) ? e.code : undefined);

async function rejects(p: Promise<unknown>, code: string, what: string): Promise<Error> {
  try {
    await p;
  } catch (e) {
    assert.equal(codeOf(e), code, `${what}: expected ${code}, got ${String(e)}`);
    return e as Error;
  }
  assert.fail(`${what}: expected ${code}, but it succeeded`);
}

const endpoint = (name: string, mac: string, vni: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  key: name,
  name,
  bridge: 'br-t',
  mac,
  ips: [`10.9.0.${mac.slice(-1)}`],
  attachment: { type: 'tunnel', tunnelKey: vni },
  endpointId: `ns/${name}`,
  ...extra,
});

/** One VTEP bridge: two tunnel-world ports (VNI 5001 and 5002) and a tunnel carrying every VNI. */
function config(extra: Record<string, unknown> = {}): VSwitchConfig {
  return {
    ...emptyVSwitchConfig(),
    bridge: { 'br-t': { key: 'br-t', name: 'br-t' } },
    tunnel: { 'vx-n2': { key: 'vx-n2', name: 'vx-n2', bridge: 'br-t', remoteIp: '192.0.2.2', tunnelKey: 'flow' } },
    endpointPort: { vp1: endpoint('vp1', '0a:58:00:00:00:01', 5001), vp2: endpoint('vp2', '0a:58:00:00:00:02', 5002) },
    ...extra,
  } as unknown as VSwitchConfig;
}

async function converge(s: H3cVSwitchSession, desired: VSwitchConfig): Promise<ChangeSet> {
  const plan = await s.plan({ desired });
  const tx = await s.apply({ changeSet: plan });
  await s.confirm({ transaction: tx });
  return plan;
}

const sorted = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim().replace(/duration=[^,]+, /, '').replace(/n_packets=\d+, n_bytes=\d+, /, ''))
    .filter((l) => l.includes('actions='))
    .sort();

describe('h3c-s1020v session (real Open vSwitch sandbox)', function () {
  this.timeout(60_000);
  let device: H3cSandboxDevice | undefined;
  let session: H3cVSwitchSession | undefined;

  before(function () {
    skipUnlessOvs(this, { vswitchd: true });
  });

  beforeEach(async function () {
    device = await startH3cSandboxDevice();
    session = await h3cS1020vVSwitch({ target: { name: 'node-t' }, options: device.options, logger: silentLogger }).connect();
  });

  afterEach(async function () {
    await session?.close().catch(() => undefined);
    await device?.dispose();
    session = undefined;
    device = undefined;
  });

  it('refuses injection attempts and invalid tunnels with InputError before any write', async function () {
    const tunnel = (over: Record<string, unknown>): Record<string, unknown> => ({ tunnel: { 'vx-n2': { key: 'vx-n2', name: 'vx-n2', bridge: 'br-t', remoteIp: '192.0.2.2', tunnelKey: 'flow', ...over } } });
    const bad: [string, Record<string, unknown>][] = [
      ['tunnel remote address with a command', tunnel({ remoteIp: '192.0.2.2;reboot' })],
      ['tunnel remote given as a name', tunnel({ remoteIp: 'node2.example' })],
      ['tunnel key 0', tunnel({ tunnelKey: 0 })],
      ['tunnel key above 2^24-1', tunnel({ tunnelKey: 16_777_216 })],
      ['tunnel key as text', tunnel({ tunnelKey: '5001' })],
      ['tunnel UDP port 0', tunnel({ dstPort: 0 })],
      ['tunnel name with a newline', { tunnel: { 'vx\nx': { key: 'vx\nx', name: 'vx\nx', bridge: 'br-t', remoteIp: '192.0.2.2', tunnelKey: 'flow' } } }],
      ['tunnel on a bridge not in the config', tunnel({ bridge: 'br-x' })],
      ['endpoint VNI 0', { endpointPort: { vp1: endpoint('vp1', '0a:58:00:00:00:01', 0) } }],
      ['endpoint id with a quote', { endpointPort: { vp1: endpoint('vp1', '0a:58:00:00:00:01', 5001, { endpointId: 'ns/"p' }) } }],
      ['port name with ;', { endpointPort: { 'vp1;x': endpoint('vp1;x', '0a:58:00:00:00:01', 5001) } }],
      [
        'two tunnels OVS would take for one',
        { tunnel: { 'vx-a': { key: 'vx-a', name: 'vx-a', bridge: 'br-t', remoteIp: '192.0.2.2', tunnelKey: 'flow' }, 'vx-b': { key: 'vx-b', name: 'vx-b', bridge: 'br-t', remoteIp: '192.0.2.2', tunnelKey: 'flow', dstPort: 4789 } } },
      ],
    ];
    const before = device!.proxy.writes;
    for (const [what, edit] of bad) await rejects(session!.plan({ desired: config(edit) }), ErrorCode.INPUT_INVALID, what);

    // A forged change set: a valid plan whose tunnel was swapped for one with a hostile remote address.
    const plan = await session!.plan({ desired: config() });
    const forged: ChangeSet = {
      ...plan,
      changes: plan.changes.map((c) => (c.kind === 'tunnel' ? { ...c, after: { ...(c.after as object), remoteIp: '192.0.2.2 options:key=1' } as never } : c)),
    };
    await rejects(session!.apply({ changeSet: forged }), ErrorCode.INPUT_INVALID, 'forged change set');
    await rejects(session!.apply({ changeSet: { ...plan, device: 'other-node' } }), ErrorCode.INPUT_INVALID, 'change set for another device');
    assert.equal(device!.proxy.writes, before, 'no row was written');
    assert.deepEqual((await session!.observe()).config, emptyVSwitchConfig());
    assert.equal(await device!.sandbox.vsctl('list-br'), '');
  });

  it('reports vendor H3C when the version string names an S1020V, else the S1020V-compatible mode', async function () {
    const plain = await session!.facts();
    assert.equal(plain.vendor, COMPATIBLE_VENDOR);
    assert.equal(plain.model, 'Open vSwitch, userspace datapath (netdev)');
    assert.equal(plain.extra?.['s1020v'], false);
    await device!.sandbox.vsctl('set', 'Open_vSwitch', '.', 'ovs_version="ovs-vswitchd (H3C S1020V) E2112"');
    const h3c = await session!.facts();
    assert.equal(h3c.vendor, 'H3C');
    assert.equal(h3c.model, 'S1020V, userspace datapath (netdev)');
    assert.equal(h3c.osVersion, 'ovs-vswitchd (H3C S1020V) E2112');
    assert.equal(h3c.extra?.['s1020v'], true);
  });

  it('writes tunnels as OVS vxlan ports (options, parking VLAN), keeps foreign options, and reads them back', async function () {
    await converge(session!, config());
    const vsctl = (...args: string[]): Promise<string> => device!.sandbox.vsctl(...args);
    assert.equal(await vsctl('get', 'interface', 'vx-n2', 'type'), 'vxlan');
    assert.equal(await vsctl('get', 'interface', 'vx-n2', 'options'), '{key=flow, remote_ip="192.0.2.2"}');
    assert.equal(await vsctl('get', 'port', 'vx-n2', 'tag'), '4095');
    assert.equal(await vsctl('get', 'port', 'vp1', 'tag'), '4095');
    assert.equal(await vsctl('get', 'port', 'vp1', 'external_ids:netloom-vni'), '"5001"');
    // ovs-vswitchd took the tunnel (no error) and gave it the requested OpenFlow number.
    assert.equal(await vsctl('get', 'interface', 'vx-n2', 'error'), '[]');
    assert.equal(await vsctl('get', 'interface', 'vx-n2', 'ofport'), await vsctl('get', 'interface', 'vx-n2', 'ofport_request'));
    // An operator's option stays when netloom changes the tunnel.
    await vsctl('set', 'interface', 'vx-n2', 'options:tos=inherit');
    const moved = config({ tunnel: { 'vx-n2': { key: 'vx-n2', name: 'vx-n2', bridge: 'br-t', remoteIp: '192.0.2.22', localIp: '192.0.2.1', tunnelKey: 5002, dstPort: 4790 } } });
    const plan = await converge(session!, moved);
    assert.deepEqual(
      plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`),
      ['update tunnel vx-n2'],
    );
    assert.equal(await vsctl('get', 'interface', 'vx-n2', 'options'), '{dst_port="4790", key="5002", local_ip="192.0.2.1", remote_ip="192.0.2.22", tos=inherit}');
    assert.deepEqual((await session!.observe()).config.tunnel, moved.tunnel);
    // The tunnel now carries VNI 5002 only: VNI 5001 floods locally, 5002 to the tunnel as well.
    const flows = await device!.sandbox.ofctl('dump-flows', 'br-t', 'table=50');
    const tunnelOfport = await vsctl('get', 'interface', 'vx-n2', 'ofport');
    assert.match(flows, new RegExp(`priority=10,tun_id=0x138a actions=output:\\d+,output:${tunnelOfport}\\n`));
    assert.match(flows, /priority=10,tun_id=0x1389 actions=output:\d+(\n|$)/);
  });

  it('writes flows that read back exactly: a later change re-sends none, and deleted ones are planned back', async function () {
    const rules = { 'g:web': { key: 'g:web', group: 'g', name: 'web', direction: 'ingress', protocol: 'tcp', ports: [{ from: 8000, to: 8999 }], remote: { cidr: 'fd00:9::/64' } } };
    const isolated = config({ securityGroupRule: rules });
    (isolated.endpointPort as Record<string, Record<string, unknown>>)['vp1'] = { ...isolated.endpointPort['vp1']!, securityGroups: ['g'] };
    const first = await converge(session!, isolated);
    assert.ok(first.operations.filter((o) => o.medium === 'openflow').length > 30);
    const next = { ...isolated, qos: { q: { key: 'q', name: 'q', egressRateKbps: 100 } } } as unknown as VSwitchConfig;
    const plan = await session!.plan({ desired: next });
    assert.deepEqual(plan.operations.filter((o) => o.medium === 'openflow'), [], 'every flow already matched what the switch returned (tun_id=0, reg6, set_field included)');
    await device!.sandbox.ofctl('del-flows', 'br-t', 'cookie=0x4e4c000400000000/0xffffffff00000000');
    await rejects(session!.apply({ changeSet: plan }), ErrorCode.DEVICE_COMMIT, 'plan made before the VNI flows were deleted');
    const repair = await session!.plan({ desired: next });
    const readded = repair.operations.filter((o) => o.medium === 'openflow').map((o) => o.text);
    assert.equal(readded.length, 4, readded.join('\n'));
    assert.ok(readded.every((t) => t.includes('table=50') && /tun_id=0x138[9a]/.test(t)), readded.join('\n'));
    const tx = await session!.apply({ changeSet: repair });
    await session!.confirm({ transaction: tx });
    assert.match(await device!.sandbox.ofctl('dump-flows', 'br-t', 'table=50'), /reg6=0x1,tun_id=0x1389/);
  });

  it('resyncFlows puts every flow back after the flow table was emptied (as by an ovs-vswitchd restart)', async function () {
    await converge(session!, config());
    const before = await device!.sandbox.ofctl('dump-flows', 'br-t', '--no-stats');
    assert.equal(await session!.resyncFlows(), 0, 'nothing to do while the flows are in place');
    await device!.sandbox.ofctl('del-flows', 'br-t');
    const sent = await session!.resyncFlows();
    assert.ok(sent > 15, `${sent} flow_mods`);
    assert.deepEqual(sorted(await device!.sandbox.ofctl('dump-flows', 'br-t', '--no-stats')), sorted(before));
  });

  it('refuses a stale plan, writing nothing', async function () {
    await converge(session!, config());
    const plan = await session!.plan({ desired: config({ tunnel: {} }) });
    await device!.harness.changeOutOfBand({ kind: 'tunnel', key: 'vx-n2', object: undefined });
    assert.equal((await session!.observe()).config.tunnel['vx-n2'], undefined, 'the out-of-band deletion shows');
    const before = device!.proxy.writes;
    const e = await rejects(session!.apply({ changeSet: plan }), ErrorCode.DEVICE_COMMIT, 'stale change set');
    assert.match(e.message, /nothing was written/);
    assert.equal(device!.proxy.writes, before);
    await converge(session!, config());
  });

  it('rolls the OVSDB transaction back when OpenFlow fails after it committed', async function () {
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (squatter.address() as net.AddressInfo).port;
      const s2 = await h3cS1020vVSwitch({ target: { name: 'node-t' }, options: { ...device!.options, openflow: { connect: { host: '127.0.0.1', port } }, requestTimeoutMs: 1500 }, logger: silentLogger }).connect();
      try {
        const before = device!.proxy.writes;
        const e = await rejects(s2.apply({ changeSet: await s2.plan({ desired: config() }) }), ErrorCode.DEVICE_COMMIT, 'apply with OpenFlow unreachable');
        assert.match(e.message, /rolled back/);
        assert.ok(device!.proxy.writes > before, 'the bridge had been written');
        assert.equal(await device!.sandbox.vsctl('list-br'), '', 'the bridge is gone again');
        assert.deepEqual((await s2.observe()).config, emptyVSwitchConfig());
      } finally {
        await s2.close();
      }
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });

  it('validates its options', async function () {
    assert.throws(() => h3cS1020vVSwitch({ target: { name: 'n' }, options: { ovsdb: 'unix:/x', colour: 'red' }, logger: silentLogger }), (e: unknown) => codeOf(e) === ErrorCode.INPUT_INVALID);
    assert.throws(() => h3cS1020vVSwitch({ target: { name: 'n' }, options: { ovsdb: 'http://x' }, logger: silentLogger }), (e: unknown) => codeOf(e) === ErrorCode.INPUT_INVALID);
    assert.throws(() => h3cS1020vVSwitch({ target: { name: 'n' }, options: { openflow: { connect: { host: 'localhost', port: 1 } } }, logger: silentLogger }), (e: unknown) => codeOf(e) === ErrorCode.INPUT_INVALID);
    await rejects(session!.plan({ desired: config({ bridge: { 'br-t': { key: 'br-t', name: 'br-t' }, 'br-u': { key: 'br-u', name: 'br-u' } } }) }), ErrorCode.INPUT_INVALID, 'two bridges in connect mode');
  });
});

describe('h3c-s1020v credentials', function () {
  it('never puts the TLS private key (or its passphrase) from the target into an error or a log line', async function () {
    const secret = 'NETLOOM-TEST-SECRET-4b7d1a';
    const lines: string[] = [];
    const logger = {
      debug: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? '')),
      info: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? '')),
      warn: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? '')),
      error: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? '')),
      child: () => logger,
    };
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const driver = h3cS1020vVSwitch({
      target: { name: 'node-tls', credentials: { privateKey: `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----\n`, password: `${secret}-pass` } },
      options: { ovsdb: `ssl:127.0.0.1:${port}`, tlsCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
      logger,
    });
    let error: unknown;
    try {
      await driver.connect({ timeoutMs: 2000 });
    } catch (e) {
      error = e;
    }
    assert.ok(isNetloomError(error), `expected a netloom error, got ${String(error)}`);
    const texts: string[] = [...lines];
    for (let e: unknown = error; e instanceof Error; e = e.cause) texts.push(e.message, e.stack ?? '', JSON.stringify(isNetloomError(e) ? (e.details ?? {}) : {}));
    for (const t of texts) assert.ok(!t.includes(secret), `the secret leaked into: ${t.slice(0, 200)}`);
  });
});
