import { strict as assert } from 'node:assert';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { APPLIED_PREFIX, PASS_PREFIX, Reconciler, backoffDelayMs, readLastApplied, type Clock, type ProgressEvent, type ReconcilerOptions } from '@netloom/engine';
import { DeviceConnectionError, silentLogger, type DeviceConfig, type DeviceDriver, type StorePort } from '@netloom/ports';
import {
  assertAt,
  calls,
  configFor,
  desiredFor,
  device,
  driversFor,
  fabricObjects,
  fakeDriver,
  newStore,
  ownedKeys,
  resetCounters,
  testVpcOfObject,
  writes,
  type DeviceSpec,
} from './reconciler.helpers';

function reconciler(specs: readonly DeviceSpec[], store: StorePort, extra: Partial<ReconcilerOptions> = {}): Reconciler {
  return new Reconciler({ drivers: driversFor(specs), store, vpcOfObject: testVpcOfObject, logger: silentLogger, ...extra });
}

const outcomes = (r: { devices: readonly { device: string; outcome: string }[] }): Record<string, string> => Object.fromEntries(r.devices.map((d) => [d.device, d.outcome]));

describe('Reconciler', () => {
  afterEach(() => fakeDeviceRegistry.reset());

  const FOUR: DeviceSpec[] = [
    { name: 'leaf1', port: 'fabric', vpcs: ['a', 'b'] },
    { name: 'vs1', port: 'vswitch', vpcs: ['a', 'b'] },
    { name: 'fw1', port: 'firewall', vpcs: ['a', 'b'] },
    { name: 'lb1', port: 'loadBalancer', vpcs: ['a', 'b'] },
  ];
  const names = (specs: readonly DeviceSpec[]): string[] => specs.map((s) => s.name);

  it('applies every device, then a second pass is all unchanged with zero apply calls and zero writes', async () => {
    const store = newStore();
    const r = reconciler(FOUR, store);
    const desired = desiredFor(FOUR);
    const first = await r.reconcile(desired);
    assert.deepEqual(outcomes(first), { fw1: 'applied', lb1: 'applied', leaf1: 'applied', vs1: 'applied' });
    for (const s of FOUR) {
      assertAt(s.name, s.port, desired.devices.get(s.name)!.config);
      assert.equal(device(s.name).callCount('connect'), 1, `${s.name}: one session per pass`);
      assert.equal(device(s.name).callCount('apply'), 1, `${s.name}: one transaction per pass`);
    }
    assert.deepEqual(first.devices.find((d) => d.device === 'leaf1')!.vpcs, ['a', 'b']);
    assert.deepEqual(first.failedVpcs, []);
    assert.ok(first.passId !== undefined);

    resetCounters(names(FOUR));
    const second = await r.reconcile(desired);
    assert.deepEqual(new Set(Object.values(outcomes(second))), new Set(['unchanged']));
    assert.equal(calls(names(FOUR), 'apply'), 0, 'no apply call at all');
    assert.equal(calls(names(FOUR), 'confirm'), 0);
    assert.equal(writes(names(FOUR)), 0, 'zero writes');
    assert.equal(calls(names(FOUR), 'connect'), 4, 'one session per device');
    for (const d of second.devices) assert.equal(d.changeSet?.changes.length, 0);
  });

  it('journals a pass (begin, per device, end), removes the pass record and keeps the last applied config', async () => {
    const store = newStore();
    const specs = FOUR.slice(0, 2);
    const report = await reconciler(specs, store).reconcile(desiredFor(specs));
    const journal = await store.readJournal({ type: 'reconcile' });
    assert.equal(journal[0]!.type, 'reconcile.begin');
    assert.equal(journal.at(-1)!.type, 'reconcile.end');
    const states = journal.filter((j) => j.type === 'reconcile.device').map((j) => `${(j.data as { device: string }).device}:${(j.data as { state: string }).state}`);
    for (const d of ['leaf1', 'vs1']) assert.deepEqual(states.filter((s) => s.startsWith(`${d}:`)), [`${d}:applying`, `${d}:applied`, `${d}:verified`, `${d}:confirmed`]);
    assert.deepEqual(await store.list({ prefix: PASS_PREFIX }), []);
    assert.equal((await store.list({ prefix: APPLIED_PREFIX })).length, 2);
    const last = await readLastApplied(store, 'leaf1');
    assert.equal(last?.passId, report.passId);
    assert.deepEqual(Object.keys(last!.config['segment']!).sort(), ['10010', '20010']);

    // An all-unchanged pass writes nothing to the store either.
    const before = (await store.readJournal()).length;
    await reconciler(specs, store).reconcile(desiredFor(specs));
    assert.equal((await store.readJournal()).length, before);
  });

  it('dry run: returns the change sets, writes nothing to devices or the store', async () => {
    const store = newStore();
    const report = await reconciler(FOUR, store).reconcile(desiredFor(FOUR), { dryRun: true });
    assert.equal(report.dryRun, true);
    assert.deepEqual(new Set(Object.values(outcomes(report))), new Set(['planned']));
    const leaf = report.devices.find((d) => d.device === 'leaf1')!;
    assert.deepEqual(
      leaf.changeSet!.changes.map((c) => `${c.op} ${c.kind} ${c.key}`),
      ['create vrf a-vrf', 'create vrf b-vrf', 'create segment 10010', 'create segment 20010', 'create binding Ethernet1/1:101', 'create binding Ethernet1/2:102'],
    );
    assert.ok(leaf.changeSet!.operations.length > 0, 'rendered operations for `netloom plan`');
    assert.equal(calls(names(FOUR), 'apply'), 0);
    assert.equal(writes(names(FOUR)), 0);
    assert.deepEqual(await store.readJournal(), []);
    assert.deepEqual(ownedKeys('leaf1'), { vrf: [], interconnect: [], segment: [], floodVtep: [], binding: [] });
  });

  it('never touches foreign objects', async () => {
    const foreign = { key: '40010', name: 'legacy', l2Vni: 40010 };
    const spec: DeviceSpec = { name: 'leaf1', port: 'fabric', vpcs: ['a'], options: { seed: { foreign: { segment: { '40010': foreign } } } } };
    const r = reconciler([spec], newStore());
    const report = await r.reconcile(desiredFor([spec]));
    assert.equal(report.devices[0]!.outcome, 'applied');
    assert.deepEqual(device('leaf1').foreign(), { segment: { '40010': foreign } });
    assert.ok(!report.devices[0]!.changeSet!.changes.some((c) => c.key === '40010'));
    // Desired without VPC a: the owned objects go, the foreign one stays.
    const report2 = await r.reconcile(desiredFor([spec], [], () => []));
    assert.equal(report2.devices[0]!.outcome, 'applied');
    assert.deepEqual(ownedKeys('leaf1'), { vrf: [], interconnect: [], segment: [], floodVtep: [], binding: [] });
    assert.deepEqual(device('leaf1').foreign(), { segment: { '40010': foreign } });
  });

  it('a failing device in VPC a: rolled back; the other devices of VPC a compensated; devices of VPC b only confirmed', async () => {
    const specs: DeviceSpec[] = [
      { name: 'leafA', port: 'fabric', vpcs: ['a'] },
      { name: 'vsA', port: 'vswitch', vpcs: ['a'], options: { dropMidCommit: true } },
      { name: 'leafB', port: 'fabric', vpcs: ['b'] },
      { name: 'lbB', port: 'loadBalancer', vpcs: ['b'] },
    ];
    const events: ProgressEvent[] = [];
    const desired = desiredFor(specs);
    const report = await reconciler(specs, newStore()).reconcile(desired, { onProgress: (e) => events.push(e) });
    assert.deepEqual(outcomes(report), { lbB: 'applied', leafA: 'compensated', leafB: 'applied', vsA: 'failed' });
    assert.deepEqual(report.failedVpcs, ['a']);
    const vsA = report.devices.find((d) => d.device === 'vsA')!;
    assert.equal(vsA.error?.code, 'DEVICE.COMMIT');
    assert.ok(vsA.nextRetryAt !== undefined && vsA.failures === 1);
    assert.ok(report.devices.find((d) => d.device === 'leafA')!.nextRetryAt !== undefined);
    assert.equal(report.devices.find((d) => d.device === 'leafB')!.nextRetryAt, undefined);
    // VPC a: nothing left anywhere; VPC b: at desired.
    assertAt('leafA', 'fabric', configFor('fabric', []));
    assertAt('vsA', 'vswitch', { bridge: {}, qos: {}, securityGroupRule: {}, uplink: {}, tunnel: {}, endpointPort: {} });
    assertAt('leafB', 'fabric', desired.devices.get('leafB')!.config);
    assertAt('lbB', 'loadBalancer', desired.devices.get('lbB')!.config);
    assert.equal(device('leafA').callCount('confirm'), 0, 'the compensated device was never confirmed');
    assert.equal(device('leafA').callCount('rollback'), 1);
    assert.ok(events.some((e) => e.device === 'vsA' && e.phase === 'failed'));
    assert.ok(events.some((e) => e.device === 'leafA' && e.phase === 'rolled-back' && e.reason === 'compensated'));
    assert.deepEqual(
      events.filter((e) => e.device === 'leafB').map((e) => e.phase),
      ['connecting', 'planned', 'applying', 'verified', 'confirmed'],
    );
  });

  it('compensation spreads through a device carrying two VPCs: its transaction fails both (fixed point)', async () => {
    const specs: DeviceSpec[] = [
      { name: 'leafAB', port: 'fabric', vpcs: ['a', 'b'] },
      { name: 'vsA', port: 'vswitch', vpcs: ['a'], options: { dropMidCommit: true } },
      { name: 'lbB', port: 'loadBalancer', vpcs: ['b'] },
      { name: 'fwC', port: 'firewall', vpcs: ['c'] },
    ];
    const desired = desiredFor(specs);
    const report = await reconciler(specs, newStore()).reconcile(desired);
    assert.deepEqual(outcomes(report), { fwC: 'applied', lbB: 'compensated', leafAB: 'compensated', vsA: 'failed' });
    assert.deepEqual(report.failedVpcs, ['a', 'b']);
    assertAt('fwC', 'firewall', desired.devices.get('fwC')!.config);
    assertAt('lbB', 'loadBalancer', configFor('loadBalancer', []));
  });

  it('an unreachable device holds its VPCs back on the other devices (replanned without them), the rest applies', async () => {
    const specs: DeviceSpec[] = [
      { name: 'leafA', port: 'fabric', vpcs: ['a'], options: { failOnCall: 1 } },
      { name: 'vsAB', port: 'vswitch', vpcs: ['a', 'b'] },
      { name: 'lbB', port: 'loadBalancer', vpcs: ['b'] },
      { name: 'fwA', port: 'firewall', vpcs: ['a'] },
    ];
    const desired = desiredFor(specs);
    const r = reconciler(specs, newStore());
    const report = await r.reconcile(desired);
    assert.deepEqual(outcomes(report), { fwA: 'skipped', lbB: 'applied', leafA: 'failed', vsAB: 'applied' });
    assert.equal(report.devices.find((d) => d.device === 'leafA')!.error?.code, 'DEVICE.TIMEOUT');
    assert.deepEqual(report.failedVpcs, ['a']);
    assert.deepEqual(ownedKeys('vsAB').endpointPort, ['veth-b1'], 'VPC a held back, VPC b and the shared objects applied');
    assert.deepEqual(ownedKeys('vsAB').bridge, ['br-int']);
    assert.equal(device('fwA').callCount('apply'), 0, 'a device whose only changes were held back writes nothing');
    assert.ok(report.devices.find((d) => d.device === 'vsAB')!.nextRetryAt !== undefined, 'held back ⇒ retried');
    // Next pass (leafA reachable again: failOnCall was its driver's first call only): everything converges.
    const again = await r.reconcile(desired);
    assert.deepEqual(outcomes(again), { fwA: 'applied', lbB: 'unchanged', leafA: 'applied', vsAB: 'applied' });
    for (const s of specs) assertAt(s.name, s.port, desired.devices.get(s.name)!.config);
  });

  it('objects of failedVpcs are left exactly as observed: never created, changed or deleted', async () => {
    const seededC = fabricObjects('c');
    const leaf: DeviceSpec = { name: 'leaf1', port: 'fabric', vpcs: ['a', 'c'], options: { seed: { owned: { ...fabricObjects('b', structuredClone(seededC)) } } } };
    const fw: DeviceSpec = { name: 'fw1', port: 'firewall', vpcs: ['a', 'c'] };
    const desired = desiredFor([leaf, fw], ['c']);
    // Change VPC c's desired segment: it must not be applied either.
    const leafCfg = desired.devices.get('leaf1')!.config as unknown as Record<string, Record<string, Record<string, unknown>>>;
    leafCfg['segment']!['30010'] = { ...leafCfg['segment']!['30010']!, name: 'c-web-v2' };
    const report = await reconciler([leaf, fw], newStore()).reconcile(desired);
    assert.deepEqual(outcomes(report), { fw1: 'applied', leaf1: 'applied' });
    const owned = device('leaf1').owned() as unknown as Record<string, Record<string, { name?: string }>>;
    assert.deepEqual(ownedKeys('leaf1').segment, ['10010', '30010'], 'a created, b deleted, c kept');
    assert.equal(owned['segment']!['30010']!.name, 'c-web', 'c unchanged');
    assert.deepEqual(ownedKeys('leaf1').vrf, ['a-vrf', 'c-vrf']);
    assert.deepEqual(ownedKeys('fw1').zone, ['a-zone'], 'c never created');
    for (const d of report.devices) assert.ok(!d.vpcs.includes('c'));
    assert.deepEqual(report.failedVpcs, [], 'failedVpcs of the desired state are not repeated');
  });

  it('read-back verify catches a device that silently drops a change, and rolls it back', async () => {
    const specs: DeviceSpec[] = [
      { name: 'leafA', port: 'fabric', vpcs: ['a'] },
      { name: 'vsA', port: 'vswitch', vpcs: ['a'] },
    ];
    // A device that acknowledges the commit but does not install segment 10010 (it reads back without it).
    const dropping = (driver: DeviceDriver<DeviceConfig>): DeviceDriver<DeviceConfig> => ({
      port: driver.port,
      connect: async (opts) => {
        const s = await driver.connect(opts);
        let applied = false;
        return {
          facts: () => s.facts(),
          plan: (o) => s.plan(o),
          apply: async (o) => {
            const tx = await s.apply(o);
            applied = true;
            return tx;
          },
          observe: async () => {
            const r = await s.observe();
            if (!applied) return r;
            const segment = { ...r.config['segment'] };
            delete segment['10010'];
            return { ...r, config: { ...r.config, segment } };
          },
          confirm: (o) => s.confirm(o),
          rollback: async (o) => {
            applied = false;
            await s.rollback(o);
          },
          close: () => s.close(),
        };
      },
    });
    const drivers = driversFor(specs, (d, s) => (s.name === 'leafA' ? dropping(d) : d));
    const r = new Reconciler({ drivers, store: newStore(), vpcOfObject: testVpcOfObject, logger: silentLogger });
    const report = await r.reconcile(desiredFor(specs));
    assert.deepEqual(outcomes(report), { leafA: 'failed', vsA: 'compensated' });
    const leafA = report.devices.find((d) => d.device === 'leafA')!;
    assert.equal(leafA.error?.code, 'DEVICE.COMMIT');
    assert.match(leafA.error!.message, /read-back verify failed.*segment "10010" should be created but is missing/);
    assertAt('leafA', 'fabric', configFor('fabric', []));
    assert.equal(device('leafA').callCount('rollback'), 1);
    assert.equal(device('leafA').callCount('confirm'), 0);
  });

  it("a device locked by another writer is skipped with a reason, its VPCs held, and it converges once free", async () => {
    const specs: DeviceSpec[] = [
      { name: 'leafA', port: 'fabric', vpcs: ['a'] },
      { name: 'fwA', port: 'firewall', vpcs: ['a'] },
    ];
    const desired = desiredFor(specs);
    // Someone else holds leafA: an unconfirmed transaction of another session.
    const other = await fakeDriver({ name: 'leafA', port: 'fabric' }).connect();
    const plan = await other.plan({ desired: configFor('fabric', ['b']) });
    const tx = await other.apply({ changeSet: plan });
    const r = reconciler(specs, newStore());
    const report = await r.reconcile(desired);
    assert.deepEqual(outcomes(report), { fwA: 'compensated', leafA: 'skipped' });
    assert.equal(report.devices.find((d) => d.device === 'leafA')!.error?.code, 'DEVICE.LOCKED');
    assert.ok(report.devices.find((d) => d.device === 'leafA')!.nextRetryAt !== undefined);
    await other.rollback({ transaction: tx });
    await other.close();
    const again = await r.reconcile(desired);
    assert.deepEqual(outcomes(again), { fwA: 'applied', leafA: 'applied' });
    assert.equal(r.retryState('leafA'), undefined, 'backoff reset after success');
  });

  it('two passes over the same devices never write one device at once (in-process per-device lock)', async () => {
    const specs = FOUR.slice(0, 2);
    const desired = desiredFor(specs);
    const store = newStore();
    const [r1, r2] = await Promise.all([reconciler(specs, store).reconcile(desired), reconciler(specs, store).reconcile(desired)]);
    const all = [...Object.values(outcomes(r1)), ...Object.values(outcomes(r2))].sort();
    assert.deepEqual(all, ['applied', 'applied', 'unchanged', 'unchanged']);
    assert.equal(calls(['leaf1', 'vs1'], 'apply'), 2);
    // Sessions did not overlap: each device's call log is connect … close, connect … close.
    for (const d of ['leaf1', 'vs1']) {
      const ops = device(d).calls.map((c) => c.op).filter((op) => op === 'connect' || op === 'close');
      assert.deepEqual(ops, ['connect', 'close', 'connect', 'close']);
    }
  });

  it('backoff grows exponentially up to maxMs per failing device and resets after success', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z');
    const clock: Clock = { now: () => now, setTimeout: () => undefined, clearTimeout: () => undefined };
    let down = true;
    const spec: DeviceSpec = { name: 'leaf1', port: 'fabric', vpcs: ['a'] };
    const drivers = driversFor([spec], (d) => ({
      port: d.port,
      connect: (o) => (down ? Promise.reject(new DeviceConnectionError('leaf1: connection refused')) : d.connect(o)),
    }));
    const r = new Reconciler({ drivers, store: newStore(), vpcOfObject: testVpcOfObject, logger: silentLogger, clock, retry: { baseMs: 100, maxMs: 350 } });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const rep = await r.reconcile(desiredFor([spec]));
      const d = rep.devices[0]!;
      assert.equal(d.outcome, 'failed');
      assert.equal(d.failures, i + 1);
      delays.push(Date.parse(d.nextRetryAt!) - now);
      now += 1000;
    }
    assert.deepEqual(delays, [100, 200, 350, 350]);
    assert.equal(r.nextRetryAt(), now - 1000 + 350);
    down = false;
    const ok = await r.reconcile(desiredFor([spec]));
    assert.equal(ok.devices[0]!.outcome, 'applied');
    assert.equal(ok.devices[0]!.nextRetryAt, undefined);
    assert.equal(r.retryState('leaf1'), undefined);
    assert.equal(r.nextRetryAt(), undefined);
    down = true;
    const again = await r.reconcile(desiredFor([spec], [], () => []));
    assert.equal(Date.parse(again.devices[0]!.nextRetryAt!) - now, 100, 'starts again from baseMs');
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, { baseMs: 100, maxMs: 350 })), [100, 200, 350, 350, 350]);
  });

  it('reports a device without a driver, or with a desired config that does not validate, as failed without touching others', async () => {
    const specs: DeviceSpec[] = [
      { name: 'leafA', port: 'fabric', vpcs: ['a'] },
      { name: 'fwB', port: 'firewall', vpcs: ['b'] },
    ];
    const desired = desiredFor(specs);
    const devices = new Map(desired.devices);
    devices.set('ghost', { device: 'ghost', port: 'fabric', config: configFor('fabric', ['c']) });
    const badCfg = structuredClone(configFor('fabric', ['a'])) as unknown as Record<string, Record<string, Record<string, unknown>>>;
    badCfg['segment']!['10010']!['l2Vni'] = 0;
    devices.set('leafA', { device: 'leafA', port: 'fabric', config: badCfg as unknown as DeviceConfig });
    const report = await reconciler(specs, newStore()).reconcile({ devices, failedVpcs: [] });
    assert.deepEqual(outcomes(report), { fwB: 'applied', ghost: 'failed', leafA: 'failed' });
    assert.equal(report.devices.find((d) => d.device === 'ghost')!.error?.code, 'NOT_FOUND');
    assert.equal(report.devices.find((d) => d.device === 'leafA')!.error?.code, 'INPUT.INVALID');
    assert.deepEqual(report.failedVpcs, ['a', 'c']);
  });

  it('an aborted pass rolls back what it applied and confirms nothing', async () => {
    const specs = FOUR.slice(0, 2);
    const ac = new AbortController();
    const report = await reconciler(specs, newStore()).reconcile(desiredFor(specs), {
      signal: ac.signal,
      onProgress: (e) => {
        if (e.phase === 'verified') ac.abort();
      },
    });
    for (const d of report.devices) assert.ok(d.outcome === 'compensated' || d.outcome === 'skipped', `${d.device}: ${d.outcome}`);
    assert.equal(calls(['leaf1', 'vs1'], 'confirm'), 0);
    assertAt('leaf1', 'fabric', configFor('fabric', []));
  });
});

