// Session behaviour against a real Open vSwitch sandbox (ovsdb-server + userspace ovs-vswitchd), reached through the
// counting proxy of the conformance harness: what is refused before any write, stale change sets, the rollback
// when OpenFlow fails after OVSDB committed, options, and flows that read back exactly as written.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { skipUnlessOvs } from '@netloom/ovsdb/testing';
import { ovsVSwitch, startOvsSandboxDevice, type OvsSandboxDevice, type OvsVSwitchSession } from '@netloom/adapter-ovs';
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

function config(extra: Record<string, unknown> = {}): VSwitchConfig {
  return {
    ...emptyVSwitchConfig(),
    bridge: { 'br-t': { key: 'br-t', name: 'br-t' } },
    endpointPort: { vp1: { key: 'vp1', name: 'vp1', bridge: 'br-t', mac: '0a:58:00:00:00:01', ips: ['10.9.0.1', 'fd00:9::1'], attachment: { type: 'vlan', vlan: 100 }, endpointId: 'ns/pod-1' } },
    ...extra,
  } as unknown as VSwitchConfig;
}

async function converge(s: OvsVSwitchSession, desired: VSwitchConfig): Promise<ChangeSet> {
  const plan = await s.plan({ desired });
  const tx = await s.apply({ changeSet: plan });
  await s.confirm({ transaction: tx });
  return plan;
}

