// plan → apply → confirm | rollback against the simulator: the exact REST calls, one iControl transaction per
// change set, idempotency with zero writes, all-or-nothing failures, draining, the writer lock, lost commit replies,
// monitor type changes and drift the vocabulary cannot express.
import { strict as assert } from 'node:assert';
import { loadBalancerFull } from '@netloom/conformance';
import type { F5BigipSimulator } from '@netloom/conformance/simulators';
import { LOCK, type F5BigipSession } from '@netloom/adapter-f5-bigip';
import { ErrorCode, isNetloomError, type LoadBalancerConfig, type LoadBalancerConfigInput } from '@netloom/ports';
import { Fixture, type EditableConfig } from './support';

const codeOf = (e: unknown): string | undefined => (isNetloomError(e) ? e.code : undefined);
const asConfig = (c: LoadBalancerConfigInput): LoadBalancerConfig => c as unknown as LoadBalancerConfig;
const writesOf = (sim: F5BigipSimulator): string[] => sim.requestLog().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

async function applyAndConfirm(s: F5BigipSession, desired: LoadBalancerConfigInput): Promise<void> {
  const tx = await s.apply({ changeSet: await s.plan({ desired: asConfig(desired) }) });
  await s.confirm({ transaction: tx });
}

/**
 * Everything the device holds but the lock, as sorted lines per collection (object order and generation counters
 * aside: a re-created object is the same configuration).
 */
function deviceState(sim: F5BigipSimulator): Record<string, string[]> {
  const canonical = (item: unknown): string =>
    JSON.stringify(item, (k, v: unknown) => {
      if (k === 'generation') return undefined;
      if (k === 'items' && Array.isArray(v)) return v.map(canonical).sort();
      return v;
    });
  const out: Record<string, string[]> = {};
  for (const [uri, reply] of Object.entries(sim.dump())) {
    if (uri === '/mgmt/tm/ltm/data-group/internal') continue;
    out[uri] = ((reply as { items?: unknown[] }).items ?? []).map(canonical).sort();
  }
  return out;
}

