import { strict as assert } from 'node:assert';
import { compileIntent, MemoryStore } from '@netloom/engine';
import { createSecurityGroup, ErrorCode, isNetloomError } from '@netloom/domain';
import { defineIntentPlugin } from '@netloom/ports';
import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
import { cluster, ns, pod, settings } from './intent.fixtures';

const base = () => cluster({ namespaces: [ns('default'), ns('kube-system'), ns('shop'), ns('pay')], pods: [pod('shop', 'a', 'worker-1'), pod('pay', 'x', 'worker-1')] });
const compile = (plugins: Parameters<typeof compileIntent>[0]['plugins']) => compileIntent({ plugins, cluster: base(), settings: settings(), store: new MemoryStore() });

describe('intent compiler: the security-group builder methods', () => {
  it('setEndpointSecurityGroups replaces an endpoint’s groups; addSecurityGroup puts the group in the network', async () => {
    const p = defineIntentPlugin({
      id: 'sg-test',
      after: ['kubernetes'],
      compile: async (ctx) => {
        ctx.network.addSecurityGroup(createSecurityGroup({ name: 'shop.web', vpc: 'shop', rules: [{ direction: 'ingress', match: { protocol: 'tcp', ports: [80] }, remote: { cidr: '10.0.0.0/8' } }] }));
        ctx.network.setEndpointSecurityGroups('shop.a', ['shop.web']);
        assert.deepEqual(ctx.network.securityGroups().map((g) => g.name), ['shop.web']);
        assert.deepEqual(ctx.network.endpoints().find((e) => e.id === 'shop.a')?.securityGroups, ['shop.web']);
      },
    });
    const d = await compile([kubernetes, p]);
    assert.deepEqual(d.problems, []);
    assert.deepEqual(d.network.securityGroups?.map((g) => g.name), ['shop.web']);
    const a = d.network.endpoints?.find((e) => e.id === 'shop.a');
    assert.deepEqual(a?.securityGroups, ['shop.web']);
    // The rest of the endpoint is as the kubernetes plugin made it.
    assert.ok(a?.mac !== undefined && a.ips.length === 1 && a.vlan !== undefined);
  });

  it('a group that breaks an invariant fails its VPC only, with the problem on its SecurityGroup', async () => {
    const ref = { kind: 'SecurityGroup', namespace: 'shop', name: 'db' };
    const p = defineIntentPlugin({
      id: 'sg-test',
      after: ['kubernetes'],
      compile: async (ctx) => {
        ctx.network.addSecurityGroup(createSecurityGroup({ name: 'shop.db', vpc: 'shop', rules: [{ direction: 'ingress', match: { protocol: 'any' }, remote: { group: 'shop.ghost' } }] }), { ref });
      },
    });
    const d = await compile([kubernetes, p]);
    assert.deepEqual(d.failedVpcs, ['shop']);
    assert.deepEqual(d.network.securityGroups, []);
    assert.ok(d.network.endpoints?.some((e) => e.vpc === 'pay'), 'the other VPC stays');
    const mine = d.problems.filter((x) => x.kind === 'SecurityGroup');
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.namespace, 'shop');
    assert.equal(mine[0]?.name, 'db');
    assert.match(mine[0]?.message ?? '', /shop\.ghost/);
  });

  it('an unknown endpoint or a group added twice is a plugin bug (INTERNAL) that fails the pass', async () => {
    const unknown = defineIntentPlugin({ id: 'sg-test', after: ['kubernetes'], compile: async (ctx) => ctx.network.setEndpointSecurityGroups('shop.nobody', []) });
    await assert.rejects(compile([kubernetes, unknown]), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INTERNAL && /"sg-test".*"shop\.nobody"/.test(e.message));
    const g = () => createSecurityGroup({ name: 'shop.web', vpc: 'shop' });
    const one = defineIntentPlugin({ id: 'sg-one', after: ['kubernetes'], compile: async (ctx) => ctx.network.addSecurityGroup(g()) });
    const two = defineIntentPlugin({ id: 'sg-two', after: ['sg-one'], compile: async (ctx) => ctx.network.addSecurityGroup(g()) });
    await assert.rejects(compile([kubernetes, one, two]), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INTERNAL && /"sg-two" adds security group "shop\.web", which plugin "sg-one" already added/.test(e.message));
  });
});
