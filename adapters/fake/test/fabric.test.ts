import { strict as assert } from 'node:assert';
import {
  CommitError,
  DeviceConnectionError,
  DeviceTimeoutError,
  FabricConfigCodec,
  InputError,
  LockedError,
  NotSupportedError,
  checkAdapterDefinition,
  configEquals,
  decodeOrThrow,
  decodeProblems,
  emptyFabricConfig,
  silentLogger,
  type FabricConfig,
  type FabricConfigInput,
} from '@netloom/ports';
import { DEFAULT_CONFIRM_WITHIN_SEC, adapter, fakeDeviceRegistry, fakeFabric, fakeFirewall, type FakeDevice } from '@netloom/adapter-fake';
import { edited, fabricSample } from './samples';

const driver = (name = 'leaf1', options: Record<string, unknown> = {}) => fakeFabric({ target: { name }, options, logger: silentLogger });
const leaf = (name = 'leaf1'): FakeDevice<FabricConfig> => fakeDeviceRegistry.get<FabricConfig>(name)!;
const desired = (input: FabricConfigInput = fabricSample()): FabricConfig => decodeOrThrow(FabricConfigCodec, input, 'desired');

/** Waits until `check` holds (polling), or fails after `ms`. Asserts state, never durations. */
async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('adapter-fake: fabric', () => {
  afterEach(() => fakeDeviceRegistry.reset());

  it('renders readable memory operations, creates parents first and deletes children first', async () => {
    const s = await driver().connect();
    const plan = await s.plan({ desired: desired() });
    assert.deepEqual(
      plan.operations.map((o) => o.text.split(' ').slice(0, 3).join(' ')),
      [
        'create vrf vpc-shop',
        'create interconnect vrb-dc2',
        'create segment 10010',
        'create segment 10020',
        'create binding Ethernet1/1:100',
        'create binding Ethernet1/2:100',
      ],
    );
    assert.equal(plan.operations[3]!.text, 'create segment 10020 {"l2Vni":10020,"name":"ls-db"}');
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    const down = await s.plan({ desired: emptyFabricConfig() });
    assert.deepEqual(
      down.operations.map((o) => o.text),
      ['delete binding Ethernet1/1:100', 'delete binding Ethernet1/2:100', 'delete segment 10010', 'delete segment 10020', 'delete interconnect vrb-dc2', 'delete vrf vpc-shop'],
    );
    await s.close();
  });

  it('rejects invalid desired config (VLAN 5000, a name with a newline) before any device call', async () => {
    const s = await driver().connect();
    const calls = leaf().callCount();
    const bad = edited(fabricSample(), (c) => {
      c.binding['Ethernet1/1:100']!.vlan = 5000;
      c.segment['10020']!.name = 'bd1\nquit';
      c.vrf['vpc-shop']!.name = 'x; reboot';
    });
    await assert.rejects(s.plan({ desired: bad as unknown as FabricConfig }), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      const paths = e.problems.map((p) => p.path);
      assert.ok(paths.includes('binding["Ethernet1/1:100"].vlan'), JSON.stringify(e.problems));
      assert.ok(paths.includes('segment["10020"].name'), JSON.stringify(e.problems));
      assert.ok(paths.includes('vrf["vpc-shop"].name'), JSON.stringify(e.problems));
      assert.match(e.message, /^desired fabric config of leaf1 is invalid/);
      return true;
    });
    assert.equal(leaf().callCount(), calls, 'no device call');
    assert.equal(leaf().writes, 0);
    await s.close();
  });

  it('rejects a tampered change set before writing anything', async () => {
    const s = await driver().connect();
    const plan = await s.plan({ desired: desired() });
    const tampered = {
      ...plan,
      changes: plan.changes.map((c) => (c.kind === 'segment' && c.after !== undefined ? { ...c, after: { ...c.after, name: 'x\nreload' } } : c)),
    };
    await assert.rejects(s.apply({ changeSet: tampered }), InputError);
    await assert.rejects(s.apply({ changeSet: { ...plan, device: 'leaf2' } }), InputError);
    await assert.rejects(s.apply({ changeSet: plan, confirmWithinSec: 0 }), InputError);
    assert.equal(leaf().writes, 0);
    assert.ok(!leaf().locked);
    await s.close();
  });

  it('stores objects in canonical form, so a hand-built change set does not cause endless drift', async () => {
    const s = await driver().connect();
    const vrf = { key: 'v', name: 'v', l3Vni: 5 };
    const seg = { key: '7', name: 's', l2Vni: 7, vrf: 'v', anycastGateway: { ipv6: ['FD00:1:0::1/64'] } };
    const changeSet = {
      device: 'leaf1',
      port: 'fabric' as const,
      changes: [
        { op: 'create' as const, kind: 'vrf', key: 'v', after: vrf },
        { op: 'create' as const, kind: 'segment', key: '7', after: seg },
      ],
      operations: [],
    };
    await s.confirm({ transaction: await s.apply({ changeSet }) });
    assert.deepEqual(leaf().owned().segment['7']!.anycastGateway, { ipv6: ['fd00:1::1/64'] });
    const again = await s.plan({ desired: desired({ vrf: { v: vrf }, segment: { '7': seg }, binding: {}, interconnect: {} }) });
    assert.deepEqual(again.changes, []);
    await s.close();
  });

  it('refuses a stale change set (the device changed since observe) without writing', async () => {
    const s = await driver().connect();
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: desired() }) }) });
    const plan = await s.plan({ desired: emptyFabricConfig() });
    leaf().setOwned('binding', 'Ethernet1/1:100', undefined); // an operator removed it by hand
    const writes = leaf().writes;
    await assert.rejects(s.apply({ changeSet: plan }), (e: unknown) => e instanceof CommitError && /nothing was written/.test(e.message));
    assert.equal(leaf().writes, writes);
    await s.close();
  });

  it('a create that collides with a foreign object fails the commit and restores the device', async () => {
    driver('leaf1', { seed: { foreign: { segment: { '10020': { key: '10020', name: 'theirs', l2Vni: 10020 } } } } });
    const s = await driver().connect();
    await assert.rejects(s.apply({ changeSet: await s.plan({ desired: desired() }) }), (e: unknown) => e instanceof CommitError && /not owned by netloom/.test(e.message));
    assert.ok(configEquals(leaf().owned(), emptyFabricConfig()));
    assert.deepEqual(leaf().foreign(), { segment: { '10020': { key: '10020', name: 'theirs', l2Vni: 10020 } } });
    await s.close();
  });

  it('failOnCall fails exactly the Nth device call with DeviceTimeoutError (here: the observe inside plan)', async () => {
    const s = await driver('leaf1', { failOnCall: 3 }).connect(); // call 1
    await s.facts(); // call 2
    await assert.rejects(s.plan({ desired: desired() }), DeviceTimeoutError); // call 3: plan observes
    assert.equal((await s.plan({ desired: desired() })).changes.length, 6); // call 4 works
    await s.close();
  });

  it('failOnCall: the failed call changes nothing; later calls work', async () => {
    const d = driver('leaf1', { failOnCall: 3 });
    const s = await d.connect(); // call 1
    const plan = await s.plan({ desired: desired(), observed: emptyFabricConfig() }); // no device call
    await s.facts(); // call 2
    await assert.rejects(s.apply({ changeSet: plan }), (e: unknown) => e instanceof DeviceTimeoutError && e.code === 'DEVICE.TIMEOUT' && /call 3/.test(e.message)); // call 3
    assert.equal(leaf().writes, 0);
    assert.ok(!leaf().locked);
    assert.deepEqual(
      leaf().calls.map((c) => [c.op, c.failed === true]),
      [
        ['connect', false],
        ['facts', false],
        ['apply', true],
      ],
    );
    const tx = await s.apply({ changeSet: plan }); // call 4
    await s.confirm({ transaction: tx });
    assert.ok(configEquals(leaf().committed(), desired()));
    await s.close();
  });

  it('a second session cannot apply while another holds an unconfirmed transaction (LockedError)', async () => {
    const a = await driver().connect();
    const b = await driver().connect(); // a second driver for the same name shares the device
    const txA = await a.apply({ changeSet: await a.plan({ desired: desired() }) });
    const planB = await b.plan({ desired: emptyFabricConfig(), observed: emptyFabricConfig() });
    assert.deepEqual(planB.changes, []);
    const planB2 = await b.plan({ desired: desired(edited(fabricSample(), (c) => void delete c.interconnect['vrb-dc2'])) });
    await assert.rejects(b.apply({ changeSet: planB2 }), (e: unknown) => e instanceof LockedError && e.code === 'DEVICE.LOCKED' && e.message.includes(txA.id));
    await assert.rejects(a.apply({ changeSet: planB2 }), LockedError); // also the holder, until it confirms
    await a.confirm({ transaction: txA });
    const txB = await b.apply({ changeSet: planB2 });
    await b.confirm({ transaction: txB });
    assert.deepEqual(Object.keys(leaf().committed().interconnect), []);
    await a.close();
    await b.close();
  });

  it('closing a session with an unconfirmed transaction rolls it back and frees the lock', async () => {
    const s = await driver().connect();
    const tx = await s.apply({ changeSet: await s.plan({ desired: desired() }) });
    await s.close();
    assert.equal(tx.state, 'rolled-back');
    assert.ok(!leaf().locked);
    assert.ok(configEquals(leaf().owned(), emptyFabricConfig()));
    await assert.rejects(s.confirm({ transaction: tx }), DeviceConnectionError);
  });

  it('an unconfirmed transaction rolls back by itself after confirmWithinSec (confirmed commit)', async () => {
    const s = await driver().connect();
    const tx = await s.apply({ changeSet: await s.plan({ desired: desired() }), confirmWithinSec: 0.2 });
    assert.ok(tx.confirmBy !== undefined && !Number.isNaN(Date.parse(tx.confirmBy)));
    assert.ok(leaf().locked);
    await eventually(() => !leaf().locked);
    assert.equal(tx.state, 'rolled-back');
    assert.ok(configEquals(leaf().owned(), emptyFabricConfig()));
    await assert.rejects(s.confirm({ transaction: tx }), (e: unknown) => e instanceof CommitError && /not confirmed within 0.2 s/.test(e.message));
    await s.close();
  });

  it('a confirmed transaction stays confirmed after its confirm timer would have fired', async () => {
    const s = await driver().connect();
    const tx = await s.apply({ changeSet: await s.plan({ desired: desired() }), confirmWithinSec: 0.1 });
    await s.confirm({ transaction: tx });
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(tx.state, 'confirmed');
    assert.ok(configEquals(leaf().committed(), desired()));
    await s.close();
    assert.equal(DEFAULT_CONFIRM_WITHIN_SEC, 120);
  });

  it('throws NotSupportedError for a capability the device lacks, before any write', async () => {
    const s = await driver('leaf1', { unsupported: ['interconnect', 'anycastGateway'] }).connect();
    const facts = await s.facts();
    assert.equal(facts.extra?.['unsupported'], 'anycastGateway,interconnect');
    await assert.rejects(s.plan({ desired: desired() }), (e: unknown) => e instanceof NotSupportedError && e.code === 'NOT_SUPPORTED' && /anycastGateway, interconnect/.test(e.message));
    // a change set built elsewhere is refused too
    const full = await (await driver('leaf2').connect()).plan({ desired: desired() });
    await assert.rejects(s.apply({ changeSet: { ...full, device: 'leaf1' } }), NotSupportedError);
    assert.equal(leaf().writes, 0);
    // what it supports still works
    const plain = desired(
      edited(fabricSample(), (c) => {
        c.interconnect = {};
        delete c.segment['10010']!.anycastGateway;
      }),
    );
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: plain }) }) });
    assert.ok(configEquals(leaf().committed(), plain));
    await s.close();
  });

  it('validates its options', () => {
    assert.throws(() => driver('leaf1', { latency: 5 }), (e: unknown) => e instanceof InputError && /latency: unknown field/.test(e.message));
    assert.throws(() => driver('leaf1', { unsupported: ['teleport'] }), (e: unknown) => e instanceof InputError && /"teleport" is not a fabric capability/.test(e.message));
    assert.throws(() => driver('leaf 1'), InputError);
    assert.throws(
      () => driver('leaf1', { seed: { owned: { binding: { 'Eth1:5000': { key: 'Eth1:5000', interface: 'Eth1', vlan: 5000, l2Vni: 1 } } } } }),
      (e: unknown) => e instanceof InputError && /vlan: 5000 is outside 1\.\.4094/.test(e.message),
    );
    assert.deepEqual(decodeProblems(adapter.optionsCodec!, { failOnCall: 0 }).problems, [{ path: 'failOnCall', reason: '0 is outside 1..1000000000' }]);
  });

  it('seeds owned objects, applies latency, and shares one device per name', async () => {
    const d = driver('leaf1', { latencyMs: 5, seed: { owned: { vrf: { a: { key: 'a', name: 'a', l3Vni: 7 } } } }, facts: { model: 'CE6881' } });
    const s = await d.connect();
    assert.equal((await s.facts()).model, 'CE6881');
    assert.deepEqual(Object.keys((await s.observe()).config.vrf), ['a']);
    assert.equal(d.device, fakeDeviceRegistry.get('leaf1'));
    assert.deepEqual(fakeDeviceRegistry.names(), ['leaf1']);
    assert.throws(() => fakeFirewall({ target: { name: 'leaf1' }, options: {}, logger: silentLogger }), (e: unknown) => e instanceof InputError && /is a fabric device/.test(e.message));
    leaf().resetCounters();
    assert.equal(leaf().callCount(), 0);
    await s.close();
    assert.equal(leaf().callCount('close'), 1);
  });

  it('out-of-band changes show up as drift in the next plan', async () => {
    const s = await driver().connect();
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: desired() }) }) });
    const seg = leaf().owned().segment['10020']!;
    leaf().setOwned('segment', '10020', { ...seg, name: 'renamed' } as typeof seg);
    const plan = await s.plan({ desired: desired() });
    assert.deepEqual(
      plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`),
      ['update segment 10020'],
    );
    await s.close();
  });

  it('the adapter manifest is valid and declares every capability', () => {
    assert.deepEqual(checkAdapterDefinition(adapter), []);
    assert.equal(adapter.id, 'fake');
    assert.ok(Object.values(adapter.supports.fabric).every((v) => v === true));
    assert.equal(adapter.supports.fabric.floodVtep, true);
  });

  it('flood VTEPs: created after their segment, observed back, deleted before it; refused where unsupported', async () => {
    const flood = (input: FabricConfigInput): FabricConfigInput => ({
      ...input,
      floodVtep: { '10020:192.0.2.141': { key: '10020:192.0.2.141', l2Vni: 10020, remoteIp: '192.0.2.141' } },
    });
    const s = await driver().connect();
    const plan = await s.plan({ desired: desired(flood(fabricSample())) });
    const texts = plan.operations.map((o) => o.text.split(' ').slice(0, 3).join(' '));
    assert.ok(texts.indexOf('create segment 10020') < texts.indexOf('create floodVtep 10020:192.0.2.141'), texts.join('\n'));
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.deepEqual((await s.observe()).config.floodVtep, { '10020:192.0.2.141': { key: '10020:192.0.2.141', l2Vni: 10020, remoteIp: '192.0.2.141' } });
    const down = await s.plan({ desired: desired() });
    assert.deepEqual(down.operations.map((o) => o.text), ['delete floodVtep 10020:192.0.2.141']);
    await s.close();
    const old = await driver('leaf2', { unsupported: ['floodVtep'] }).connect();
    await assert.rejects(old.plan({ desired: desired(flood(fabricSample())) }), (e: unknown) => e instanceof NotSupportedError && /floodVtep/.test(e.message));
    await old.close();
  });
});
