import { strict as assert } from 'node:assert';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { FENCE_KEY, Reconciler, claimLeadership } from '@netloom/engine';
import { ErrorCode, isNetloomError, silentLogger, type StorePort } from '@netloom/ports';
import { assertAt, calls, desiredFor, driversFor, newStore, resetCounters, testVpcOfObject, writes, type DeviceSpec } from './reconciler.helpers';

const SPECS: DeviceSpec[] = [
  { name: 'leaf1', port: 'fabric', vpcs: ['a'] },
  { name: 'vs1', port: 'vswitch', vpcs: ['a'] },
];
const NAMES = SPECS.map((s) => s.name);
const replica = (store: StorePort): Reconciler => new Reconciler({ drivers: driversFor(SPECS), store, vpcOfObject: testVpcOfObject, logger: silentLogger });

describe('Reconciler: fencing (a deposed leader writes to no device)', () => {
  afterEach(() => fakeDeviceRegistry.reset());

  it('after another replica claims leadership, the old leader\'s pass is refused before any device write', async () => {
    const store = newStore();
    const a = replica(store);
    const b = replica(store);
    a.setFence(await claimLeadership(store, { holder: 'replica-a', epoch: 1 }));

    // A leads: its pass applies.
    const first = desiredFor(SPECS, [], () => ['a']);
    const r1 = await a.reconcile(first);
    assert.deepEqual(r1.devices.map((d) => d.outcome), ['applied', 'applied']);

    // B wins the lease (epoch 2) and claims the fence; A does not know yet.
    b.setFence(await claimLeadership(store, { holder: 'replica-b', epoch: 2 }));
    resetCounters(NAMES);
    const second = desiredFor(SPECS, [], () => ['a', 'b']);
    const refused = await a.reconcile(second).catch((e: unknown) => e);
    if (isNetloomError(refused)) {
      assert.equal(refused.code, ErrorCode.DEVICE_LOCKED);
    } else {
      const devices = (refused as { devices: { outcome: string; error?: { code: string; message: string } }[] }).devices;
      for (const d of devices) {
        assert.notEqual(d.outcome, 'applied');
        assert.equal(d.error?.code, ErrorCode.DEVICE_LOCKED);
        assert.match(d.error?.message ?? '', /fenced: another controller has become the leader/);
      }
    }
    assert.equal(calls(NAMES, 'apply'), 0, 'the deposed leader applied to a device');
    assert.equal(writes(NAMES), 0, 'the deposed leader wrote to a device');
    for (const s of SPECS) assertAt(s.name, s.port, first.devices.get(s.name)!.config, 'devices must still hold the first config');

    // The new leader's pass goes through.
    const r2 = await b.reconcile(second);
    assert.deepEqual(r2.devices.map((d) => d.outcome), ['applied', 'applied']);
    for (const s of SPECS) assertAt(s.name, s.port, second.devices.get(s.name)!.config);
  });

  it('a leader deposed in the middle of a pass confirms nothing: what it had applied is rolled back', async () => {
    const store = newStore();
    let b: Reconciler | undefined;
    // Devices are applied in parallel; when leaf1's apply returns, B takes over before A journals it.
    const a = new Reconciler({
      drivers: driversFor(SPECS),
      store,
      vpcOfObject: testVpcOfObject,
      logger: silentLogger,
      faultHook: async (point) => {
        if (point === 'apply-returned:leaf1' && b === undefined) {
          b = replica(store);
          b.setFence(await claimLeadership(store, { holder: 'replica-b', epoch: 2 }));
        }
      },
    });
    a.setFence(await claimLeadership(store, { holder: 'replica-a', epoch: 1 }));
    const desired = desiredFor(SPECS, [], () => ['a']);
    const report = await a.reconcile(desired);
    assert.ok(b !== undefined, 'the takeover did not happen');
    assert.equal(calls(NAMES, 'confirm'), 0, 'the deposed leader confirmed a transaction');
    for (const d of report.devices) assert.notEqual(d.outcome, 'applied', `${d.device} reported applied`);
    // Nothing of the deposed leader's pass stays on the devices; the new leader converges them.
    for (const s of SPECS) assertAt(s.name, s.port, { ...Object.fromEntries(Object.keys(desired.devices.get(s.name)!.config).map((k) => [k, {}])) }, `${s.name} must be back at its empty config`);
    const r2 = await b.reconcile(desired);
    assert.deepEqual(r2.devices.map((d) => d.outcome), ['applied', 'applied']);
  });

  it('claiming an older epoch than the recorded one is refused (a late claim of a leader that lost the lease)', async () => {
    const store = newStore();
    await claimLeadership(store, { holder: 'replica-b', epoch: 5 });
    await assert.rejects(claimLeadership(store, { holder: 'replica-a', epoch: 4 }), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.DEVICE_LOCKED && /epoch 4 of replica-a is stale: replica-b leads with epoch 5/.test(e.message));
    const fence = await store.get({ key: FENCE_KEY });
    assert.deepEqual((fence?.value as { holder: string }).holder, 'replica-b');
  });
});
