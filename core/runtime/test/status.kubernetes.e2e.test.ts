// The status write-back of the service-lb and vpc-peering plugins through the Kubernetes adapter and the in-process
// test API server (status subresources, as a real cluster takes them): after `netloom apply` of the demo cluster,
// Service shop/web shows its VIP in status.loadBalancer.ingress and VpcPeering shop-billing has Ready=True.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { parseScenario } from '@netloom/adapter-scenario';
import { KubeApiServer } from '@netloom/conformance/simulators';
import { cleanTmp, cli, example, onFakeDevices, ROOT, tmpDir, writeProfile } from './helpers';

interface WithStatus {
  metadata: { name: string; namespace?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] }; conditions?: { type: string; status: string; reason?: string }[] };
}

describe('runtime: Service and VpcPeering status through the Kubernetes adapter (test API server)', function () {
  this.timeout(120_000);
  let api: KubeApiServer;
  let kubeconfig: string;

  before(async () => {
    fakeDeviceRegistry.reset();
    api = new KubeApiServer({ crdDir: path.join(ROOT, 'deploy', 'crds') });
    await api.start();
    kubeconfig = path.join(tmpDir(), 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, api.kubeconfig());
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

  it('apply writes the VIP into the Service status and Ready=True into the VpcPeering status', async () => {
    const profile = writeProfile({ example: 'embedded.yaml' }, [...onFakeDevices(), { path: ['sources', 'kubernetes'], value: { kubeconfig } }]);
    const applied = await cli('apply', '--profile', profile, '--yes');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const web = (api.list('Service', { namespace: 'shop' }) as WithStatus[]).find((s) => s.metadata.name === 'web');
    assert.deepEqual(web?.status?.loadBalancer?.ingress, [{ ip: '198.51.100.10' }]);
    const peering = (api.list('VpcPeering') as WithStatus[]).find((p) => p.metadata.name === 'shop-billing');
    const ready = peering?.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True', JSON.stringify(peering?.status));
    assert.equal(ready?.reason, 'Programmed');
  });
});
