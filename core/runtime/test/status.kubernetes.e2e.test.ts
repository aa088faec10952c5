// The status write-back of the service-lb and vpc-peering plugins through the Kubernetes adapter and the in-process
// test API server (status subresources, as a real cluster takes them): after `netloom apply` of the demo cluster,
// Service shop/web shows its VIP in status.loadBalancer.ingress and VpcPeering shop-billing has Ready=True.
import assert from 'node:assert/strict';
import { cli, demoClusterApiPerSuite } from './helpers';

interface WithStatus {
  metadata: { name: string; namespace?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] }; conditions?: { type: string; status: string; reason?: string }[] };
}

describe('runtime: Service and VpcPeering status through the Kubernetes adapter (test API server)', function () {
  this.timeout(120_000);
  const demo = demoClusterApiPerSuite();

  it('apply writes the VIP into the Service status and Ready=True into the VpcPeering status', async () => {
    const applied = await cli('apply', '--profile', demo.profile, '--yes');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const web = (demo.api.list('Service', { namespace: 'shop' }) as WithStatus[]).find((s) => s.metadata.name === 'web');
    assert.deepEqual(web?.status?.loadBalancer?.ingress, [{ ip: '198.51.100.10' }]);
    const peering = (demo.api.list('VpcPeering') as WithStatus[]).find((p) => p.metadata.name === 'shop-billing');
    const ready = peering?.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True', JSON.stringify(peering?.status));
    assert.equal(ready?.reason, 'Programmed');
  });
});
