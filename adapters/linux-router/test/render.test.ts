// Golden tests: the exact commands `plan` renders per intent (no root: nothing runs), their undo steps, and the
// refusals before any command. The runner is a stub that only answers the uplink check.
import { strict as assert } from 'node:assert';
import { argvWords } from '@netloom/conformance/fuzz';
import {
  LinuxRouterDriver,
  commandText,
  modelOf,
  netnsForVrf,
  renderContextOf,
  renderSteps,
  staticRouteProblem,
  staticRoutesOf,
  type CommandResult,
  type LinuxRouterOptions,
  type LinuxRouterSession,
  type RouterRunner,
} from '@netloom/adapter-linux-router';
import { ErrorCode, fabricVocabulary, isNetloomError, silentLogger, type FabricConfig, type FabricConfigInput } from '@netloom/ports';

class StubRunner implements RouterRunner {
  readonly where = 'stub';
  readonly ran: string[][] = [];
  async run(argv: readonly string[]): Promise<CommandResult> {
    this.ran.push([...argv]);
    return { stdout: '[]', stderr: '', code: 0 };
  }
  async close(): Promise<void> {}
}

async function session(options: Readonly<Record<string, unknown>>): Promise<{ s: LinuxRouterSession; runner: StubRunner }> {
  const runner = new StubRunner();
  const driver = new LinuxRouterDriver({ target: { name: 'router1' }, options, logger: silentLogger }, { runnerFactory: async () => runner });
  return { s: await driver.connect(), runner };
}

const decoded = (c: Partial<FabricConfigInput>): FabricConfig => {
  const r = fabricVocabulary.configCodec.decode({ vrf: {}, interconnect: {}, segment: {}, binding: {}, ...c });
  if (r._tag === 'Left') throw new Error('bad test config');
  return r.right;
};

const shop = { 'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001 } };
const web = { '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc-shop', anycastGateway: { ipv4: ['10.1.0.1/24'], ipv6: ['fd00:1::1/64'], mac: '00:00:5e:00:01:01' } } };
const bind = { 'eth1:100': { key: 'eth1:100', interface: 'eth1', vlan: 100, l2Vni: 10010 } };

async function planTexts(options: Readonly<Record<string, unknown>>, desired: Partial<FabricConfigInput>, observed: Partial<FabricConfigInput> = {}): Promise<string[]> {
  const { s, runner } = await session(options);
  const before = runner.ran.length;
  const cs = await s.plan({ desired: decoded(desired), observed: decoded(observed) });
  assert.equal(runner.ran.length, before, 'plan with an observed config runs no command');
  assert.ok(cs.operations.every((o) => o.medium === 'argv'));
  return cs.operations.map((o) => o.text);
}

