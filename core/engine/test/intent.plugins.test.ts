import { strict as assert } from 'node:assert';
import { createVpc } from '@netloom/domain';
import { compileIntent, MemoryStore, orderPlugins } from '@netloom/engine';
import { defineIntentPlugin, ErrorCode, InputError, isNetloomError, type IntentPlugin } from '@netloom/ports';
import { cluster, lbService, ns, settings, PLUGINS } from './intent.fixtures';

const noop = (id: string, after?: string[]): IntentPlugin => defineIntentPlugin({ id, ...(after === undefined ? {} : { after }), compile: async () => undefined });

describe('compileIntent: intent plugins', () => {
  it('runs plugins after the ones they name in `after`, otherwise in the given order', async () => {
    const ran: string[] = [];
    const p = (id: string, after?: string[]): IntentPlugin => defineIntentPlugin({ id, ...(after === undefined ? {} : { after }), compile: async () => void ran.push(id) });
    await compileIntent({ cluster: cluster(), settings: settings(), store: new MemoryStore(), plugins: [p('c', ['b']), p('b', ['a']), p('a'), p('z')] });
    assert.deepEqual(ran, ['a', 'b', 'c', 'z']);
    assert.deepEqual(orderPlugins(PLUGINS).map((x) => x.id), ['kubernetes', 'service-lb', 'vpc-peering']);
    assert.deepEqual(orderPlugins([...PLUGINS].reverse()).map((x) => x.id), ['kubernetes', 'vpc-peering', 'service-lb']);
  });

  it('refuses an `after` naming a plugin that is not enabled, and a cycle, with InputError naming them', async () => {
    const store = new MemoryStore();
    await assert.rejects(
      compileIntent({ cluster: cluster(), settings: settings(), store, plugins: PLUGINS.filter((x) => x.id !== 'kubernetes') }),
      (e: unknown) => e instanceof InputError && /"service-lb" runs after "kubernetes", which is not enabled/.test(e.message) && e.problems.some((p) => p.path === 'plugins[0].after[0]'),
    );
    assert.throws(() => orderPlugins([noop('a', ['b']), noop('b', ['a']), noop('c')]), (e: unknown) => e instanceof InputError && /"a", "b" depend on each other in a cycle/.test(e.message));
    assert.throws(() => orderPlugins([noop('a'), noop('a')]), (e: unknown) => e instanceof InputError && /"a" is given twice/.test(e.message));
    assert.equal((await store.list({ prefix: '' })).length, 0, 'nothing was allocated before the refusal');
  });

  it('defineIntentPlugin refuses an id that is not kebab-case and a plugin that runs after itself', () => {
    assert.throws(() => noop('Bad Id'), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'id'));
    assert.throws(() => noop('self', ['self']), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'after[0]'));
  });

  it('without plugins nothing is compiled; kubernetes alone gives no VLB and no VFW policy (zones stay: isolation is the default)', async () => {
    const c = cluster({ namespaces: [ns('default'), ns('kube-system'), ns('shop')], services: [lbService('shop', 'web', [{ port: 80 }])] });
    const none = await compileIntent({ cluster: c, settings: settings(), store: new MemoryStore(), plugins: [] });
    assert.deepEqual(none.network.vpcs, []);
    assert.deepEqual(none.serviceStatus, []);
    const only = await compileIntent({ cluster: c, settings: settings(), store: new MemoryStore(), plugins: PLUGINS.filter((x) => x.id === 'kubernetes') });
    assert.deepEqual(only.network.vpcs?.map((v) => v.name), ['default', 'kube-system', 'shop']);
    assert.deepEqual(only.network.vlbs, []);
    assert.deepEqual(only.network.vfws?.[0]?.zones.map((z) => z.vpc), ['default', 'kube-system', 'shop']);
    assert.deepEqual(only.network.vfws?.[0]?.policies, []);
    const all = await compileIntent({ cluster: c, settings: settings(), store: new MemoryStore(), plugins: PLUGINS });
    assert.equal(all.network.vlbs?.length, 1);
    assert.ok((all.network.vfws?.[0]?.policies.length ?? 0) > 0, 'DNS policies with vpc-peering');
  });

  it('returns the Services’ desired load-balancer status, without those of failed VPCs', async () => {
    const c = cluster({ namespaces: [ns('default'), ns('shop'), ns('pay')], services: [lbService('shop', 'web', [{ port: 80 }], '198.51.100.50'), lbService('pay', 'api', [{ port: 443 }])] });
    const failPay = defineIntentPlugin({ id: 'fail-pay', after: ['kubernetes'], compile: async (ctx) => ctx.problems.failVpc('pay') });
    const d = await compileIntent({ cluster: c, settings: settings(), store: new MemoryStore(), plugins: [...PLUGINS, failPay] });
    assert.deepEqual(d.serviceStatus, [{ namespace: 'shop', name: 'web', vpc: 'shop', status: { loadBalancer: { ingress: [{ ip: '198.51.100.50' }] } } }]);
    assert.ok(d.failedVpcs.includes('pay'));
    assert.ok(!(d.network.vpcs ?? []).some((v) => v.name === 'pay'), 'a VPC a plugin failed leaves the network');
  });

  it('a second plugin adding an object of the same name fails the pass with an INTERNAL error naming both plugins', async () => {
    const dup = defineIntentPlugin({ id: 'dup', after: ['kubernetes'], compile: async (ctx) => ctx.network.addVpc(createVpc({ name: 'shop' })) });
    await assert.rejects(
      compileIntent({ cluster: cluster({ namespaces: [ns('shop')] }), settings: settings(), store: new MemoryStore(), plugins: [PLUGINS[0]!, dup] }),
      (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INTERNAL && /"dup" adds VPC "shop", which plugin "kubernetes" already added/.test(e.message),
    );
  });

  it('garbage collection keeps what a plugin retained and releases what nobody retained or allocated for', async () => {
    const store = new MemoryStore();
    await compileIntent({ cluster: cluster({ namespaces: [ns('default'), ns('shop')] }), settings: settings(), store, plugins: PLUGINS });
    const keepShop = defineIntentPlugin({ id: 'keep-shop', compile: async (ctx) => ctx.allocators.retain({ vpcs: ['shop'], subnets: ['shop_default'] }) });
    const kept = await compileIntent({ cluster: cluster({ namespaces: [ns('default')] }), settings: settings(), store, plugins: [...PLUGINS, keepShop] });
    assert.deepEqual(kept.garbage?.vpcs, []);
    const gone = await compileIntent({ cluster: cluster({ namespaces: [ns('default')] }), settings: settings(), store, plugins: PLUGINS });
    assert.deepEqual(gone.garbage?.vpcs, ['shop']);
  });
});