describe('Reconciler.drift', () => {
  afterEach(() => fakeDeviceRegistry.reset());

  it('reports out-of-band changes, pending intent and what the next pass would change', async () => {
    const store = newStore();
    const spec: DeviceSpec = { name: 'leaf1', port: 'fabric', vpcs: ['a', 'b'] };
    const r = reconciler([spec], store);
    await r.reconcile(desiredFor([spec]));
    assert.deepEqual((await r.drift(desiredFor([spec]))).devices[0]!.entries, [], 'no drift after apply');

    const leaf = device('leaf1');
    leaf.setOwned('segment', '10010', { key: '10010', name: 'a-hacked', l2Vni: 10010, vrf: 'a-vrf' } as never);
    leaf.setOwned('binding', 'Ethernet1/2:102', undefined);
    const report = await r.drift(desiredFor([spec], [], () => ['a']));
    const entries = report.devices[0]!.entries;
    assert.equal(report.devices[0]!.hasLastApplied, true);
    const byKey = Object.fromEntries(entries.map((e) => [`${e.kind} ${e.key}`, e]));
    assert.deepEqual(Object.keys(byKey).sort(), ['binding Ethernet1/2:102', 'segment 10010', 'segment 20010', 'vrf b-vrf']);
    assert.deepEqual(
      { oob: byKey['segment 10010']!.outOfBand, pending: byKey['segment 10010']!.pending, change: byKey['segment 10010']!.wouldChange, vpc: byKey['segment 10010']!.vpc },
      { oob: true, pending: false, change: true, vpc: 'a' },
    );
    assert.equal((byKey['segment 10010']!.actual as unknown as { name: string }).name, 'a-hacked');
    // Deleted out of band, and no longer desired either: out of band and pending, nothing for the next pass to do.
    assert.deepEqual([byKey['binding Ethernet1/2:102']!.outOfBand, byKey['binding Ethernet1/2:102']!.pending, byKey['binding Ethernet1/2:102']!.wouldChange], [true, true, false]);
    // VPC b no longer desired: pending, would be deleted, not out of band.
    assert.deepEqual([byKey['segment 20010']!.outOfBand, byKey['segment 20010']!.pending, byKey['segment 20010']!.wouldChange], [false, true, true]);
    assert.equal(leaf.callCount('apply'), 1, 'drift writes nothing');

    // The next pass repairs it.
    await r.reconcile(desiredFor([spec], [], () => ['a']));
    assert.deepEqual((await r.drift(desiredFor([spec], [], () => ['a']))).devices[0]!.entries, []);
  });

  it('without a last applied config, reports only what would change', async () => {
    const spec: DeviceSpec = { name: 'leaf1', port: 'fabric', vpcs: ['a'] };
    const r = reconciler([spec], newStore());
    const report = await r.drift(desiredFor([spec]));
    assert.equal(report.devices[0]!.hasLastApplied, false);
    assert.equal(report.devices[0]!.entries.length, 3);
    assert.ok(report.devices[0]!.entries.every((e) => e.wouldChange && !e.outOfBand && !e.pending));
  });
});
