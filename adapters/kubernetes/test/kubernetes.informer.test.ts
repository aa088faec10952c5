// The informers against the test API server: watches that resume after a dropped stream without losing or
// repeating a change, 410 Gone after compaction answered by a re-list whose difference is delivered, retries of
// throttled lists, reported watch failures, objects that do not decode, and list() answered from the cache.
import { strict as assert } from 'node:assert';
import { ErrorCode, type KubeWatchEvent, type NetloomError } from '@netloom/ports';
import type { KubernetesSource } from '@netloom/adapter-kubernetes';
import { capturingLogger, eventually, sourceFor, startCluster, type TestCluster } from './helpers';

const pod = (ns: string, name: string, labels: Record<string, string> = {}): Record<string, unknown> => ({
  kind: 'Pod',
  metadata: { name, namespace: ns, ...(Object.keys(labels).length > 0 ? { labels } : {}) },
  spec: { nodeName: 'node-1' },
});
const names = (events: readonly KubeWatchEvent[]): string[] => events.map((e) => `${e.type} ${e.object.metadata.name}`);
let seq = 0;

describe('kubernetes adapter: informers', () => {
  let c: TestCluster;
  let source: KubernetesSource | undefined;
  let ns: string;
  before(async () => {
    c = await startCluster();
  });
  after(async () => c.stop());
  beforeEach(async () => {
    ns = `inf-${++seq}`;
    await c.api.put([{ kind: 'Namespace', metadata: { name: ns } }]);
    c.api.clearFailures();
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
    c.api.clearFailures();
  });

  /** Waits until the adapter has a watch open on pods (after a drop, its replacement). */
  const podWatchOpenAfter = async (seqBefore: number): Promise<void> =>
    eventually('a new pod watch', () => c.api.requestLog().some((l) => l.seq > seqBefore && l.watch && l.path === '/api/v1/pods' && l.status === 200 && l.injected !== true));

  it('a dropped watch resumes from the last resourceVersion: changes made while it was down arrive once, without a re-list', async () => {
    await c.api.put([pod(ns, 'a'), pod(ns, 'b')]);
    source = await sourceFor(c);
    const seen: KubeWatchEvent[] = [];
    const stop = await source.watch({ kinds: ['Pod'], namespace: ns }, (e) => seen.push(e));
    assert.deepEqual(names(seen), ['added a', 'added b']);
    seen.length = 0;
    const before = c.api.requestLog().at(-1)?.seq ?? 0;
    // Keep the adapter's watch down while the cluster changes, then let it back.
    await eventually('the pod watch to be open', () => c.api.openWatches > 0);
    const blocked = c.api.failNext({ watch: true, path: '/api/v1/pods', status: 503, count: Infinity, retryAfterSec: 0 });
    assert.ok(c.api.dropWatches() >= 1, 'no watch was open');
    await c.api.put([pod(ns, 'c'), pod(ns, 'a', { v: '2' })]);
    await c.api.remove([{ kind: 'Pod', namespace: ns, name: 'b' }]);
    await eventually('the adapter to retry its watch', () => c.api.requestLog().some((l) => l.seq > before && l.injected === true));
    blocked.cancel();
    await podWatchOpenAfter(before);
    await eventually('three events', () => seen.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(names(seen), ['added c', 'modified a', 'deleted b'], 'every change once, in order');
    const lists = c.api.requestLog().filter((l) => l.seq > before && !l.watch && l.method === 'GET' && l.path === '/api/v1/pods');
    assert.deepEqual(lists, [], 'a resumable watch must not re-list');
    const resumed = c.api.requestLog().find((l) => l.seq > before && l.watch && l.status === 200 && l.injected !== true);
    assert.match(resumed?.query['resourceVersion'] ?? '', /^\d+$/, 'the watch resumed from a resourceVersion');
    stop();
  });

  it('after compaction the resumed watch gets 410 Gone: the informer re-lists and delivers the difference, and the cache converges', async () => {
    const logger = capturingLogger();
    await c.api.put([pod(ns, 'p1'), pod(ns, 'p2')]);
    source = await sourceFor(c, logger);
    const seen: KubeWatchEvent[] = [];
    const stop = await source.watch({ kinds: ['Pod'], namespace: ns }, (e) => seen.push(e));
    seen.length = 0;
    const before = c.api.requestLog().at(-1)?.seq ?? 0;
    const expiredBefore = c.api.stats.watchesExpired;
    await eventually('the pod watch to be open', () => c.api.openWatches > 0);
    const blocked = c.api.failNext({ watch: true, status: 500, count: Infinity });
    c.api.dropWatches({ abrupt: true });
    await c.api.put([pod(ns, 'p1', { changed: 'yes' }), pod(ns, 'p3')]);
    await c.api.remove([{ kind: 'Pod', namespace: ns, name: 'p2' }]);
    c.api.compact();
    await eventually('a blocked watch attempt', () => c.api.requestLog().some((l) => l.seq > before && l.injected === true));
    blocked.cancel();
    await eventually('three events', () => seen.length >= 3);
    assert.deepEqual(names(seen).sort(), ['added p3', 'deleted p2', 'modified p1']);
    assert.deepEqual(seen.find((e) => e.object.metadata.name === 'p1')?.object.metadata.labels, { changed: 'yes' }, 'the change made while the watch was down is seen');
    assert.ok(c.api.stats.watchesExpired > expiredBefore, 'the server never answered 410');
    const relisted = c.api.requestLog().some((l) => l.seq > before && !l.watch && l.method === 'GET' && l.path === '/api/v1/pods');
    assert.ok(relisted, 'no re-list after 410');
    const cached = (await source.list({ kind: 'Pod', namespace: ns })).items.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`);
    const truth = c.api.list('Pod', { namespace: ns }).map((p) => `${p.metadata.name}@${String(p.metadata.resourceVersion)}`);
    assert.deepEqual(cached, truth, 'the cache equals the cluster');
    assert.match(logger.text(), /410 Gone\): re-listing/);
    stop();
  });

  it('throttled lists (429 with Retry-After) are retried and the informer syncs', async () => {
    await c.api.put([pod(ns, 'x')]);
    source = await sourceFor(c);
    const f = c.api.failNext({ path: '/api/v1/pods', watch: false, status: 429, count: 2, retryAfterSec: 0 });
    const r = await source.list({ kind: 'Pod', namespace: ns });
    assert.deepEqual(r.items.map((p) => p.metadata.name), ['x']);
    assert.equal(f.remaining, 0, 'both failures were served');
  });

  it('a watch that keeps failing is reported through onError and retried; it then delivers again', async () => {
    source = await sourceFor(c);
    const errors: NetloomError[] = [];
    const seen: KubeWatchEvent[] = [];
    const stop = await source.watch({ kinds: ['Pod'], namespace: ns, onError: (e) => errors.push(e) }, (e) => seen.push(e));
    await eventually('the pod watch to be open', () => c.api.openWatches > 0);
    c.api.failNext({ watch: true, path: '/api/v1/pods', status: 500, count: 3 });
    c.api.dropWatches();
    await eventually('three reported failures', () => errors.length >= 3);
    assert.ok(errors.every((e) => e.code === ErrorCode.DEVICE_CONNECTION), errors.map((e) => e.code).join(', '));
    await c.api.put([pod(ns, 'after')]);
    await eventually('the pod added after the failures', () => seen.some((e) => e.object.metadata.name === 'after'));
    stop();
  });

  it('an object that does not decode is skipped with a warning naming it and the path; the others are delivered', async () => {
    const logger = capturingLogger();
    // Behind the API's back: a Pod without spec (the port's codec requires it).
    await c.api.put([{ kind: 'Pod', metadata: { name: 'broken', namespace: ns } }, pod(ns, 'fine')]);
    source = await sourceFor(c, logger);
    const r = await source.list({ kind: 'Pod', namespace: ns });
    assert.deepEqual(r.items.map((p) => p.metadata.name), ['fine']);
    const warning = logger.lines.find((l) => l.level === 'warn' && /broken/.test(l.msg ?? ''));
    assert.ok(warning !== undefined, logger.text());
    assert.match(warning.msg ?? '', new RegExp(`skipping Pod ${ns}/broken: it does not decode \\(spec: required\\)`));
    const seen: KubeWatchEvent[] = [];
    const stop = await source.watch({ kinds: ['Pod'], namespace: ns }, (e) => seen.push(e));
    await c.api.put([{ kind: 'Pod', metadata: { name: 'broken2', namespace: ns }, spec: { nodeName: 7 } }, pod(ns, 'fine2')]);
    await eventually('fine2', () => seen.some((e) => e.object.metadata.name === 'fine2'));
    assert.deepEqual(names(seen), ['added fine', 'added fine2']);
    assert.ok(logger.lines.some((l) => /skipping Pod .*broken2: it does not decode \(spec\.nodeName: /.test(l.msg ?? '')), logger.text());
    stop();
  });

  it('list answers from the cache once synced: repeated lists send no request', async () => {
    await c.api.put([pod(ns, 'a', { app: 'web' }), pod(ns, 'b')]);
    source = await sourceFor(c);
    await source.list({ kind: 'Pod' });
    const before = c.api.requestLog().at(-1)?.seq ?? 0;
    for (let i = 0; i < 5; i++) assert.deepEqual((await source.list({ kind: 'Pod', namespace: ns, labelSelector: 'app=web' })).items.map((p) => p.metadata.name), ['a']);
    assert.deepEqual(c.api.requestLog().filter((l) => l.seq > before && !l.watch), []);
  });

  it('the namespace option limits the informers of namespaced kinds to that namespace', async () => {
    await c.api.put([{ kind: 'Namespace', metadata: { name: `${ns}-other` } }, pod(ns, 'mine'), pod(`${ns}-other`, 'theirs')]);
    source = await sourceFor(c, capturingLogger(), {}, { namespace: ns });
    const all = (await source.list({ kind: 'Pod' })).items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    assert.deepEqual(all, [`${ns}/mine`]);
    assert.ok(c.api.requestLog().some((l) => l.path === `/api/v1/namespaces/${ns}/pods`), 'the list was not namespaced');
    assert.ok((await source.list({ kind: 'Namespace' })).items.some((n) => n.metadata.name === `${ns}-other`), 'cluster-scoped kinds are not limited');
  });

  it('resyncSec re-lists from the API server and delivers what changed', async () => {
    source = await sourceFor(c, capturingLogger(), {}, { resyncSec: 1 });
    const seen: KubeWatchEvent[] = [];
    const stop = await source.watch({ kinds: ['Pod'], namespace: ns }, (e) => seen.push(e));
    const lists = (): number => c.api.requestLog().filter((l) => !l.watch && l.path === '/api/v1/pods').length;
    const first = lists();
    await eventually('a periodic re-list', () => lists() > first, 5000);
    await c.api.put([pod(ns, 'late')]);
    await eventually('the pod', () => seen.some((e) => e.object.metadata.name === 'late'));
    assert.equal(seen.filter((e) => e.object.metadata.name === 'late').length, 1, 'delivered once');
    stop();
  });
});
