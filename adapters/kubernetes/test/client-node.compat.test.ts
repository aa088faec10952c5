// The test API server is good enough for @kubernetes/client-node itself, unmodified: its typed APIs (CoreV1Api,
// CustomObjectsApi, CoordinationV1Api), patch content types, error objects, and its own informer (list + watch).
import { strict as assert } from 'node:assert';
import { loadClientNode } from '@netloom/adapter-kubernetes';
import { eventually, startCluster, type TestCluster } from './helpers';

describe('@kubernetes/client-node against the test API server', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => c.stop());

  it('CoreV1Api creates, lists (with a label selector), merge-patches and deletes pods; a duplicate is a 409 ApiException', async () => {
    const k8s = await loadClientNode();
    const kc = new k8s.KubeConfig();
    kc.loadFromString(c.api.kubeconfig());
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cn1' } } });
    await core.createNamespacedPod({ namespace: 'cn1', body: { metadata: { name: 'web-0', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } });
    await core.createNamespacedPod({ namespace: 'cn1', body: { metadata: { name: 'db-0' }, spec: { containers: [{ name: 'c', image: 'pg' }] } } });
    const web = await core.listNamespacedPod({ namespace: 'cn1', labelSelector: 'app=web' });
    assert.deepEqual(web.items.map((p) => p.metadata?.name), ['web-0']);
    assert.ok(web.metadata?.resourceVersion !== undefined);
    await core.patchNamespacedPod({ namespace: 'cn1', name: 'web-0', body: { metadata: { annotations: { 'netloom.io/ip-address': '10.0.0.5' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const got = await core.readNamespacedPod({ namespace: 'cn1', name: 'web-0' });
    assert.deepEqual(got.metadata?.annotations, { 'netloom.io/ip-address': '10.0.0.5' });
    assert.ok(got.metadata?.creationTimestamp instanceof Date, 'client-node parses creationTimestamp');
    await assert.rejects(core.createNamespacedPod({ namespace: 'cn1', body: { metadata: { name: 'web-0' }, spec: { containers: [] } } }), (e: unknown) => (e as { code?: number }).code === 409);
    await core.deleteNamespacedPod({ namespace: 'cn1', name: 'db-0' });
    assert.deepEqual((await core.listNamespacedPod({ namespace: 'cn1' })).items.map((p) => p.metadata?.name), ['web-0']);
  });

  it('CustomObjectsApi: a valid Subnet is created, an invalid one is a 422 ApiException whose body names the field', async () => {
    const k8s = await loadClientNode();
    const kc = new k8s.KubeConfig();
    kc.loadFromString(c.api.kubeconfig());
    const crs = kc.makeApiClient(k8s.CustomObjectsApi);
    const ok = (await crs.createClusterCustomObject({ group: 'netloom.io', version: 'v1alpha1', plural: 'subnets', body: { apiVersion: 'netloom.io/v1alpha1', kind: 'Subnet', metadata: { name: 'cn-web' }, spec: { cidrs: ['10.9.0.0/24'], default: true } } })) as { metadata: { uid?: string } };
    assert.ok(typeof ok.metadata.uid === 'string');
    let body = '';
    await crs
      .createClusterCustomObject({ group: 'netloom.io', version: 'v1alpha1', plural: 'subnets', body: { apiVersion: 'netloom.io/v1alpha1', kind: 'Subnet', metadata: { name: 'cn-bad' }, spec: { cidrs: ['10.9.0.0/24'], default: 'yes' } } })
      .then(
        () => assert.fail('an invalid Subnet was accepted'),
        (e: { code?: number; body?: unknown }) => {
          assert.equal(e.code, 422);
          body = String(e.body);
        },
      );
    assert.match(body, /spec\.default: Invalid value: \\"yes\\": spec\.default in body must be of type boolean/);
  });

  it("client-node's informer lists, watches and sees add, update and delete", async () => {
    const k8s = await loadClientNode();
    const kc = new k8s.KubeConfig();
    kc.loadFromString(c.api.kubeconfig());
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cn2' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/cn2/pods', () => core.listNamespacedPod({ namespace: 'cn2' }));
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add ${p.metadata?.name ?? ''}`));
    informer.on('update', (p) => seen.push(`update ${p.metadata?.name ?? ''}`));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name ?? ''}`));
    await c.api.put([{ kind: 'Pod', metadata: { name: 'before', namespace: 'cn2' }, spec: {} }]);
    await informer.start();
    try {
      await eventually('the initial add', () => seen.includes('add before'));
      await eventually('the informer watch', () => c.api.openWatches > 0);
      await c.api.put([{ kind: 'Pod', metadata: { name: 'after', namespace: 'cn2' }, spec: {} }]);
      await c.api.put([{ kind: 'Pod', metadata: { name: 'before', namespace: 'cn2', labels: { x: 'y' } }, spec: {} }]);
      await c.api.remove([{ kind: 'Pod', namespace: 'cn2', name: 'after' }]);
      await eventually('add, update, delete', () => seen.includes('delete after'));
      assert.deepEqual(seen, ['add before', 'add after', 'update before', 'delete after']);
      assert.deepEqual(informer.list('cn2').map((p) => p.metadata?.labels), [{ x: 'y' }]);
    } finally {
      await informer.stop();
    }
  });
});
