// Unit tests of what the adapter would send: OVSDB operations and flows for small configs, against device states
// built in memory (no OVS needed), plus the operations checked against the installed Open_vSwitch schema.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as fc from 'fast-check';
import { encodeOperations, parseSchema, type InsertOperation, type MutateOperation, type Operation } from '@netloom/ovsdb';
import { VSWITCH_SCHEMA, skipUnlessOvs } from '@netloom/ovsdb/testing';
import { canonicalMatch, type FlowStats } from '@netloom/openflow';
import {
  COOKIE_PREFIX,
  COOKIE_PREFIX_MASK,
  CookieKind,
  DeviceState,
  Table,
  cookieFor,
  desiredFlows,
  diffFlows,
  formatFlowMod,
  rangeToMasks,
  renderChanges,
  resolveOptions,
  wrapTransaction,
  type FlowEntry,
} from '@netloom/adapter-ovs';
import { VSWITCH_KIND_ORDER, VSwitchConfigCodec, decodeOrThrow, diffConfig, emptyVSwitchConfig, type VSwitchConfig } from '@netloom/ports';

const UUID = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function emptyState(extra: { bridges?: ConstructorParameters<typeof DeviceState>[1]; ports?: ConstructorParameters<typeof DeviceState>[2]; ifaces?: ConstructorParameters<typeof DeviceState>[3]; flowsExternal?: Map<string, string> } = {}): DeviceState {
  return new DeviceState(
    { _uuid: UUID(1), bridges: (extra.bridges ?? []).map((b) => b._uuid), external_ids: extra.flowsExternal ?? new Map(), next_cfg: 4, cur_cfg: 4, ovs_version: '3.1.0', db_version: null, system_type: null, system_version: null },
    extra.bridges ?? [],
    extra.ports ?? [],
    extra.ifaces ?? [],
    [],
    [],
    [],
  );
}

function cfg(input: Record<string, unknown>): VSwitchConfig {
  return decodeOrThrow(VSwitchConfigCodec, { ...emptyVSwitchConfig(), ...input }, 'test config');
}

const small = (): VSwitchConfig =>
  cfg({
    bridge: { 'br-int': { key: 'br-int', name: 'br-int' } },
    securityGroupRule: {
      'web:http': { key: 'web:http', group: 'web', name: 'http', direction: 'ingress', protocol: 'tcp', ports: [{ from: 8080, to: 8081 }], remote: { cidr: '10.0.0.0/24' } },
      'web:peers': { key: 'web:peers', group: 'web', name: 'peers', direction: 'egress', protocol: 'udp', ports: [{ from: 53, to: 53 }], remote: { group: 'web' } },
    },
    uplink: { eth1: { key: 'eth1', name: 'eth1', bridge: 'br-int', allowedVlans: [100, 200] } },
    endpointPort: {
      veth1: { key: 'veth1', name: 'veth1', bridge: 'br-int', mac: '0A:58:0A:00:00:01', ips: ['10.0.0.1'], attachment: { type: 'vlan', vlan: 100 }, endpointId: 'shop/web-0', pod: { namespace: 'shop', name: 'web-0' }, securityGroups: ['web'] },
      veth2: { key: 'veth2', name: 'veth2', bridge: 'br-int', mac: '0a:58:0a:00:00:02', ips: ['10.0.0.2'], attachment: { type: 'vlan', vlan: 100 }, endpointId: 'shop/web-1', securityGroups: ['web'], qos: { egressRateKbps: 1000, ingressRateKbps: 2000 } },
    },
  });

const options = resolveOptions({ name: 'node-1' }, { openflow: { connect: { host: '127.0.0.1', port: 6654 } }, datapathType: 'netdev' });