describe('linux-router render (golden)', function () {
  it('a VRF: a namespace, forwarding on, the marker on lo', async function () {
    assert.deepEqual(await planTexts({ uplink: 'eth1' }, { vrf: shop }), [
      'ip netns add nlr-vpc-shop',
      'ip netns exec nlr-vpc-shop sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1',
      'ip -n nlr-vpc-shop link set dev lo alias netloom:vrf:vpc-shop,l3vni=50001 up',
    ]);
  });

  it('route targets are kept in the marker', async function () {
    const texts = await planTexts({ uplink: 'eth1' }, { vrf: { 'vpc-shop': { ...shop['vpc-shop'], importRouteTargets: ['65000:2', '65000:1'], exportRouteTargets: ['65000:1'] } } });
    assert.equal(texts[2], 'ip -n nlr-vpc-shop link set dev lo alias netloom:vrf:vpc-shop,l3vni=50001,import=65000:1+65000:2,export=65000:1 up');
  });

  it('a routed segment: a bridge in the VRF namespace with the gateway MAC and addresses', async function () {
    assert.deepEqual((await planTexts({ uplink: 'eth1' }, { vrf: shop, segment: web })).slice(3), [
      'ip -n nlr-vpc-shop link add name nls10010 address 00:00:5e:00:01:01 type bridge',
      'ip -n nlr-vpc-shop link set dev nls10010 alias netloom:segment:10010,name=ls-web,mac=00:00:5e:00:01:01 addrgenmode none up',
      'ip -n nlr-vpc-shop addr add 10.1.0.1/24 dev nls10010',
      'ip -n nlr-vpc-shop addr add fd00:1::1/64 dev nls10010 nodad',
    ]);
  });

  it('a segment without VRF: a bridge in the router host namespace', async function () {
    assert.deepEqual(await planTexts({ uplink: 'eth1', netns: 'rtr' }, { segment: { '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 } } }), [
      'ip -n rtr link add name nls10020 type bridge',
      'ip -n rtr link set dev nls10020 alias netloom:segment:10020,name=ls-db addrgenmode none up',
    ]);
  });

  it('a binding with 802.1Q legs: a VLAN sub-interface of the uplink made in the VRF namespace, a port of the bridge', async function () {
    assert.deepEqual((await planTexts({ uplink: 'eth1' }, { vrf: shop, segment: web, binding: bind }, { vrf: shop, segment: web })), [
      'ip link add link eth1 name eth1.100 netns nlr-vpc-shop type vlan id 100',
      'ip -n nlr-vpc-shop link set dev eth1.100 alias netloom:binding:eth1:100 master nls10010 up',
    ]);
  });

  it('a binding with OVS legs: a veth pair, the outer end an access port with the VLAN as tag', async function () {
    const texts = await planTexts({ uplink: 'up0', ovs: { bridge: 'br-rtr', db: 'unix:/run/ovs/db.sock' } }, { vrf: shop, segment: web, binding: { 'up0:100': { key: 'up0:100', interface: 'up0', vlan: 100, l2Vni: 10010 } } }, { vrf: shop, segment: web });
    assert.equal(texts.length, 4);
    const port = /^ip link add name (nlo[0-9a-f]{8}) type veth peer name up0\.100 netns nlr-vpc-shop$/.exec(texts[0]!)?.[1];
    assert.ok(port !== undefined, texts[0]);
    assert.deepEqual(texts.slice(1), [
      'ip -n nlr-vpc-shop link set dev up0.100 alias netloom:binding:up0:100 master nls10010 up',
      `ip link set dev ${port} up`,
      `ovs-vsctl --db=unix:/run/ovs/db.sock add-port br-rtr ${port} tag=100`,
    ]);
  });

  it('deleting everything: legs, then bridges, then namespaces', async function () {
    assert.deepEqual(await planTexts({ uplink: 'eth1' }, {}, { vrf: shop, segment: web, binding: bind }), [
      'ip -n nlr-vpc-shop link del dev eth1.100',
      'ip -n nlr-vpc-shop link del dev nls10010',
      'ip netns del nlr-vpc-shop',
    ]);
  });

  it('updates in place: the gateway addresses and MAC, the VRF marker', async function () {
    const next = { '10010': { ...web['10010'], anycastGateway: { ipv4: ['10.1.0.254/24'], mac: '00:00:5e:00:01:02' } } };
    assert.deepEqual(await planTexts({ uplink: 'eth1' }, { vrf: { 'vpc-shop': { ...shop['vpc-shop'], l3Vni: 50002 } }, segment: next }, { vrf: shop, segment: web }), [
      'ip -n nlr-vpc-shop link set dev lo alias netloom:vrf:vpc-shop,l3vni=50002',
      'ip -n nlr-vpc-shop link set dev nls10010 alias netloom:segment:10010,name=ls-web,mac=00:00:5e:00:01:02',
      'ip -n nlr-vpc-shop link set dev nls10010 address 00:00:5e:00:01:02',
      'ip -n nlr-vpc-shop addr del 10.1.0.1/24 dev nls10010',
      'ip -n nlr-vpc-shop addr del fd00:1::1/64 dev nls10010',
      'ip -n nlr-vpc-shop addr add 10.1.0.254/24 dev nls10010',
    ]);
  });

  it('a segment that moves to another VRF takes its bindings along (delete first: the VLAN id is free again)', async function () {
    const vrfs = { ...shop, 'vpc-two': { key: 'vpc-two', name: 'vpc-two', l3Vni: 50002 } };
    const moved = { '10010': { ...web['10010'], vrf: 'vpc-two' } };
    assert.deepEqual(await planTexts({ uplink: 'eth1' }, { vrf: vrfs, segment: moved, binding: bind }, { vrf: vrfs, segment: web, binding: bind }), [
      'ip -n nlr-vpc-shop link del dev eth1.100',
      'ip -n nlr-vpc-shop link del dev nls10010',
      'ip -n nlr-vpc-two link add name nls10010 address 00:00:5e:00:01:01 type bridge',
      'ip -n nlr-vpc-two link set dev nls10010 alias netloom:segment:10010,name=ls-web,mac=00:00:5e:00:01:01 addrgenmode none up',
      'ip -n nlr-vpc-two addr add 10.1.0.1/24 dev nls10010',
      'ip -n nlr-vpc-two addr add fd00:1::1/64 dev nls10010 nodad',
      'ip link add link eth1 name eth1.100 netns nlr-vpc-two type vlan id 100',
      'ip -n nlr-vpc-two link set dev eth1.100 alias netloom:binding:eth1:100 master nls10010 up',
    ]);
  });

  it('every step carries the undo that puts back what it changed', function () {
    const ctx = renderContextOf({ uplink: 'eth1' } as unknown as LinuxRouterOptions);
    const full = decoded({ vrf: shop, segment: web, binding: bind });
    const create = renderSteps(modelOf(decoded({}), ctx), modelOf(full, ctx), ctx);
    assert.deepEqual(create.map((s) => s.undo.map(commandText)), [
      ['ip netns del nlr-vpc-shop'],
      [],
      [],
      ['ip -n nlr-vpc-shop link del dev nls10010'],
      [],
      [],
      [],
      ['ip -n nlr-vpc-shop link del dev eth1.100'],
      [],
    ]);
    const remove = renderSteps(modelOf(full, ctx), modelOf(decoded({}), ctx), ctx);
    // Undoing the deletes, newest first, runs exactly the creates.
    assert.deepEqual([...remove].reverse().flatMap((s) => s.undo.map(commandText)), create.map((s) => commandText(s.argv)));
  });

  it('long VRF names give length-safe namespace names; long uplinks length-safe leg names', async function () {
    const long = 'v'.repeat(63);
    const ns = netnsForVrf('nlr-', long);
    assert.ok(ns.length <= 64 && ns.startsWith('nlr-v') && /-[0-9a-f]{8}$/.test(ns), ns);
    assert.notEqual(netnsForVrf('nlr-', `${'v'.repeat(62)}w`), ns);
    const texts = await planTexts({ uplink: 'enp0s31f6abcdef' }, { vrf: shop, segment: web, binding: { 'enp0s31f6abcdef:4000': { key: 'enp0s31f6abcdef:4000', interface: 'enp0s31f6abcdef', vlan: 4000, l2Vni: 10010 } } }, { vrf: shop, segment: web });
    assert.match(texts[0]!, /^ip link add link enp0s31f6abcdef name nlv[0-9a-f]{5}\.4000 netns nlr-vpc-shop type vlan id 4000$/);
  });

  it('operation text splits back into exactly the argument vector', function () {
    const argv = ['ip', 'link', 'set', 'dev', 'lo', 'alias', "it's a b", ''];
    assert.equal(commandText(argv), "ip link set dev lo alias 'it'\\''s a b' ''");
    assert.deepEqual(argvWords(commandText(argv)), argv);
  });

  it('refuses, before any command: a binding off the uplink, interconnects and flood VTEPs, a marker too long', async function () {
    const { s, runner } = await session({ uplink: 'eth1' });
    const ran = runner.ran.length;
    const code = async (desired: Partial<FabricConfigInput>): Promise<string> => {
      try {
        await s.plan({ desired: decoded(desired), observed: decoded({}) });
        return 'planned';
      } catch (e) {
        return isNetloomError(e) ? `${e.code} ${e.message}` : String(e);
      }
    };
    assert.match(await code({ vrf: shop, segment: web, binding: { 'eth2:100': { key: 'eth2:100', interface: 'eth2', vlan: 100, l2Vni: 10010 } } }), new RegExp(`^${ErrorCode.INPUT_INVALID} .*"eth2" is not this router's uplink "eth1"`, 's'));
    assert.match(await code({ vrf: shop, interconnect: { x: { key: 'x', name: 'x', vrf: 'vpc-shop', importRouteTargets: ['1:1'], exportRouteTargets: ['1:1'], borderPeers: [] } } }), new RegExp(`^${ErrorCode.NOT_SUPPORTED} `));
    assert.match(await code({ segment: { '10020': { key: '10020', name: 'ls', l2Vni: 10020 } }, floodVtep: { '10020:192.0.2.1': { key: '10020:192.0.2.1', l2Vni: 10020, remoteIp: '192.0.2.1' } } }), new RegExp(`^${ErrorCode.NOT_SUPPORTED} `));
    const rts = Array.from({ length: 20 }, (_, i) => `4200000000:${i + 1}`);
    assert.match(await code({ vrf: { 'vpc-shop': { ...shop['vpc-shop'], importRouteTargets: rts, exportRouteTargets: rts } } }), /at most 255 fit/);
    assert.equal(runner.ran.length, ran, 'a refused plan ran no command');
  });

  it('static routes of a new VRF go in last, after its segments, gateway addresses and legs (a next hop must be on-link)', async function () {
    const routed = { 'vpc-shop': { ...shop['vpc-shop'], staticRoutes: [{ prefix: 'fd00:99::/64', nextHop: 'fd00:1::250' }, { prefix: '10.99.0.0/24', nextHop: '10.1.0.250' }] } };
    const texts = await planTexts({ uplink: 'eth1' }, { vrf: routed, segment: web, binding: bind });
    assert.equal(texts.length, 11);
    assert.deepEqual(texts.slice(-4), [
      'ip link add link eth1 name eth1.100 netns nlr-vpc-shop type vlan id 100',
      'ip -n nlr-vpc-shop link set dev eth1.100 alias netloom:binding:eth1:100 master nls10010 up',
      'ip -n nlr-vpc-shop route replace 10.99.0.0/24 via 10.1.0.250 proto static',
      'ip -n nlr-vpc-shop route replace fd00:99::/64 via fd00:1::250 proto static',
    ]);
  });

  it('a route-only update sends exactly the changed routes; each undo puts back the route as it was', function () {
    const ctx = renderContextOf({ uplink: 'eth1' } as unknown as LinuxRouterOptions);
    const routes = (list: { prefix: string; nextHop: string }[]): FabricConfig => decoded({ vrf: { 'vpc-shop': { ...shop['vpc-shop'], staticRoutes: list } }, segment: web, binding: bind });
    const from = routes([
      { prefix: '10.97.0.0/24', nextHop: '10.1.0.250' },
      { prefix: '10.98.0.0/24', nextHop: '10.1.0.250' },
      { prefix: '10.99.0.0/24', nextHop: '10.1.0.250' },
    ]);
    const to = routes([
      { prefix: '10.96.0.0/24', nextHop: '10.1.0.250' },
      { prefix: '10.98.0.0/24', nextHop: '10.1.0.251' },
      { prefix: '10.99.0.0/24', nextHop: '10.1.0.250' },
    ]);
    const steps = renderSteps(modelOf(from, ctx), modelOf(to, ctx), ctx);
    assert.deepEqual(
      steps.map((s) => [commandText(s.argv), s.undo.map(commandText)]),
      [
        ['ip -n nlr-vpc-shop route del 10.97.0.0/24 via 10.1.0.250 proto static', ['ip -n nlr-vpc-shop route replace 10.97.0.0/24 via 10.1.0.250 proto static']],
        ['ip -n nlr-vpc-shop route replace 10.96.0.0/24 via 10.1.0.250 proto static', ['ip -n nlr-vpc-shop route del 10.96.0.0/24 via 10.1.0.250 proto static']],
        ['ip -n nlr-vpc-shop route replace 10.98.0.0/24 via 10.1.0.251 proto static', ['ip -n nlr-vpc-shop route replace 10.98.0.0/24 via 10.1.0.250 proto static']],
      ],
    );
    assert.deepEqual(steps.map((s) => s.what), ['static route 10.97.0.0/24 via 10.1.0.250 of vrf "vpc-shop"', 'static route 10.96.0.0/24 via 10.1.0.250 of vrf "vpc-shop"', 'static route 10.98.0.0/24 via 10.1.0.251 of vrf "vpc-shop"']);
  });

  it('a VRF delete sends no route command; the undo of the first step puts its routes back after everything else', function () {
    const ctx = renderContextOf({ uplink: 'eth1' } as unknown as LinuxRouterOptions);
    const full = decoded({ vrf: { 'vpc-shop': { ...shop['vpc-shop'], staticRoutes: [{ prefix: '10.99.0.0/24', nextHop: '10.1.0.250' }] } }, segment: web, binding: bind });
    const remove = renderSteps(modelOf(full, ctx), modelOf(decoded({}), ctx), ctx);
    assert.deepEqual(remove.map((s) => commandText(s.argv)), ['ip -n nlr-vpc-shop link del dev eth1.100', 'ip -n nlr-vpc-shop link del dev nls10010', 'ip netns del nlr-vpc-shop']);
    const undo = [...remove].reverse().flatMap((s) => s.undo.map(commandText));
    assert.equal(undo[undo.length - 1], 'ip -n nlr-vpc-shop route replace 10.99.0.0/24 via 10.1.0.250 proto static');
    assert.deepEqual(undo.slice(0, -1), renderSteps(modelOf(decoded({}), ctx), modelOf(full, ctx), ctx).slice(0, -1).map((s) => commandText(s.argv)));
  });

  it('a gateway address leaving a VRF with routes: its routes are deleted first and put in again last (the kernel flushes them)', function () {
    const ctx = renderContextOf({ uplink: 'eth1' } as unknown as LinuxRouterOptions);
    const at = (gw: string, hop: string): FabricConfig =>
      decoded({ vrf: { 'vpc-shop': { ...shop['vpc-shop'], staticRoutes: [{ prefix: '10.99.0.0/24', nextHop: hop }] } }, segment: { '10010': { ...web['10010'], anycastGateway: { ipv4: [gw] } } } });
    const steps = renderSteps(modelOf(at('10.1.0.1/24', '10.1.0.250'), ctx), modelOf(at('10.1.0.1/24', '10.1.0.250'), ctx), ctx);
    assert.deepEqual(steps, [], 'nothing changes: nothing is sent');
    const moved = renderSteps(modelOf(at('10.1.0.1/24', '10.1.0.250'), ctx), modelOf(at('10.2.0.1/24', '10.1.0.250'), ctx), ctx);
    assert.deepEqual(moved.map((s) => commandText(s.argv)), [
      'ip -n nlr-vpc-shop route del 10.99.0.0/24 via 10.1.0.250 proto static',
      'ip -n nlr-vpc-shop addr del 10.1.0.1/24 dev nls10010',
      'ip -n nlr-vpc-shop addr add 10.2.0.1/24 dev nls10010',
      'ip -n nlr-vpc-shop route replace 10.99.0.0/24 via 10.1.0.250 proto static',
    ]);
  });

  it('refuses, before any command: a static route to the subnet of the VRF\'s own gateway; non-canonical route values at the boundary', async function () {
    const { s, runner } = await session({ uplink: 'eth1' });
    const ran = runner.ran.length;
    const routed = { 'vpc-shop': { ...shop['vpc-shop'], staticRoutes: [{ prefix: '10.1.0.0/24', nextHop: '10.1.0.250' }] } };
    await assert.rejects(
      s.plan({ desired: decoded({ vrf: routed, segment: web }), observed: decoded({}) }),
      (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID && /staticRoutes\[0\]\.prefix/.test(e.message) && /subnet of segment 10010's gateway/.test(e.message),
    );
    assert.equal(runner.ran.length, ran, 'a refused plan ran no command');
    assert.equal(staticRouteProblem('10.99.0.0/24', '10.1.0.250'), undefined);
    assert.equal(staticRouteProblem('fd00:99::/64', 'fd00:1::250'), undefined);
    assert.match(staticRouteProblem('10.99.0.1/24', '10.1.0.250') ?? '', /not a canonical CIDR/);
    assert.match(staticRouteProblem('fd00:0099::/64', 'fd00:1::250') ?? '', /not a canonical CIDR/);
    assert.match(staticRouteProblem('10.99.0.0/24', '010.1.0.250') ?? '', /not a canonical IP address/);
    assert.match(staticRouteProblem('10.99.0.0/24', '10.1.0.250 dev lo') ?? '', /not a canonical IP address/);
    assert.match(staticRouteProblem('10.99.0.0/24', 'fd00::1') ?? '', /not of the family/);
    // A config that did not come through the codec still cannot put such a value into a command.
    const ctx = renderContextOf({ uplink: 'eth1' } as unknown as LinuxRouterOptions);
    const forged = { ...decoded({ vrf: shop }), vrf: { 'vpc-shop': { ...decoded({ vrf: shop }).vrf['vpc-shop']!, staticRoutes: [{ prefix: '-j', nextHop: '10.1.0.250' }] } } } as unknown as FabricConfig;
    assert.throws(() => modelOf(forged, ctx), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID && /not a canonical CIDR/.test(e.message));
  });

  it('observe keeps the static routes netloom writes and reports every other proto static route (iproute2 6.1 JSON)', function () {
    const skipped: string[] = [];
    const routes = staticRoutesOf(
      [
        { type: 'unicast', dst: '10.99.0.0/24', gateway: '10.60.1.250', table: 'main' },
        { type: 'unicast', dst: '10.99.1.5', gateway: '10.60.1.250', table: 'main' },
        { type: 'unicast', dst: 'default', gateway: '10.60.1.250' },
        { type: 'unicast', dst: 'fd00:99::/64', gateway: 'fd00:1::250', table: 'main', metric: 1024 },
        { type: 'unicast', dst: '10.98.0.0/24', gateway: '10.60.1.250', table: '100' },
        { type: 'unicast', dst: '10.99.0.0/24', gateway: '10.60.1.250', table: 'main', metric: 5 },
        { type: 'unicast', dst: '10.97.0.0/24', table: 'main', nexthops: [{ gateway: '10.60.1.250' }, { gateway: '10.60.1.251' }] },
        { type: 'blackhole', dst: '10.96.0.0/24', table: 'main' },
        { type: 'unicast', dst: '10.95.0.0/24', table: 'main' },
      ],
      skipped,
    );
    assert.deepEqual(routes, [
      { prefix: '0.0.0.0/0', nextHop: '10.60.1.250' },
      { prefix: '10.99.0.0/24', nextHop: '10.60.1.250' },
      { prefix: '10.99.1.5/32', nextHop: '10.60.1.250' },
      { prefix: 'fd00:99::/64', nextHop: 'fd00:1::250' },
    ]);
    assert.deepEqual(
      skipped.map((t) => /\(([^)]*)\)$/.exec(t)?.[1]),
      ['metric 5', 'not one gateway', 'type blackhole', 'not one gateway'],
      'another table is not read at all; the rest are reported',
    );
  });

  it('refuses bad options with the path and the reason', function () {
    assert.throws(
      () => new LinuxRouterDriver({ target: { name: 'r' }, options: { uplink: 'eth1;reboot', netnsPrefix: 'a b', runAs: 'ssh' }, logger: silentLogger }),
      (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID && /uplink/.test(e.message) && /netnsPrefix/.test(e.message) && /runAs/.test(e.message),
    );
  });
});
