/**
 * Crash-restart: kill a pass at every fault point of a multi-device change set (4 devices, 2 VPCs changing, one VPC
 * going away), restart with a NEW reconciler on the same store and the same devices, `recover()`, reconcile again:
 * every device ends exactly at desired, no orphaned owned object, foreign objects intact, and a further pass is all
 * `unchanged` with zero writes.
 *
 * The crash: the fault hook throws `SimulatedCrash`; the reconciler makes no further device call or store write and
 * closes nothing (a dead process closes nothing gracefully). Two models of what the devices do with the dead
 * process's sessions:
 *
 * - `sessions linger`: the devices keep the dead sessions and their unconfirmed transactions (like a commit trial
 *   that outlives its connection). `recover()` rolls back every transaction the journal names; a transaction the
 *   journal never learned (crash between apply and its journal record) stays until the device times the dead
 *   session out — passes meanwhile meet `LockedError` (`skipped`), then converge.
 * - `sessions end`: the devices end the dead sessions at once (connection loss), reverting unconfirmed work;
 *   `recover()` finds the transactions already rolled back.
 */
import { strict as assert } from 'node:assert';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { PASS_PREFIX, Reconciler, SimulatedCrash, type DesiredConfigs } from '@netloom/engine';
import { silentLogger, type StorePort } from '@netloom/ports';
import { SessionTracker, assertAt, calls, desiredFor, device, driversFor, newStore, resetCounters, testVpcOfObject, writes, type DeviceSpec } from './reconciler.helpers';

const FOREIGN = { key: '40010', name: 'legacy', l2Vni: 40010 };
const SPECS: DeviceSpec[] = [
  { name: 'leaf1', port: 'fabric', vpcs: ['a', 'b'], options: { seed: { foreign: { segment: { '40010': FOREIGN } } } } },
  { name: 'leaf2', port: 'fabric', vpcs: ['a'] },
  { name: 'vs1', port: 'vswitch', vpcs: ['a', 'b'] },
  { name: 'fw1', port: 'firewall', vpcs: ['b'] },
];
const NAMES = SPECS.map((s) => s.name);
/** Before the crashing pass every device holds VPC c (which goes away) and leaf2 also b (which leaves it). */
const BEFORE = desiredFor(SPECS, [], (s) => (s.name === 'leaf2' ? ['b', 'c'] : ['c']));
const DESIRED = desiredFor(SPECS);

function newReconciler(store: StorePort, opts: { tracker?: SessionTracker; crashAt?: string; seen?: string[] } = {}): Reconciler {
  return new Reconciler({
    drivers: driversFor(SPECS, opts.tracker?.wrap),
    store,
    vpcOfObject: testVpcOfObject,
    logger: silentLogger,
    faultHook: (point) => {
      opts.seen?.push(point);
      if (point === opts.crashAt) throw new SimulatedCrash(point);
    },
  });
}

async function converged(r: Reconciler, desired: DesiredConfigs): Promise<void> {
  for (const s of SPECS) assertAt(s.name, s.port, desired.devices.get(s.name)!.config, 'after recovery');
  assert.deepEqual(device('leaf1').foreign(), { segment: { '40010': FOREIGN } }, 'foreign objects intact');
  resetCounters(NAMES);
  const again = await r.reconcile(desired);
  assert.deepEqual(
    again.devices.map((d) => d.outcome),
    NAMES.map(() => 'unchanged'),
  );
  assert.equal(calls(NAMES, 'apply'), 0);
  assert.equal(writes(NAMES), 0);
}

/** Every fault point a full pass from BEFORE to DESIRED goes through. */
async function faultPoints(): Promise<string[]> {
  const seen: string[] = [];
  const store = newStore();
  await newReconciler(store).reconcile(BEFORE);
  await newReconciler(store, { seen }).reconcile(DESIRED);
  fakeDeviceRegistry.reset();
  return seen;
}

