import assert from 'node:assert/strict';
import { ScenarioSource, scenarioFromValue } from '@netloom/adapter-scenario';
import { FENCE_KEY, MemoryStore, type Fence } from '@netloom/engine';
import { silentLogger } from '@netloom/ports';
import { LeaderElector } from '../src/controller/leader-elector';

const until = async (what: string, cond: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('runtime: leader election on the Lease, with the epoch as the fence', () => {
  it('one replica leads; when it steps down the other takes over with a newer fence', async () => {
    const kube = new ScenarioSource(scenarioFromValue({ apiVersion: 'netloom.io/v1alpha1', kind: 'Scenario', metadata: { name: 'le' }, steps: [] }, 'le'));
    const store = new MemoryStore();
    const events: string[] = [];
    const fences = new Map<string, Fence>();
    const make = (holder: string): LeaderElector =>
      new LeaderElector({
        kube,
        store,
        holder,
        namespace: 'netloom-system',
        name: 'netloom-leader',
        durationSec: 1,
        logger: silentLogger,
        onLead: (f) => {
          fences.set(holder, f);
          events.push(`${holder} leads`);
        },
        onLose: (why) => events.push(`${holder} lost: ${why}`),
      });
    const a = make('replica-a');
    const b = make('replica-b');
    a.start();
    await until('a leads', () => a.leading);
    b.start();
    await new Promise((r) => setTimeout(r, 700)); // b campaigns at least twice while a renews
    assert.equal(b.leading, false, 'two leaders at once');
    assert.deepEqual(events, ['replica-a leads']);

    await a.stop(); // releases the lease
    await until('b leads', () => b.leading);
    assert.deepEqual(events, ['replica-a leads', 'replica-a lost: stopping', 'replica-b leads']);
    assert.ok(fences.get('replica-b')!.revision > fences.get('replica-a')!.revision, 'the new fence must supersede the old one');
    const recorded = (await store.get({ key: FENCE_KEY }))?.value as { holder: string; epoch: number };
    assert.equal(recorded.holder, 'replica-b');
    assert.equal(recorded.epoch, kube.leaseOf({ namespace: 'netloom-system', name: 'netloom-leader' })?.transitions);
    await b.stop();
    await kube.close();
  });

  it('refuses a source without leases', () => {
    const kube = { ...new ScenarioSource(scenarioFromValue({ apiVersion: 'netloom.io/v1alpha1', kind: 'Scenario', metadata: { name: 'x' }, steps: [] }, 'x')), acquireLease: undefined };
    assert.throws(() => new LeaderElector({ kube: kube as never, store: new MemoryStore(), holder: 'a', namespace: 'n', name: 'l', durationSec: 1, logger: silentLogger, onLead: () => undefined, onLose: () => undefined }), /needs a kubernetes source with the leases capability/);
  });
});
