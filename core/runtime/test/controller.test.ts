import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { ScenarioSource } from '@netloom/adapter-scenario';
import { silentLogger } from '@netloom/ports';
import {
  Controller,
  STATUS_ANNOTATIONS,
  createContainer,
  disposeContainer,
  loadProfile,
  loadProfileAdapters,
  openKubernetesSource,
} from '@netloom/runtime';
import { cleanTmp, onFakeDevices, writeProfile } from './helpers';

const DEVICES = ['leaf1', 'leaf2', 'node-1-vs', 'node-2-vs', 'fw1', 'lb1'];
const writes = (): number => DEVICES.reduce((n, d) => n + (fakeDeviceRegistry.get(d)?.writes ?? 0), 0);

/**
 * A controller on a copy of the embedded profile; `scenario` replaces the copied scenario file when given; `file`
 * reopens an existing copy (same store file: a restart).
 */
async function open(scenario?: string, existing?: string): Promise<{ controller: Controller; source: ScenarioSource; file: string; close: () => Promise<void> }> {
  const file = existing ?? writeProfile({ example: 'embedded.yaml' }, onFakeDevices());
  if (scenario !== undefined) fs.writeFileSync(path.join(path.dirname(file), 'scenario.yaml'), scenario);
  const loaded = loadProfile(file);
  const container = createContainer({ loaded, adapters: await loadProfileAdapters(loaded), logger: silentLogger });
  const source = await openKubernetesSource(loaded.profile, silentLogger);
  assert.ok(source instanceof ScenarioSource);
  const controller = await Controller.create({ container, source });
  return {
    controller,
    source,
    file,
    close: async () => {
      await source.close();
      await disposeContainer(container);
    },
  };
}

const PROBLEM_SCENARIO = `
apiVersion: netloom.io/v1alpha1
kind: Scenario
metadata: { name: problems }
steps:
  - name: a namespace, a node, a good pod and two bad ones
    apply:
      - { kind: Namespace, metadata: { name: shop } }
      - { kind: Node, metadata: { name: node-1 }, status: { addresses: [{ type: InternalIP, address: 192.0.2.101 }] } }
      - { kind: Pod, metadata: { namespace: shop, name: good }, spec: { nodeName: node-1 }, status: { phase: Running } }
      - { kind: Pod, metadata: { namespace: shop, name: bad-rate, annotations: { netloom.io/ingress-rate: fast } }, spec: { nodeName: node-1 }, status: { phase: Running } }
      - { kind: Pod, metadata: { namespace: shop, name: bad-ip, annotations: { netloom.io/ip-address: 192.0.2.7 } }, spec: { nodeName: node-1 }, status: { phase: Running } }
`;

describe('runtime: controller (compile → reconcile → write back)', () => {
  beforeEach(() => fakeDeviceRegistry.reset());
  after(() => {
    fakeDeviceRegistry.reset();
    cleanTmp();
  });

  it('plan → apply → plan: the second plan is empty and a second apply writes nothing to any device or pod', async () => {
    const { controller, source, close } = await open();
    try {
      const first = await controller.plan();
      assert.ok(first.report.devices.every((d) => (d.changeSet?.changes.length ?? 0) > 0));
      assert.equal(writes(), 0, 'plan writes nothing');
      const applied = await controller.apply();
      assert.ok(applied.report.devices.every((d) => d.outcome === 'applied'), JSON.stringify(applied.report.devices.map((d) => [d.device, d.outcome])));
      assert.ok(applied.writeBack.annotated > 0);
      const afterApply = writes();
      const again = await controller.plan();
      assert.ok(again.report.devices.every((d) => d.outcome === 'unchanged' && (d.changeSet?.changes.length ?? 0) === 0));
      const second = await controller.apply();
      assert.ok(second.report.devices.every((d) => d.outcome === 'unchanged'));
      assert.equal(writes(), afterApply, 'no device write on the second apply');
      assert.deepEqual(second.writeBack, { annotated: 0, statuses: 0, events: 0, failed: 0 });
      // Every pod with an endpoint carries its allocation.
      for (const ep of applied.compiled.desired.network.endpoints ?? []) {
        const ann = source.annotationsOf({ kind: 'Pod', namespace: ep.owner!.namespace!, name: ep.owner!.name });
        assert.equal(ann?.[STATUS_ANNOTATIONS.ips], ep.ips.join(','));
        assert.equal(ann?.[STATUS_ANNOTATIONS.mac], ep.mac);
        assert.equal(ann?.[STATUS_ANNOTATIONS.vlan], String(ep.vlan));
      }
    } finally {
      await close();
    }
  });

  it('after a restart on the same store, every pod keeps its address and no address is held twice', async () => {
    const first = await open();
    const before = new Map<string, string>();
    try {
      const r = await first.controller.apply();
      for (const ep of r.compiled.desired.network.endpoints ?? []) before.set(ep.id, ep.ips.join(','));
    } finally {
      await first.close();
    }
    assert.ok(before.size >= 8);
    const second = await open(undefined, first.file);
    try {
      const { desired } = await second.controller.compile();
      const after = new Map((desired.network.endpoints ?? []).map((ep) => [ep.id, ep.ips.join(',')] as const));
      assert.deepEqual(after, before);
      const perVpc = new Map<string, Set<string>>();
      for (const ep of desired.network.endpoints ?? []) {
        const seen = perVpc.get(ep.vpc) ?? new Set<string>();
        for (const ip of ep.ips) {
          assert.ok(!seen.has(ip), `${ip} held twice in VPC ${ep.vpc}`);
          seen.add(ip);
        }
        perVpc.set(ep.vpc, seen);
      }
    } finally {
      await second.close();
    }
  });

  it('a problem with one object becomes one Warning event on it, once; the other pods are connected', async () => {
    const { controller, source, close } = await open(PROBLEM_SCENARIO);
    try {
      const r = await controller.apply();
      const problems = r.compiled.desired.problems.map((p) => `${p.kind} ${p.name} ${p.code}`).sort();
      assert.deepEqual(problems, ['Pod bad-ip INPUT.INVALID', 'Pod bad-rate INPUT.INVALID']);
      const rateEvents = source.events({ kind: 'Pod', namespace: 'shop', name: 'bad-rate' });
      assert.equal(rateEvents.length, 1);
      assert.equal(rateEvents[0]?.type, 'Warning');
      assert.equal(rateEvents[0]?.reason, 'NetloomInvalid');
      assert.match(rateEvents[0]?.message ?? '', /ingress-rate/);
      assert.match(source.events({ kind: 'Pod', namespace: 'shop', name: 'bad-ip' })[0]?.message ?? '', /192\.0\.2\.7/);
      // The pod with a bad rate still gets connectivity (without QoS); the good one too.
      assert.ok(source.annotationsOf({ kind: 'Pod', namespace: 'shop', name: 'good' })?.[STATUS_ANNOTATIONS.ips]);
      assert.ok(source.annotationsOf({ kind: 'Pod', namespace: 'shop', name: 'bad-rate' })?.[STATUS_ANNOTATIONS.ips]);
      // A second pass does not repeat the events.
      await controller.apply();
      assert.equal(source.events({ kind: 'Pod', namespace: 'shop', name: 'bad-rate' }).length, 1);
    } finally {
      await close();
    }
  });
});
