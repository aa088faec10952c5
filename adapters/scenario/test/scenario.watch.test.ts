import { strict as assert } from 'node:assert';
import { ScenarioSource, formatStepSummary, parseLabelSelector } from '@netloom/adapter-scenario';
import { DeviceConnectionError, InputError, type KubeWatchEvent } from '@netloom/ports';
import { describeEvent, scenarioText } from './helpers';

const TIMELINE = scenarioText(`  - name: start
    apply:
      - { kind: Namespace, metadata: { name: shop, labels: { netloom.io/vpc: shop } } }
      - { kind: Namespace, metadata: { name: billing } }
      - { kind: Node, metadata: { name: node-1 } }
      - { kind: Pod, metadata: { namespace: shop, name: web-0, labels: { app: web, tier: fe } }, spec: { nodeName: node-1 } }
      - { kind: Pod, metadata: { namespace: shop, name: web-1, labels: { app: web, tier: be } }, spec: { nodeName: node-1 } }
      - { kind: Pod, metadata: { namespace: billing, name: api-0, labels: { app: api } }, spec: { nodeName: node-1 } }
  - name: same again, one pod changed
    apply:
      - { kind: Pod, metadata: { namespace: shop, name: web-0, labels: { app: web, tier: fe } }, spec: { nodeName: node-1 } }
      - { kind: Pod, metadata: { namespace: shop, name: web-1, labels: { app: web, tier: be } }, spec: { nodeName: node-2 } }
  - name: deletes
    delete:
      - { kind: Pod, namespace: shop, name: web-0 }
      - { kind: Pod, namespace: shop, name: gone }
  - name: namespace deleted
    delete:
      - { kind: Namespace, name: billing }
`);

function recorder(): { events: KubeWatchEvent[]; lines: string[]; handler: (e: KubeWatchEvent) => void } {
  const events: KubeWatchEvent[] = [];
  const lines: string[] = [];
  return {
    events,
    lines,
    handler: (e) => {
      events.push(e);
      lines.push(describeEvent(e));
    },
  };
}

