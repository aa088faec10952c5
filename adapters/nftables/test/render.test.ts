// The renderer and the parser without a device: the exact script for a small config, updates and deletes in the
// safe order, the allowlist that refuses injection attempts before anything runs, what nftables cannot hold, the
// stored reply of nft 1.0.6, and a property test of render → nft JSON → parse.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fc from 'fast-check';
import {
  ErrorCode,
  FirewallConfigCodec,
  decodeOrThrow,
  diffConfig,
  firewallVocabulary,
  isNetloomError,
  silentLogger,
  type FirewallConfig,
  type FirewallConfigInput,
} from '@netloom/ports';
import {
  NftStatements,
  NftablesDriver,
  NftablesOptionsCodec,
  normalizeConfig,
  parseOwnedTable,
  renderChanges,
  type NftResult,
  type NftRunner,
} from '@netloom/adapter-nftables';
import { firewallConfigArb } from './arbitraries';
import { nftJsonFor } from './nft-json';

const decode = (input: FirewallConfigInput): FirewallConfig => normalizeConfig(decodeOrThrow(FirewallConfigCodec, input, 'test config'));
const empty = (): FirewallConfig => firewallVocabulary.empty();
const statements = new NftStatements('inet', 'netloom');
const script = (desired: FirewallConfig, observed: FirewallConfig = empty()): string[] =>
  renderChanges({ statements, changes: diffConfig({ desired, observed, order: firewallVocabulary.order }), next: desired });

type Editable = Record<string, Record<string, Record<string, unknown>>>;
const editable = (c: FirewallConfigInput): Editable => c as unknown as Editable;

const small = (): FirewallConfigInput => ({
  zone: {
    'vpc-a': { key: 'vpc-a', name: 'vpc-a', vpc: 'a', interfaces: ['veth-a'], cidrs: ['10.0.1.0/24'] },
    'vpc-b': { key: 'vpc-b', name: 'vpc-b', interfaces: [], cidrs: ['fd00:2::/64', '10.0.2.0/24'] },
  },
  addressSet: {},
  policy: {
    'a-to-b': { key: 'a-to-b', name: 'a-to-b', priority: 100, srcZone: 'vpc-a', dstZone: 'vpc-b', protocol: 'tcp', ports: [{ from: 8080, to: 8080 }], sourceAddresses: ['10.0.1.5/32'], action: 'allow' },
  },
});

/** A runner that records every call and answers like nft on an empty namespace. */
class RecordingRunner implements NftRunner {
  readonly where = 'recording';
  readonly calls: { args: readonly string[]; stdin?: string }[] = [];
  async run(args: readonly string[], stdin?: string): Promise<NftResult> {
    this.calls.push({ args, ...(stdin === undefined ? {} : { stdin }) });
    if (args[0] === '--version') return { stdout: 'nftables v1.0.6 (Lester Gooch #5)\n', stderr: '', code: 0 };
    return { stdout: '', stderr: 'Error: No such file or directory\n', code: 1 };
  }
  /** The other programs run (`ip` for the legs): answered as a namespace without interfaces. */
  readonly execs: (readonly string[])[] = [];
  async exec(argv: readonly string[]): Promise<NftResult> {
    this.execs.push(argv);
    return { stdout: '[]\n', stderr: '', code: 0 };
  }
  async system() {
    return { hostname: 'test', kernel: '6.1.0' };
  }
  async close(): Promise<void> {}
}

async function recordingSession() {
  const runner = new RecordingRunner();
  const driver = new NftablesDriver({ target: { name: 'vfw-test' }, options: { mode: 'local' }, logger: silentLogger }, { runnerFactory: async () => runner });
  const session = await driver.connect();
  runner.calls.length = 0; // connect asked for the version; what follows is what the test is about
  return { runner, session };
}

const inputError = (e: unknown): boolean => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID;

