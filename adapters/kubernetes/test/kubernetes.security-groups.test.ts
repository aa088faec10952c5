// SecurityGroups (namespaced netloom CRs) through the test API server with netloom's CRDs: the adapter lists and
// watches them per namespace, writes their Ready condition, and the CRD schema refuses an invalid one with a 422 that
// names the field (what `kubectl apply` shows the user).
import { strict as assert } from 'node:assert';
import { loadClientNode, type KubernetesSource } from '@netloom/adapter-kubernetes';
import type { KubeSecurityGroup, KubeWatchEvent } from '@netloom/ports';
import { eventually, sourceFor, startCluster, type TestCluster } from './helpers';

const GROUP = { group: 'netloom.io', version: 'v1alpha1', plural: 'securitygroups' } as const;
const sg = (namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'netloom.io/v1alpha1', kind: 'SecurityGroup', metadata: { name, namespace }, spec });
const WEB = { rules: [{ name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [443, '8000-8080'], remote: { cidr: '10.0.0.0/8' } }] };

describe('kubernetes adapter: SecurityGroups on the test API server', () => {
  let c: TestCluster;
  let source: KubernetesSource | undefined;
  before(async () => {
    c = await startCluster();
    await c.api.put([
      { kind: 'Namespace', metadata: { name: 'sg-a' } },
      { kind: 'Namespace', metadata: { name: 'sg-b' } },
    ]);
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
  });
  after(async () => c.stop());

  it('lists SecurityGroups per namespace and across namespaces, spec as written', async () => {
    await c.api.put([sg('sg-a', 'web', WEB), sg('sg-b', 'web', {}), sg('sg-a', 'db', { vpc: 'shop', rules: [] })]);
    source = await sourceFor(c);
    const inA = await source.list({ kind: 'SecurityGroup', namespace: 'sg-a' });
    assert.deepEqual(inA.items.map((g) => g.metadata.name), ['db', 'web']);
    const web = inA.items.find((g) => g.metadata.name === 'web');
    assert.deepEqual(JSON.parse(JSON.stringify(web?.spec)), WEB);
    assert.equal(web?.kind, 'SecurityGroup');
    assert.equal(web?.metadata.namespace, 'sg-a');
    assert.deepEqual(inA.items.find((g) => g.metadata.name === 'db')?.spec, { vpc: 'shop', rules: [] });
    const all = await source.list({ kind: 'SecurityGroup' });
    assert.deepEqual(all.items.filter((g) => g.metadata.namespace?.startsWith('sg-')).map((g) => `${g.metadata.namespace}/${g.metadata.name}`), ['sg-a/db', 'sg-a/web', 'sg-b/web']);
  });

  it('watches SecurityGroups: the initial sync, then a changed rule and a deletion, in order', async () => {
    await c.api.put([sg('sg-b', 'ops', WEB)]);
    source = await sourceFor(c);
    const seen: KubeWatchEvent[] = [];
    const stop = await source.watch({ kinds: ['SecurityGroup'], namespace: 'sg-b' }, (e) => seen.push(e));
    try {
      assert.deepEqual(seen.map((e) => `${e.type} ${e.object.metadata.name}`).sort(), ['added ops', 'added web']);
      seen.length = 0;
      await c.api.put([sg('sg-b', 'ops', { rules: [{ name: 'ssh', direction: 'ingress', protocol: 'tcp', ports: [22] }] })]);
      await c.api.remove([{ kind: 'SecurityGroup', namespace: 'sg-b', name: 'web' }]);
      await eventually('two events', () => seen.length >= 2);
      assert.deepEqual(seen.map((e) => `${e.type} ${e.object.kind} ${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`), ['modified SecurityGroup sg-b/ops', 'deleted SecurityGroup sg-b/web']);
      assert.deepEqual((seen[0]?.object as KubeSecurityGroup).spec.rules?.map((r) => r.name), ['ssh']);
    } finally {
      stop();
    }
  });

  it('writes the Ready condition to the status subresource', async () => {
    await c.api.put([sg('sg-a', 'status', {})]);
    source = await sourceFor(c);
    const conditions = [{ type: 'Ready', status: 'True' as const, reason: 'Programmed', message: '0 rules in VPC "sg-a"', observedGeneration: 1 }];
    await source.patchStatus({ kind: 'SecurityGroup', namespace: 'sg-a', name: 'status', status: { conditions, observedGeneration: 1 } });
    const stored = c.api.get({ kind: 'SecurityGroup', namespace: 'sg-a', name: 'status' }) as { status?: { conditions?: unknown } } | undefined;
    assert.deepEqual(stored?.status?.conditions, conditions);
  });

  it('the CRD schema refuses an invalid SecurityGroup with a 422 naming each bad field; nothing is stored', async () => {
    const k8s = await loadClientNode();
    const kc = new k8s.KubeConfig();
    kc.loadFromString(c.api.kubeconfig());
    const crs = kc.makeApiClient(k8s.CustomObjectsApi);
    const created = (await crs.createNamespacedCustomObject({ ...GROUP, namespace: 'sg-a', body: sg('sg-a', 'fine', WEB) })) as { metadata: { uid?: string } };
    assert.ok(typeof created.metadata.uid === 'string');
    const bad = sg('sg-a', 'bad', {
      rules: [
        { name: 'p', direction: 'inbound', protocol: 'tcp', ports: [70000] },
        { name: 'q', direction: 'egress', protocol: 'udp', remote: { cidr: '10.0.0.0/8', group: 'web' } },
      ],
    });
    let body = '';
    await crs.createNamespacedCustomObject({ ...GROUP, namespace: 'sg-a', body: bad }).then(
      () => assert.fail('an invalid SecurityGroup was accepted'),
      (e: { code?: number; body?: unknown }) => {
        assert.equal(e.code, 422);
        body = String(e.body);
      },
    );
    assert.match(body, /SecurityGroup\.netloom\.io \\"bad\\" is invalid/);
    assert.match(body, /spec\.rules\[0\]\.direction: Unsupported value: \\"inbound\\": supported values: \\"ingress\\", \\"egress\\"/);
    assert.match(body, /spec\.rules\[0\]\.ports\[0\]: Invalid value: 70000: spec\.rules\[0\]\.ports\[0\] in body should be less than or equal to 65535/);
    assert.match(body, /spec\.rules\[1\]\.remote: Invalid value: .*must validate one and only one schema \(oneOf\)\. Found 2 valid/);
    assert.equal(c.api.get({ kind: 'SecurityGroup', namespace: 'sg-a', name: 'bad' }), undefined);
  });
});
