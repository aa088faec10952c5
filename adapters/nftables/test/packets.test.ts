// WITH REAL PACKETS: three namespaces routed through a fourth that runs the VFW (nftables driven by this adapter).
//
//   a  (10.91.1.2/24) ─┐
//   a2 (10.91.3.2/24) ─┼─ vfw (ip_forward=1; va, vc in zone vpc-a; vb in zone vpc-b)
//   b  (10.91.2.2/24) ─┘
//
// Proves the port's semantics on the wire: default deny between zones, intra-zone allowed, a policy opening one TCP
// port (and only that one; replies pass because the firewall is stateful), removing it closes the port again, and a
// deny policy within a zone overrides the intra-zone allow. Names carry the pid; everything is torn down in `after`.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { FirewallConfigCodec, decodeOrThrow, silentLogger, type FirewallConfig, type FirewallConfigInput } from '@netloom/ports';
import { NftablesDriver, type NftablesSession } from '@netloom/adapter-nftables';
import { connects, pings, skipUnlessNft, startVfwLab, type VfwLab } from '@netloom/adapter-nftables/testing';

const pid = process.pid;
const NS = { a: `nlpa-${pid}`, a2: `nlpc-${pid}`, b: `nlpb-${pid}`, vfw: `nlpv-${pid}` };
const B_ADDR = '10.91.2.2';
const A2_ADDR = '10.91.3.2';

const zones = (): FirewallConfigInput['zone'] => ({
  'vpc-a': { key: 'vpc-a', name: 'vpc-a', vpc: 'a', interfaces: ['va', 'vc'], cidrs: ['10.91.1.0/24', '10.91.3.0/24'] },
  'vpc-b': { key: 'vpc-b', name: 'vpc-b', vpc: 'b', interfaces: ['vb'], cidrs: ['10.91.2.0/24'] },
});
const config = (policy: FirewallConfigInput['policy'] = {}): FirewallConfig => decodeOrThrow(FirewallConfigCodec, { zone: zones(), addressSet: {}, policy }, 'packet test config');
const allow8080: FirewallConfigInput['policy'] = {
  'a-to-b-8080': { key: 'a-to-b-8080', name: 'a-to-b-8080', priority: 100, srcZone: 'vpc-a', dstZone: 'vpc-b', protocol: 'tcp', ports: [{ from: 8080, to: 8080 }], action: 'allow' },
};

describe('nftables VFW with real packets between namespaces', function () {
  this.timeout(60_000);
  let lab: VfwLab | undefined;
  let session: NftablesSession | undefined;

  const teardown = async (): Promise<void> => {
    await session?.close().catch(() => undefined);
    session = undefined;
    await lab?.stop();
  };

  before(async function () {
    await skipUnlessNft(this);
    lab = await startVfwLab({
      vfw: NS.vfw,
      sides: [
        { netns: NS.a, dev: 'a0', address: '10.91.1.2/24', vfwDev: 'va', vfwAddress: '10.91.1.1/24' },
        { netns: NS.a2, dev: 'c0', address: '10.91.3.2/24', vfwDev: 'vc', vfwAddress: '10.91.3.1/24' },
        { netns: NS.b, dev: 'b0', address: '10.91.2.2/24', vfwDev: 'vb', vfwAddress: '10.91.2.1/24' },
      ],
      server: { netns: NS.b, ports: [8080, 8081] },
    });
    const driver = new NftablesDriver({ target: { name: 'vfw-packets' }, options: { mode: 'local', netns: NS.vfw }, logger: silentLogger });
    session = await driver.connect();
  });

  after(async () => {
    await teardown();
  });

  const apply = async (desired: FirewallConfig): Promise<void> => {
    const s = session!;
    const tx = await s.apply({ changeSet: await s.plan({ desired }) });
    await s.confirm({ transaction: tx });
    assert.deepEqual((await s.observe()).config, desired);
  };

  it('without a firewall config, the topology forwards (control)', async () => {
    assert.ok(await pings(NS.a, B_ADDR), 'a → b should ping before netloom configures the VFW');
    assert.ok(await connects(NS.a, B_ADDR, 8081), 'a → b:8081 should connect before netloom configures the VFW');
  });

  it('default deny between zones; traffic within a zone is allowed', async () => {
    await apply(config());
    assert.ok(!(await pings(NS.a, B_ADDR)), 'a → b (vpc-a → vpc-b) must be dropped');
    assert.ok(!(await connects(NS.a, B_ADDR, 8080)), 'a → b:8080 must be dropped without a policy');
    assert.ok(await pings(NS.a, A2_ADDR), 'a → a2 (both vpc-a) must pass');
    assert.ok(await connects(NS.b, B_ADDR, 8080), 'b → b itself does not cross the VFW');
  });

  it('a policy allowing tcp 8080 from vpc-a to vpc-b opens exactly that port (replies pass: stateful)', async () => {
    await apply(config(allow8080));
    assert.ok(await connects(NS.a, B_ADDR, 8080), 'a → b:8080 must connect (and the reply must come back)');
    assert.ok(!(await connects(NS.a, B_ADDR, 8081)), 'a → b:8081 must stay closed');
    assert.ok(!(await pings(NS.a, B_ADDR)), 'a → b ping must stay dropped');
  });

  it('removing the policy closes 8080 again', async () => {
    await apply(config());
    assert.ok(!(await connects(NS.a, B_ADDR, 8080)), 'a → b:8080 must be dropped again');
    assert.ok(await pings(NS.a, A2_ADDR), 'intra-zone traffic still passes');
  });

  it('a deny policy within a zone overrides the intra-zone allow; rollback lifts it', async () => {
    const s = session!;
    const deny: FirewallConfigInput['policy'] = {
      'a-no-icmp': { key: 'a-no-icmp', name: 'a-no-icmp', priority: 10, srcZone: 'vpc-a', dstZone: 'vpc-a', protocol: 'icmp', action: 'deny' },
    };
    const tx = await s.apply({ changeSet: await s.plan({ desired: config(deny) }) });
    assert.ok(!(await pings(NS.a, A2_ADDR)), 'a → a2 ping must be denied by the policy');
    await s.rollback({ transaction: tx });
    assert.ok(await pings(NS.a, A2_ADDR), 'after rollback a → a2 pings again');
  });

  it('leaves nothing behind: namespaces gone, no interface of the test in the host namespace', async () => {
    await teardown();
    const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of Object.values(NS)) assert.ok(!namespaces.includes(ns), `${ns} still exists`);
    const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    for (const dev of ['va', 'vb', 'vc', 'a0', 'b0', 'c0']) assert.ok(!new RegExp(`^\\d+: ${dev}[@:]`, 'm').test(links), `${dev} is in the host namespace`);
  });
});