describe('nftables renderer', () => {
  it('renders the exact script for a small config', () => {
    assert.deepEqual(script(decode(small())), [
      'add table inet netloom',
      'add chain inet netloom forward { type filter hook forward priority 0; policy drop; }',
      'add set inet netloom zone_vpc-a_if { type ifname; }',
      'flush set inet netloom zone_vpc-a_if',
      'add element inet netloom zone_vpc-a_if { "veth-a" }',
      'add set inet netloom zone_vpc-a_v4 { type ipv4_addr; flags interval; }',
      'flush set inet netloom zone_vpc-a_v4',
      'add element inet netloom zone_vpc-a_v4 { 10.0.1.0/24 }',
      'add set inet netloom zone_vpc-a_v6 { type ipv6_addr; flags interval; }',
      'flush set inet netloom zone_vpc-a_v6',
      'add chain inet netloom zone_vpc-a_in',
      'flush chain inet netloom zone_vpc-a_in',
      'add rule inet netloom zone_vpc-a_in oifname @zone_vpc-a_if accept comment "netloom:vpc:a"',
      'add rule inet netloom zone_vpc-a_in ip daddr @zone_vpc-a_v4 accept comment "netloom:vpc:a"',
      'add rule inet netloom zone_vpc-a_in ip6 daddr @zone_vpc-a_v6 accept comment "netloom:vpc:a"',
      'add set inet netloom zone_vpc-b_if { type ifname; }',
      'flush set inet netloom zone_vpc-b_if',
      'add set inet netloom zone_vpc-b_v4 { type ipv4_addr; flags interval; }',
      'flush set inet netloom zone_vpc-b_v4',
      'add element inet netloom zone_vpc-b_v4 { 10.0.2.0/24 }',
      'add set inet netloom zone_vpc-b_v6 { type ipv6_addr; flags interval; }',
      'flush set inet netloom zone_vpc-b_v6',
      'add element inet netloom zone_vpc-b_v6 { fd00:2::/64 }',
      'add chain inet netloom zone_vpc-b_in',
      'flush chain inet netloom zone_vpc-b_in',
      'add rule inet netloom zone_vpc-b_in oifname @zone_vpc-b_if accept comment "netloom:zone:vpc-b"',
      'add rule inet netloom zone_vpc-b_in ip daddr @zone_vpc-b_v4 accept comment "netloom:zone:vpc-b"',
      'add rule inet netloom zone_vpc-b_in ip6 daddr @zone_vpc-b_v6 accept comment "netloom:zone:vpc-b"',
      'add set inet netloom pol_a-to-b_sa4 { type ipv4_addr; flags interval; }',
      'flush set inet netloom pol_a-to-b_sa4',
      'add element inet netloom pol_a-to-b_sa4 { 10.0.1.5/32 }',
      'add set inet netloom pol_a-to-b_dpt { type inet_service; flags interval; }',
      'flush set inet netloom pol_a-to-b_dpt',
      'add element inet netloom pol_a-to-b_dpt { 8080 }',
      'add chain inet netloom pol_a-to-b_mt',
      'flush chain inet netloom pol_a-to-b_mt',
      'add chain inet netloom pol_a-to-b_dz',
      'flush chain inet netloom pol_a-to-b_dz',
      'add rule inet netloom pol_a-to-b_mt ip saddr @pol_a-to-b_sa4 tcp dport @pol_a-to-b_dpt accept comment "netloom:policy:a-to-b:100"',
      'add rule inet netloom pol_a-to-b_dz oifname @zone_vpc-b_if jump pol_a-to-b_mt comment "netloom:policy:a-to-b:100"',
      'add rule inet netloom pol_a-to-b_dz ip daddr @zone_vpc-b_v4 jump pol_a-to-b_mt comment "netloom:policy:a-to-b:100"',
      'add rule inet netloom pol_a-to-b_dz ip6 daddr @zone_vpc-b_v6 jump pol_a-to-b_mt comment "netloom:policy:a-to-b:100"',
      'flush chain inet netloom forward',
      'add rule inet netloom forward ct state established,related accept comment "netloom:base"',
      'add rule inet netloom forward ct state invalid drop comment "netloom:base"',
      'add rule inet netloom forward iifname @zone_vpc-a_if jump pol_a-to-b_dz comment "netloom:policy:a-to-b:100"',
      'add rule inet netloom forward ip saddr @zone_vpc-a_v4 jump pol_a-to-b_dz comment "netloom:policy:a-to-b:100"',
      'add rule inet netloom forward ip6 saddr @zone_vpc-a_v6 jump pol_a-to-b_dz comment "netloom:policy:a-to-b:100"',
      'add rule inet netloom forward iifname @zone_vpc-a_if jump zone_vpc-a_in comment "netloom:zone:vpc-a"',
      'add rule inet netloom forward ip saddr @zone_vpc-a_v4 jump zone_vpc-a_in comment "netloom:zone:vpc-a"',
      'add rule inet netloom forward ip6 saddr @zone_vpc-a_v6 jump zone_vpc-a_in comment "netloom:zone:vpc-a"',
      'add rule inet netloom forward iifname @zone_vpc-b_if jump zone_vpc-b_in comment "netloom:zone:vpc-b"',
      'add rule inet netloom forward ip saddr @zone_vpc-b_v4 jump zone_vpc-b_in comment "netloom:zone:vpc-b"',
      'add rule inet netloom forward ip6 saddr @zone_vpc-b_v6 jump zone_vpc-b_in comment "netloom:zone:vpc-b"',
    ]);
  });

  it('renders nothing for no change', () => {
    const c = decode(small());
    assert.deepEqual(script(c, c), []);
  });

  it('an update re-fills only the sets that changed, keeps the zone chain, and rebuilds forward', () => {
    const before = decode(small());
    const input = small();
    editable(input).zone!['vpc-b']!['cidrs'] = ['10.0.2.0/24', '10.0.3.0/24', 'fd00:2::/64'];
    const lines = script(decode(input), before);
    const objectLines = lines.slice(2, lines.indexOf('flush chain inet netloom forward'));
    assert.deepEqual(objectLines, ['flush set inet netloom zone_vpc-b_v4', 'add element inet netloom zone_vpc-b_v4 { 10.0.2.0/24, 10.0.3.0/24 }']);
    assert.equal(lines.filter((l) => l.startsWith('add rule inet netloom forward ')).length, 11);
  });

  it('a policy update flushes its chains before it deletes a set they used, then re-adds its rules', () => {
    const before = decode(small());
    const input = small();
    const p = editable(input).policy!['a-to-b']!;
    delete p['sourceAddresses'];
    p['priority'] = 5;
    const lines = script(decode(input), before);
    const flushMt = lines.indexOf('flush chain inet netloom pol_a-to-b_mt');
    const dropSet = lines.indexOf('delete set inet netloom pol_a-to-b_sa4');
    assert.ok(flushMt > 0 && dropSet > flushMt, lines.join('\n'));
    assert.ok(lines.includes('add rule inet netloom pol_a-to-b_mt tcp dport @pol_a-to-b_dpt accept comment "netloom:policy:a-to-b:5"'));
  });

  it('deletes come last: rules, then chains, then sets; policies before zones', () => {
    const lines = script(empty(), decode(small()));
    const at = (l: string) => {
      const i = lines.indexOf(l);
      assert.ok(i >= 0, `missing ${l}`);
      return i;
    };
    assert.ok(at('flush chain inet netloom forward') < at('flush chain inet netloom pol_a-to-b_dz'));
    assert.ok(at('flush chain inet netloom pol_a-to-b_mt') < at('delete chain inet netloom pol_a-to-b_mt'));
    assert.ok(at('delete chain inet netloom pol_a-to-b_mt') < at('delete set inet netloom pol_a-to-b_dpt'));
    assert.ok(at('delete set inet netloom pol_a-to-b_sa4') < at('delete chain inet netloom zone_vpc-a_in'));
    assert.ok(at('delete chain inet netloom zone_vpc-b_in') < at('delete set inet netloom zone_vpc-b_v6'));
    assert.deepEqual(lines.filter((l) => l.startsWith('add rule')), [
      'add rule inet netloom forward ct state established,related accept comment "netloom:base"',
      'add rule inet netloom forward ct state invalid drop comment "netloom:base"',
    ]);
  });

  it('refuses a token that could break out of its place, whatever the caller passed', () => {
    for (const bad of ['a;b', 'a b', 'a"b', 'a\nb', 'a{b', 'a}b', "a'b"]) {
      assert.throws(() => statements.addSet(`zone_${bad}_if`, 'ifname'), inputError, JSON.stringify(bad));
      assert.throws(() => statements.addElements('zone_a_if', 'ifname', [`e${bad}`]), inputError, JSON.stringify(bad));
    }
    assert.throws(() => new NftStatements('inet', 'netloom; flush ruleset'), inputError);
    // A change that bypassed the vocabulary's codecs still cannot reach nft.
    const zone = { key: 'x', name: 'x" ; flush ruleset ; "', interfaces: [], cidrs: ['10.9.0.0/16'] };
    assert.throws(() => renderChanges({ statements, changes: [{ op: 'create', kind: 'zone', key: 'x', after: zone }], next: empty() }), inputError);
  });

  it('plan refuses injection attempts with InputError before anything runs', async () => {
    const { runner, session } = await recordingSession();
    for (const name of ['bad\nquit', 'bad;reboot', 'bad|more', 'bad name', 'x"; flush ruleset']) {
      const desired = { zone: { [name]: { key: name, name, interfaces: ['eth1'], cidrs: [] } }, addressSet: {}, policy: {} };
      await assert.rejects(session.plan({ desired: desired as unknown as FirewallConfig }), inputError, JSON.stringify(name));
    }
    const iface = { zone: { z: { key: 'z', name: 'z', interfaces: ['eth1 ; reboot'], cidrs: [] } }, addressSet: {}, policy: {} };
    await assert.rejects(session.plan({ desired: iface as unknown as FirewallConfig }), inputError);
    assert.deepEqual(runner.calls, []);
  });

  it('plan refuses what one nftables set cannot hold exactly, before anything runs', async () => {
    const { runner, session } = await recordingSession();
    const cases: [string, (c: Editable) => void][] = [
      ['overlapping zone prefixes', (c) => (c.zone!['vpc-a']!['cidrs'] = ['10.0.0.0/8', '10.0.1.0/24'])],
      ['an interface name of 16 characters', (c) => (c.zone!['vpc-a']!['interfaces'] = ['abcdefghijklmnop'])],
      ['overlapping port ranges', (c) => (c.policy!['a-to-b']!['ports'] = [{ from: 80, to: 90 }, { from: 85, to: 95 }])],
      ['IPv4-only sources and IPv6-only destinations', (c) => (c.policy!['a-to-b']!['destinationAddresses'] = ['fd00:9::/64'])],
    ];
    for (const [what, edit] of cases) {
      const input = small();
      edit(editable(input));
      await assert.rejects(session.plan({ desired: input as unknown as FirewallConfig }), inputError, what);
    }
    assert.deepEqual(runner.calls, []);
  });

  it('plan of a valid config renders operations with medium "nft" and observes through the runner only', async () => {
    const { runner, session } = await recordingSession();
    const plan = await session.plan({ desired: decode(small()) });
    assert.deepEqual(plan.operations.map((o) => o.text), script(decode(small())));
    assert.ok(plan.operations.every((o) => o.medium === 'nft'));
    assert.deepEqual(runner.calls.map((c) => c.args.join(' ')), ['-j list table inet netloom']);
  });
});