describe('Reconciler crash-restart', () => {
  afterEach(() => fakeDeviceRegistry.reset());

  let points: string[] = [];
  before(async () => {
    points = await faultPoints();
  });

  it('a full pass goes through every fault point', () => {
    assert.equal(points[0], 'journal-begin');
    for (const d of NAMES) for (const p of ['apply-returned', 'applied', 'verified', 'confirmed']) assert.ok(points.includes(`${p}:${d}`), `${p}:${d}`);
    assert.ok(points.includes('verified-all') && points.at(-1) === 'before-end');
    assert.equal(points.length, 3 + 4 * NAMES.length);
  });

  for (const model of ['sessions linger', 'sessions end'] as const) {
    it(`${model}: a crash at every fault point recovers and converges, no orphan, then zero writes`, async () => {
      const summary: string[] = [];
      for (const point of points) {
        fakeDeviceRegistry.reset();
        const store = newStore();
        await newReconciler(store).reconcile(BEFORE);
        for (const s of SPECS) assertAt(s.name, s.port, BEFORE.devices.get(s.name)!.config, 'before');

        const tracker = new SessionTracker();
        await assert.rejects(newReconciler(store, { tracker, crashAt: point }).reconcile(DESIRED), (e: unknown) => e instanceof SimulatedCrash && e.point === point, point);
        if (model === 'sessions end') await tracker.expireAll();

        // Restart: a new reconciler (new drivers, same devices, same store).
        const r = newReconciler(store);
        const rec = await r.recover();
        assert.equal(rec.passes.length, 1, `${point}: the unfinished pass is found`);
        assert.deepEqual(await store.list({ prefix: PASS_PREFIX }), [], `${point}: and resolved`);
        const actions = Object.fromEntries(rec.passes[0]!.devices.map((d) => [d.device, d.action]));
        assert.ok(!Object.values(actions).includes('error'), `${point}: ${JSON.stringify(rec.passes[0]!.devices)}`);

        let report = await r.reconcile(DESIRED);
        const skipped = report.devices.filter((d) => d.outcome === 'skipped').map((d) => d.device);
        if (skipped.length > 0) {
          assert.equal(model, 'sessions linger', `${point}: only lingering sessions can lock a device`);
          for (const d of report.devices.filter((x) => x.error?.code === 'DEVICE.LOCKED' || x.error?.message.includes('crashed pass'))) {
            assert.equal(actions[d.device], 'unresolved', `${point}: ${d.device} held ⇒ recover said unresolved`);
          }
          // The device times out the dead controller's session: the unconfirmed transaction goes with it.
          await tracker.expireAll();
          report = await r.reconcile(DESIRED);
        }
        for (const d of report.devices) assert.ok(d.outcome === 'applied' || d.outcome === 'unchanged', `${point}: ${d.device} ${d.outcome} ${d.error?.message ?? ''}`);
        await converged(r, DESIRED);
        await tracker.expireAll();
        summary.push(`${point}: ${Object.entries(actions).map(([d, a]) => `${d}=${a}`).join(' ')}${skipped.length > 0 ? ` (locked: ${skipped.join(',')})` : ''}`);
      }
      assert.equal(summary.length, points.length);
      // Recovery really had work to do in this model: some transactions were rolled back by id.
      assert.ok(summary.some((s) => s.includes('=rolled-back')));
      if (model === 'sessions linger') assert.ok(summary.some((s) => s.includes('=unresolved')), 'the unjournaled window was hit');
    });
  }

  it('recover() on a clean store does nothing', async () => {
    const r = newReconciler(newStore());
    assert.deepEqual(await r.recover(), { passes: [] });
  });

  it('a crash between confirms: confirmed devices are kept, unconfirmed ones rolled back, then converge', async () => {
    const store = newStore();
    await newReconciler(store).reconcile(BEFORE);
    const tracker = new SessionTracker();
    const confirmPoints = points.filter((p) => p.startsWith('confirmed:'));
    const first = confirmPoints[0]!;
    await assert.rejects(newReconciler(store, { tracker, crashAt: first }).reconcile(DESIRED), SimulatedCrash);
    const r = newReconciler(store);
    const rec = await r.recover();
    const byDevice = Object.fromEntries(rec.passes[0]!.devices.map((d) => [d.device, d]));
    const firstDevice = first.slice('confirmed:'.length);
    assert.equal(byDevice[firstDevice]!.journaled, 'confirmed');
    assert.equal(byDevice[firstDevice]!.action, 'none');
    assertAt(firstDevice, SPECS.find((s) => s.name === firstDevice)!.port, DESIRED.devices.get(firstDevice)!.config, 'confirmed before the crash');
    for (const d of rec.passes[0]!.devices) if (d.journaled === 'verified') assert.ok(d.action === 'rolled-back' || d.action === 'refused', `${d.device} ${d.action}`);
    const journal = await store.readJournal({ type: 'reconcile.recover' });
    assert.equal(journal.length, 1);
    await r.reconcile(DESIRED);
    await converged(r, DESIRED);
    await tracker.expireAll();
  });
});
