// The zones' legs without a device: the exact commands of 802.1Q and OVS legs (creates before the nft script,
// deletes after it), what plan renders around the script, the marker, the options, and the checks that keep hostile
// or non-Linux names away from `ip` and `ovs-vsctl` before anything runs.
import { strict as assert } from 'node:assert';
import {
  ErrorCode,
  FirewallConfigCodec,
  decodeOrThrow,
  isNetloomError,
  silentLogger,
  type FirewallConfig,
  type FirewallConfigInput,
  type InputError,
} from '@netloom/ports';
import {
  LEG_MEDIUM,
  NFT_MEDIUM,
  NftablesDriver,
  NftablesOptionsCodec,
  legAlias,
  legsOfConfig,
  macForLeg,
  normalizeConfig,
  observedLegsOfConfig,
  ovsPortForLeg,
  parseLegAlias,
  renderLegSteps,
  type NftResult,
  type NftRunner,
} from '@netloom/adapter-nftables';

const decode = (input: FirewallConfigInput): FirewallConfig => normalizeConfig(decodeOrThrow(FirewallConfigCodec, input, 'test config'));

const withLegs = (legs: Record<string, readonly { interface: string; uplink: string; vlan: number; address: string }[]>): FirewallConfig =>
  decode({
    zone: Object.fromEntries(Object.entries(legs).map(([name, l]) => [name, { key: name, name, interfaces: [], cidrs: [], legs: l }])) as FirewallConfigInput['zone'],
    addressSet: {},
    policy: {},
  });

const leg101 = { interface: 'leg101', uplink: 'eth1', vlan: 101, address: '10.60.1.250/24' };
const leg102 = { interface: 'leg102', uplink: 'eth1', vlan: 102, address: '10.61.1.250/24' };
const none = new Map();

/** Answers nft like an empty namespace and `ip` like a namespace without interfaces; records every call. */
class RecordingRunner implements NftRunner {
  readonly where = 'recording';
  readonly runs: (readonly string[])[] = [];
  readonly execs: (readonly string[])[] = [];
  async run(args: readonly string[]): Promise<NftResult> {
    this.runs.push(args);
    if (args[0] === '--version') return { stdout: 'nftables v1.0.6 (Lester Gooch #5)\n', stderr: '', code: 0 };
    return { stdout: '', stderr: 'Error: No such file or directory\n', code: 1 };
  }
  async exec(argv: readonly string[]): Promise<NftResult> {
    this.execs.push(argv);
    return { stdout: '[]\n', stderr: '', code: 0 };
  }
  async system() {
    return { hostname: 'test', kernel: '6.1.0' };
  }
  async close(): Promise<void> {}
}

async function recordingSession(options: Record<string, unknown> = { mode: 'local', netns: 'vfw1' }) {
  const runner = new RecordingRunner();
  const driver = new NftablesDriver({ target: { name: 'vfw-legs' }, options, logger: silentLogger }, { runnerFactory: async () => runner });
  const session = await driver.connect();
  runner.runs.length = 0;
  return { runner, session };
}

