// Proof the Kubernetes-source kit bites: each broken variant of the scenario source fails the check that guards
// the broken behaviour, with a reason that names it, and nothing else.
import { strict as assert } from 'node:assert';
import { kubernetesSourceConformance, runChecks, type ClusterHarness, type ConformanceReport } from '@netloom/conformance';
import { adapter, ScenarioSource, scenarioFromValue } from '@netloom/adapter-scenario';
import type { KubernetesPort } from '@netloom/ports';

const EMPTY = { apiVersion: 'netloom.io/v1alpha1', kind: 'Scenario', metadata: { name: 'kit' }, steps: [] };

function harness(source: ScenarioSource): ClusterHarness {
  return {
    put: async (objects) => void source.applyNow({ apply: objects }),
    remove: async (refs) => void source.applyNow({ delete: refs }),
    read: async (ref) => source.get(ref),
    events: async (ref) => source.events(ref).map((e) => ({ type: e.type, reason: e.reason, message: e.message })),
  };
}

/** Runs the kit on a scenario source whose port methods `override` replaces (the harness still sees the truth). */
async function runBroken(override: (source: ScenarioSource) => Partial<KubernetesPort>): Promise<ConformanceReport> {
  const suite = kubernetesSourceConformance({
    adapter,
    target: {
      create: () => {
        const source = new ScenarioSource(scenarioFromValue(EMPTY, 'kit'));
        const patch = override(source);
        const port = new Proxy(source, { get: (t, k, r) => (k in patch ? (patch as Record<PropertyKey, unknown>)[k] : Reflect.get(t, k, r)) as unknown }) as unknown as KubernetesPort;
        return { port, cluster: harness(source) };
      },
    },
  });
  return runChecks(suite);
}

const failedIds = (r: ConformanceReport): string[] => r.results.filter((x) => x.status === 'failed').map((x) => x.id);
const reasonOf = (r: ConformanceReport, id: string): string => r.results.find((x) => x.id === id)?.reason ?? '';

describe('the Kubernetes-source kit fails broken sources, naming the problem', () => {
  it('the scenario source as it is passes every check', async () => {
    const r = await runBroken(() => ({}));
    assert.deepEqual(failedIds(r), []);
  });

  it('list leaks a field the port does not define', async () => {
    const r = await runBroken((s) => ({
      list: async (o) => {
        const res = await s.list(o);
        return { ...res, items: res.items.map((i) => ({ ...i, metadata: { ...i.metadata, managedFields: [] } })) } as typeof res;
      },
    }));
    assert.deepEqual(failedIds(r), ['kube.list.shape']);
    assert.match(reasonOf(r, 'kube.list.shape'), /list: Pod db-0 carries fields the port does not define/);
  });

  it('patchAnnotations replaces every annotation instead of merging', async () => {
    const r = await runBroken((s) => ({
      patchAnnotations: async (o) => {
        const current = s.get({ kind: o.kind, name: o.name, ...(o.namespace === undefined ? {} : { namespace: o.namespace }) });
        const drop = Object.fromEntries(Object.keys(current?.metadata.annotations ?? {}).map((k) => [k, null]));
        await s.patchAnnotations({ ...o, annotations: { ...drop, ...o.annotations } });
      },
    }));
    assert.deepEqual(failedIds(r), ['kube.annotations.merge']);
    assert.match(reasonOf(r, 'kube.annotations.merge'), /example\.com\/owner/);
  });

  it('a lease that any replica can take', async () => {
    const r = await runBroken((s) => ({
      acquireLease: async (o) => {
        await s.releaseLease({ namespace: o.namespace, name: o.name, holder: (await s.acquireLease(o)).holder ?? o.holder });
        return s.acquireLease(o);
      },
    }));
    assert.deepEqual(failedIds(r), ['kube.leases']);
    assert.match(reasonOf(r, 'kube.leases'), /a second holder got a held lease/);
  });

  it('watch resolves before the initial sync is delivered', async () => {
    const r = await runBroken((s) => ({
      watch: async (o, handler) => {
        const buffered: Parameters<typeof handler>[0][] = [];
        let live = false;
        const stop = await s.watch(o, (e) => (live ? handler(e) : buffered.push(e)));
        setImmediate(() => {
          live = true;
          for (const e of buffered) handler(e);
        });
        return stop;
      },
    }));
    assert.deepEqual(failedIds(r), ['kube.watch.sync-and-changes']);
    assert.match(reasonOf(r, 'kube.watch.sync-and-changes'), /the initial sync must be delivered before watch resolves/);
  });

  it('close that leaves the port usable', async () => {
    const r = await runBroken(() => ({ close: async () => undefined }));
    assert.deepEqual(failedIds(r), ['kube.close']);
    assert.match(reasonOf(r, 'kube.close'), /expected a rejection with DEVICE\.CONNECTION, it resolved/);
  });

  it('bad options refused late: a Pod patch without namespace is accepted', async () => {
    const r = await runBroken((s) => ({ patchAnnotations: async (o) => (o.namespace === undefined ? undefined : s.patchAnnotations(o)) }));
    assert.deepEqual(failedIds(r), ['kube.bad-input']);
  });

  it('options the kit cannot use are refused up front', () => {
    assert.throws(() => kubernetesSourceConformance({ target: {} as never, timeoutMs: -1 }), /target\.create: required[\s\S]*timeoutMs: must be a positive integer/);
  });
});
