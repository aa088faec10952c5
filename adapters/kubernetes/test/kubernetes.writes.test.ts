// Writes against the test API server: preconditions answered 409 by the API server, custom resources the CRD schema
// refuses (422 with the field), events, lease contention between two adapter instances, and no credential in any
// error or log line.
import { strict as assert } from 'node:assert';
import { request } from 'node:https';
import { ConflictError, DeviceAuthError, DeviceConnectionError, ErrorCode, InputError, type LeaseState } from '@netloom/ports';
import { createKubernetesSource, type KubernetesSource } from '@netloom/adapter-kubernetes';
import { capturingLogger, sourceFor, startCluster, type TestCluster } from './helpers';

let seq = 0;

/** A raw HTTPS call to the test API server (no netloom code in between). */
function raw(c: TestCluster, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> {
  const { host, port, ca } = c.api.endpoint;
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method, ca, agent: false, headers: { Authorization: `Bearer ${c.api.token}`, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data === '' ? {} : (JSON.parse(data) as Record<string, unknown>) }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('kubernetes adapter: writes', () => {
  let c: TestCluster;
  const sources: KubernetesSource[] = [];
  let ns: string;
  const track = (s: KubernetesSource): KubernetesSource => (sources.push(s), s);
  before(async () => {
    c = await startCluster();
  });
  after(async () => c.stop());
  beforeEach(async () => {
    ns = `w-${++seq}`;
    await c.api.put([{ kind: 'Namespace', metadata: { name: ns } }]);
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.close();
  });

  it('a stale resourceVersion on patchAnnotations: the API server answers 409 and the port throws ConflictError; nothing is written', async () => {
    const kube = track(await sourceFor(c));
    await c.api.put([{ kind: 'Pod', metadata: { name: 'web-0', namespace: ns }, spec: { nodeName: 'n1' } }]);
    const stale = (await kube.list({ kind: 'Pod', namespace: ns })).items[0]!.metadata.resourceVersion;
    await c.api.put([{ kind: 'Pod', metadata: { name: 'web-0', namespace: ns, labels: { moved: 'on' } }, spec: { nodeName: 'n1' } }]);
    const before = c.api.requestLog().at(-1)?.seq ?? 0;
    await assert.rejects(kube.patchAnnotations({ kind: 'Pod', namespace: ns, name: 'web-0', resourceVersion: stale, annotations: { 'netloom.io/ip-address': '10.0.0.9' } }), (e: unknown) => {
      assert.ok(e instanceof ConflictError, String(e));
      assert.match(e.message, new RegExp(`Pod ${ns}/web-0 changed since it was read`));
      return true;
    });
    const patch = c.api.requestLog().find((l) => l.seq > before && l.method === 'PATCH');
    assert.equal(patch?.status, 409);
    assert.equal(c.api.get({ kind: 'Pod', namespace: ns, name: 'web-0' })?.metadata.annotations, undefined);
    const fresh = c.api.get({ kind: 'Pod', namespace: ns, name: 'web-0' })!.metadata.resourceVersion!;
    await kube.patchAnnotations({ kind: 'Pod', namespace: ns, name: 'web-0', resourceVersion: fresh, annotations: { 'netloom.io/ip-address': '10.0.0.9' } });
    assert.deepEqual(c.api.get({ kind: 'Pod', namespace: ns, name: 'web-0' })?.metadata.annotations, { 'netloom.io/ip-address': '10.0.0.9' });
  });

  it('the Subnet schema refuses an invalid CIDR with 422 naming the field; a status the schema refuses surfaces as InputError', async () => {
    const bad = await raw(c, 'POST', '/apis/netloom.io/v1alpha1/subnets', { apiVersion: 'netloom.io/v1alpha1', kind: 'Subnet', metadata: { name: `${ns}-bad` }, spec: { cidrs: ['10.1.0.0/33'] } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body['reason'], 'Invalid');
    const causes = (bad.body['details'] as { causes: { field: string; message: string }[] }).causes;
    assert.deepEqual(causes.map((x) => x.field), ['spec.cidrs[0]']);
    assert.match(causes[0]!.message, /^Invalid value: "10\.1\.0\.0\/33": spec\.cidrs\[0\] in body should match/);
    assert.match(String(bad.body['message']), new RegExp(`Subnet\\.netloom\\.io "${ns}-bad" is invalid: spec\\.cidrs\\[0\\]`));
    assert.equal(c.api.get({ kind: 'Subnet', name: `${ns}-bad` }), undefined);

    await c.api.put([{ kind: 'Subnet', metadata: { name: `${ns}-ok` }, spec: { cidrs: ['10.1.0.0/24'] } }]);
    const kube = track(await sourceFor(c));
    await assert.rejects(kube.patchStatus({ kind: 'Subnet', name: `${ns}-ok`, status: { vni: 0, conditions: [{ type: 'Ready', status: 'True' }] } }), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.deepEqual(e.problems, [{ path: 'status.vni', reason: 'Invalid value: 0: status.vni in body should be greater than or equal to 1' }]);
      assert.match(e.message, /422 Invalid: Subnet\.netloom\.io ".*-ok" is invalid: status\.vni/);
      return true;
    });
    assert.equal((c.api.get({ kind: 'Subnet', name: `${ns}-ok` }) as { status?: unknown } | undefined)?.status, undefined, 'a refused status was written');
  });

  it('patchStatus replaces conditions (a merge patch) and leaves the spec and generation alone', async () => {
    await c.api.put([{ kind: 'Subnet', metadata: { name: `${ns}-s` }, spec: { cidrs: ['10.2.0.0/24'], namespaces: [ns] } }]);
    const kube = track(await sourceFor(c));
    await kube.patchStatus({ kind: 'Subnet', name: `${ns}-s`, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Pending' }, { type: 'Synced', status: 'True' }], vni: 7 } });
    await kube.patchStatus({ kind: 'Subnet', name: `${ns}-s`, status: { conditions: [{ type: 'Ready', status: 'True' }], usedIps: 3 } });
    const s = c.api.get({ kind: 'Subnet', name: `${ns}-s` }) as { status?: unknown; spec?: unknown; metadata: { generation?: number } };
    assert.deepEqual(s.status, { conditions: [{ type: 'Ready', status: 'True' }], vni: 7, usedIps: 3 });
    assert.deepEqual(s.spec, { cidrs: ['10.2.0.0/24'], namespaces: [ns] });
    assert.equal(s.metadata.generation, 1);
    const listed = (await kube.list({ kind: 'Subnet' })).items.find((x) => x.metadata.name === `${ns}-s`);
    assert.deepEqual(listed?.status, s.status, 'the cache holds what was written (read-your-writes)');
  });

  it('recordEvent writes a core/v1 Event (cluster-scoped objects: in namespace default) with the uid of the cached object', async () => {
    await c.api.put([{ kind: 'Node', metadata: { name: `${ns}-node` }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.1' }] } }]);
    const kube = track(await sourceFor(c, capturingLogger(), { instance: 'replica-1' }));
    await kube.list({ kind: 'Node' });
    await kube.recordEvent({ regarding: { kind: 'Node', name: `${ns}-node` }, type: 'Normal', reason: 'VSwitchProgrammed', message: 'br-int ready', action: 'Apply' });
    const ev = c.api.list('Event', { namespace: 'default' }).find((e) => (e['involvedObject'] as { name?: string }).name === `${ns}-node`);
    assert.ok(ev !== undefined);
    assert.equal((ev['involvedObject'] as { uid?: string }).uid, c.api.get({ kind: 'Node', name: `${ns}-node` })?.metadata.uid);
    assert.equal(ev['reason'], 'VSwitchProgrammed');
    assert.equal(ev['reportingInstance'], 'replica-1');
    assert.match(ev.metadata.name, new RegExp(`^${ns}-node\\.`));
  });

  it('two adapter instances contend for a lease: one holder; after expiry the other takes over and transitions grow', async () => {
    let clockB = Date.now();
    const a = track(await sourceFor(c));
    const b = track(await sourceFor(c, capturingLogger(), { now: () => clockB }));
    const lease = { namespace: ns, name: 'netloom-leader', durationSec: 15 };
    const a1 = await a.acquireLease({ ...lease, holder: 'replica-a' });
    assert.deepEqual({ acquired: a1.acquired, transitions: a1.transitions }, { acquired: true, transitions: 1 });
    const b1 = await b.acquireLease({ ...lease, holder: 'replica-b' });
    assert.deepEqual({ acquired: b1.acquired, holder: b1.holder }, { acquired: false, holder: 'replica-a' });
    clockB += 16_000; // B's view: A has not renewed for longer than the lease lasts.
    const b2 = await b.acquireLease({ ...lease, holder: 'replica-b' });
    assert.deepEqual({ acquired: b2.acquired, holder: b2.holder, transitions: b2.transitions }, { acquired: true, holder: 'replica-b', transitions: 2 });
    const a2 = await a.acquireLease({ ...lease, holder: 'replica-a' });
    assert.deepEqual({ acquired: a2.acquired, holder: a2.holder, transitions: a2.transitions }, { acquired: false, holder: 'replica-b', transitions: 2 });
    const stored = c.api.get({ kind: 'Lease', namespace: ns, name: 'netloom-leader' }) as { spec?: Record<string, unknown> } | undefined;
    assert.equal(stored?.spec?.['holderIdentity'], 'replica-b');
    assert.equal(stored?.spec?.['leaseTransitions'], 2);
    assert.match(String(stored?.spec?.['renewTime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'renewTime is a MicroTime');
  });

  it('two instances racing for a free lease: exactly one gets it, the other loses with ConflictError or sees the winner', async () => {
    const a = track(await sourceFor(c));
    const b = track(await sourceFor(c));
    const lease = { namespace: ns, name: 'race', durationSec: 30 };
    const results = await Promise.allSettled([a.acquireLease({ ...lease, holder: 'a' }), b.acquireLease({ ...lease, holder: 'b' })]);
    const won = results.filter((r): r is PromiseFulfilledResult<LeaseState> => r.status === 'fulfilled' && r.value.acquired);
    assert.equal(won.length, 1, JSON.stringify(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))));
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError, String(r.reason));
    const holder = (c.api.get({ kind: 'Lease', namespace: ns, name: 'race' }) as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
    assert.equal(holder, won[0]!.value.holder);
  });

  it('no token in errors or logs: a wrong token is DeviceAuthError naming neither token, and normal operation logs no token', async () => {
    const wrong = 'wrong-token-abcdef123456';
    const logger = capturingLogger();
    const bad = track(await createKubernetesSource({ options: {}, logger }, { kubeconfigText: c.api.kubeconfig({ token: wrong }), backoff: { initialMs: 20, maxMs: 50 } }));
    let caught: unknown;
    await bad.list({ kind: 'Pod' }).catch((e: unknown) => (caught = e));
    assert.ok(caught instanceof DeviceAuthError, String(caught));
    assert.equal(caught.code, ErrorCode.DEVICE_AUTH);
    const everything = `${caught.message} ${JSON.stringify(caught.toJSON())} ${caught.stack ?? ''} ${logger.text()}`;
    assert.ok(!everything.includes(wrong), 'the wrong token leaked');
    assert.ok(!everything.includes(c.api.token), 'the real token leaked');

    const good = capturingLogger();
    const kube = track(await createKubernetesSource({ options: {}, logger: good }, { kubeconfigText: c.api.kubeconfig() }));
    await c.api.put([{ kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec: {} }]);
    await kube.list({ kind: 'Pod', namespace: ns });
    await kube.patchAnnotations({ kind: 'Pod', namespace: ns, name: 'p', annotations: { a: 'b' } });
    await kube.patchAnnotations({ kind: 'Pod', namespace: ns, name: 'missing', annotations: { a: 'b' } }).catch(() => undefined);
    assert.ok(!good.text().includes(c.api.token), 'a log line carries the token');
  });

  it('a read-only user gets DeviceAuthError (403) on writes; an unreachable server is DeviceConnectionError', async () => {
    const viewer = 'viewer-token-0123456789';
    const c2 = await startCluster({ tokens: { 'admin-token-0123456789': { user: 'admin' }, [viewer]: { user: 'viewer', readOnly: true } } });
    try {
      const kube = track(await createKubernetesSource({ options: {}, logger: capturingLogger() }, { kubeconfigText: c2.api.kubeconfig({ token: viewer }) }));
      await c2.api.put([{ kind: 'Namespace', metadata: { name: 'shop' } }]);
      assert.ok((await kube.list({ kind: 'Namespace' })).items.some((n) => n.metadata.name === 'shop'), 'a read-only user may read');
      await assert.rejects(kube.patchAnnotations({ kind: 'Namespace', name: 'shop', annotations: { x: 'y' } }), (e: unknown) => e instanceof DeviceAuthError && /403 Forbidden/.test(e.message) && !e.message.includes(viewer));
      const kubeconfig = c2.api.kubeconfig();
      await c2.stop();
      const down = track(await createKubernetesSource({ options: {}, logger: capturingLogger() }, { kubeconfigText: kubeconfig }));
      await assert.rejects(down.list({ kind: 'Pod' }), (e: unknown) => e instanceof DeviceConnectionError && /cannot reach https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/.test(e.message));
    } finally {
      await c2.stop();
    }
  });
});
