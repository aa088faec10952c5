import { strict as assert } from 'node:assert';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { ReconcileLoop, Reconciler } from '@netloom/engine';
import { silentLogger } from '@netloom/ports';
import { calls, desiredFor, device, driversFor, newStore, testVpcOfObject, type DeviceSpec } from './reconciler.helpers';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `cond()` holds; rejects after `limitMs` (a hang, not a timing assertion). */
async function waitFor(cond: () => boolean, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`condition not reached within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ReconcileLoop', () => {
  afterEach(() => fakeDeviceRegistry.reset());

  it('coalesces a burst of 50 triggers into one pass', async () => {
    let passes = 0;
    const reasons: string[][] = [];
    // A window long enough that the check below cannot race it on a loaded machine.
    const loop = new ReconcileLoop({ windowMs: 300, logger: silentLogger, pass: async (r) => void (passes++, reasons.push([...r])) });
    for (let i = 0; i < 50; i++) loop.trigger(`event-${i % 5}`);
    await sleep(5);
    assert.equal(passes, 0, 'nothing before the window closes');
    await loop.idle();
    assert.equal(passes, 1);
    assert.deepEqual(reasons[0], ['event-0', 'event-1', 'event-2', 'event-3', 'event-4']);
    await loop.stop();
  });

  it('triggers during a pass make exactly one more pass after it; at most one pass at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    let passes = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const loop = new ReconcileLoop({
      windowMs: 20,
      logger: silentLogger,
      pass: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        passes++;
        if (passes === 1) await gate;
        running--;
      },
    });
    loop.trigger('first');
    while (!loop.running) await sleep(2);
    for (let i = 0; i < 50; i++) loop.trigger('during');
    release();
    await loop.idle();
    assert.equal(passes, 2);
    assert.equal(maxRunning, 1);
    await loop.stop();
  });

  it('a failing pass is logged, not fatal; stop() cancels timers and ignores later triggers', async () => {
    let passes = 0;
    const loop = new ReconcileLoop({
      windowMs: 10,
      logger: silentLogger,
      pass: async () => {
        passes++;
        throw new Error('boom');
      },
    });
    loop.trigger('x');
    await loop.idle();
    loop.trigger('y');
    await loop.idle();
    assert.equal(passes, 2);
    loop.trigger('z');
    await loop.stop();
    loop.trigger('after stop');
    await sleep(30);
    assert.equal(passes, 2);
  });

  it('resyncs periodically and schedules a retry at the reconciler\'s next retry time', async () => {
    let passes = 0;
    const loop = new ReconcileLoop({ windowMs: 5, resyncSec: 0.05, logger: silentLogger, nextRetryAt: () => undefined, pass: async () => void passes++ });
    loop.start();
    // Wait for the condition (not for a time): the first pass, then a resync pass; the limit only bounds a hang.
    await waitFor(() => passes >= 2, 10_000);
    await loop.stop();
    assert.ok(passes >= 2, `start + resyncs, got ${passes}`);

    passes = 0;
    const retryAt = Date.now() + 30;
    const loop2 = new ReconcileLoop({ windowMs: 5, logger: silentLogger, nextRetryAt: () => (passes === 1 ? retryAt : undefined), pass: async () => void passes++ });
    loop2.trigger('once');
    await waitFor(() => passes >= 2, 10_000);
    await sleep(50); // a third pass would be a bug: nextRetryAt only names a time after the first pass
    await loop2.stop();
    assert.equal(passes, 2, 'the first pass and one retry');
  });

  it('with the real reconciler: per device one session and at most one transaction per pass, under a burst', async () => {
    const specs: DeviceSpec[] = [
      { name: 'leaf1', port: 'fabric', vpcs: ['a', 'b'], options: { latencyMs: 2 } },
      { name: 'vs1', port: 'vswitch', vpcs: ['a'], options: { latencyMs: 2 } },
      { name: 'fw1', port: 'firewall', vpcs: ['b'], options: { latencyMs: 2 } },
    ];
    const r = new Reconciler({ drivers: driversFor(specs), store: newStore(), vpcOfObject: testVpcOfObject, logger: silentLogger });
    let desired = desiredFor(specs, [], () => ['a']);
    let passes = 0;
    const loop = new ReconcileLoop({
      windowMs: 20,
      logger: silentLogger,
      pass: async () => {
        passes++;
        await r.reconcile(desired);
      },
    });
    for (let i = 0; i < 50; i++) loop.trigger('pod');
    await loop.idle();
    assert.equal(passes, 1);
    for (const d of ['leaf1', 'vs1', 'fw1']) {
      assert.equal(device(d).callCount('connect'), 1, `${d}: one session`);
      assert.ok(device(d).callCount('apply') <= 1, `${d}: at most one transaction`);
    }
    // A change arrives during a pass: exactly one more pass picks it up.
    loop.trigger('svc');
    while (!loop.running) await sleep(1);
    desired = desiredFor(specs);
    for (let i = 0; i < 50; i++) loop.trigger('svc');
    await loop.idle();
    assert.equal(passes, 3);
    for (const d of ['leaf1', 'vs1', 'fw1']) {
      assert.equal(device(d).callCount('connect'), 3, `${d}: one session per pass`);
      assert.ok(device(d).callCount('apply') <= 3, `${d}: at most one transaction per pass`);
    }
    assert.ok(calls(['fw1'], 'apply') >= 1, 'the late change was applied');
    await loop.stop();
  });
});