describe('ScenarioSource: list and watch', () => {
  let source: ScenarioSource;
  beforeEach(() => {
    source = ScenarioSource.fromText(TIMELINE, 'timeline.yaml');
  });
  afterEach(() => source.close());

  it('starts empty; list returns current objects ordered by namespace and name, with the cluster resourceVersion', async () => {
    assert.deepEqual((await source.list({ kind: 'Pod' })).items, []);
    source.advance();
    const pods = await source.list({ kind: 'Pod' });
    assert.deepEqual(pods.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['billing/api-0', 'shop/web-0', 'shop/web-1']);
    assert.equal(pods.resourceVersion, '6');
    assert.deepEqual((await source.list({ kind: 'Pod', namespace: 'shop' })).items.map((p) => p.metadata.name), ['web-0', 'web-1']);
    assert.equal((await source.list({ kind: 'Namespace', namespace: 'shop' })).items.length, 2, 'namespace filter applies to namespaced kinds only');
  });

  it('list filters by label selector', async () => {
    source.advance();
    const names = async (labelSelector: string) => (await source.list({ kind: 'Pod', labelSelector })).items.map((p) => p.metadata.name);
    assert.deepEqual(await names('app=web'), ['web-0', 'web-1']);
    assert.deepEqual(await names('app=web,tier!=fe'), ['web-1']);
    assert.deepEqual(await names('tier in (fe, be)'), ['web-0', 'web-1']);
    assert.deepEqual(await names('tier notin (fe)'), ['api-0', 'web-1']);
    assert.deepEqual(await names('!tier'), ['api-0']);
    assert.deepEqual(await names('tier'), ['web-0', 'web-1']);
    assert.deepEqual(await names(''), ['api-0', 'web-0', 'web-1']);
    await assert.rejects(source.list({ kind: 'Pod', labelSelector: 'a==b==c' }), InputError);
    assert.equal(parseLabelSelector('netloom.io/vpc=shop')({ 'netloom.io/vpc': 'shop' }), true);
  });

  it('rejects bad options with InputError', async () => {
    await assert.rejects(source.list({ kind: 'Deployment' as never }), (e: unknown) => e instanceof InputError && /kind: unknown kind "Deployment"/.test(e.message));
    await assert.rejects(source.watch({ kinds: [] }, () => undefined), (e: unknown) => e instanceof InputError && /kinds: give at least one kind/.test(e.message));
  });

  it('watch: initial sync as added events, then changes; modified only on a real change; deleted with the last state', async () => {
    source.advance();
    const r = recorder();
    await source.watch({ kinds: ['Pod'] }, r.handler);
    assert.deepEqual(r.lines, ['added Pod billing/api-0', 'added Pod shop/web-0', 'added Pod shop/web-1'], 'initial sync delivered before watch resolves');
    r.lines.length = 0;

    const s2 = source.advance()!;
    assert.deepEqual(r.lines, ['modified Pod shop/web-1']);
    assert.deepEqual(s2.unchanged.map((x) => x.name), ['web-0']);
    const moved = r.events.at(-1)!;
    assert.equal((moved.object as { spec: { nodeName?: string } }).spec.nodeName, 'node-2');
    assert.equal(moved.object.metadata.resourceVersion, '7');
    assert.equal(moved.object.metadata.generation, 2);
    r.lines.length = 0;

    const s3 = source.advance()!;
    assert.deepEqual(r.lines, ['deleted Pod shop/web-0']);
    assert.equal(r.events.at(-1)!.object.metadata.labels?.['tier'], 'fe', 'deleted carries the last known state');
    assert.deepEqual(s3.warnings, ['delete Pod shop/gone: it does not exist (nothing to delete)']);
    assert.match(formatStepSummary(s3, 4), /^step 3\/4 "deletes": 0 added, 0 modified, 1 deleted, 1 warning$/);
  });

  it('deleting a namespace deletes the objects in it first', async () => {
    const r = recorder();
    await source.watch({ kinds: ['Pod', 'Namespace'] }, r.handler);
    source.step(3);
    r.lines.length = 0;
    const s = source.advance()!;
    assert.deepEqual(r.lines, ['deleted Pod billing/api-0', 'deleted Namespace billing']);
    assert.equal(s.deleted.length, 2);
  });

  it('a namespaced watch sees only that namespace (and cluster-scoped kinds whole)', async () => {
    const r = recorder();
    await source.watch({ kinds: ['Pod', 'Node'], namespace: 'billing' }, r.handler);
    source.advance();
    assert.deepEqual(r.lines, ['added Node node-1', 'added Pod billing/api-0']);
  });

  it('stop ends delivery (idempotent); a throwing handler does not stop the others', async () => {
    const a = recorder();
    const b = recorder();
    const stopA = await source.watch({ kinds: ['Namespace'] }, a.handler);
    await source.watch({ kinds: ['Namespace'] }, (e) => {
      b.handler(e);
      throw new Error('handler bug');
    });
    source.advance();
    assert.equal(a.lines.length, 2);
    assert.equal(b.lines.length, 2);
    stopA();
    stopA();
    source.playAll();
    assert.equal(a.lines.length, 2);
    assert.deepEqual(b.lines.slice(2), ['deleted Namespace billing']);
  });

  it('a handler that writes sees its own modified event after the current one, in order', async () => {
    source.advance();
    const lines: string[] = [];
    await source.watch({ kinds: ['Pod'], namespace: 'shop' }, (e) => {
      lines.push(describeEvent(e));
      if (e.type === 'added') void source.patchAnnotations({ kind: 'Pod', namespace: 'shop', name: e.object.metadata.name, annotations: { 'netloom.io/vlan': '100' } });
    });
    assert.deepEqual(lines, ['added Pod shop/web-0', 'added Pod shop/web-1', 'modified Pod shop/web-0', 'modified Pod shop/web-1']);
  });

  it('objects handed out are frozen snapshots', async () => {
    source.advance();
    const [pod] = (await source.list({ kind: 'Pod' })).items;
    assert.ok(Object.isFrozen(pod) && Object.isFrozen(pod!.metadata) && Object.isFrozen(pod!.metadata.labels));
  });

  it('step(n) plays n steps, playAll the rest; onStep listeners hear each', () => {
    const heard: string[] = [];
    const off = source.onStep((s) => heard.push(s.name));
    assert.equal(source.step(2).length, 2);
    assert.equal(source.position, 2);
    assert.equal(source.remaining, 2);
    assert.equal(source.nextStep()?.name, 'deletes');
    off();
    assert.equal(source.playAll().length, 2);
    assert.equal(source.step(5).length, 0);
    assert.deepEqual(heard, ['start', 'same again, one pod changed']);
    assert.equal(source.history().length, 4);
  });

  it('close stops watches and fails later calls with DeviceConnectionError (close is idempotent)', async () => {
    const r = recorder();
    await source.watch({ kinds: ['Namespace'] }, r.handler);
    await source.close();
    await source.close();
    await assert.rejects(source.list({ kind: 'Pod' }), DeviceConnectionError);
    assert.throws(() => source.advance(), DeviceConnectionError);
    assert.deepEqual(r.lines, []);
  });
});

describe('ScenarioSource: autoAdvance', () => {
  it('plays the first step at once and the rest at the interval', async () => {
    const source = ScenarioSource.fromText(TIMELINE, 'timeline.yaml');
    source.autoAdvance(5);
    assert.equal(source.position, 1);
    const done = new Promise<void>((resolve) => source.onStep(() => source.done && resolve()));
    await done;
    assert.equal(source.position, 4);
    await source.close();
  });

  it('close stops it', async () => {
    const source = ScenarioSource.fromText(TIMELINE, 'timeline.yaml');
    source.autoAdvance(10_000);
    await source.close();
    assert.equal(source.position, 1);
  });
});
