// Legs on real nftables and a real Open vSwitch (userspace datapath), with real packets:
//
//   client a (10.60.1.10/24, via .250) ── tag 101 ─┐                ┌─ leg101 10.60.1.250/24 (zone a)
//                                                  ├─ OVS bridge ───┤                        VFW namespace
//   client b (10.61.1.10/24, via .250) ── tag 102 ─┘                └─ leg102 10.61.1.250/24 (zone b)
//
// The adapter makes the legs (veth pairs whose outer ends are access ports of the bridge with the leg's VLAN as tag)
// and the table; the VFW routes between its legs and its policies decide. Then: removing a leg, a failure in the
// middle of an apply (a bridge that does not exist; nft refusing the script) leaving the last committed config and
// nothing half-made, rollback, and a leg deleted out of band showing as drift. Names carry the pid; everything is
// removed in `after`. The 802.1Q path is covered by a clear error where the kernel has no 802.1Q (this one), or by a
// real run where it has.
import { strict as assert } from 'node:assert';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { ErrorCode, FirewallConfigCodec, decodeOrThrow, firewallVocabulary, isNetloomError, silentLogger, type FirewallConfig, type FirewallConfigInput } from '@netloom/ports';
import { NftablesDriver, nftRunnerTaps, ovsPortForLeg, type NftablesSession, type NftRunner } from '@netloom/adapter-nftables';
import { connects, pings, skipUnlessNft, startGreetingServer } from '@netloom/adapter-nftables/testing';
import { createPod, deletePod } from '@netloom/ovs-vswitch/testing';
import { skipUnlessOvs, startOvsSandbox, type OvsSandbox } from '@netloom/ovsdb/testing';

const run = promisify(execFile);
const tag = process.pid.toString(36);
const NS = { vfw: `nlgv-${tag}`, a: `nlga-${tag}`, b: `nlgb-${tag}` };
const BRIDGE = `nlgbr${tag}`;
const CLIENTS = {
  a: { netns: NS.a, outer: `nlgca${tag}`, vlan: 101, address: '10.60.1.10/24', gateway: '10.60.1.250' },
  b: { netns: NS.b, outer: `nlgcb${tag}`, vlan: 102, address: '10.61.1.10/24', gateway: '10.61.1.250' },
} as const;
const A_ADDR = '10.60.1.10';
const B_ADDR = '10.61.1.10';

type Legs = NonNullable<FirewallConfigInput['zone'][string]['legs']>;
const LEG101 = { interface: 'leg101', uplink: 'eth1', vlan: 101, address: '10.60.1.250/24' };
const LEG102 = { interface: 'leg102', uplink: 'eth1', vlan: 102, address: '10.61.1.250/24' };
const LEG103 = { interface: 'leg103', uplink: 'eth1', vlan: 103, address: '10.62.1.250/24' };

const ALLOW_8080: FirewallConfigInput['policy'] = {
  'a-to-b-8080': { key: 'a-to-b-8080', name: 'a-to-b-8080', priority: 100, srcZone: 'a', dstZone: 'b', protocol: 'tcp', ports: [{ from: 8080, to: 8080 }], action: 'allow' },
};

function config(opts: { a?: Legs; b?: Legs; c?: Legs; policy?: FirewallConfigInput['policy'] } = {}): FirewallConfig {
  const zone = (name: string, cidr: string, legs: Legs) => ({ key: name, name, vpc: name, interfaces: [], cidrs: [cidr], ...(legs.length === 0 ? {} : { legs }) });
  return decodeOrThrow(
    FirewallConfigCodec,
    {
      zone: {
        a: zone('a', '10.60.1.0/24', opts.a ?? [LEG101]),
        b: zone('b', '10.61.1.0/24', opts.b ?? [LEG102]),
        ...(opts.c === undefined ? {} : { c: zone('c', '10.62.1.0/24', opts.c) }),
      },
      addressSet: {},
      policy: opts.policy ?? ALLOW_8080,
    },
    'legs test config',
  );
}

