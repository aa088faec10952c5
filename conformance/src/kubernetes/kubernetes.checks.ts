/**
 * The Kubernetes-source checks as data: exact shapes of listed objects, list filters, the informer-style watch
 * (initial sync, changes in order, stop), annotation merge patches with resourceVersion preconditions, status and
 * event writes, leases as a fencing token, capability honesty, bad input refused before anything is written, close.
 *
 * Every check gets a fresh port and a {@link ClusterHarness} — the kit's `kubectl`: it creates and deletes objects
 * behind the port's back and reads back what the port wrote.
 * @packageDocumentation
 */
import { strict as assert } from 'node:assert';
import {
  ErrorCode,
  KUBE_OBJECT_CODECS,
  type KubeKind,
  type KubeObject,
  type KubeObjectRef,
  type KubeWatchEvent,
  type KubernetesPort,
  type PortCapabilities,
} from '@netloom/ports';
import type { Check } from '../kit/check';
import { rejectsWithCode } from '../store/store.checks';

/** What the kit needs from the cluster behind the port (a test API server, the scenario source, a real cluster). */
export interface ClusterHarness {
  /** Creates or replaces objects, in order, as `kubectl apply` would (`{ kind, metadata: { name, namespace? }, ... }`). */
  put(objects: readonly Record<string, unknown>[]): Promise<void>;
  /** Deletes objects, in order. */
  remove(refs: readonly KubeObjectRef[]): Promise<void>;
  /** The object as the cluster holds it now (with the annotations and status the port wrote), or undefined. */
  read(ref: KubeObjectRef): Promise<KubeObject | undefined>;
  /** The events recorded about the object (oldest first). */
  events(ref: KubeObjectRef): Promise<readonly { readonly type: string; readonly reason: string; readonly message: string }[]>;
}

/** What every Kubernetes-source check receives. */
export interface KubernetesCheckContext {
  readonly port: KubernetesPort;
  readonly cluster: ClusterHarness;
  /** The capabilities the adapter declares (or, without an adapter, the port reports). */
  readonly declared: PortCapabilities<'kubernetes'>;
  /** A namespace name unique to this check (`nlc-<n>`), already created. */
  readonly ns: string;
}