describe('ovs rendering (unit)', function () {
  describe('port ranges as masks', function () {
    it('turns ranges into the fewest value/mask pairs', function () {
      assert.deepEqual(rangeToMasks({ from: 443, to: 443 }), [{ value: 443, mask: 0xffff }]);
      assert.deepEqual(rangeToMasks({ from: 8080, to: 8081 }), [{ value: 8080, mask: 0xfffe }]);
      assert.deepEqual(rangeToMasks({ from: 1, to: 65535 }).length, 16);
      assert.deepEqual(rangeToMasks({ from: 1000, to: 1999 }), [
        { value: 1000, mask: 0xfff8 },
        { value: 1008, mask: 0xfff0 },
        { value: 1024, mask: 0xfe00 },
        { value: 1536, mask: 0xff00 },
        { value: 1792, mask: 0xff80 },
        { value: 1920, mask: 0xffc0 },
        { value: 1984, mask: 0xfff0 },
      ]);
    });

    it('covers exactly the range, for any range (property)', function () {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 3000 }), (from, len) => {
          const to = Math.min(65535, from + len);
          const masks = rangeToMasks({ from, to });
          const hit = (p: number): boolean => masks.some((m) => (p & m.mask) === (m.value & m.mask));
          for (const p of [from - 1, from, Math.floor((from + to) / 2), to, to + 1]) if (p >= 0 && p <= 65535) assert.equal(hit(p), p >= from && p <= to, `port ${p} for ${from}-${to}`);
          return masks.every((m) => (m.value & ~m.mask & 0xffff) === 0);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('flows', function () {
    const flows = (): FlowEntry[] => desiredFlows(small(), new Map([['veth1', 1000], ['veth2', 1001]])).get('br-int')!;
    const find = (table: number, pred: (f: FlowEntry) => boolean): FlowEntry[] => flows().filter((f) => f.tableId === table && pred(f));

    it('has the pipeline on every bridge, with netloom pipeline cookies', function () {
      const base = flows().filter((f) => f.cookie === cookieFor(CookieKind.pipeline, 0));
      assert.equal(base.length, 10);
      assert.deepEqual(
        base.find((f) => f.tableId === Table.classify),
        { tableId: 0, priority: 1, cookie: cookieFor(CookieKind.pipeline, 0), match: {}, instructions: [{ type: 'gotoTable', tableId: 42 }] },
      );
      assert.ok(flows().every((f) => (f.cookie & COOKIE_PREFIX_MASK) === COOKIE_PREFIX));
    });

    it('sends an isolated port’s IP traffic through conntrack in its own zone, and drops what its MAC did not send', function () {
      const ct = find(0, (f) => f.match.inPort === 1000 && f.match.ethType === 0x0800);
      assert.deepEqual(ct, [{ tableId: 0, priority: 100, cookie: 0x4e4c0002000003e8n, match: canonicalMatch({ inPort: 1000, ethSrc: '0a:58:0a:00:00:01', ethType: 0x0800 }), instructions: [{ type: 'applyActions', actions: [{ type: 'ct', zone: 1000, table: 41 }] }] }]);
      const drop = find(0, (f) => f.match.inPort === 1000 && f.priority === 90);
      assert.deepEqual(drop.map((f) => f.instructions), [[]]);
      const dispatch = find(42, (f) => f.match.ethDst === '0a:58:0a:00:00:01' && f.match.ethType === 0x0800);
      assert.deepEqual(dispatch[0]!.instructions, [{ type: 'applyActions', actions: [{ type: 'ct', zone: 1000, table: 43 }] }]);
    });

    it('renders an ingress rule with a masked port range and a remote CIDR as the source (IPv4 only)', function () {
      const rule = find(43, (f) => f.priority === 100 && f.match.ethDst === '0a:58:0a:00:00:01');
      assert.equal(rule.length, 1);
      assert.deepEqual(rule[0]!.match, canonicalMatch({ ethDst: '0a:58:0a:00:00:01', ethType: 0x0800, ipProto: 6, ipv4Src: { value: '10.0.0.0', mask: '255.255.255.0' }, tcpDst: { value: 8080, mask: 0xfffe }, ctState: { value: 0x21, mask: 0x21 } }));
      assert.deepEqual(rule[0]!.instructions, [{ type: 'applyActions', actions: [{ type: 'ct', commit: true, zone: 1000 }, { type: 'output', port: 'NORMAL' }] }]);
    });

    it('expands a remote group into the IPs of its members, as destinations of an egress rule', function () {
      const egress = find(41, (f) => f.priority === 100 && f.match.inPort === 1001);
      assert.deepEqual(
        egress.map((f) => f.match.ipv4Dst).sort(),
        ['10.0.0.1', '10.0.0.2'],
      );
      assert.ok(egress.every((f) => f.match.udpDst === 53 && f.match.ipProto === 17));
    });

    it('writes sctp ports as a raw OXM field and ICMP rules for one family only', function () {
      const c = cfg({
        bridge: { br0: { key: 'br0', name: 'br0' } },
        securityGroupRule: {
          'g:sctp': { key: 'g:sctp', group: 'g', name: 'sctp', direction: 'ingress', protocol: 'sctp', ports: [{ from: 3868, to: 3868 }] },
          'g:ping': { key: 'g:ping', group: 'g', name: 'ping', direction: 'ingress', protocol: 'icmp' },
        },
        endpointPort: { p1: { key: 'p1', name: 'p1', bridge: 'br0', mac: '0a:00:00:00:00:01', ips: [], attachment: { type: 'vlan', vlan: 5 }, endpointId: 'a/b', securityGroups: ['g'] } },
      });
      const rules = desiredFlows(c, new Map([['p1', 1000]])).get('br0')!.filter((f) => f.tableId === 43 && f.priority === 100);
      const sctp = rules.filter((f) => f.match.ipProto === 132);
      assert.deepEqual(sctp.map((f) => f.match.ethType).sort(), [0x0800, 0x86dd]);
      assert.deepEqual(sctp[0]!.match.extra, [{ oxmClass: 0x8000, field: 18, value: '0f1c' }]);
      assert.deepEqual(rules.filter((f) => f.match.ipProto === 1).map((f) => f.match.ethType), [0x0800]);
    });

    it('gives no flows to a port without groups, and none for a group without rules but the isolation', function () {
      const c = cfg({
        bridge: { br0: { key: 'br0', name: 'br0' } },
        endpointPort: {
          open: { key: 'open', name: 'open', bridge: 'br0', mac: '0a:00:00:00:00:01', ips: [], attachment: { type: 'vlan', vlan: 5 }, endpointId: 'a/b' },
          shut: { key: 'shut', name: 'shut', bridge: 'br0', mac: '0a:00:00:00:00:02', ips: [], attachment: { type: 'vlan', vlan: 5 }, endpointId: 'a/c', securityGroups: ['none'] },
        },
      });
      const all = desiredFlows(c, new Map([['open', 1000], ['shut', 1001]])).get('br0')!;
      assert.equal(all.filter((f) => f.cookie === cookieFor(CookieKind.endpoint, 1000)).length, 0);
      const shut = all.filter((f) => f.cookie === cookieFor(CookieKind.endpoint, 1001));
      assert.equal(shut.filter((f) => f.tableId === 41 || f.tableId === 43).length, 0, 'no allow rule');
      assert.ok(shut.length > 0, 'isolation flows');
    });

    it('diffs against a bridge: adds what is missing or different, deletes only netloom flows, reports foreign flows in the way', function () {
      const want = flows();
      const current: Pick<FlowStats, 'tableId' | 'priority' | 'cookie' | 'match' | 'instructions'>[] = [
        ...want.slice(1),
        { tableId: 0, priority: 5, cookie: 0x1234n, match: { ethType: 0x88cc }, instructions: [] },
        { tableId: 7, priority: 5, cookie: cookieFor(CookieKind.endpoint, 999), match: { inPort: 999 }, instructions: [] },
      ];
      const d = diffFlows(want, current);
      assert.equal(d.adds.length, 1);
      assert.equal(d.adds[0]!.command, 'add');
      assert.deepEqual(d.deletes, [{ command: 'deleteStrict', tableId: 7, priority: 5, cookie: COOKIE_PREFIX, cookieMask: COOKIE_PREFIX_MASK, match: { inPort: 999 } }]);
      assert.deepEqual(d.conflicts, []);
      const blocked = diffFlows(want, [{ tableId: 0, priority: 1, cookie: 0x99n, match: {}, instructions: [] }]);
      assert.equal(blocked.conflicts.length, 1);
      assert.ok(!blocked.adds.some((a) => a.tableId === 0 && a.priority === 1), 'never replaces a foreign flow');
      assert.equal(diffFlows(want, want).adds.length + diffFlows(want, want).deletes.length, 0, 'converged: nothing to do');
    });

    it('prints flow_mods like ovs-ofctl', function () {
      const ct = flows().find((f) => f.tableId === 0 && f.match.inPort === 1000 && f.match.ethType === 0x0800)!;
      assert.equal(
        formatFlowMod('br-int', { command: 'add', ...ct }),
        'br-int: add-flow table=0,priority=100,cookie=0x4e4c0002000003e8,in_port=1000,dl_src=0a:58:0a:00:00:01,dl_type=0x800 actions=ct(zone=1000,table=41)',
      );
      assert.equal(
        formatFlowMod('br-int', { command: 'deleteStrict', tableId: 43, priority: 100, cookie: COOKIE_PREFIX, cookieMask: COOKIE_PREFIX_MASK, match: { ethDst: '0a:58:0a:00:00:01', ctState: { value: 0x21, mask: 0x21 } } }),
        'br-int: del-flows --strict table=43,priority=100,dl_dst=0a:58:0a:00:00:01,ct_state=+new+trk,cookie=0x4e4c000000000000/0xffff000000000000',
      );
    });
  });

  describe('OVSDB operations', function () {
    const renderSmall = (state = emptyState()) => {
      const desired = small();
      const observed = emptyVSwitchConfig();
      return renderChanges({ desired, observed, changes: diffConfig({ desired, observed, order: VSWITCH_KIND_ORDER }), state, options, flows: new Map() });
    };
    const inserts = (ops: readonly Operation[], table: string): InsertOperation[] => ops.filter((o): o is InsertOperation => o.op === 'insert' && o.table === table);

    it('creates the bridge and its Controller row first, marked as netloom’s', function () {
      const r = renderSmall();
      assert.deepEqual(r.pre.map((o) => `${o.op} ${'table' in o ? o.table : ''}`), ['insert Controller', 'insert Bridge', 'mutate Open_vSwitch']);
      const bridge = inserts(r.pre, 'Bridge')[0]!;
      assert.equal(bridge.row['fail_mode'], 'secure');
      assert.equal(bridge.row['datapath_type'], 'netdev');
      assert.deepEqual(bridge.row['protocols'], ['OpenFlow10', 'OpenFlow13']);
      assert.deepEqual(bridge.row['external_ids'], { 'netloom-owner': 'netloom', 'netloom-kind': 'bridge', 'netloom-key': 'br-int' });
      assert.equal(inserts(r.pre, 'Controller')[0]!.row['target'], 'ptcp:6654:127.0.0.1');
      assert.deepEqual(r.post, []);
    });

    it('creates endpoint ports with tag, OpenFlow number, ownership and CNI external_ids, policing and their own QoS row', function () {
      const r = renderSmall();
      const [if1, if2] = inserts(r.main, 'Interface').filter((o) => String(o.row['name']).startsWith('veth'));
      assert.equal(if1!.row['ofport_request'], 1000);
      assert.equal(if2!.row['ofport_request'], 1001);
      assert.deepEqual(if1!.row['external_ids'], { 'netloom-owner': 'netloom', 'netloom-kind': 'endpoint-iface', 'netloom-key': 'veth1', 'attached-mac': '0a:58:0a:00:00:01', 'iface-id': 'shop/web-0', 'iface-status': 'active' });
      assert.equal(if2!.row['ingress_policing_rate'], 1000, 'endpoint egress = OVS ingress policing');
      const p1 = inserts(r.main, 'Port').find((o) => o.row['name'] === 'veth1')!;
      assert.equal(p1.row['tag'], 100);
      assert.equal(p1.row['vlan_mode'], 'access');
      assert.deepEqual(p1.row['external_ids'], {
        'netloom-owner': 'netloom',
        'netloom-kind': 'endpointPort',
        'netloom-key': 'veth1',
        'netloom-endpoint-id': 'shop/web-0',
        'netloom-mac': '0a:58:0a:00:00:01',
        'netloom-ips': '10.0.0.1',
        'netloom-vlan': '100',
        'netloom-pod-namespace': 'shop',
        'netloom-pod-name': 'web-0',
        'netloom-security-groups': 'web',
      });
      const qos = inserts(r.main, 'QoS');
      assert.equal(qos.length, 1);
      assert.deepEqual(qos[0]!.row['other_config'], { 'max-rate': '2000000' }, 'endpoint ingress = OVS egress shaping, bit/s');
      const uplink = inserts(r.main, 'Port').find((o) => o.row['name'] === 'eth1')!;
      assert.deepEqual(uplink.row['trunks'], [100, 200]);
      assert.equal(uplink.row['vlan_mode'], 'trunk');
      const rules = r.main.filter((o): o is MutateOperation => o.op === 'mutate' && o.table === 'Open_vSwitch');
      assert.equal(rules.length, 1);
      assert.deepEqual(Object.keys(rules[0]!.mutations[0]![2] as object), ['netloom-sgr:web:http', 'netloom-sgr:web:peers']);
    });

    it('predicts the flow adds before the ports exist, including the isolated ports’ flows', function () {
      const r = renderSmall();
      const adds = r.flowAdds.get('br-int')!;
      assert.ok(adds.some((m) => m.cookie === cookieFor(CookieKind.endpoint, 1000)));
      assert.equal(r.flowDeletes.size, 0);
    });

    it('is deterministic', function () {
      assert.deepEqual(renderSmall(), renderSmall());
    });

    it('reports conflicts instead of touching what netloom does not own', function () {
      const foreignBridge = { _uuid: UUID(10), name: 'br-int', ports: [UUID(11)], external_ids: new Map(), fail_mode: null, protocols: [], datapath_type: 'netdev', controller: [], datapath_id: 'a' };
      const foreignPort = { _uuid: UUID(11), name: 'veth1', interfaces: [UUID(12)], tag: null, trunks: [], vlan_mode: null, qos: null, external_ids: new Map() };
      const foreignIface = { _uuid: UUID(12), name: 'veth1', type: '', ofport: 7, ofport_request: null, external_ids: new Map(), ingress_policing_rate: 0, ingress_policing_burst: 0 };
      const r = renderSmall(emptyState({ bridges: [foreignBridge], ports: [foreignPort], ifaces: [foreignIface] }));
      assert.ok(r.conflicts.some((c) => c.includes('bridge br-int exists and was not created by netloom')), r.conflicts.join('; '));
      assert.ok(r.conflicts.some((c) => c.includes('veth1 already exists')), r.conflicts.join('; '));
      assert.ok(!r.main.some((o) => o.op === 'insert' && o.table === 'Port' && o.row['name'] === 'veth1'));
    });

    it('adopts a listed bridge instead of creating it, keeping its other external_ids and ports', function () {
      const foreignBridge = { _uuid: UUID(10), name: 'br-int', ports: [], external_ids: new Map([['owner', 'cni']]), fail_mode: 'secure', protocols: ['OpenFlow10'], datapath_type: 'netdev', controller: [], datapath_id: 'a' };
      const desired = small();
      const r = renderChanges({
        desired,
        observed: emptyVSwitchConfig(),
        changes: diffConfig({ desired, observed: emptyVSwitchConfig(), order: VSWITCH_KIND_ORDER }),
        state: emptyState({ bridges: [foreignBridge] }),
        options: { ...options, adoptBridges: ['br-int'] },
        flows: new Map(),
      });
      assert.deepEqual(r.conflicts, []);
      const m = r.pre.find((o): o is MutateOperation => o.op === 'mutate' && o.table === 'Bridge')!;
      assert.deepEqual(m.mutations.map((x) => `${x[0]} ${x[1]}`), ['external_ids delete', 'external_ids insert', 'controller insert', 'protocols insert']);
      assert.ok(!r.pre.some((o) => o.op === 'insert' && o.table === 'Bridge'));
    });

    it('fits the installed Open_vSwitch schema (every value encodes)', async function () {
      skipUnlessOvs(this);
      const schema = parseSchema(JSON.parse(await readFile(VSWITCH_SCHEMA, 'utf8')));
      const r = renderSmall();
      for (const phase of [r.pre, r.main]) assert.doesNotThrow(() => encodeOperations(schema, wrapTransaction(phase, 'netloom_vswitch')));
    });
  });
});