describe('nftables parser', () => {
  const fixture = readFileSync(join(__dirname, 'fixtures', 'full-sample.nft.json'), 'utf8');
  const kitSample = (): FirewallConfig =>
    decode({
      zone: {
        'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', vpc: 'shop', interfaces: ['vlan100'], cidrs: ['10.1.0.0/16'] },
        'vpc-pay': { key: 'vpc-pay', name: 'vpc-pay', vpc: 'pay', interfaces: ['vlan200'], cidrs: ['10.2.0.0/16'] },
      },
      addressSet: { 'pay-api': { key: 'pay-api', name: 'pay-api', addresses: ['10.2.1.0/24'] } },
      policy: {
        'shop-to-pay': { key: 'shop-to-pay', name: 'shop-to-pay', priority: 100, srcZone: 'vpc-shop', dstZone: 'vpc-pay', destinationAddressSets: ['pay-api'], protocol: 'tcp', ports: [{ from: 443, to: 443 }], action: 'allow' },
        'pay-deny-ssh': { key: 'pay-deny-ssh', name: 'pay-deny-ssh', priority: 10, srcZone: 'vpc-pay', dstZone: 'vpc-pay', protocol: 'tcp', ports: [{ from: 22, to: 22 }], action: 'deny', log: true },
      },
    });

  it('reads the stored reply of nft 1.0.6 back to the config that was applied (the kit sample)', () => {
    const r = parseOwnedTable(fixture, 'inet', 'netloom');
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(normalizeConfig(r.config), kitSample());
  });

  it('the JSON this test suite builds from the model reads back like the stored reply', () => {
    assert.deepEqual(parseOwnedTable(nftJsonFor(kitSample()), 'inet', 'netloom').config, parseOwnedTable(fixture, 'inet', 'netloom').config);
  });

  it('leaves out a policy whose rules were edited by hand, so that plan rewrites it', () => {
    const json = JSON.parse(fixture) as { nftables: Record<string, { chain?: string; expr?: Record<string, unknown>[] }>[] };
    const rule = json.nftables.find((i) => i['rule']?.chain === 'pol_shop-to-pay_mt')!['rule']!;
    rule.expr![rule.expr!.length - 1] = { drop: null };
    json.nftables.push({ rule: { ...rule } });
    const r = parseOwnedTable(JSON.stringify(json), 'inet', 'netloom');
    assert.equal(r.config.policy['shop-to-pay'], undefined);
    assert.ok(r.config.policy['pay-deny-ssh'] !== undefined);
    assert.ok(r.skipped.some((s) => s.startsWith('policy "shop-to-pay"')), r.skipped.join('\n'));
  });

  it('leaves out every zone and policy when forward was reordered by hand', () => {
    const json = JSON.parse(fixture) as { nftables: Record<string, { chain?: string }>[] };
    const forward = json.nftables.filter((i) => i['rule']?.chain === 'forward');
    const [a, b] = [json.nftables.indexOf(forward[2]!), json.nftables.indexOf(forward[5]!)];
    [json.nftables[a], json.nftables[b]] = [json.nftables[b]!, json.nftables[a]!];
    const r = parseOwnedTable(JSON.stringify(json), 'inet', 'netloom');
    assert.deepEqual(Object.keys(r.config.policy), []);
    assert.deepEqual(Object.keys(r.config.zone), []);
    assert.deepEqual(Object.keys(r.config.addressSet), ['pay-api']);
  });

  it('a reply that is not JSON, or not in nft\'s shape, is a DeviceProtocolError naming the path', () => {
    const protocolError = (e: unknown) => isNetloomError(e) && e.code === ErrorCode.DEVICE_PROTOCOL;
    assert.throws(() => parseOwnedTable('Error: oops', 'inet', 'netloom'), protocolError);
    assert.throws(() => parseOwnedTable('{"nftables": 3}', 'inet', 'netloom'), protocolError);
    assert.throws(
      () => parseOwnedTable('{"nftables": [{"set": {"family": "inet", "table": "netloom", "name": 7}}]}', 'inet', 'netloom'),
      (e: unknown) => protocolError(e) && /nftables\[0\]\.set/.test((e as Error).message),
    );
  });

  it('ignores objects of other tables in the reply', () => {
    const other = parseOwnedTable(nftJsonFor(kitSample(), 'inet', 'foreign'), 'inet', 'netloom');
    assert.deepEqual(other.config, firewallVocabulary.empty());
  });

  it('property: render → nft JSON → parse gives the config back', () => {
    fc.assert(
      fc.property(firewallConfigArb, (config) => {
        const r = parseOwnedTable(nftJsonFor(config), 'inet', 'netloom');
        assert.deepEqual(r.skipped, []);
        assert.deepEqual(normalizeConfig(r.config), config);
      }),
      { numRuns: 200 },
    );
  });

  it('property: every rendered line is made of allowlisted tokens only', () => {
    const line = /^(add|flush|delete) (table|chain|set|element|rule) inet netloom( [A-Za-z0-9_.@/:", {};=-]+)?$/;
    fc.assert(
      fc.property(firewallConfigArb, firewallConfigArb, (a, b) => {
        for (const l of [...script(a), ...script(b, a)]) assert.match(l, line);
      }),
      { numRuns: 100 },
    );
  });
});

describe('nftables options', () => {
  it('accepts the documented options and refuses unknown keys and unsafe values', () => {
    const ok = NftablesOptionsCodec.decode({ mode: 'ssh', netns: 'vfw1', nftPath: '/usr/sbin/nft', table: 'netloom', family: 'inet' });
    assert.equal(ok._tag, 'Right');
    for (const bad of [{}, { mode: 'telnet' }, { mode: 'local', extra: 1 }, { mode: 'local', family: 'ip' }, { mode: 'local', table: 'a;b' }, { mode: 'local', netns: 'a b' }, { mode: 'local', nftPath: 'nft; rm -rf /' }]) {
      assert.equal(NftablesOptionsCodec.decode(bad)._tag, 'Left', JSON.stringify(bad));
    }
  });
});