describe('ovs session (real Open vSwitch sandbox)', function () {
  this.timeout(60_000);
  let device: OvsSandboxDevice | undefined;
  let session: OvsVSwitchSession | undefined;

  before(function () {
    skipUnlessOvs(this, { vswitchd: true });
  });

  beforeEach(async function () {
    device = await startOvsSandboxDevice();
    session = await ovsVSwitch({ target: { name: 'node-t' }, options: device.options, logger: silentLogger }).connect();
  });

  afterEach(async function () {
    await session?.close().catch(() => undefined);
    await device?.dispose();
    session = undefined;
    device = undefined;
  });

  it('deletes an endpoint port that has inline QoS in one transaction (Port, Interface and QoS rows go together)', async function () {
    const withQos = config();
    const ep = (withQos.endpointPort as unknown as Record<string, Record<string, unknown>>)['vp1']!;
    ep['qos'] = { ingressRateKbps: 10_000, egressRateKbps: 20_000 };
    await converge(session!, withQos);
    assert.equal((await session!.observe()).config.endpointPort['vp1'] !== undefined, true);
    // Deleting the port and its QoS row in one transaction must not trip ovsdb-server's referential integrity check.
    await converge(session!, { ...withQos, endpointPort: {} } as VSwitchConfig);
    const after = (await session!.observe()).config;
    assert.deepEqual(Object.keys(after.endpointPort), []);
    const again = await session!.plan({ desired: { ...withQos, endpointPort: {} } as VSwitchConfig });
    assert.deepEqual(again.changes, []);
  });

  it('refuses injection attempts in names and ids with InputError before any write', async function () {
    const bad: [string, Record<string, unknown>][] = [
      ['bridge name with a newline', { bridge: { 'br\nx': { key: 'br\nx', name: 'br\nx' } }, endpointPort: {} }],
      ['port name with ;', { endpointPort: { 'vp1;reboot': { key: 'vp1;reboot', name: 'vp1;reboot', bridge: 'br-t', mac: '0a:58:00:00:00:01', ips: [], attachment: { type: 'vlan', vlan: 100 }, endpointId: 'ns/p' } } }],
      ['endpoint id with a quote', { endpointPort: { vp1: { key: 'vp1', name: 'vp1', bridge: 'br-t', mac: '0a:58:00:00:00:01', ips: [], attachment: { type: 'vlan', vlan: 100 }, endpointId: 'ns/"p' } } }],
      ['group name with |', { securityGroupRule: { 'a|b:r': { key: 'a|b:r', group: 'a|b', name: 'r', direction: 'ingress', protocol: 'any' } } }],
      ['qos name with a space', { qos: { 'go ld': { key: 'go ld', name: 'go ld', egressRateKbps: 1 } } }],
      ['pod namespace in upper case', { endpointPort: { vp1: { key: 'vp1', name: 'vp1', bridge: 'br-t', mac: '0a:58:00:00:00:01', ips: [], attachment: { type: 'vlan', vlan: 100 }, endpointId: 'ns/p', pod: { namespace: 'NS', name: 'p' } } } }],
      ['VLAN 4095', { endpointPort: { vp1: { key: 'vp1', name: 'vp1', bridge: 'br-t', mac: '0a:58:00:00:00:01', ips: [], attachment: { type: 'vlan', vlan: 4095 }, endpointId: 'ns/p' } } }],
    ];
    const before = device!.proxy.writes;
    for (const [what, edit] of bad) await rejects(session!.plan({ desired: config(edit) }), ErrorCode.INPUT_INVALID, what);

    // A forged change set: a valid plan whose object was swapped for one with a hostile name.
    const plan = await session!.plan({ desired: config() });
    const forged: ChangeSet = {
      ...plan,
      changes: plan.changes.map((c) => (c.kind === 'endpointPort' ? { ...c, key: 'vp1;x', after: { ...(c.after as object), key: 'vp1;x', name: 'vp1;x' } as never } : c)),
    };
    await rejects(session!.apply({ changeSet: forged }), ErrorCode.INPUT_INVALID, 'forged change set');
    await rejects(session!.apply({ changeSet: { ...plan, device: 'other-node' } }), ErrorCode.INPUT_INVALID, 'change set for another device');
    assert.equal(device!.proxy.writes, before, 'no row was written');
    assert.deepEqual((await session!.observe()).config, emptyVSwitchConfig());
    assert.equal(await device!.sandbox.vsctl('list-br'), '');
  });

  it('refuses a change set the device no longer fits (stale plan), writing nothing', async function () {
    await converge(session!, config());
    const plan = await session!.plan({ desired: config({ endpointPort: {} }) });
    await device!.harness.changeOutOfBand({ kind: 'endpointPort', key: 'vp1', object: undefined });
    const before = device!.proxy.writes;
    const e = await rejects(session!.apply({ changeSet: plan }), ErrorCode.DEVICE_COMMIT, 'stale change set');
    assert.match(e.message, /nothing was written/);
    assert.equal(device!.proxy.writes, before);
    // The lock is free again: the next (fresh) plan applies.
    await converge(session!, config());
  });

  it('rolls the OVSDB transaction back when OpenFlow fails after it committed', async function () {
    // Something that is not a switch holds the port the bridge should listen on: the bridge is created, then the
    // OpenFlow step fails.
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (squatter.address() as net.AddressInfo).port;
      const s2 = await ovsVSwitch({
        target: { name: 'node-t' },
        options: { ...device!.options, openflow: { connect: { host: '127.0.0.1', port } }, requestTimeoutMs: 1500 },
        logger: silentLogger,
      }).connect();
      try {
        const before = device!.proxy.writes;
        const plan = await s2.plan({ desired: config() });
        const e = await rejects(s2.apply({ changeSet: plan }), ErrorCode.DEVICE_COMMIT, 'apply with OpenFlow unreachable');
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

  it('resyncFlows puts flows back after the flow table was emptied (as by an ovs-vswitchd restart)', async function () {
    const isolated = config({ securityGroupRule: { 'g:any': { key: 'g:any', group: 'g', name: 'any', direction: 'egress', protocol: 'any' } } });
    (isolated.endpointPort as Record<string, Record<string, unknown>>)['vp1'] = { ...isolated.endpointPort['vp1']!, securityGroups: ['g'] };
    await converge(session!, isolated);
    const before = await device!.sandbox.ofctl('dump-flows', 'br-t', '--no-stats');
    assert.equal(await session!.resyncFlows(), 0, 'nothing to do while the flows are in place');
    await device!.sandbox.ofctl('del-flows', 'br-t');
    assert.equal(await device!.sandbox.ofctl('dump-flows', 'br-t', '--no-stats'), '', 'the flow table is empty');
    const sent = await session!.resyncFlows();
    assert.ok(sent > 10, `${sent} flow_mods`);
    const sorted = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l.includes('actions=')).sort();
    assert.ok(sorted(before).length > 10);
    assert.deepEqual(sorted(await device!.sandbox.ofctl('dump-flows', 'br-t', '--no-stats')), sorted(before));
  });

  it('validates its options', async function () {
    assert.throws(() => ovsVSwitch({ target: { name: 'n' }, options: { ovsdb: 'unix:/x', colour: 'red' }, logger: silentLogger }), (e: unknown) => codeOf(e) === ErrorCode.INPUT_INVALID);
    assert.throws(() => ovsVSwitch({ target: { name: 'n' }, options: { ovsdb: 'http://x' }, logger: silentLogger }), (e: unknown) => codeOf(e) === ErrorCode.INPUT_INVALID);
    assert.throws(() => ovsVSwitch({ target: { name: 'n' }, options: { openflow: { connect: { host: 'localhost', port: 1 } } }, logger: silentLogger }), (e: unknown) => codeOf(e) === ErrorCode.INPUT_INVALID);
    await rejects(session!.plan({ desired: config({ bridge: { 'br-t': { key: 'br-t', name: 'br-t' }, 'br-u': { key: 'br-u', name: 'br-u' } } }) }), ErrorCode.INPUT_INVALID, 'two bridges in connect mode');
  });

  it('writes flows that read back exactly (SCTP ports, IPv6 prefixes, port ranges): a later change re-sends none of them', async function () {
    const rules = {
      'g:sctp': { key: 'g:sctp', group: 'g', name: 'sctp', direction: 'ingress', protocol: 'sctp', ports: [{ from: 3868, to: 3870 }], remote: { cidr: 'fd00:9::/64' } },
      'g:dns': { key: 'g:dns', group: 'g', name: 'dns', direction: 'egress', protocol: 'udp', ports: [{ from: 53, to: 53 }], remote: { cidr: '10.9.0.0/16' } },
      'g:web': { key: 'g:web', group: 'g', name: 'web', direction: 'ingress', protocol: 'tcp', ports: [{ from: 8000, to: 8999 }] },
    };
    const isolated = config({ securityGroupRule: rules });
    (isolated.endpointPort as Record<string, Record<string, unknown>>)['vp1'] = { ...isolated.endpointPort['vp1']!, securityGroups: ['g'] };
    const first = await converge(session!, isolated);
    assert.ok(first.operations.filter((o) => o.medium === 'openflow').length > 20);
    const flows = await device!.sandbox.ofctl('dump-flows', 'br-t');
    assert.match(flows, /sctp6,.*ipv6_src=fd00:9::\/64,tp_dst=0xf1c\/0xfffe/);
    const next = { ...isolated, qos: { q: { key: 'q', name: 'q', egressRateKbps: 100 } } } as unknown as VSwitchConfig;
    const plan = await session!.plan({ desired: next });
    assert.deepEqual(plan.operations.filter((o) => o.medium === 'openflow'), [], 'every flow already matched what the switch returned');
    // Flows deleted behind netloom's back: the old plan no longer says what apply would send, so it is refused;
    // a new plan shows the repair and applying it puts the flows back.
    await device!.sandbox.ofctl('del-flows', 'br-t', 'cookie=0x4e4c000200000000/0xffffffff00000000');
    assert.doesNotMatch(await device!.sandbox.ofctl('dump-flows', 'br-t'), /sctp6/);
    await rejects(session!.apply({ changeSet: plan }), ErrorCode.DEVICE_COMMIT, 'plan made before the flows were deleted');
    const repair = await session!.plan({ desired: next });
    assert.ok(repair.operations.some((o) => o.medium === 'openflow' && o.text.includes('sctp_dst=')), 'the new plan re-adds the missing flows');
    const tx = await session!.apply({ changeSet: repair });
    await session!.confirm({ transaction: tx });
    assert.match(await device!.sandbox.ofctl('dump-flows', 'br-t'), /sctp6/);
  });
});

describe('ovs credentials', function () {
  it('never puts the TLS private key (or its passphrase) from the target into an error or a log line', async function () {
    const secret = 'NETLOOM-TEST-SECRET-9f1c2e';
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
    const driver = ovsVSwitch({
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
    for (let e: unknown = error; e instanceof Error; e = e.cause) texts.push(e.message, e.stack ?? '', JSON.stringify(isNetloomError(e) ? e.details ?? {} : {}));
    for (const t of texts) assert.ok(!t.includes(secret), `the secret leaked into: ${t.slice(0, 200)}`);
  });
});
