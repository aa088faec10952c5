// The whole pipeline against a Kubernetes API (the in-process test API server, spoken to by the client-node adapter
// exactly as a real cluster would be): the demo scenario's objects are created through the API, `netloom apply`
// reconciles the in-process devices and writes the results back to the pods, and a second plan is empty.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { parseScenario } from '@netloom/adapter-scenario';
import { KubeApiServer } from '@netloom/conformance/simulators';
import { cleanTmp, cli, example, onFakeDevices, ROOT, tmpDir, writeProfile } from './helpers';

describe('runtime end to end on the Kubernetes adapter (test API server)', function () {
  this.timeout(120_000);
  let api: KubeApiServer;
  let kubeconfig: string;

  before(async () => {
    // The in-process devices are shared by name across the whole test run: start clean, leave clean.
    fakeDeviceRegistry.reset();
    api = new KubeApiServer({ crdDir: path.join(ROOT, 'deploy', 'crds') });
    await api.start();
    kubeconfig = path.join(tmpDir(), 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, api.kubeconfig());
    // The demo's cluster at the end of its timeline, created through the API.
    const scenario = parseScenario(fs.readFileSync(example('scenario.yaml'), 'utf8'), 'scenario.yaml');
    for (const step of scenario.steps) {
      const apply = step.apply.map((o) => {
        const { uid: _uid, resourceVersion: _rv, ...metadata } = o.metadata as Record<string, unknown>;
        return { ...o, metadata } as Record<string, unknown>;
      });
      if (apply.length > 0) await api.put(apply);
      if (step.delete.length > 0) await api.remove(step.delete);
    }
  });
  after(async () => {
    fakeDeviceRegistry.reset();
    await api?.stop();
    cleanTmp();
  });

  it('apply reconciles every device from the cluster, writes the pods\' addresses back; a second plan is empty', async () => {
    // On the fake devices: apply and the plan after it are two CLI runs, and a simulated device lives for one.
    const profile = writeProfile({ example: 'embedded.yaml' }, [...onFakeDevices(), { path: ['sources', 'kubernetes'], value: { kubeconfig } }]);
    const applied = await cli('apply', '--profile', profile, '--yes');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /leaf1/);

    // Write-back went through the API server: every running pod of shop has its address and VLAN annotations.
    const pods = api.list('Pod', { namespace: 'shop' }) as { metadata: { name: string; annotations?: Record<string, string> }; spec?: { nodeName?: string } }[];
    assert.ok(pods.length > 0, 'no shop pods');
    for (const p of pods.filter((x) => x.spec?.nodeName !== undefined)) {
      const ips = p.metadata.annotations?.['netloom.io/allocated-ips'];
      assert.match(ips ?? '', /^\d+\.\d+\.\d+\.\d+/, `${p.metadata.name} has no netloom.io/allocated-ips`);
    }

    const again = await cli('plan', '--profile', profile, '--output', 'json');
    assert.equal(again.code, 0, again.stderr);
    const plan = JSON.parse(again.stdout) as { devices: { device: string; changeSet?: { changes: unknown[] } }[]; problems: unknown[] };
    assert.ok(plan.devices.length >= 6, `expected every device in the plan, got ${plan.devices.length}`);
    assert.equal(plan.devices.reduce((n, d) => n + (d.changeSet?.changes.length ?? 0), 0), 0, 'the second plan is not empty');
  });
});