/** A Kubernetes-source check. */
export type KubernetesCheck = Check<KubernetesCheckContext>;

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Waits (briefly, polling) until `cond` holds; the port's watch delivers asynchronously for real clusters. */
async function eventually(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pod = (ns: string, name: string, labels: Record<string, string> = {}, node = 'node-1'): Record<string, unknown> => ({
  kind: 'Pod',
  metadata: { name, namespace: ns, ...(Object.keys(labels).length > 0 ? { labels } : {}) },
  spec: { nodeName: node },
});
const podRef = (ns: string, name: string): KubeObjectRef => ({ kind: 'Pod', namespace: ns, name });
const nameOf = (e: KubeWatchEvent): string => `${e.type} ${e.object.kind} ${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`;

/** Asserts the object decodes with its kind's codec to exactly itself: no vendor or unknown keys leak through. */
function assertExactShape(o: KubeObject, where: string): void {
  const codec = KUBE_OBJECT_CODECS[o.kind as KubeKind];
  assert.ok(codec !== undefined, `${where}: unknown kind ${String(o.kind)}`);
  const r = codec.decode(o);
  assert.ok(r._tag === 'Right', `${where}: ${o.kind} ${o.metadata.name} does not decode with the port codec`);
  assert.deepEqual(JSON.parse(JSON.stringify(r.right)), JSON.parse(JSON.stringify(o)), `${where}: ${o.kind} ${o.metadata.name} carries fields the port does not define`);
}

/** Every Kubernetes-source check, in run order. */
export const KUBERNETES_CHECKS: readonly KubernetesCheck[] = [
  {
    id: 'kube.capabilities',
    title: 'capabilities are booleans for every name of the port, as the adapter declares them; leases ⇔ acquireLease present',
    run: async ({ port, declared }) => {
      for (const k of ['watch', 'statusWrite', 'annotationWrite', 'events', 'leases']) {
        assert.equal(typeof (port.capabilities as Record<string, unknown>)[k], 'boolean', `capabilities.${k} is not a boolean`);
      }
      assert.deepEqual({ ...port.capabilities }, { ...declared }, 'the port reports other capabilities than the adapter declares');
      assert.equal(typeof port.acquireLease === 'function', port.capabilities.leases, 'acquireLease must be present exactly when leases is declared');
      assert.equal(typeof port.releaseLease === 'function', port.capabilities.leases, 'releaseLease must be present exactly when leases is declared');
    },
  },
  {
    id: 'kube.list.shape',
    title: 'list returns exactly the objects of the kind, sorted by namespace then name, in the port shape, with a resourceVersion',
    run: async ({ port, cluster, ns }) => {
      await cluster.put([pod(ns, 'web-b', { app: 'web' }), pod(ns, 'web-a', { app: 'web' }), pod(ns, 'db-0', { app: 'db' })]);
      const r = await port.list({ kind: 'Pod', namespace: ns });
      assert.equal(typeof r.resourceVersion, 'string');
      assert.notEqual(r.resourceVersion, '', 'the list has no resourceVersion');
      assert.deepEqual(r.items.map((p) => p.metadata.name), ['db-0', 'web-a', 'web-b']);
      for (const p of r.items) {
        assert.equal(p.kind, 'Pod');
        assert.equal(p.metadata.namespace, ns);
        assert.ok(p.metadata.uid !== '', `${p.metadata.name} has no uid`);
        assertExactShape(p, 'list');
      }
      const nsList = await port.list({ kind: 'Namespace' });
      assert.ok(nsList.items.some((n) => n.metadata.name === ns), `namespace ${ns} is not listed`);
      for (const n of nsList.items) assertExactShape(n, 'list Namespace');
    },
  },
  {
    id: 'kube.list.filters',
    title: 'list honours the namespace and label selectors (=, !=, presence)',
    run: async ({ port, cluster, ns }) => {
      const other = `${ns}-x`;
      await cluster.put([{ kind: 'Namespace', metadata: { name: other } }, pod(ns, 'a', { app: 'web', tier: 'front' }), pod(ns, 'b', { app: 'db' }), pod(other, 'c', { app: 'web' })]);
      const names = async (o: { namespace?: string; labelSelector?: string }): Promise<string[]> =>
        (await port.list({ kind: 'Pod', ...o })).items.filter((p) => p.metadata.namespace === ns || p.metadata.namespace === other).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      assert.deepEqual(await names({ namespace: ns }), [`${ns}/a`, `${ns}/b`]);
      assert.deepEqual(await names({ labelSelector: 'app=web' }), [`${ns}/a`, `${other}/c`]);
      assert.deepEqual(await names({ namespace: ns, labelSelector: 'app!=web' }), [`${ns}/b`]);
      assert.deepEqual(await names({ labelSelector: 'tier' }), [`${ns}/a`]);
    },
  },
  {
    id: 'kube.watch.sync-and-changes',
    title: 'watch delivers added for every existing object before it resolves, then added/modified/deleted in order, only for the watched kinds',
    capability: 'watch',
    run: async ({ port, cluster, ns }) => {
      await cluster.put([pod(ns, 'p1'), pod(ns, 'p2')]);
      const seen: KubeWatchEvent[] = [];
      const stop = await port.watch({ kinds: ['Pod'], namespace: ns }, (e) => seen.push(e));
      try {
        assert.deepEqual(seen.map(nameOf).sort(), [`added Pod ${ns}/p1`, `added Pod ${ns}/p2`], 'the initial sync must be delivered before watch resolves');
        seen.length = 0;
        await cluster.put([pod(ns, 'p3')]);
        await cluster.put([pod(ns, 'p1', { app: 'changed' })]);
        await cluster.put([{ kind: 'Service', metadata: { name: 'not-watched', namespace: ns }, spec: { type: 'ClusterIP' } }]);
        await cluster.remove([podRef(ns, 'p2')]);
        await eventually('three events', () => seen.length >= 3);
        await tick();
        assert.deepEqual(seen.map(nameOf), [`added Pod ${ns}/p3`, `modified Pod ${ns}/p1`, `deleted Pod ${ns}/p2`]);
        assert.deepEqual(seen[1]?.object.metadata.labels, { app: 'changed' }, 'a modified event carries the new object');
        for (const e of seen) assertExactShape(e.object, 'watch');
      } finally {
        stop();
      }
    },
  },
  {
    id: 'kube.watch.stop',
    title: 'after stop() a watch delivers nothing more, and stop is idempotent',
    capability: 'watch',
    run: async ({ port, cluster, ns }) => {
      const seen: KubeWatchEvent[] = [];
      const stop = await port.watch({ kinds: ['Pod'], namespace: ns }, (e) => seen.push(e));
      stop();
      stop();
      await cluster.put([pod(ns, 'late')]);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(seen.map(nameOf), []);
    },
  },
  {
    id: 'kube.watch.not-supported',
    title: 'watch is not declared: watch throws NotSupportedError',
    withoutCapability: 'watch',
    run: async ({ port }) => {
      await rejectsWithCode(port.watch({ kinds: ['Pod'] }, () => undefined), ErrorCode.NOT_SUPPORTED);
    },
  },
  {
    id: 'kube.annotations.merge',
    title: 'patchAnnotations sets and removes only the keys it names; other annotations stay',
    capability: 'annotationWrite',
    run: async ({ port, cluster, ns }) => {
      await cluster.put([{ ...pod(ns, 'web-0'), metadata: { name: 'web-0', namespace: ns, annotations: { 'example.com/owner': 'team-a' } } }]);
      await port.patchAnnotations({ kind: 'Pod', namespace: ns, name: 'web-0', annotations: { 'netloom.io/ip-address': '10.1.0.5', 'netloom.io/vlan': '100' } });
      await port.patchAnnotations({ kind: 'Pod', namespace: ns, name: 'web-0', annotations: { 'netloom.io/vlan': null, 'netloom.io/mac-address': '0a:58:0a:01:00:05' } });
      const o = await cluster.read(podRef(ns, 'web-0'));
      assert.deepEqual(o?.metadata.annotations, { 'example.com/owner': 'team-a', 'netloom.io/ip-address': '10.1.0.5', 'netloom.io/mac-address': '0a:58:0a:01:00:05' });
      const listed = (await port.list({ kind: 'Pod', namespace: ns })).items.find((p) => p.metadata.name === 'web-0');
      assert.deepEqual(listed?.metadata.annotations, o?.metadata.annotations, 'list shows the annotations the cluster holds');
    },
  },
  {
    id: 'kube.annotations.preconditions',
    title: 'a stale resourceVersion is refused with ConflictError and a missing object with NotFoundError, changing nothing',
    capability: 'annotationWrite',
    run: async ({ port, cluster, ns }) => {
      await cluster.put([pod(ns, 'web-0')]);
      const before = (await port.list({ kind: 'Pod', namespace: ns })).items[0]!;
      await cluster.put([pod(ns, 'web-0', { moved: 'on' })]);
      await rejectsWithCode(port.patchAnnotations({ kind: 'Pod', namespace: ns, name: 'web-0', resourceVersion: before.metadata.resourceVersion, annotations: { 'netloom.io/x': '1' } }), ErrorCode.CONFLICT);
      assert.equal((await cluster.read(podRef(ns, 'web-0')))?.metadata.annotations?.['netloom.io/x'], undefined, 'a refused patch wrote anyway');
      await rejectsWithCode(port.patchAnnotations({ kind: 'Pod', namespace: ns, name: 'nobody', annotations: { 'netloom.io/x': '1' } }), ErrorCode.NOT_FOUND);
    },
  },
  {
    id: 'kube.annotations.not-supported',
    title: 'annotationWrite is not declared: patchAnnotations throws NotSupportedError',
    withoutCapability: 'annotationWrite',
    run: async ({ port, cluster, ns }) => {
      await cluster.put([pod(ns, 'web-0')]);
      await rejectsWithCode(port.patchAnnotations({ kind: 'Pod', namespace: ns, name: 'web-0', annotations: { 'netloom.io/x': '1' } }), ErrorCode.NOT_SUPPORTED);
    },
  },
  {
    id: 'kube.status.write',
    title: 'patchStatus writes Subnet conditions and a Service load-balancer ingress; a missing object is NotFoundError',
    capability: 'statusWrite',
    run: async ({ port, cluster, ns }) => {
      await cluster.put([
        { kind: 'Subnet', metadata: { name: `${ns}-web` }, spec: { cidrs: ['10.99.0.0/24'] } },
        { kind: 'Service', metadata: { name: 'shop', namespace: ns }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
      ]);
      const conditions = [{ type: 'Ready', status: 'True' as const, reason: 'Allocated', message: 'vni 10010' }];
      await port.patchStatus({ kind: 'Subnet', name: `${ns}-web`, status: { conditions, vni: 10010 } });
      await port.patchStatus({ kind: 'Service', namespace: ns, name: 'shop', status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } });
      const subnet = (await cluster.read({ kind: 'Subnet', name: `${ns}-web` })) as (KubeObject & { status?: { conditions?: unknown; vni?: number } }) | undefined;
      assert.equal(subnet?.status?.vni, 10010);
      assert.deepEqual(subnet?.status?.conditions, conditions);
      const svc = (await cluster.read({ kind: 'Service', namespace: ns, name: 'shop' })) as (KubeObject & { status?: { loadBalancer?: { ingress?: unknown } } }) | undefined;
      assert.deepEqual(svc?.status?.loadBalancer?.ingress, [{ ip: '192.0.2.10' }]);
      await rejectsWithCode(port.patchStatus({ kind: 'Subnet', name: `${ns}-missing`, status: { vni: 1 } }), ErrorCode.NOT_FOUND);
    },
  },
  {
    id: 'kube.crd.namespaced',
    title: 'a namespaced netloom CR (SecurityGroup) is listed per namespace with its spec intact; its status takes a Ready condition',
    run: async ({ port, cluster, ns, declared }) => {
      const spec = { rules: [{ name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [443, '8000-8080'], remote: { cidr: '10.0.0.0/8' } }, { name: 'dns-out', direction: 'egress', protocol: 'udp', ports: [53] }] };
      await cluster.put([
        { kind: 'Namespace', metadata: { name: `${ns}-x` } },
        { kind: 'SecurityGroup', metadata: { name: 'web', namespace: ns }, spec },
        { kind: 'SecurityGroup', metadata: { name: 'web', namespace: `${ns}-x` }, spec: {} },
      ]);
      const r = await port.list({ kind: 'SecurityGroup', namespace: ns });
      assert.deepEqual(r.items.map((g) => `${g.metadata.namespace ?? ''}/${g.metadata.name}`), [`${ns}/web`]);
      const group = r.items[0];
      assert.ok(group !== undefined);
      // The metadata's exact shape is kube.list.shape's to check; here the CR's own part.
      assert.equal(group.kind, 'SecurityGroup');
      assert.deepEqual(JSON.parse(JSON.stringify(group.spec)), spec);
      const all = (await port.list({ kind: 'SecurityGroup' })).items.filter((g) => g.metadata.namespace === ns || g.metadata.namespace === `${ns}-x`);
      assert.deepEqual(all.map((g) => `${g.metadata.namespace ?? ''}/${g.metadata.name}`), [`${ns}/web`, `${ns}-x/web`]);
      if (!declared.statusWrite) return;
      const conditions = [{ type: 'Ready', status: 'True' as const, reason: 'Programmed', message: '2 rules' }];
      await port.patchStatus({ kind: 'SecurityGroup', namespace: ns, name: 'web', status: { conditions, observedGeneration: 1 } });
      const back = (await cluster.read({ kind: 'SecurityGroup', namespace: ns, name: 'web' })) as (KubeObject & { status?: { conditions?: unknown } }) | undefined;
      assert.deepEqual(back?.status?.conditions, conditions);
      await rejectsWithCode(port.patchStatus({ kind: 'SecurityGroup', namespace: ns, name: 'missing', status: { conditions } }), ErrorCode.NOT_FOUND);
    },
  },
  {
    id: 'kube.status.not-supported',
    title: 'statusWrite is not declared: patchStatus throws NotSupportedError',
    withoutCapability: 'statusWrite',
    run: async ({ port, cluster, ns }) => {
      await cluster.put([{ kind: 'Subnet', metadata: { name: `${ns}-web` }, spec: { cidrs: ['10.99.0.0/24'] } }]);
      await rejectsWithCode(port.patchStatus({ kind: 'Subnet', name: `${ns}-web`, status: { vni: 1 } }), ErrorCode.NOT_SUPPORTED);
    },
  },
  {
    id: 'kube.events.record',
    title: 'recordEvent records an event on the object; a message over 1024 characters is cut',
    capability: 'events',
    run: async ({ port, cluster, ns }) => {
      await cluster.put([pod(ns, 'web-0')]);
      await port.recordEvent({ regarding: podRef(ns, 'web-0'), type: 'Warning', reason: 'ApplyFailed', message: 'leaf1: commit failed', action: 'Apply' });
      await port.recordEvent({ regarding: podRef(ns, 'web-0'), type: 'Normal', reason: 'Long', message: 'x'.repeat(5000) });
      const events = await cluster.events(podRef(ns, 'web-0'));
      const failed = events.find((e) => e.reason === 'ApplyFailed');
      assert.ok(failed !== undefined, `no ApplyFailed event (got ${events.map((e) => e.reason).join(', ') || 'none'})`);
      assert.equal(failed.type, 'Warning');
      assert.equal(failed.message, 'leaf1: commit failed');
      const long = events.find((e) => e.reason === 'Long');
      assert.ok(long !== undefined && long.message.length <= 1024 && long.message.length > 0, 'a long message must be cut to at most 1024 characters');
    },
  },
  {
    id: 'kube.events.not-supported',
    title: 'events is not declared: recordEvent throws NotSupportedError',
    withoutCapability: 'events',
    run: async ({ port, ns }) => {
      await rejectsWithCode(port.recordEvent({ regarding: podRef(ns, 'web-0'), type: 'Normal', reason: 'X', message: 'x' }), ErrorCode.NOT_SUPPORTED);
    },
  },
  {
    id: 'kube.leases',
    title: 'a lease has one holder: others are refused until it is released; each hand-over bumps transitions (the fencing token)',
    capability: 'leases',
    run: async ({ port, ns }) => {
      const acquire = port.acquireLease!.bind(port);
      const lease = { namespace: ns, name: 'netloom-leader', durationSec: 30 };
      const a1 = await acquire({ ...lease, holder: 'replica-a' });
      assert.equal(a1.acquired, true);
      const b1 = await acquire({ ...lease, holder: 'replica-b' });
      assert.equal(b1.acquired, false, 'a second holder got a held lease');
      assert.equal(b1.holder, 'replica-a');
      const a2 = await acquire({ ...lease, holder: 'replica-a' });
      assert.equal(a2.acquired, true, 'the holder could not renew');
      assert.equal(a2.transitions, a1.transitions, 'a renewal is not a hand-over');
      await port.releaseLease!({ namespace: ns, name: 'netloom-leader', holder: 'replica-a' });
      const b2 = await acquire({ ...lease, holder: 'replica-b' });
      assert.equal(b2.acquired, true, 'a released lease could not be taken');
      assert.ok(b2.transitions > a1.transitions, `transitions must grow on a hand-over (${a1.transitions} → ${b2.transitions})`);
      await port.releaseLease!({ namespace: ns, name: 'netloom-leader', holder: 'replica-a' });
      assert.equal((await acquire({ ...lease, holder: 'replica-a' })).acquired, false, 'releasing a lease one does not hold released it');
    },
  },
  {
    id: 'kube.bad-input',
    title: 'invalid options are refused with InputError before anything is written',
    run: async ({ port, cluster, ns }) => {
      await cluster.put([pod(ns, 'web-0')]);
      const caps = port.capabilities;
      await rejectsWithCode(port.list({ kind: 'Bogus' as KubeKind }), ErrorCode.INPUT_INVALID);
      if (caps.watch) await rejectsWithCode(port.watch({ kinds: [] }, () => undefined), ErrorCode.INPUT_INVALID);
      if (caps.annotationWrite) {
        // A namespaced kind without its namespace.
        await rejectsWithCode(port.patchAnnotations({ kind: 'Pod', name: 'web-0', annotations: { 'netloom.io/x': '1' } }), ErrorCode.INPUT_INVALID);
        assert.equal((await cluster.read(podRef(ns, 'web-0')))?.metadata.annotations, undefined, 'a refused patch wrote anyway');
      }
      if (caps.statusWrite) await rejectsWithCode(port.patchStatus({ kind: 'Service', name: 'shop', status: {} }), ErrorCode.INPUT_INVALID);
    },
  },
  {
    id: 'kube.close',
    title: 'close is idempotent; afterwards calls fail with DeviceConnectionError',
    run: async ({ port }) => {
      await port.close();
      await port.close();
      await rejectsWithCode(port.list({ kind: 'Pod' }), ErrorCode.DEVICE_CONNECTION);
    },
  },
];

/** The kinds the kit creates (a target that only serves some kinds can say so in its docs). */
export const KIT_KINDS: readonly KubeKind[] = ['Namespace', 'Pod', 'Service', 'Subnet', 'SecurityGroup'];