async function links(netns: string): Promise<string[]> {
  const r = await run('ip', ['-n', netns, '-json', 'link', 'show']);
  return (JSON.parse(r.stdout) as { ifname: string }[]).map((l) => l.ifname);
}

async function hostLinkExists(name: string): Promise<boolean> {
  return run('ip', ['link', 'show', 'dev', name]).then(
    () => true,
    () => false,
  );
}

// A new OVS port may drop the first packets while ovs-vswitchd takes it up: the clients ping their own leg (a few
// tries) before a test judges traffic through the VFW. Pinging a leg is input to the VFW, which no policy filters.
async function legsAnswer(): Promise<boolean> {
  for (let i = 0; i < 5; i++) if ((await pings(NS.a, CLIENTS.a.gateway)) && (await pings(NS.b, CLIENTS.b.gateway))) return true;
  return false;
}

async function sysctl(netns: string, key: string): Promise<string> {
  return (await run('ip', ['netns', 'exec', netns, 'sysctl', '-n', key])).stdout.trim();
}

describe('nftables legs on real nftables and Open vSwitch, with real packets', function () {
  this.timeout(180_000);
  let ovs: OvsSandbox | undefined;
  let session: NftablesSession | undefined;
  const servers: ChildProcess[] = [];
  const vsctl = async (...args: string[]): Promise<string> => ovs!.vsctl(...args);
  const ports = async (): Promise<string[]> => (await vsctl('list-ports', BRIDGE)).split('\n').filter((p) => p !== '');
  const tagOf = async (port: string): Promise<string> => vsctl('get', 'Port', port, 'tag');
  const driver = (bridge = BRIDGE, name = 'vfw-legs'): NftablesDriver =>
    new NftablesDriver({ target: { name }, options: { mode: 'local', netns: NS.vfw, ovs: { bridge, db: ovs!.unixRemote } }, logger: silentLogger });

  const applyConfirmed = async (desired: FirewallConfig): Promise<void> => {
    const s = session!;
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired }) }) });
  };

  before(async function () {
    await skipUnlessNft(this);
    skipUnlessOvs(this, { vswitchd: true });
    ovs = await startOvsSandbox({ vswitchd: true });
    await vsctl('add-br', BRIDGE, '--', 'set', 'bridge', BRIDGE, 'datapath_type=netdev');
    await run('ip', ['netns', 'add', NS.vfw]);
    await run('ip', ['-n', NS.vfw, 'link', 'set', 'dev', 'lo', 'up']);
    // The clients are pods of the vswitch lab: TX checksumming off, so TCP survives the userspace datapath.
    for (const [i, c] of Object.values(CLIENTS).entries()) {
      await createPod({ ns: c.netns, hostIf: c.outer, ip: c.address.split('/')[0]!, mac: `02:00:00:00:6${i}:10` });
      await run('ip', ['-n', c.netns, 'link', 'set', 'dev', 'eth0', 'up']);
      await run('ip', ['-n', c.netns, 'route', 'add', 'default', 'via', c.gateway]);
      await vsctl('add-port', BRIDGE, c.outer, `tag=${c.vlan}`);
    }
    servers.push(await startGreetingServer(NS.b, [8080, 8081]));
    servers.push(await startGreetingServer(NS.a, [8080]));
    session = await driver().connect();
  });

  after(async function () {
    await session?.close().catch(() => undefined);
    for (const s of servers) s.kill('SIGKILL');
    await run('ip', ['netns', 'del', NS.vfw]).catch(() => undefined);
    for (const c of Object.values(CLIENTS)) await deletePod({ ns: c.netns, hostIf: c.outer });
    for (const leg of ['leg101', 'leg102', 'leg103']) await run('ip', ['link', 'del', 'dev', ovsPortForLeg(NS.vfw, leg)]).catch(() => undefined);
    if (ovs !== undefined) {
      await vsctl('--if-exists', 'del-br', BRIDGE).catch(() => undefined);
      await ovs.stop();
    }
  });

  it('applies zones a and b with a leg each and a policy: observe equals the desired config, and plan after apply is empty', async () => {
    assert.ok(!(await pings(NS.a, B_ADDR)), 'before apply there is no VFW between the clients');
    const desired = config();
    await applyConfirmed(desired);
    assert.deepEqual((await session!.observe()).config, desired);
    const again = await session!.plan({ desired });
    assert.deepEqual([again.changes, again.operations], [[], []]);
    // What the device holds: the legs in the VFW namespace, marked, loose rp_filter, forwarding; tagged OVS ports.
    const legs = (await links(NS.vfw)).filter((l) => l.startsWith('leg')).sort();
    assert.deepEqual(legs, ['leg101', 'leg102']);
    const alias = await run('ip', ['-n', NS.vfw, '-json', 'link', 'show', 'dev', 'leg101']);
    assert.match(alias.stdout, /"ifalias":"netloom:leg:zone=a,uplink=eth1"/);
    assert.equal(await sysctl(NS.vfw, 'net.ipv4.ip_forward'), '1');
    assert.equal(await sysctl(NS.vfw, 'net/ipv4/conf/leg102/rp_filter'), '2');
    assert.equal(await tagOf(ovsPortForLeg(NS.vfw, 'leg101')), '101');
    assert.equal(await tagOf(ovsPortForLeg(NS.vfw, 'leg102')), '102');
    assert.ok(await legsAnswer(), 'each client reaches its leg through the OVS bridge');
  });

  it('real packets: a reaches b:8080 only through the policy, not b:8081, no ping; b cannot reach a; deleting the policy closes 8080', async () => {
    assert.ok(await connects(NS.a, B_ADDR, 8080), 'a → b:8080 must connect through the VFW (and the reply come back)');
    assert.ok(!(await connects(NS.a, B_ADDR, 8081)), 'a → b:8081 must be dropped');
    assert.ok(!(await pings(NS.a, B_ADDR)), 'a → b ping must be dropped');
    assert.ok(!(await connects(NS.b, A_ADDR, 8080)), 'b → a must be dropped (default deny)');
    await applyConfirmed(config({ policy: {} }));
    assert.ok(!(await connects(NS.a, B_ADDR, 8080)), 'without the policy a → b:8080 must be dropped');
    await applyConfirmed(config());
    assert.ok(await connects(NS.a, B_ADDR, 8080), 'with the policy back, a → b:8080 connects again');
  });

  it('a failure in the middle (a bridge that does not exist) names the leg and leaves the last committed config, nothing half-made', async () => {
    const committed = (await session!.observe()).config;
    const broken = await driver(`nlgno${tag}`, 'vfw-legs-nobridge').connect();
    try {
      const changeSet = await broken.plan({ desired: config({ c: [LEG103] }) });
      await assert.rejects(broken.apply({ changeSet }), (e: unknown) => {
        assert.ok(isNetloomError(e) && e.code === ErrorCode.DEVICE_COMMIT, String(e));
        assert.match(e.message, /leg leg103 of zone c/);
        assert.match(e.message, /no bridge named/);
        assert.match(e.message, /at its last committed configuration/);
        return true;
      });
    } finally {
      await broken.close();
    }
    assert.deepEqual((await session!.observe()).config, committed);
    assert.ok(!(await links(NS.vfw)).includes('leg103'), 'no leg103 in the VFW namespace');
    assert.ok(!(await hostLinkExists(ovsPortForLeg(NS.vfw, 'leg103'))), 'no veth end of leg103 left in the host');
    assert.ok(!(await ports()).includes(ovsPortForLeg(NS.vfw, 'leg103')));
    assert.ok(await connects(NS.a, B_ADDR, 8080), 'the committed legs still carry traffic');
  });

  it('nft refusing the script undoes the legs made before it', async () => {
    const committed = (await session!.observe()).config;
    nftRunnerTaps.set('vfw-legs-fault', (inner: NftRunner): NftRunner => ({
      where: inner.where,
      run: (args, stdin) => (args.includes('-f') && stdin?.includes('zone_c_if') === true ? Promise.resolve({ stdout: '', stderr: 'Error: injected by the test\n', code: 1 }) : inner.run(args, stdin)),
      exec: (argv, options) => inner.exec(argv, options),
      system: () => inner.system(),
      close: () => inner.close(),
    }));
    const faulty = await driver(BRIDGE, 'vfw-legs-fault').connect();
    try {
      const changeSet = await faulty.plan({ desired: config({ c: [LEG103] }) });
      assert.ok(changeSet.operations.some((o) => o.text.includes('leg103') && o.medium === 'argv'));
      await assert.rejects(faulty.apply({ changeSet }), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.DEVICE_COMMIT && /injected by the test/.test(e.message) && /last committed/.test(e.message));
    } finally {
      nftRunnerTaps.delete('vfw-legs-fault');
      await faulty.close();
    }
    assert.deepEqual((await session!.observe()).config, committed);
    assert.ok(!(await links(NS.vfw)).includes('leg103'));
    assert.ok(!(await ports()).includes(ovsPortForLeg(NS.vfw, 'leg103')));
  });

  it('rollback removes a leg the apply made and puts back one it removed', async () => {
    const s = session!;
    const committed = (await s.observe()).config;
    const tx = await s.apply({ changeSet: await s.plan({ desired: config({ b: [LEG103] }) }) });
    assert.deepEqual((await links(NS.vfw)).filter((l) => l.startsWith('leg')).sort(), ['leg101', 'leg103']);
    await s.rollback({ transaction: tx });
    assert.deepEqual((await s.observe()).config, committed);
    assert.deepEqual((await links(NS.vfw)).filter((l) => l.startsWith('leg')).sort(), ['leg101', 'leg102']);
    assert.equal(await tagOf(ovsPortForLeg(NS.vfw, 'leg102')), '102');
    assert.ok(await legsAnswer(), 'the restored leg answers');
    assert.ok(await connects(NS.a, B_ADDR, 8080), 'the restored leg carries traffic again');
  });

  it('a leg deleted out of band is drift: observe shows it, plan re-creates it', async () => {
    const s = session!;
    const desired = config();
    await run('ip', ['-n', NS.vfw, 'link', 'del', 'dev', 'leg102']);
    const observed = (await s.observe()).config;
    assert.notDeepEqual(observed, desired);
    assert.equal(observed.zone['b']?.legs, undefined, 'zone b has no leg any more');
    const plan = await s.plan({ desired });
    assert.ok(plan.operations.some((o) => o.text === `ip link add name ${ovsPortForLeg(NS.vfw, 'leg102')} type veth peer name leg102 netns ${NS.vfw}`), plan.operations.map((o) => o.text).join('\n'));
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.deepEqual((await s.observe()).config, desired);
    assert.ok(await legsAnswer(), 'the re-created leg answers');
    assert.ok(await connects(NS.a, B_ADDR, 8080), 'and carries traffic');
  });

  it("removing a zone's leg deletes its interface and its OVS port", async () => {
    const desired = config({ b: [] });
    assert.equal(desired.zone['b']?.legs, undefined);
    const port = ovsPortForLeg(NS.vfw, 'leg102');
    assert.ok((await ports()).includes(port));
    await applyConfirmed(desired);
    assert.deepEqual((await session!.observe()).config, desired);
    assert.ok(!(await links(NS.vfw)).includes('leg102'), 'leg102 is gone from the VFW namespace');
    assert.ok(!(await ports()).includes(port), 'its OVS port is gone');
    assert.ok(!(await hostLinkExists(port)), 'its veth end is gone from the host');
    assert.ok(!(await connects(NS.a, B_ADDR, 8080)), 'without b\'s leg nothing reaches b');
    await applyConfirmed(firewallVocabulary.empty());
    assert.deepEqual((await links(NS.vfw)).filter((l) => l.startsWith('leg')), [], 'deleting everything removes every leg');
    assert.deepEqual((await ports()).sort(), [CLIENTS.a.outer, CLIENTS.b.outer].sort(), 'only the clients remain on the bridge');
  });
});

