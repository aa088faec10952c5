// The controller's echo filter: its own write-back (pod annotations, Service/VpcPeering status) comes back as watch
// events; those must not trigger another pass, while every change of intent must.
import assert from 'node:assert/strict';
import { ScenarioSource } from '@netloom/adapter-scenario';
import type { KubeWatchEvent } from '@netloom/ports';
import { EchoFilter, STATUS_ANNOTATIONS, intentOf } from '@netloom/runtime';
import { example } from './helpers';

const pod = (over: { labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; phase?: string } = {}): KubeWatchEvent =>
  ({
    type: 'modified',
    object: {
      kind: 'Pod',
      metadata: { name: 'web-0', namespace: 'shop', resourceVersion: over.resourceVersion ?? '1', labels: over.labels ?? { app: 'web' }, annotations: over.annotations ?? {} },
      spec: { nodeName: 'node-1' },
      status: { phase: over.phase ?? 'Running' },
    },
  }) as unknown as KubeWatchEvent;

describe('runtime: the controller ignores the echoes of its own write-back', () => {
  it('a pod re-sent with only netloom annotations and a new resourceVersion is an echo', () => {
    const f = new EchoFilter();
    assert.equal(f.changesIntent(pod()), true, 'first sight triggers');
    assert.equal(f.changesIntent(pod({ resourceVersion: '2', annotations: { [STATUS_ANNOTATIONS.ips]: '10.0.0.5', [STATUS_ANNOTATIONS.vlan]: '100' } })), false);
    assert.equal(f.changesIntent(pod({ resourceVersion: '3', annotations: { [STATUS_ANNOTATIONS.ips]: '10.0.0.6' } })), false, 'a rewrite of its own annotation is still an echo');
  });

  it('a changed label, foreign annotation or pod phase is intent; a deletion always triggers', () => {
    const f = new EchoFilter();
    f.changesIntent(pod());
    assert.equal(f.changesIntent(pod({ labels: { app: 'web', tier: 'front' } })), true);
    assert.equal(f.changesIntent(pod({ labels: { app: 'web', tier: 'front' }, annotations: { 'netloom.io/ip-address': '10.0.0.9' } })), true);
    assert.equal(f.changesIntent(pod({ labels: { app: 'web', tier: 'front' }, annotations: { 'netloom.io/ip-address': '10.0.0.9' }, phase: 'Succeeded' })), true);
    assert.equal(f.changesIntent({ ...pod(), type: 'deleted' }), true);
    assert.equal(f.changesIntent(pod()), true, 'after a deletion the object is new again');
  });

  it("a Service's status (netloom writes status.loadBalancer) is not intent, its spec is", () => {
    const svc = (status: unknown, port = 80): KubeWatchEvent =>
      ({ type: 'modified', object: { kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { type: 'LoadBalancer', ports: [{ port }] }, status } }) as unknown as KubeWatchEvent;
    const f = new EchoFilter();
    f.changesIntent(svc({}));
    assert.equal(f.changesIntent(svc({ loadBalancer: { ingress: [{ ip: '198.51.100.10' }] } })), false);
    assert.equal(f.changesIntent(svc({ loadBalancer: { ingress: [{ ip: '198.51.100.10' }] } }, 8080)), true);
    assert.deepEqual(Object.keys(intentOf({ kind: 'Service', metadata: {}, status: { x: 1 } })).sort(), ['kind', 'metadata']);
  });

  it('through the scenario source: the event a patchAnnotations emits is an echo, the next step is not', async function () {
    this.timeout(30_000);
    const source = await ScenarioSource.fromFile(example('scenario.yaml'));
    const f = new EchoFilter();
    const verdicts: Array<{ event: KubeWatchEvent; changes: boolean }> = [];
    const stop = await source.watch({ kinds: ['Pod', 'Namespace', 'Node'] }, (event) => verdicts.push({ event, changes: f.changesIntent(event) }));
    try {
      source.advance();
      await new Promise((r) => setImmediate(r));
      assert.ok(verdicts.length > 0 && verdicts.every((v) => v.changes), 'every object of the first step is new intent');
      const first = verdicts.find((v) => v.event.object.kind === 'Pod');
      assert.ok(first !== undefined);
      const meta = first.event.object.metadata as { name: string; namespace?: string };
      verdicts.length = 0;
      await source.patchAnnotations({ kind: 'Pod', namespace: meta.namespace, name: meta.name, annotations: { [STATUS_ANNOTATIONS.mac]: '02:00:00:00:00:01' } });
      await new Promise((r) => setImmediate(r));
      assert.ok(verdicts.length >= 1, 'the source sent the written pod back');
      assert.deepEqual(verdicts.map((v) => v.changes), verdicts.map(() => false), 'the echo triggers nothing');
      verdicts.length = 0;
      source.advance();
      await new Promise((r) => setImmediate(r));
      assert.ok(verdicts.some((v) => v.changes), 'the next step of the scenario is intent');
    } finally {
      stop();
      await source.close();
    }
  });
});
