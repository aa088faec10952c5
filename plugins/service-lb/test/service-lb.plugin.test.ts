import { strict as assert } from 'node:assert';
import { createIntentTestContext, kubeEndpointSlice, kubeLoadBalancerService, type IntentTestContext } from '@netloom/conformance';
import { createVpc } from '@netloom/domain';
import { plugin, serviceOwnerKey, vlbNameOf } from '@netloom/plugin-service-lb';

/** A context whose network already has VPC shop (namespace shop), as the kubernetes plugin would leave it. */
function withShop(ctx: IntentTestContext): IntentTestContext {
  ctx.network.addVpc(createVpc({ name: 'shop', namespaces: ['shop'] }));
  return ctx;
}

describe('plugin-service-lb', () => {
  it('is the IntentPlugin `service-lb`, after `kubernetes`', () => {
    assert.equal(plugin.id, 'service-lb');
    assert.deepEqual(plugin.after, ['kubernetes']);
  });

  it('builds one virtual server per TCP/UDP port with the VIP from spec.loadBalancerIP, members from the EndpointSlice, and the ingress status', async () => {
    const ctx = withShop(
      createIntentTestContext({
        cluster: {
          services: [kubeLoadBalancerService('shop', 'web', [{ port: 443, targetPort: 8443 }, { port: 53, protocol: 'UDP' }, { port: 9, protocol: 'SCTP' }], '198.51.100.77')],
          endpointSlices: [kubeEndpointSlice('shop', 'web', [{ ip: '10.1.0.5' }, { ip: '10.1.0.6', terminating: true, ready: false }, { ip: '10.1.0.7', ready: false }], 8443)],
        },
      }),
    );
    await plugin.compile(ctx);
    const vlb = ctx.built.vlbs[0];
    assert.equal(vlb?.name, vlbNameOf('shop'));
    assert.deepEqual(vlb?.virtualServers.map((v) => [v.name, v.vip, v.port, v.protocol]), [
      ['shop.web.tcp-443', '198.51.100.77', 443, 'tcp'],
      ['shop.web.udp-53', '198.51.100.77', 53, 'udp'],
    ]);
    assert.deepEqual(vlb?.virtualServers[0]?.pool.members.map((m) => [m.ip, m.port, m.state]), [
      ['10.1.0.5', 8443, 'enabled'],
      ['10.1.0.6', 8443, 'draining'],
    ]);
    assert.deepEqual(ctx.built.serviceStatus.get('shop/web'), { namespace: 'shop', name: 'web', vpc: 'shop', status: { loadBalancer: { ingress: [{ ip: '198.51.100.77' }] } } });
    assert.deepEqual(ctx.problemList.map((p) => [p.kind, p.name, p.code]), [['Service', 'web', 'INPUT.INVALID']], 'the SCTP port is reported and left out');
  });

  it('takes a VIP from the pool, keeps it on the next pass, and releases the VIP of a Service that is gone', async () => {
    const svc = kubeLoadBalancerService('shop', 'web', [{ port: 80 }]);
    const first = withShop(createIntentTestContext({ cluster: { services: [svc, kubeLoadBalancerService('shop', 'old', [{ port: 80 }])] } }));
    await plugin.compile(first);
    const vip = first.built.serviceStatus.get('shop/web')?.status.loadBalancer?.ingress?.[0]?.ip;
    assert.ok(vip !== undefined && vip.startsWith('198.51.100.'));
    const second = withShop(createIntentTestContext({ cluster: { services: [svc] }, held: first.held }));
    await plugin.compile(second);
    assert.equal(second.built.serviceStatus.get('shop/web')?.status.loadBalancer?.ingress?.[0]?.ip, vip);
    assert.deepEqual(second.calls, [`release vip ${serviceOwnerKey('shop', 'old')}`]);
  });

  it('a Service without a usable VIP gets an empty ingress and a problem; one in a namespace without VPC too; one of a failed VPC is left alone', async () => {
    const ctx = withShop(createIntentTestContext({ cluster: { services: [kubeLoadBalancerService('shop', 'bad', [{ port: 80 }], '203.0.113.9'), kubeLoadBalancerService('nowhere', 'lost', [{ port: 80 }])] } }));
    await plugin.compile(ctx);
    assert.deepEqual(ctx.built.vlbs, []);
    assert.deepEqual(ctx.built.serviceStatus.get('shop/bad')?.status, { loadBalancer: { ingress: [] } });
    assert.deepEqual(ctx.built.serviceStatus.get('nowhere/lost')?.status, { loadBalancer: { ingress: [] } });
    assert.deepEqual(ctx.problemList.map((p) => [p.name, p.code]).sort(), [['bad', 'INPUT.INVALID'], ['lost', 'NOT_FOUND']]);

    const failed = withShop(createIntentTestContext({ cluster: { services: [kubeLoadBalancerService('shop', 'web', [{ port: 80 }])] } }));
    failed.problems.failVpc('shop');
    await plugin.compile(failed);
    assert.equal(failed.built.serviceStatus.size, 0);
    assert.deepEqual(failed.built.vlbs, []);
  });
});
