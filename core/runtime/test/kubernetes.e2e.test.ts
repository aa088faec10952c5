// The whole pipeline against a Kubernetes API (the in-process test API server, spoken to by the client-node adapter
// exactly as a real cluster would be): the demo scenario's objects are created through the API, `netloom apply`
// reconciles the in-process devices and writes the results back to the pods, and a second plan is empty.
import assert from 'node:assert/strict';
import { cli, demoClusterApiPerSuite } from './helpers';

describe('runtime end to end on the Kubernetes adapter (test API server)', function () {
  this.timeout(120_000);
  const demo = demoClusterApiPerSuite();

  it('apply reconciles every device from the cluster, writes the pods\' addresses back; a second plan is empty', async () => {
    const applied = await cli('apply', '--profile', demo.profile, '--yes');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /leaf1/);

    // Write-back went through the API server: every running pod of shop has its address and VLAN annotations.
    const pods = demo.api.list('Pod', { namespace: 'shop' }) as { metadata: { name: string; annotations?: Record<string, string> }; spec?: { nodeName?: string } }[];
    assert.ok(pods.length > 0, 'no shop pods');
    for (const p of pods.filter((x) => x.spec?.nodeName !== undefined)) {
      const ips = p.metadata.annotations?.['netloom.io/allocated-ips'];
      assert.match(ips ?? '', /^\d+\.\d+\.\d+\.\d+/, `${p.metadata.name} has no netloom.io/allocated-ips`);
    }

    const again = await cli('plan', '--profile', demo.profile, '--output', 'json');
    assert.equal(again.code, 0, again.stderr);
    const plan = JSON.parse(again.stdout) as { devices: { device: string; changeSet?: { changes: unknown[] } }[]; problems: unknown[] };
    assert.ok(plan.devices.length >= 6, `expected every device in the plan, got ${plan.devices.length}`);
    assert.equal(plan.devices.reduce((n, d) => n + (d.changeSet?.changes.length ?? 0), 0), 0, 'the second plan is not empty');
  });
});