describe('F5 BIG-IP adapter: plan, apply, confirm, rollback', function () {
  this.timeout(30000);
  const fx = new Fixture();
  afterEach(() => fx.cleanup());

  it('plans the exact REST calls, applies them as one iControl transaction, then plans nothing and writes nothing', async () => {
    const sim = await fx.simulator();
    const s = await fx.session(sim);
    const plan = await s.plan({ desired: asConfig(loadBalancerFull()) });
    assert.deepEqual(
      plan.operations.map((o) => o.text),
      [
        'POST /mgmt/tm/sys/folder {"name":"shop","subPath":"/","description":"netloom:shop vpc=shop"}',
        'POST /mgmt/tm/ltm/monitor/http {"name":"http","partition":"shop","description":"netloom:shop/http","defaultsFrom":"/Common/http","interval":5,"timeout":16,"send":"GET /healthz HTTP/1.0\\\\r\\\\n\\\\r\\\\n","recv":"none"}',
        'POST /mgmt/tm/ltm/pool {"name":"api","partition":"shop","description":"netloom:shop/api","loadBalancingMode":"least-connections-member"}',
        'POST /mgmt/tm/ltm/pool {"name":"web","partition":"shop","description":"netloom:shop/web","loadBalancingMode":"round-robin","monitor":"/shop/http"}',
        'POST /mgmt/tm/ltm/node {"name":"10.1.0.7","partition":"shop","address":"10.1.0.7","description":"netloom:node"}',
        'POST /mgmt/tm/ltm/pool/~shop~api/members {"name":"10.1.0.7:9090","partition":"shop","address":"10.1.0.7","description":"netloom:shop/api/10.1.0.7:9090","session":"user-enabled","state":"user-up","ratio":1}',
        'POST /mgmt/tm/ltm/node {"name":"10.1.0.8","partition":"shop","address":"10.1.0.8","description":"netloom:node"}',
        'POST /mgmt/tm/ltm/pool/~shop~api/members {"name":"10.1.0.8:9090","partition":"shop","address":"10.1.0.8","description":"netloom:shop/api/10.1.0.8:9090","session":"user-disabled","state":"user-up","ratio":1}',
        'POST /mgmt/tm/ltm/node {"name":"10.1.0.5","partition":"shop","address":"10.1.0.5","description":"netloom:node"}',
        'POST /mgmt/tm/ltm/pool/~shop~web/members {"name":"10.1.0.5:8080","partition":"shop","address":"10.1.0.5","description":"netloom:shop/web/10.1.0.5:8080","session":"user-enabled","state":"user-up","ratio":1}',
        'POST /mgmt/tm/ltm/node {"name":"fd00:1::6","partition":"shop","address":"fd00:1::6","description":"netloom:node"}',
        'POST /mgmt/tm/ltm/pool/~shop~web/members {"name":"fd00:1::6.8080","partition":"shop","address":"fd00:1::6","description":"netloom:shop/web/[fd00:1::6]:8080","session":"user-enabled","state":"user-up","ratio":2}',
        'POST /mgmt/tm/ltm/virtual {"name":"api-80","partition":"shop","description":"netloom:shop/api-80","destination":"/shop/192.0.2.11:80","mask":"255.255.255.255","ipProtocol":"tcp","pool":"/shop/api","sourceAddressTranslation":{"type":"automap"}}',
        'POST /mgmt/tm/ltm/virtual {"name":"web-443","partition":"shop","description":"netloom:shop/web-443","destination":"/shop/192.0.2.10:443","mask":"255.255.255.255","ipProtocol":"tcp","pool":"/shop/web","sourceAddressTranslation":{"type":"automap"}}',
      ],
    );
    assert.equal(sim.stats.writes, 0, 'plan writes nothing');
    const tx = await s.apply({ changeSet: plan });
    assert.equal(tx.state, 'applied');
    const [committed, ...others] = sim.transactions();
    assert.equal(others.length, 0, 'one iControl transaction for the whole change set');
    assert.equal(committed!.state, 'COMPLETED');
    assert.equal(String(committed!.transId), tx.id);
    const [lock, ...commands] = committed!.commands;
    assert.equal(lock!.path, '/mgmt/tm/ltm/data-group/internal', 'the writer lock is taken inside the same transaction');
    assert.deepEqual(
      commands.map((c) => `${c.method} ${c.path}${c.body === undefined ? '' : ` ${JSON.stringify(c.body)}`}`),
      plan.operations.map((o) => o.text),
      'the device received exactly the planned calls',
    );
    await s.confirm({ transaction: tx });
    assert.equal(sim.config.dataGroups.size, 0, 'confirm freed the lock');

    const writes = sim.stats.writes;
    const log = writesOf(sim).length;
    const again = await s.plan({ desired: asConfig(loadBalancerFull()) });
    assert.deepEqual([again.changes.length, again.operations.length], [0, 0]);
    const noop = await s.apply({ changeSet: again });
    assert.equal(noop.state, 'confirmed');
    assert.equal(sim.stats.writes, writes, 'an empty change set writes nothing');
    assert.equal(writesOf(sim).length, log, 'not a single non-GET request');
  });

  it('drains a member (F5 disabled), forces one offline, then removes them with the nodes netloom created', async () => {
    const sim = await fx.simulator();
    const s = await fx.session(sim);
    const base: EditableConfig = {
      partition: { shop: { key: 'shop', name: 'shop' } },
      monitor: {},
      pool: { 'shop/web': { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'round-robin' } },
      member: {
        'shop/web/10.1.0.5:80': { key: 'shop/web/10.1.0.5:80', partition: 'shop', pool: 'web', address: '10.1.0.5', port: 80, state: 'enabled' },
        'shop/web/10.1.0.6:80': { key: 'shop/web/10.1.0.6:80', partition: 'shop', pool: 'web', address: '10.1.0.6', port: 80, state: 'enabled' },
      },
      virtualServer: {},
    };
    await applyAndConfirm(s, base);
    const draining = structuredClone(base);
    draining.member['shop/web/10.1.0.5:80'] = { ...draining.member['shop/web/10.1.0.5:80']!, state: 'draining' };
    draining.member['shop/web/10.1.0.6:80'] = { ...draining.member['shop/web/10.1.0.6:80']!, state: 'disabled' };
    const plan = await s.plan({ desired: asConfig(draining) });
    assert.deepEqual(plan.operations.map((o) => o.text), [
      'PATCH /mgmt/tm/ltm/pool/~shop~web/members/~shop~10.1.0.5:80 {"description":"netloom:shop/web/10.1.0.5:80","session":"user-disabled","state":"user-up","ratio":1}',
      'PATCH /mgmt/tm/ltm/pool/~shop~web/members/~shop~10.1.0.6:80 {"description":"netloom:shop/web/10.1.0.6:80","session":"user-disabled","state":"user-down","ratio":1}',
    ]);
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    const members = sim.config.pools.get('/shop/web')!.members;
    assert.deepEqual([members.get('10.1.0.5:80')!.disabled, members.get('10.1.0.5:80')!.forcedOffline], [true, false]);
    assert.deepEqual([members.get('10.1.0.6:80')!.disabled, members.get('10.1.0.6:80')!.forcedOffline], [true, true]);
    assert.deepEqual((await s.observe()).config.member, asConfig(draining).member);

    const gone = structuredClone(base);
    gone.member = {};
    const removal = await s.plan({ desired: asConfig(gone) });
    assert.deepEqual(removal.operations.map((o) => o.text), [
      'DELETE /mgmt/tm/ltm/pool/~shop~web/members/~shop~10.1.0.5:80',
      'DELETE /mgmt/tm/ltm/node/~shop~10.1.0.5',
      'DELETE /mgmt/tm/ltm/pool/~shop~web/members/~shop~10.1.0.6:80',
      'DELETE /mgmt/tm/ltm/node/~shop~10.1.0.6',
    ]);
    await s.confirm({ transaction: await s.apply({ changeSet: removal }) });
    assert.equal(sim.config.nodes.size, 0);
  });

  it('a failed transaction changes nothing: CommitError with the device message, and the device takes the next apply', async () => {
    const sim = await fx.simulator();
    const s = await fx.session(sim);
    await applyAndConfirm(s, { partition: { shop: { key: 'shop', name: 'shop' } }, monitor: {}, pool: {}, member: {}, virtualServer: {} });
    const before = deviceState(sim);
    const observed = (await s.observe()).config;
    sim.failNextTransaction({ afterCommands: 3 });
    const plan = await s.plan({ desired: asConfig(loadBalancerFull()) });
    const e = await s.apply({ changeSet: plan }).then(
      () => assert.fail('apply reported success'),
      (err: unknown) => err,
    );
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match((e as Error).message, /answered 400: transaction failed:01070734:3: Configuration error/);
    assert.match((e as Error).message, /nothing was applied/);
    assert.deepEqual(deviceState(sim), before, 'the device is exactly as before');
    assert.deepEqual((await s.observe()).config, observed);
    assert.equal(sim.config.dataGroups.size, 0, 'no lock left behind');
    await applyAndConfirm(s, loadBalancerFull());
    assert.equal((await s.plan({ desired: asConfig(loadBalancerFull()) })).changes.length, 0);
  });

  it('maps a device refusal (a node address taken in another partition) to CommitError with the TMOS message, nothing changed', async () => {
    const sim = await fx.simulator();
    await sim.applyOutOfBand([
      { method: 'POST', path: '/mgmt/tm/sys/folder', body: { name: 'legacy', subPath: '/' } },
      { method: 'POST', path: '/mgmt/tm/ltm/node', body: { name: '10.1.0.5', partition: 'legacy', address: '10.1.0.5' } },
    ]);
    const before = deviceState(sim);
    const s = await fx.session(sim);
    const e = await s.apply({ changeSet: await s.plan({ desired: asConfig(loadBalancerFull()) }) }).then(
      () => assert.fail('the device accepted a second node for one address'),
      (err: unknown) => err,
    );
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match((e as Error).message, /01020066:3: The requested Node \(\/legacy\/10\.1\.0\.5\) already exists in partition legacy\./);
    assert.deepEqual(deviceState(sim), before);
  });

  it('rolls back with the inverse transaction: the device is back at the pre-apply config, the lock is free', async () => {
    const sim = await fx.simulator();
    const s = await fx.session(sim);
    const first = loadBalancerFull() as EditableConfig;
    await applyAndConfirm(s, first);
    const before = deviceState(sim);
    const next = structuredClone(first);
    delete next.virtualServer['shop/api-80'];
    next.pool['shop/web'] = { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'least-connections' };
    delete next.monitor['shop/http'];
    next.member['shop/api/10.1.0.8:9090'] = { ...next.member['shop/api/10.1.0.8:9090']!, state: 'enabled' };
    next.member['shop/api/10.1.0.9:9090'] = { key: 'shop/api/10.1.0.9:9090', partition: 'shop', pool: 'api', address: '10.1.0.9', port: 9090, state: 'enabled' };
    const tx = await s.apply({ changeSet: await s.plan({ desired: asConfig(next) }) });
    assert.notDeepEqual(deviceState(sim), before);
    await s.rollback({ transaction: tx });
    assert.equal(tx.state, 'rolled-back');
    assert.deepEqual(deviceState(sim), before, 'every object back as it was, node of the added member included');
    assert.equal(sim.config.dataGroups.size, 0);
    assert.equal(sim.transactions().length, 3, 'apply, rollback: one transaction each (after the first apply)');
  });

  it('refuses a second writer with LockedError naming the holder; an expired lease is taken over', async () => {
    const sim = await fx.simulator();
    const a = await fx.session(sim);
    const b = await fx.session(sim);
    const txA = await a.apply({ changeSet: await a.plan({ desired: asConfig(loadBalancerFull()) }), confirmWithinSec: 0.4 });
    const planB = await b.plan({ desired: asConfig({ partition: { other: { key: 'other', name: 'other' } }, monitor: {}, pool: {}, member: {}, virtualServer: {} }) });
    const writes = sim.stats.writes;
    const e = await b.apply({ changeSet: planB }).then(
      () => assert.fail('two writers at once'),
      (err: unknown) => err,
    );
    assert.equal(codeOf(e), ErrorCode.DEVICE_LOCKED);
    assert.ok((e as Error).message.includes(a.holder), (e as Error).message);
    assert.ok((e as Error).message.includes(`/${LOCK.partition}/${LOCK.name}`));
    assert.equal(sim.stats.writes, writes, 'the refused writer wrote nothing');

    await new Promise((r) => setTimeout(r, 500)); // A's lease (confirmWithinSec 0.4) runs out
    const txB = await b.apply({ changeSet: planB });
    const rb = await a.rollback({ transaction: txA }).then(
      () => assert.fail('rolled back under another writer'),
      (err: unknown) => err,
    );
    assert.equal(codeOf(rb), ErrorCode.DEVICE_COMMIT);
    assert.match((rb as Error).message, /holds the device now/);
    await b.confirm({ transaction: txB });
    assert.ok(sim.config.folders.has('other'));
  });

  it('lets exactly one of two racing writers apply; the other gets LockedError and writes nothing', async () => {
    const sim = await fx.simulator();
    const a = await fx.session(sim);
    const b = await fx.session(sim);
    const one = (name: string): LoadBalancerConfig => asConfig({ partition: { [name]: { key: name, name } }, monitor: {}, pool: {}, member: {}, virtualServer: {} });
    const [planA, planB] = await Promise.all([a.plan({ desired: one('a') }), b.plan({ desired: one('b') })]);
    const results = await Promise.allSettled([a.apply({ changeSet: planA }), b.apply({ changeSet: planB })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.equal(codeOf(lost[0]!.reason), ErrorCode.DEVICE_LOCKED, String(lost[0]!.reason));
    const folders = [...sim.config.folders.keys()].filter((f) => f === 'a' || f === 'b');
    assert.equal(folders.length, 1, 'only the winner’s change is on the device');
  });

  it('settles a commit whose reply was lost by reading the device: applied, or not applied', async () => {
    const sim = await fx.simulator();
    const s = await fx.session(sim);
    const desired = asConfig(loadBalancerFull());
    sim.dropConnectionDuring(/^\/mgmt\/tm\/transaction\/\d+$/, { method: 'PATCH', when: 'before' });
    const lost = await s.apply({ changeSet: await s.plan({ desired }) }).then(
      () => assert.fail('apply succeeded although the commit never reached the device'),
      (err: unknown) => err,
    );
    assert.equal(codeOf(lost), ErrorCode.DEVICE_COMMIT);
    assert.match((lost as Error).message, /did not apply it \(nothing changed\)/);
    assert.deepEqual(Object.keys((await s.observe()).config.partition), []);

    sim.dropConnectionDuring(/^\/mgmt\/tm\/transaction\/\d+$/, { method: 'PATCH', when: 'after' });
    const tx = await s.apply({ changeSet: await s.plan({ desired }) });
    assert.equal(tx.state, 'applied', 'the device shows the transaction applied and the lock ours');
    await s.confirm({ transaction: tx });
    assert.equal((await s.plan({ desired })).changes.length, 0);
    assert.equal(sim.config.dataGroups.size, 0);
  });

  it('reads back every monitor type and updates every kind in place', async () => {
    const sim = await fx.simulator();
    const s = await fx.session(sim);
    const first: EditableConfig = {
      partition: { shop: { key: 'shop', name: 'shop', vpc: 'shop' } },
      monitor: {
        'shop/t': { key: 'shop/t', partition: 'shop', name: 't', type: 'tcp', intervalSec: 5, timeoutSec: 16 },
        'shop/h': { key: 'shop/h', partition: 'shop', name: 'h', type: 'http', intervalSec: 5, timeoutSec: 16 },
        'shop/s': { key: 'shop/s', partition: 'shop', name: 's', type: 'https', intervalSec: 3, timeoutSec: 10, httpPath: '/ready', expectStatus: 204 },
        'shop/i': { key: 'shop/i', partition: 'shop', name: 'i', type: 'icmp', intervalSec: 2, timeoutSec: 7 },
      },
      pool: { 'shop/web': { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'round-robin', monitor: 's' } },
      member: { 'shop/web/[2001:db8::5]:80': { key: 'shop/web/[2001:db8::5]:80', partition: 'shop', pool: 'web', address: '2001:db8::5', port: 80, state: 'enabled', weight: 5 } },
      virtualServer: { 'shop/v6': { key: 'shop/v6', partition: 'shop', name: 'v6', vip: '2001:db8::10', port: 443, protocol: 'tcp', pool: 'web' } },
    };
    await applyAndConfirm(s, first);
    assert.deepEqual((await s.observe()).config, asConfig(first));
    const second = structuredClone(first);
    second.partition['shop'] = { key: 'shop', name: 'shop', vpc: 'shop-v2' };
    second.monitor['shop/h'] = { ...second.monitor['shop/h']!, httpPath: '/healthz', intervalSec: 10, timeoutSec: 31 };
    second.monitor['shop/s'] = { key: 'shop/s', partition: 'shop', name: 's', type: 'https', intervalSec: 3, timeoutSec: 10 };
    second.pool['shop/web'] = { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'least-connections', monitor: 'h' };
    second.member['shop/web/[2001:db8::5]:80'] = { key: 'shop/web/[2001:db8::5]:80', partition: 'shop', pool: 'web', address: '2001:db8::5', port: 80, state: 'enabled' };
    second.virtualServer['shop/v6'] = { ...second.virtualServer['shop/v6']!, port: 8443, protocol: 'udp' };
    const plan = await s.plan({ desired: asConfig(second) });
    assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`), [
      'update partition shop',
      'update monitor shop/h',
      'update monitor shop/s',
      'update pool shop/web',
      'update member shop/web/[2001:db8::5]:80',
      'update virtualServer shop/v6',
    ]);
    assert.ok(plan.operations.every((o) => o.text.startsWith('PATCH ')), plan.operations.map((o) => o.text).join('\n'));
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.deepEqual((await s.observe()).config, asConfig(second));
    assert.equal(sim.config.virtuals.get('/shop/v6')!.port, 8443);
    assert.equal((await s.plan({ desired: asConfig(second) })).changes.length, 0);
  });

  it('changes a monitor type (http → tcp) by detaching, replacing and re-attaching it', async () => {
    const sim = await fx.simulator();
    const s = await fx.session(sim);
    await applyAndConfirm(s, loadBalancerFull());
    const next = loadBalancerFull() as EditableConfig;
    next.monitor['shop/http'] = { key: 'shop/http', partition: 'shop', name: 'http', type: 'tcp', intervalSec: 10, timeoutSec: 31 };
    const plan = await s.plan({ desired: asConfig(next) });
    assert.deepEqual(plan.operations.map((o) => o.text.split(' {')[0]), [
      'PATCH /mgmt/tm/ltm/pool/~shop~web',
      'DELETE /mgmt/tm/ltm/monitor/http/~shop~http',
      'POST /mgmt/tm/ltm/monitor/tcp',
      'PATCH /mgmt/tm/ltm/pool/~shop~web',
    ]);
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.deepEqual((await s.observe()).config.monitor['shop/http'], next.monitor['shop/http']);
    assert.deepEqual(sim.config.pools.get('/shop/web')!.monitors, ['/shop/http']);
  });

  it('sees drift the vocabulary cannot express (another load-balancing mode, SNAT off) and repairs it', async () => {
    const sim = await fx.simulator();
    const s = await fx.session(sim);
    await applyAndConfirm(s, loadBalancerFull());
    await sim.applyOutOfBand([
      { method: 'PATCH', path: '/mgmt/tm/ltm/pool/~shop~web', body: { loadBalancingMode: 'ratio-member' } },
      { method: 'PATCH', path: '/mgmt/tm/ltm/virtual/~shop~web-443', body: { sourceAddressTranslation: { type: 'none' } } },
    ]);
    const plan = await s.plan({ desired: asConfig(loadBalancerFull()) });
    assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`), ['update pool shop/web', 'update virtualServer shop/web-443']);
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.equal(sim.config.pools.get('/shop/web')!.loadBalancingMode, 'round-robin');
    assert.equal(sim.config.virtuals.get('/shop/web-443')!.snat, 'automap');
    assert.equal((await s.plan({ desired: asConfig(loadBalancerFull()) })).changes.length, 0);
  });

  it('never observes or touches objects without its marker, also inside its own partition', async () => {
    const sim = await fx.simulator();
    const s = await fx.session(sim);
    await applyAndConfirm(s, loadBalancerFull());
    await sim.applyOutOfBand([{ method: 'POST', path: '/mgmt/tm/ltm/pool', body: { name: 'by-hand', partition: 'shop', description: 'netloom:shop/web' } }]);
    assert.equal((await s.observe()).config.pool['shop/by-hand'], undefined, 'a copied marker with the wrong key is not netloom’s');
    const e = await s.apply({ changeSet: await s.plan({ desired: asConfig({ partition: {}, monitor: {}, pool: {}, member: {}, virtualServer: {} }) }) }).then(
      () => assert.fail('deleted a partition that holds a foreign pool'),
      (err: unknown) => err,
    );
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match((e as Error).message, /010713f9:3: The folder \/shop cannot be deleted because it contains configuration item \(pool \/shop\/by-hand\)/);
    assert.ok(sim.config.pools.has('/shop/web'), 'all or nothing: the owned objects are still there');
  });
});