describe('nftables legs: rendered commands', () => {
  it('802.1Q legs: forwarding on, then per leg the VLAN device, loose rp_filter, address, marker and up, in the firewall namespace', () => {
    const steps = renderLegSteps(none, legsOfConfig(withLegs({ a: [leg101] })), { netns: 'vfw1' });
    assert.deepEqual(
      steps.pre.map((s) => s.argv.join(' ')),
      [
        'ip netns exec vfw1 sysctl -q -w net.ipv4.ip_forward=1',
        'ip -n vfw1 link add link eth1 name leg101 type vlan id 101',
        'ip netns exec vfw1 sysctl -q -w net/ipv4/conf/leg101/rp_filter=2',
        'ip -n vfw1 addr add 10.60.1.250/24 dev leg101',
        'ip -n vfw1 link set dev leg101 alias netloom:leg:zone=a,uplink=eth1 up',
      ],
    );
    assert.deepEqual(steps.post, []);
    // The first step of a leg removes all of it again; the others need no undo of their own.
    assert.deepEqual(steps.pre[1]!.undo, [['ip', '-n', 'vfw1', 'link', 'del', 'dev', 'leg101']]);
    assert.deepEqual(steps.pre[1]!.leg, { interface: 'leg101', zone: 'a' });
  });

  it('without a namespace the commands run in the machine\'s own', () => {
    const steps = renderLegSteps(none, legsOfConfig(withLegs({ a: [leg101] })), {});
    assert.deepEqual(steps.pre.map((s) => s.argv[0]), ['sysctl', 'ip', 'sysctl', 'ip', 'ip']);
    assert.ok(steps.pre.every((s) => !s.argv.includes('-n') && !s.argv.includes('netns')));
  });

  it('OVS legs: a veth pair into the namespace, the outer end an access port with the leg\'s VLAN as tag', () => {
    const port = ovsPortForLeg('vfw1', 'leg101');
    assert.match(port, /^nlf[0-9a-f]{8}$/);
    assert.notEqual(port, ovsPortForLeg('vfw2', 'leg101'), 'two firewalls sharing a host never share a port name');
    assert.match(macForLeg('vfw1', 'leg101'), /^02(:[0-9a-f]{2}){5}$/);
    const ctx = { netns: 'vfw1', ovs: { bridge: 'br-fw', db: 'unix:/run/ovs/db.sock' } };
    const steps = renderLegSteps(none, legsOfConfig(withLegs({ a: [leg101] })), ctx);
    assert.deepEqual(
      steps.pre.map((s) => s.argv.join(' ')),
      [
        'ip netns exec vfw1 sysctl -q -w net.ipv4.ip_forward=1',
        `ovs-vsctl --db=unix:/run/ovs/db.sock --if-exists del-port ${port}`,
        `ip link add name ${port} type veth peer name leg101 netns vfw1`,
        'ip netns exec vfw1 sysctl -q -w net/ipv4/conf/leg101/rp_filter=2',
        'ip -n vfw1 addr add 10.60.1.250/24 dev leg101',
        `ip -n vfw1 link set dev leg101 address ${macForLeg('vfw1', 'leg101')} alias netloom:leg:zone=a,uplink=eth1 up`,
        `ip link set dev ${port} up`,
        `ovs-vsctl --db=unix:/run/ovs/db.sock add-port br-fw ${port} tag=101`,
      ],
    );
    assert.deepEqual(steps.pre.at(-1)!.undo, [['ovs-vsctl', '--db=unix:/run/ovs/db.sock', '--if-exists', 'del-port', port]]);
    // Removing the leg: its OVS port, then the veth pair (after the script); the undo re-creates both.
    const gone = renderLegSteps(observedLegsOfConfig(withLegs({ a: [leg101] })), new Map(), ctx);
    assert.deepEqual(gone.pre, []);
    assert.deepEqual(
      gone.post.map((s) => s.argv.join(' ')),
      [`ovs-vsctl --db=unix:/run/ovs/db.sock --if-exists del-port ${port}`, 'ip -n vfw1 link del dev leg101'],
    );
    assert.deepEqual(gone.post[0]!.undo, [['ovs-vsctl', '--db=unix:/run/ovs/db.sock', 'add-port', 'br-fw', port, 'tag=101']]);
    assert.equal(gone.post[1]!.undo[0]!.join(' '), `ip link add name ${port} type veth peer name leg101 netns vfw1`);
  });

  it('OVS legs with ovs.netns: the outer ends are made, raised and removed in the namespace of that OVS (here the firewall\'s own)', () => {
    const port = ovsPortForLeg('vfw1', 'leg101');
    const ctx = { netns: 'vfw1', ovs: { bridge: 'br-fw', netns: 'vfw1' } };
    const steps = renderLegSteps(none, legsOfConfig(withLegs({ a: [leg101] })), ctx);
    const text = steps.pre.map((s) => s.argv.join(' '));
    assert.ok(text.includes(`ip -n vfw1 link add name ${port} type veth peer name leg101 netns vfw1`), text.join('\n'));
    assert.ok(text.includes(`ip -n vfw1 link set dev ${port} up`), text.join('\n'));
    assert.deepEqual(steps.pre.find((s) => s.argv.includes('veth'))!.undo, [['ip', '-n', 'vfw1', 'link', 'del', 'dev', port]]);
    // Another namespace for the OVS than for the firewall: outer ends there, inner ends in the firewall's.
    const apart = renderLegSteps(none, legsOfConfig(withLegs({ a: [leg101] })), { netns: 'vfw1', ovs: { bridge: 'br-fw', netns: 'fwhost' } }).pre.map((s) => s.argv.join(' '));
    assert.ok(apart.includes(`ip -n fwhost link add name ${port} type veth peer name leg101 netns vfw1`), apart.join('\n'));
    assert.ok(apart.includes('ip -n vfw1 addr add 10.60.1.250/24 dev leg101'), apart.join('\n'));
    assert.ok(apart.every((l) => !l.startsWith('ip link')), 'nothing in the machine\'s own namespace');
  });

  it('a leg that changes is re-created before the script; one that stays writes nothing; a marked interface nobody wants goes after it', () => {
    const ctx = { netns: 'vfw1' };
    const from = new Map([
      ...observedLegsOfConfig(withLegs({ a: [leg101], b: [leg102] })),
      ['stray0', { interface: 'stray0', problem: 'not an 802.1Q device' }],
    ]);
    const moved = { ...leg101, address: '10.60.1.251/24' };
    const steps = renderLegSteps(from, legsOfConfig(withLegs({ a: [moved], b: [leg102] })), ctx);
    assert.deepEqual(
      steps.pre.map((s) => s.argv.join(' ')),
      [
        'ip netns exec vfw1 sysctl -q -w net.ipv4.ip_forward=1',
        'ip -n vfw1 link del dev leg101',
        'ip -n vfw1 link add link eth1 name leg101 type vlan id 101',
        'ip netns exec vfw1 sysctl -q -w net/ipv4/conf/leg101/rp_filter=2',
        'ip -n vfw1 addr add 10.60.1.251/24 dev leg101',
        'ip -n vfw1 link set dev leg101 alias netloom:leg:zone=a,uplink=eth1 up',
      ],
    );
    assert.deepEqual(steps.post.map((s) => s.argv.join(' ')), ['ip -n vfw1 link del dev stray0']);
    assert.deepEqual(steps.post[0]!.undo, [], 'an interface that was not as netloom writes it cannot be put back');
    assert.deepEqual(renderLegSteps(observedLegsOfConfig(withLegs({ a: [leg101] })), legsOfConfig(withLegs({ a: [leg101] })), ctx), { pre: [], post: [] });
  });

  it('the marker names the zone and the uplink; other aliases are not legs', () => {
    assert.equal(legAlias('vpc-a', 'eth1'), 'netloom:leg:zone=vpc-a,uplink=eth1');
    assert.deepEqual(parseLegAlias(legAlias('vpc-a', 'eth1.5')), { zone: 'vpc-a', uplink: 'eth1.5' });
    for (const alias of [undefined, 'uplink to core', 'netloom:leg:zone=a', 'netloom:leg:zone=a,uplink=eth1,x=1', 'netloom:binding:eth1:100', 'netloom:leg:zone=a;b,uplink=eth1']) {
      assert.equal(parseLegAlias(alias), undefined, String(alias));
    }
  });
});

