import { strict as assert } from 'node:assert';
import { MAX_EVENT_MESSAGE, ScenarioSource } from '@netloom/adapter-scenario';
import { ConflictError, InputError, NotFoundError, type KubeWatchEvent } from '@netloom/ports';
import { FakeClock, describeEvent, scenarioText } from './helpers';

const CLUSTER = scenarioText(`  - name: start
    apply:
      - { kind: Namespace, metadata: { name: shop } }
      - { kind: Pod, metadata: { namespace: shop, name: web-0, annotations: { owner: team-a } }, spec: { nodeName: node-1 } }
      - { kind: Subnet, metadata: { name: web }, spec: { cidrs: [10.1.0.0/24], namespaces: [shop] } }
      - { kind: Service, metadata: { namespace: shop, name: web }, spec: { type: LoadBalancer, ports: [{ port: 80 }] } }
  - name: the pod and the subnet updated by the user
    apply:
      - { kind: Pod, metadata: { namespace: shop, name: web-0, labels: { app: web }, annotations: { owner: team-b } }, spec: { nodeName: node-1 } }
      - { kind: Subnet, metadata: { name: web }, spec: { cidrs: [10.1.0.0/24], namespaces: [shop], default: true } }
`);

describe('ScenarioSource: writes back', () => {
  let clock: FakeClock;
  let source: ScenarioSource;
  let lines: string[];
  let events: KubeWatchEvent[];
  beforeEach(async () => {
    clock = new FakeClock();
    source = ScenarioSource.fromText(CLUSTER, 'cluster.yaml', { now: clock.now });
    source.advance();
    lines = [];
    events = [];
    await source.watch({ kinds: ['Pod', 'Subnet', 'Service'] }, (e) => {
      events.push(e);
      lines.push(describeEvent(e));
    });
    lines.length = 0;
  });
  afterEach(() => source.close());

  const pod = { kind: 'Pod', namespace: 'shop', name: 'web-0' } as const;

  it('patchAnnotations merges (null removes), emits modified once, is visible via list and the log', async () => {
    await source.patchAnnotations({ ...pod, annotations: { 'netloom.io/ip-address': '10.1.0.5', 'netloom.io/vlan': '100' } });
    assert.deepEqual(lines, ['modified Pod shop/web-0']);
    const [listed] = (await source.list({ kind: 'Pod', namespace: 'shop' })).items;
    assert.deepEqual(listed!.metadata.annotations, { owner: 'team-a', 'netloom.io/ip-address': '10.1.0.5', 'netloom.io/vlan': '100' });
    assert.equal(listed!.metadata.resourceVersion, '5');

    await source.patchAnnotations({ ...pod, annotations: { 'netloom.io/ip-address': '10.1.0.5' } });
    assert.equal(lines.length, 1, 'idempotent: no event, no new resourceVersion');
    await source.patchAnnotations({ ...pod, annotations: { 'netloom.io/vlan': null } });
    assert.deepEqual(source.annotationsOf(pod), { owner: 'team-a', 'netloom.io/ip-address': '10.1.0.5' });
    assert.deepEqual(
      source.writes().map((w) => [w.op, w.ref.name, w.changed, w.resourceVersion]),
      [
        ['annotations', 'web-0', true, '5'],
        ['annotations', 'web-0', false, '5'],
        ['annotations', 'web-0', true, '6'],
      ],
    );
  });

  it('patchAnnotations with a stale resourceVersion is a ConflictError; a missing object NotFoundError; bad options InputError', async () => {
    const rv = source.get(pod)!.metadata.resourceVersion;
    await source.patchAnnotations({ ...pod, annotations: { a: '1' }, resourceVersion: rv });
    await assert.rejects(source.patchAnnotations({ ...pod, annotations: { a: '2' }, resourceVersion: rv }), ConflictError);
    await assert.rejects(source.patchAnnotations({ ...pod, name: 'nope', annotations: { a: '1' } }), NotFoundError);
    await assert.rejects(source.patchAnnotations({ kind: 'Pod', name: 'web-0', annotations: { a: '1' } }), (e: unknown) => e instanceof InputError && /namespace: required \(Pod is namespaced\)/.test(e.message));
    await assert.rejects(source.patchAnnotations({ ...pod, kind: 'Subnet' as never, annotations: {} }), InputError);
  });

  it('annotations netloom wrote and the status survive a later step that does not name them', async () => {
    await source.patchAnnotations({ ...pod, annotations: { 'netloom.io/ip-address': '10.1.0.5', owner: 'netloom' } });
    await source.patchStatus({ kind: 'Subnet', name: 'web', status: { vni: 10010 } });
    lines.length = 0;
    const s = source.advance()!;
    assert.deepEqual(lines, ['modified Pod shop/web-0', 'modified Subnet web']);
    assert.deepEqual(s.modified.map((r) => r.name), ['web-0', 'web']);
    assert.deepEqual(source.annotationsOf(pod), { owner: 'team-b', 'netloom.io/ip-address': '10.1.0.5' }, 'the step wins for keys it names');
    assert.deepEqual(source.statusOf({ kind: 'Subnet', name: 'web' }), { vni: 10010 });
    assert.equal(source.get({ kind: 'Subnet', name: 'web' })!.metadata.generation, 2);
  });

  it('patchStatus merges into the status subresource (conditions replace conditions) and emits modified only on change', async () => {
    const subnet = { kind: 'Subnet', name: 'web' } as const;
    await source.patchStatus({ ...subnet, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Pending' }], vni: 10010 } });
    await source.patchStatus({ ...subnet, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Programmed' }], usedIps: 3 } });
    await source.patchStatus({ ...subnet, status: { usedIps: 3 } });
    assert.deepEqual(source.statusOf(subnet), { conditions: [{ type: 'Ready', status: 'True', reason: 'Programmed' }], vni: 10010, usedIps: 3 });
    assert.deepEqual(lines, ['modified Subnet web', 'modified Subnet web']);
    assert.deepEqual(source.writes().map((w) => w.changed), [true, true, false]);

    await source.patchStatus({ kind: 'Service', namespace: 'shop', name: 'web', status: { loadBalancer: { ingress: [{ ip: '198.51.100.10' }] } } });
    const [svc] = (await source.list({ kind: 'Service' })).items;
    assert.deepEqual(svc!.status, { loadBalancer: { ingress: [{ ip: '198.51.100.10' }] } });
  });

  it('patchStatus rejects fields the status does not have, and a wrong kind', async () => {
    await assert.rejects(source.patchStatus({ kind: 'Subnet', name: 'web', status: { vni: 1, vnii: 2 } as never }), (e: unknown) => e instanceof InputError && /status\.vnii: unknown field/.test(e.message));
    await assert.rejects(source.patchStatus({ kind: 'Pod' as never, name: 'web-0', status: {} as never }), InputError);
    await assert.rejects(source.patchStatus({ kind: 'VpcPeering', name: 'none', status: {} }), NotFoundError);
  });

  it('recordEvent keeps each occurrence with the object uid, time and step; long messages are cut', async () => {
    await source.recordEvent({ regarding: pod, type: 'Normal', reason: 'AddressAllocated', message: 'allocated 10.1.0.5 in subnet web', action: 'Allocate' });
    clock.advance(1);
    await source.recordEvent({ regarding: pod, type: 'Warning', reason: 'ApplyFailed', message: 'x'.repeat(2000) });
    await source.recordEvent({ regarding: { kind: 'Namespace', name: 'other' }, type: 'Normal', reason: 'Seen', message: '' });
    const [first, second] = source.events(pod);
    assert.deepEqual(first, {
      regarding: { kind: 'Pod', namespace: 'shop', name: 'web-0', uid: source.get(pod)!.metadata.uid },
      type: 'Normal',
      reason: 'AddressAllocated',
      message: 'allocated 10.1.0.5 in subnet web',
      action: 'Allocate',
      time: new Date(clock.ms - 1000).toISOString(),
      afterStep: 1,
    });
    assert.equal(second!.message.length, MAX_EVENT_MESSAGE);
    assert.equal(source.events().length, 3);
    assert.deepEqual(lines, [], 'events are not watched objects');
    await assert.rejects(source.recordEvent({ regarding: pod, type: 'Info' as never, reason: '', message: 'm' }), (e: unknown) => e instanceof InputError && e.problems.length === 2);
  });
});

describe('ScenarioSource: leases', () => {
  const lease = { namespace: 'netloom-system', name: 'netloom-leader' };
  let clock: FakeClock;
  let source: ScenarioSource;
  beforeEach(() => {
    clock = new FakeClock();
    source = ScenarioSource.fromText(scenarioText('  []\n'), 'empty.yaml', { now: clock.now });
  });

  it('declares the capability and provides both methods', () => {
    assert.equal(source.capabilities.leases, true);
    assert.equal(typeof source.acquireLease, 'function');
    assert.equal(typeof source.releaseLease, 'function');
  });

  it('acquire, renew, refuse a second holder while held, expire, hand over with a growing fencing token', async () => {
    const a = await source.acquireLease({ ...lease, holder: 'pod-a', durationSec: 15 });
    assert.deepEqual(a, { acquired: true, holder: 'pod-a', renewTime: new Date(clock.ms).toISOString(), durationSec: 15, transitions: 1 });

    clock.advance(10);
    const renewed = await source.acquireLease({ ...lease, holder: 'pod-a', durationSec: 15 });
    assert.equal(renewed.acquired, true);
    assert.equal(renewed.transitions, 1, 'a renewal is not a transition');
    assert.equal(renewed.renewTime, new Date(clock.ms).toISOString());

    clock.advance(14);
    const refused = await source.acquireLease({ ...lease, holder: 'pod-b', durationSec: 15 });
    assert.deepEqual(refused, { acquired: false, holder: 'pod-a', renewTime: renewed.renewTime, durationSec: 15, transitions: 1 });

    clock.advance(1);
    assert.equal(source.leaseOf(lease)?.expired, true);
    const b = await source.acquireLease({ ...lease, holder: 'pod-b', durationSec: 15 });
    assert.equal(b.acquired, true);
    assert.equal(b.transitions, 2);
    const aAgain = await source.acquireLease({ ...lease, holder: 'pod-a', durationSec: 15 });
    assert.equal(aAgain.acquired, false);
    assert.equal(aAgain.holder, 'pod-b');
  });

  it('release lets the next holder in at once (idempotent; a non-holder releasing changes nothing)', async () => {
    await source.acquireLease({ ...lease, holder: 'pod-a', durationSec: 60 });
    await source.releaseLease({ ...lease, holder: 'pod-b' });
    assert.equal(source.leaseOf(lease)?.holder, 'pod-a');
    await source.releaseLease({ ...lease, holder: 'pod-a' });
    await source.releaseLease({ ...lease, holder: 'pod-a' });
    assert.equal(source.leaseOf(lease)?.holder, undefined);
    const b = await source.acquireLease({ ...lease, holder: 'pod-b', durationSec: 60 });
    assert.deepEqual([b.acquired, b.transitions], [true, 2]);
    const a = await source.acquireLease({ ...lease, holder: 'pod-a', durationSec: 60 });
    assert.equal(a.acquired, false);
  });

  it('rejects bad lease options', async () => {
    await assert.rejects(source.acquireLease({ ...lease, holder: '', durationSec: 0 }), (e: unknown) => e instanceof InputError && e.problems.length === 2);
  });
});
