// The profile's `plugins` select the intent plugins the controller compiles with, and the status write-back of
// service-lb (Service load-balancer ingress) and vpc-peering (VpcPeering Ready condition), on the demo scenario
// with fake devices.
import assert from 'node:assert/strict';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { ScenarioSource } from '@netloom/adapter-scenario';
import { InputError, silentLogger, type KubeService, type KubeVpcPeering } from '@netloom/ports';
import { Controller, createContainer, disposeContainer, intentPluginsFromProfile, loadProfile, loadProfileAdapters, openKubernetesSource } from '@netloom/runtime';
import { cleanTmp, onFakeDevices, writeProfile, type Edit } from './helpers';

async function open(edits: readonly Edit[] = []): Promise<{ controller: Controller; source: ScenarioSource; close: () => Promise<void> }> {
  const loaded = loadProfile(writeProfile({ example: 'embedded.yaml' }, [...onFakeDevices(), ...edits]));
  const container = createContainer({ loaded, adapters: await loadProfileAdapters(loaded), logger: silentLogger });
  const source = await openKubernetesSource(loaded.profile, silentLogger);
  assert.ok(source instanceof ScenarioSource);
  try {
    const controller = await Controller.create({ container, source });
    return {
      controller,
      source,
      close: async () => {
        await source.close();
        await disposeContainer(container);
      },
    };
  } catch (e) {
    await source.close();
    await disposeContainer(container);
    throw e;
  }
}

const service = (s: ScenarioSource, namespace: string, name: string): KubeService | undefined =>
  s.objects('Service').find((o): o is KubeService => o.kind === 'Service' && o.metadata.namespace === namespace && o.metadata.name === name);
const peering = (s: ScenarioSource, name: string): KubeVpcPeering | undefined => s.objects('VpcPeering').find((o): o is KubeVpcPeering => o.kind === 'VpcPeering' && o.metadata.name === name);

describe('runtime: intent plugins from the profile', () => {
  beforeEach(() => fakeDeviceRegistry.reset());
  after(() => {
    fakeDeviceRegistry.reset();
    cleanTmp();
  });

  it('maps the profile’s names to the built-in plugins; an unknown name is an InputError with its path; planned ones are skipped', () => {
    assert.deepEqual(intentPluginsFromProfile({ plugins: ['kubernetes', 'service-lb', 'vpc-peering'] }).map((p) => p.id), ['kubernetes', 'service-lb', 'vpc-peering']);
    assert.deepEqual(intentPluginsFromProfile({ plugins: ['kubernetes', 'qos', 'security-groups'] }).map((p) => p.id), ['kubernetes', 'security-groups']);
    assert.throws(
      () => intentPluginsFromProfile({ plugins: ['kubernetes', 'servce-lb'] }),
      (e: unknown) => e instanceof InputError && e.problems.length === 1 && e.problems[0]?.path === 'plugins[1]' && /"servce-lb" is not an intent plugin/.test(e.message),
    );
  });

  it('refuses to build a controller for a profile with an unknown plugin', async () => {
    await assert.rejects(open([{ path: ['plugins'], value: ['kubernetes', 'nosuch'] }]), (e: unknown) => e instanceof InputError && /plugins\[1\]: "nosuch"/.test(e.message));
  });

  it('with service-lb and vpc-peering: the Service shows its VIP and the VpcPeering is Ready, written once', async () => {
    const { controller, source, close } = await open();
    try {
      const r = await controller.apply();
      assert.ok(r.report.devices.every((d) => d.outcome === 'applied'));
      const vip = r.compiled.desired.network.vlbs?.[0]?.virtualServers[0]?.vip;
      assert.equal(vip, '198.51.100.10');
      assert.deepEqual(service(source, 'shop', 'web')?.status?.loadBalancer?.ingress, [{ ip: vip }]);
      const ready = peering(source, 'shop-billing')?.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'True');
      assert.equal(ready?.reason, 'Programmed');
      assert.match(ready?.message ?? '', /"shop" and "billing": tcp\/8080/);
      assert.equal(r.writeBack.statuses, 2);
      // Nothing changed: nothing is written again.
      assert.equal((await controller.apply()).writeBack.statuses, 0);
      // Someone else overwrote the Service's status: the next pass puts the VIP back.
      await source.patchStatus({ kind: 'Service', namespace: 'shop', name: 'web', status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } });
      assert.equal((await controller.apply()).writeBack.statuses, 1);
      assert.deepEqual(service(source, 'shop', 'web')?.status?.loadBalancer?.ingress, [{ ip: vip }]);
    } finally {
      await close();
    }
  });

  it('a VpcPeering of an unknown VPC is Ready=False with the reason, and becomes Ready once the VPC exists', async () => {
    const { controller, source, close } = await open();
    try {
      source.applyNow({ apply: [{ apiVersion: 'netloom.io/v1alpha1', kind: 'VpcPeering', metadata: { name: 'shop-later' }, spec: { vpcs: ['shop', 'later'], allow: [{ protocol: 'tcp', ports: [443] }] } }] });
      await controller.apply();
      const before = peering(source, 'shop-later')?.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(before?.status, 'False');
      assert.equal(before?.reason, 'NetloomNotFound');
      assert.match(before?.message ?? '', /unknown VPC "later"/);
      source.applyNow({ apply: [{ kind: 'Namespace', metadata: { name: 'later' } }] });
      await controller.apply();
      const after = peering(source, 'shop-later')?.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(after?.status, 'True');
      assert.equal(after?.reason, 'Programmed');
    } finally {
      await close();
    }
  });

  it('with kubernetes alone: no VLB, no VFW policy, no Service status and no VpcPeering condition written', async () => {
    const { controller, source, close } = await open([{ path: ['plugins'], value: ['kubernetes'] }]);
    try {
      const r = await controller.apply();
      assert.deepEqual(r.compiled.desired.network.vlbs, []);
      assert.deepEqual(r.compiled.desired.network.vfws?.[0]?.policies ?? [], []);
      assert.ok((r.compiled.desired.network.endpoints ?? []).length > 0, 'pods are still connected');
      assert.equal(r.writeBack.statuses, 0);
      assert.equal(service(source, 'shop', 'web')?.status?.loadBalancer?.ingress, undefined);
      assert.equal(peering(source, 'shop-billing')?.status, undefined);
    } finally {
      await close();
    }
  });
});