describe('nftables legs: plan', () => {
  it('renders the leg commands (argv) around the nft script (nft), and the leg interface joins its zone\'s set', async () => {
    const { runner, session } = await recordingSession();
    const desired = decode({
      zone: { a: { key: 'a', name: 'a', interfaces: ['va'], cidrs: [], legs: [leg101] } },
      addressSet: {},
      policy: {},
    });
    const plan = await session.plan({ desired });
    const media = plan.operations.map((o) => o.medium);
    assert.deepEqual(media.slice(0, 5), [LEG_MEDIUM, LEG_MEDIUM, LEG_MEDIUM, LEG_MEDIUM, LEG_MEDIUM]);
    assert.ok(media.slice(5).every((m) => m === NFT_MEDIUM));
    assert.ok(plan.operations.some((o) => o.text === 'add element inet netloom zone_a_if { "leg101", "va" }'), plan.operations.map((o) => o.text).join('\n'));
    assert.equal(plan.operations[1]!.text, 'ip -n vfw1 link add link eth1 name leg101 type vlan id 101');
    // Observe read the namespace's interfaces; plan wrote nothing.
    assert.deepEqual(runner.execs, [['ip', '-n', 'vfw1', '-details', '-json', 'addr', 'show']]);
    assert.ok(runner.runs.every((a) => !a.includes('-f')));
    await session.close();
  });

  it('refuses hostile and non-Linux leg names with InputError before anything runs', async () => {
    const { runner, session } = await recordingSession();
    const cases: { leg: Record<string, unknown>; path: RegExp }[] = [
      { leg: { ...leg101, interface: 'leg;reboot' }, path: /legs/ },
      { leg: { ...leg101, uplink: 'eth1 x' }, path: /uplink/ },
      { leg: { ...leg101, interface: 'leg\nquit' }, path: /legs/ },
      { leg: { ...leg101, interface: 'Ethernet1/1' }, path: /zone\["a"\]\.legs\[0\]\.interface/ },
      { leg: { ...leg101, uplink: 'a-very-long-uplink-name' }, path: /zone\["a"\]\.legs\[0\]\.uplink/ },
      { leg: { ...leg101, interface: 'eth1' }, path: /also the leg's uplink/ },
      { leg: { ...leg101, vlan: 4095 }, path: /vlan/ },
      { leg: { ...leg101, address: '10.60.1.250' }, path: /address/ },
    ];
    for (const c of cases) {
      runner.execs.length = 0;
      const desired = { zone: { a: { key: 'a', name: 'a', interfaces: [], cidrs: [], legs: [c.leg] } }, addressSet: {}, policy: {} };
      await assert.rejects(
        session.plan({ desired: desired as unknown as FirewallConfig }),
        (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID && c.path.test(`${e.message} ${JSON.stringify((e as InputError).problems ?? [])}`),
        JSON.stringify(c.leg),
      );
      assert.deepEqual(runner.execs, [], 'nothing ran for a refused config');
    }
    await session.close();
  });
});

describe('nftables legs: options', () => {
  it('accepts ovs legs exactly like the linux-router adapter and refuses bad bridges, remotes and keys', () => {
    const ok = (o: unknown): boolean => NftablesOptionsCodec.decode(o)._tag === 'Right';
    assert.ok(ok({ mode: 'local', netns: 'vfw1', ovs: { bridge: 'br-fw' } }));
    assert.ok(ok({ mode: 'local', ovs: { bridge: 'br-fw', db: 'unix:/run/openvswitch/db.sock' } }));
    assert.ok(ok({ mode: 'local', ovs: { bridge: 'br-fw', db: 'tcp:127.0.0.1:6640' } }));
    assert.ok(!ok({ mode: 'local', ovs: {} }));
    assert.ok(!ok({ mode: 'local', ovs: { bridge: 'br fw' } }));
    assert.ok(!ok({ mode: 'local', ovs: { bridge: 'a-bridge-name-too-long' } }));
    assert.ok(!ok({ mode: 'local', ovs: { bridge: 'br-fw', db: 'unix:relative.sock' } }));
    assert.ok(!ok({ mode: 'local', ovs: { bridge: 'br-fw', db: 'tcp:host:6640' } }));
    assert.ok(!ok({ mode: 'local', ovs: { bridge: 'br-fw', extra: 1 } }));
    assert.ok(ok({ mode: 'local', netns: 'vfw1', ovs: { bridge: 'br-fw', netns: 'vfw1' } }));
    const bad = NftablesOptionsCodec.decode({ mode: 'local', ovs: { bridge: 'br-fw', netns: 'a;reboot' } });
    assert.ok(bad._tag === 'Left');
    assert.match(JSON.stringify(bad.left.map((e) => e.context.map((c) => c.key).join('.'))), /ovs\.netns/);
  });
});