describe('nftables legs as 802.1Q sub-interfaces (real namespace)', function () {
  this.timeout(60_000);
  const vfw = `nlgq-${tag}`;
  let vlan: boolean | undefined;
  let session: NftablesSession | undefined;

  before(async function () {
    await skipUnlessNft(this);
    await run('ip', ['netns', 'add', vfw]);
    await run('ip', ['-n', vfw, 'link', 'add', 'name', 'up0', 'type', 'veth', 'peer', 'name', 'up1']);
    await run('ip', ['-n', vfw, 'link', 'set', 'dev', 'up0', 'up']);
    vlan = await run('ip', ['-n', vfw, 'link', 'add', 'link', 'up0', 'name', 'probe.5', 'type', 'vlan', 'id', '5']).then(
      () => true,
      () => false,
    );
    if (vlan) await run('ip', ['-n', vfw, 'link', 'del', 'dev', 'probe.5']);
    session = await new NftablesDriver({ target: { name: 'vfw-legs-vlan' }, options: { mode: 'local', netns: vfw }, logger: silentLogger }).connect();
  });

  after(async function () {
    await session?.close().catch(() => undefined);
    await run('ip', ['netns', 'del', vfw]).catch(() => undefined);
  });

  const desired = (uplink: string): FirewallConfig =>
    decodeOrThrow(FirewallConfigCodec, { zone: { a: { key: 'a', name: 'a', interfaces: [], cidrs: [], legs: [{ interface: 'up0.101', uplink, vlan: 101, address: '10.60.1.250/24' }] } }, addressSet: {}, policy: {} }, 'vlan config');

  it('a leg on an uplink the namespace does not have is NotSupportedError naming the leg, before any write', async function () {
    const s = session!;
    await assert.rejects(
      s.apply({ changeSet: await s.plan({ desired: desired('eth9') }) }),
      (e: unknown) => isNetloomError(e) && e.code === ErrorCode.NOT_SUPPORTED && /leg up0\.101 of zone a/.test(e.message) && /no interface eth9/.test(e.message),
    );
    assert.deepEqual((await s.observe()).config, firewallVocabulary.empty());
  });

  it('without 802.1Q in the kernel: a clear NotSupportedError, the apply undone', async function () {
    if (vlan === true) {
      process.stdout.write('      skipped: this kernel makes 802.1Q sub-interfaces (the real run below covers them)\n');
      this.skip();
    }
    const s = session!;
    await assert.rejects(s.apply({ changeSet: await s.plan({ desired: desired('up0') }) }), (e: unknown) => {
      assert.ok(isNetloomError(e) && e.code === ErrorCode.NOT_SUPPORTED, String(e));
      assert.match(e.message, /leg up0\.101 of zone a/);
      assert.match(e.message, /CONFIG_VLAN_8021Q/);
      assert.match(e.message, /ovs option/);
      return true;
    });
    assert.deepEqual((await s.observe()).config, firewallVocabulary.empty());
    assert.ok(!(await links(vfw)).includes('up0.101'));
  });

  it('with 802.1Q in the kernel: the leg is a VLAN device of the uplink and reads back', async function () {
    if (vlan !== true) {
      process.stdout.write('      skipped: this kernel cannot make 802.1Q sub-interfaces (CONFIG_VLAN_8021Q); the OVS suite covers legs here\n');
      this.skip();
    }
    const s = session!;
    const want = desired('up0');
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: want }) }) });
    assert.deepEqual((await s.observe()).config, want);
    const info = await run('ip', ['-n', vfw, '-details', '-json', 'link', 'show', 'dev', 'up0.101']);
    assert.match(info.stdout, /"info_kind":"vlan"/);
    assert.match(info.stdout, /"id":101/);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: firewallVocabulary.empty() }) }) });
    assert.ok(!(await links(vfw)).includes('up0.101'));
  });
});
