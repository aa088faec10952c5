// Unit tests of what the adapter would send for the host overlay: the exact flows of two local endpoints and two
// tunnels, the security-group stages in front of per-VNI forwarding, the OVSDB rows of tunnels and tunnel-attached
// ports, reading them back, and the vendor identification. No OVS needed, except for the schema check at the end.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as fc from 'fast-check';
import { encodeOperations, parseSchema, type DeleteOperation, type InsertOperation, type MutateOperation, type Operation } from '@netloom/ovsdb';
import { VSWITCH_SCHEMA, skipUnlessOvs } from '@netloom/ovsdb/testing';
import {
  COMPATIBLE_VENDOR,
  CookieKind,
  DeviceState,
  PARKING_VLAN,
  Table,
  cookieFor,
  desiredFlows,
  diffFlows,
  formatFlowMod,
  identifyVendor,
  ownedConfig,
  rangeToMasks,
  renderChanges,
  resolveOptions,
  wrapTransaction,
  type FlowEntry,
} from '@netloom/adapter-h3c-s1020v';
import { VSWITCH_KIND_ORDER, VSwitchConfigCodec, decodeOrThrow, diffConfig, emptyVSwitchConfig, type VSwitchConfig } from '@netloom/ports';

const UUID = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

type Rows<I extends number> = ConstructorParameters<typeof DeviceState>[I];

function state(extra: { bridges?: Rows<1>; ports?: Rows<2>; ifaces?: Rows<3>; qos?: Rows<4> } = {}): DeviceState {
  return new DeviceState(
    { _uuid: UUID(1), bridges: (extra.bridges ?? []).map((b) => b._uuid), external_ids: new Map(), next_cfg: 4, cur_cfg: 4, ovs_version: '3.1.0', db_version: null, system_type: null, system_version: null },
    extra.bridges ?? [],
    extra.ports ?? [],
    extra.ifaces ?? [],
    extra.qos ?? [],
    [],
    [],
  );
}

function cfg(input: Record<string, unknown>): VSwitchConfig {
  return decodeOrThrow(VSwitchConfigCodec, { ...emptyVSwitchConfig(), ...input }, 'test config');
}

/** Two local endpoints (VNI 5001 and 5002) and two tunnels: one carrying every VNI (key flow), one fixed to 5002. */
const hostOverlay = (extra: { securityGroups?: boolean } = {}): VSwitchConfig =>
  cfg({
    bridge: { 'br-int': { key: 'br-int', name: 'br-int' } },
    tunnel: {
      'vx-node2': { key: 'vx-node2', name: 'vx-node2', bridge: 'br-int', remoteIp: '192.0.2.2', tunnelKey: 'flow' },
      'vx-node3': { key: 'vx-node3', name: 'vx-node3', bridge: 'br-int', remoteIp: '192.0.2.3', localIp: '192.0.2.1', tunnelKey: 5002, dstPort: 4790 },
    },
    securityGroupRule:
      extra.securityGroups === true
        ? {
            'web:http': { key: 'web:http', group: 'web', name: 'http', direction: 'ingress', protocol: 'tcp', ports: [{ from: 8080, to: 8080 }], remote: { cidr: '10.0.0.0/24' } },
            'web:dns': { key: 'web:dns', group: 'web', name: 'dns', direction: 'egress', protocol: 'udp', ports: [{ from: 53, to: 53 }] },
          }
        : {},
    endpointPort: {
      veth1: {
        key: 'veth1',
        name: 'veth1',
        bridge: 'br-int',
        mac: '0a:58:0a:00:00:01',
        ips: ['10.0.0.1'],
        attachment: { type: 'tunnel', tunnelKey: 5001 },
        endpointId: 'shop/web-0',
        pod: { namespace: 'shop', name: 'web-0' },
        ...(extra.securityGroups === true ? { securityGroups: ['web'] } : {}),
      },
      veth2: { key: 'veth2', name: 'veth2', bridge: 'br-int', mac: '0a:58:0a:00:00:02', ips: ['10.0.0.2'], attachment: { type: 'tunnel', tunnelKey: 5002 }, endpointId: 'shop/web-1' },
    },
  });

const OFPORTS = new Map([
  ['veth1', 1000],
  ['veth2', 1001],
  ['vx-node2', 1002],
  ['vx-node3', 1003],
]);

const options = resolveOptions({ name: 'node-1' }, { openflow: { connect: { host: '127.0.0.1', port: 6654 } }, datapathType: 'netdev' });

const text = (flows: readonly FlowEntry[]): string[] => diffFlows(flows, []).adds.map((m) => formatFlowMod('br-int', m));

describe('h3c-s1020v rendering (unit)', function () {
  describe('flows', function () {
    it('renders the exact flows of two local endpoints and two tunnels (VNI per port, flooding per VNI, split horizon)', function () {
      const flows = desiredFlows(hostOverlay(), OFPORTS).get('br-int')!;
      assert.deepEqual(text(flows), [
        // The pipeline: VLAN 4095 (the parking VLAN) never enters; VLAN traffic (tun_id 0) goes to NORMAL.
        'br-int: add-flow table=0,priority=120,cookie=0x4e4c000100000000,vlan_vid=0x1fff actions=drop',
        'br-int: add-flow table=0,priority=1,cookie=0x4e4c000100000000 actions=goto_table:42',
        'br-int: add-flow table=41,priority=300,cookie=0x4e4c000100000000,ct_state=+inv+trk actions=drop',
        'br-int: add-flow table=41,priority=200,cookie=0x4e4c000100000000,ct_state=+est-inv+trk actions=goto_table:42',
        'br-int: add-flow table=41,priority=200,cookie=0x4e4c000100000000,ct_state=+rel-inv+trk actions=goto_table:42',
        'br-int: add-flow table=41,priority=0,cookie=0x4e4c000100000000 actions=drop',
        'br-int: add-flow table=42,priority=0,cookie=0x4e4c000100000000 actions=goto_table:50',
        'br-int: add-flow table=43,priority=300,cookie=0x4e4c000100000000,ct_state=+inv+trk actions=drop',
        'br-int: add-flow table=43,priority=200,cookie=0x4e4c000100000000,ct_state=+est-inv+trk actions=goto_table:50',
        'br-int: add-flow table=43,priority=200,cookie=0x4e4c000100000000,ct_state=+rel-inv+trk actions=goto_table:50',
        'br-int: add-flow table=43,priority=0,cookie=0x4e4c000100000000 actions=drop',
        'br-int: add-flow table=50,priority=1,cookie=0x4e4c000100000000,tun_id=0x0 actions=NORMAL',
        'br-int: add-flow table=50,priority=0,cookie=0x4e4c000100000000 actions=drop',
        // Tunnels: no VNI 0 from a tunnel; everything else is marked "from a tunnel" (reg6).
        'br-int: add-flow table=0,priority=110,cookie=0x4e4c0003000003ea,in_port=1002,tun_id=0x0 actions=drop',
        'br-int: add-flow table=0,priority=100,cookie=0x4e4c0003000003ea,in_port=1002 actions=set_field:0x1->reg6,goto_table:42',
        'br-int: add-flow table=0,priority=110,cookie=0x4e4c0003000003eb,in_port=1003,tun_id=0x0 actions=drop',
        'br-int: add-flow table=0,priority=100,cookie=0x4e4c0003000003eb,in_port=1003 actions=set_field:0x1->reg6,goto_table:42',
        // Local ports: their VNI into tun_id; unicast to them by their configured MAC, within their VNI.
        'br-int: add-flow table=0,priority=100,cookie=0x4e4c0002000003e8,in_port=1000 actions=set_field:0x1389->tun_id,goto_table:42',
        'br-int: add-flow table=50,priority=100,cookie=0x4e4c0002000003e8,dl_dst=0a:58:0a:00:00:01,tun_id=0x1389 actions=output:1000',
        'br-int: add-flow table=0,priority=100,cookie=0x4e4c0002000003e9,in_port=1001 actions=set_field:0x138a->tun_id,goto_table:42',
        'br-int: add-flow table=50,priority=100,cookie=0x4e4c0002000003e9,dl_dst=0a:58:0a:00:00:02,tun_id=0x138a actions=output:1001',
        // Flooding per VNI: from a tunnel to local ports only; from a local port also to every tunnel carrying the
        // VNI (5001: the key=flow tunnel; 5002: both).
        'br-int: add-flow table=50,priority=20,cookie=0x4e4c000400001389,tun_id=0x1389,reg6=0x1 actions=output:1000',
        'br-int: add-flow table=50,priority=10,cookie=0x4e4c000400001389,tun_id=0x1389 actions=output:1000,output:1002',
        'br-int: add-flow table=50,priority=20,cookie=0x4e4c00040000138a,tun_id=0x138a,reg6=0x1 actions=output:1001',
        'br-int: add-flow table=50,priority=10,cookie=0x4e4c00040000138a,tun_id=0x138a actions=output:1001,output:1002,output:1003',
      ]);
    });

    it('puts the conntrack security group in front of per-VNI forwarding for an isolated tunnel-world port', function () {
      const flows = desiredFlows(hostOverlay({ securityGroups: true }), OFPORTS).get('br-int')!;
      const mine = text(flows.filter((f) => f.cookie === cookieFor(CookieKind.endpoint, 1000)));
      assert.deepEqual(mine, [
        'br-int: add-flow table=0,priority=110,cookie=0x4e4c0002000003e8,in_port=1000,dl_src=0a:58:0a:00:00:01,dl_type=0x86dd,nw_proto=58,icmpv6_type=133 actions=set_field:0x1389->tun_id,goto_table:42',
        'br-int: add-flow table=0,priority=110,cookie=0x4e4c0002000003e8,in_port=1000,dl_src=0a:58:0a:00:00:01,dl_type=0x86dd,nw_proto=58,icmpv6_type=134 actions=set_field:0x1389->tun_id,goto_table:42',
        'br-int: add-flow table=0,priority=110,cookie=0x4e4c0002000003e8,in_port=1000,dl_src=0a:58:0a:00:00:01,dl_type=0x86dd,nw_proto=58,icmpv6_type=135 actions=set_field:0x1389->tun_id,goto_table:42',
        'br-int: add-flow table=0,priority=110,cookie=0x4e4c0002000003e8,in_port=1000,dl_src=0a:58:0a:00:00:01,dl_type=0x86dd,nw_proto=58,icmpv6_type=136 actions=set_field:0x1389->tun_id,goto_table:42',
        // The VNI is set before conntrack recirculates, so the packet keeps it.
        'br-int: add-flow table=0,priority=100,cookie=0x4e4c0002000003e8,in_port=1000,dl_src=0a:58:0a:00:00:01,dl_type=0x800 actions=set_field:0x1389->tun_id,ct(zone=1000,table=41)',
        'br-int: add-flow table=0,priority=100,cookie=0x4e4c0002000003e8,in_port=1000,dl_src=0a:58:0a:00:00:01,dl_type=0x86dd actions=set_field:0x1389->tun_id,ct(zone=1000,table=41)',
        'br-int: add-flow table=0,priority=100,cookie=0x4e4c0002000003e8,in_port=1000,dl_src=0a:58:0a:00:00:01,dl_type=0x806 actions=set_field:0x1389->tun_id,goto_table:42',
        'br-int: add-flow table=0,priority=90,cookie=0x4e4c0002000003e8,in_port=1000 actions=drop',
        // Ingress hooks match the VNI too: a packet of another VNI addressed to this MAC never gets here.
        'br-int: add-flow table=42,priority=110,cookie=0x4e4c0002000003e8,dl_dst=0a:58:0a:00:00:01,dl_type=0x86dd,nw_proto=58,icmpv6_type=135,tun_id=0x1389 actions=goto_table:50',
        'br-int: add-flow table=42,priority=110,cookie=0x4e4c0002000003e8,dl_dst=0a:58:0a:00:00:01,dl_type=0x86dd,nw_proto=58,icmpv6_type=136,tun_id=0x1389 actions=goto_table:50',
        'br-int: add-flow table=42,priority=100,cookie=0x4e4c0002000003e8,dl_dst=0a:58:0a:00:00:01,dl_type=0x800,tun_id=0x1389 actions=ct(zone=1000,table=43)',
        'br-int: add-flow table=42,priority=100,cookie=0x4e4c0002000003e8,dl_dst=0a:58:0a:00:00:01,dl_type=0x86dd,tun_id=0x1389 actions=ct(zone=1000,table=43)',
        'br-int: add-flow table=41,priority=100,cookie=0x4e4c0002000003e8,in_port=1000,dl_type=0x800,nw_proto=17,udp_dst=53,ct_state=+new+trk actions=ct(commit,zone=1000),goto_table:42',
        'br-int: add-flow table=41,priority=100,cookie=0x4e4c0002000003e8,in_port=1000,dl_type=0x86dd,nw_proto=17,udp_dst=53,ct_state=+new+trk actions=ct(commit,zone=1000),goto_table:42',
        'br-int: add-flow table=43,priority=100,cookie=0x4e4c0002000003e8,dl_dst=0a:58:0a:00:00:01,dl_type=0x800,nw_proto=6,nw_src=10.0.0.0/255.255.255.0,tcp_dst=8080,ct_state=+new+trk actions=ct(commit,zone=1000),goto_table:50',
        'br-int: add-flow table=50,priority=100,cookie=0x4e4c0002000003e8,dl_dst=0a:58:0a:00:00:01,tun_id=0x1389 actions=output:1000',
      ]);
    });

    it('keeps VLAN-attached ports in the VLAN world: hooks match tun_id 0, no VNI is set, NORMAL forwards', function () {
      const c = cfg({
        bridge: { br0: { key: 'br0', name: 'br0' } },
        securityGroupRule: { 'g:any': { key: 'g:any', group: 'g', name: 'any', direction: 'ingress', protocol: 'any' } },
        endpointPort: { p1: { key: 'p1', name: 'p1', bridge: 'br0', mac: '0a:00:00:00:00:01', ips: [], attachment: { type: 'vlan', vlan: 100 }, endpointId: 'a/b', securityGroups: ['g'] } },
      });
      const flows = desiredFlows(c, new Map([['p1', 1000]])).get('br0')!;
      const mine = flows.filter((f) => f.cookie === cookieFor(CookieKind.endpoint, 1000));
      assert.ok(mine.every((f) => !JSON.stringify(f.instructions).includes('tunnelId')), 'no VNI is written');
      assert.ok(mine.filter((f) => f.tableId === Table.dispatch).every((f) => f.match.tunnelId === 0n), 'ingress hooks only for VLAN-world packets');
      assert.equal(mine.filter((f) => f.tableId === Table.forward).length, 0, 'NORMAL delivers, no unicast flow');
      assert.equal(flows.filter((f) => f.cookie === cookieFor(CookieKind.vni, 100)).length, 0);
    });

    it('gives flows only to objects with an OpenFlow number, and converges to nothing to do', function () {
      const want = desiredFlows(hostOverlay(), new Map([['veth1', 1000]])).get('br-int')!;
      assert.ok(!want.some((f) => f.cookie === cookieFor(CookieKind.tunnel, 1002)));
      const flood = want.find((f) => f.tableId === Table.forward && f.priority === 10)!;
      assert.deepEqual(flood.instructions, [{ type: 'applyActions', actions: [{ type: 'output', port: 1000 }] }], 'no tunnel known: local flooding only');
      const d = diffFlows(want, want);
      assert.equal(d.adds.length + d.deletes.length, 0);
    });
  });

  describe('OVSDB operations', function () {
    const render = (desired: VSwitchConfig, observed: VSwitchConfig = emptyVSwitchConfig(), s: DeviceState = state()) =>
      renderChanges({ desired, observed, changes: diffConfig({ desired, observed, order: VSWITCH_KIND_ORDER }), state: s, options, flows: new Map() });
    const inserts = (ops: readonly Operation[], table: string): InsertOperation[] => ops.filter((o): o is InsertOperation => o.op === 'insert' && o.table === table);

    it('creates a VXLAN tunnel as a parked Port with a vxlan Interface (options, OpenFlow number, marks)', function () {
      const r = render(hostOverlay());
      const ifaces = inserts(r.main, 'Interface');
      const vx2 = ifaces.find((o) => o.row['name'] === 'vx-node2')!;
      const vx3 = ifaces.find((o) => o.row['name'] === 'vx-node3')!;
      assert.equal(vx2.row['type'], 'vxlan');
      assert.deepEqual(vx2.row['options'], { remote_ip: '192.0.2.2', key: 'flow' });
      assert.deepEqual(vx3.row['options'], { remote_ip: '192.0.2.3', key: '5002', local_ip: '192.0.2.1', dst_port: '4790' });
      assert.deepEqual(vx2.row['external_ids'], { 'netloom-owner': 'netloom', 'netloom-kind': 'tunnel-iface', 'netloom-key': 'vx-node2' });
      assert.deepEqual(
        [...r.ofports.entries()].sort(),
        [
          ['veth1', 1000],
          ['veth2', 1001],
          ['vx-node2', 1002],
          ['vx-node3', 1003],
        ],
      );
      assert.equal(vx2.row['ofport_request'], 1002);
      const port = inserts(r.main, 'Port').find((o) => o.row['name'] === 'vx-node2')!;
      assert.equal(port.row['tag'], PARKING_VLAN);
      assert.equal(port.row['vlan_mode'], 'access');
      assert.deepEqual(port.row['external_ids'], { 'netloom-owner': 'netloom', 'netloom-kind': 'tunnel', 'netloom-key': 'vx-node2' });
    });

    it('parks a tunnel-attached endpoint port and records its VNI (not a VLAN)', function () {
      const r = render(hostOverlay());
      const p1 = inserts(r.main, 'Port').find((o) => o.row['name'] === 'veth1')!;
      assert.equal(p1.row['tag'], 4095);
      const ext = p1.row['external_ids'] as Record<string, string>;
      assert.equal(ext['netloom-vni'], '5001');
      assert.equal(ext['netloom-vlan'], undefined);
      assert.equal(inserts(r.main, 'Interface').find((o) => o.row['name'] === 'veth1')!.row['ofport_request'], 1000);
    });

    it('changes only its own option keys on a tunnel, and deletes removed ports explicitly (rows and references)', function () {
      const observed = hostOverlay();
      const bridge = { _uuid: UUID(10), name: 'br-int', ports: [UUID(20), UUID(30)], external_ids: new Map([['netloom-owner', 'netloom'], ['netloom-kind', 'bridge'], ['netloom-key', 'br-int']]), fail_mode: 'secure', protocols: [], datapath_type: 'netdev', controller: [], datapath_id: 'a' };
      const tunnelPort = { _uuid: UUID(20), name: 'vx-node2', interfaces: [UUID(21)], tag: 4095, trunks: [], vlan_mode: 'access', qos: null, external_ids: new Map([['netloom-owner', 'netloom'], ['netloom-kind', 'tunnel'], ['netloom-key', 'vx-node2']]) };
      const tunnelIface = {
        _uuid: UUID(21),
        name: 'vx-node2',
        type: 'vxlan',
        options: new Map([['remote_ip', '192.0.2.2'], ['key', 'flow'], ['tos', 'inherit']]),
        ofport: 1002,
        ofport_request: 1002,
        external_ids: new Map([['netloom-owner', 'netloom'], ['netloom-kind', 'tunnel-iface'], ['netloom-key', 'vx-node2']]),
        ingress_policing_rate: 0,
        ingress_policing_burst: 0,
      };
      const veth2Port = { _uuid: UUID(30), name: 'veth2', interfaces: [UUID(31)], tag: 4095, trunks: [], vlan_mode: 'access', qos: UUID(40), external_ids: new Map([['netloom-owner', 'netloom'], ['netloom-kind', 'endpointPort'], ['netloom-key', 'veth2']]) };
      const veth2Iface = { _uuid: UUID(31), name: 'veth2', type: '', options: new Map(), ofport: 1001, ofport_request: 1001, external_ids: new Map([['netloom-owner', 'netloom'], ['netloom-kind', 'endpoint-iface']]), ingress_policing_rate: 0, ingress_policing_burst: 0 };
      const ownQos = { _uuid: UUID(40), type: 'linux-htb', other_config: new Map(), queues: new Map(), external_ids: new Map([['netloom-owner', 'netloom'], ['netloom-kind', 'port-qos'], ['netloom-key', 'veth2']]) };
      const desired = cfg({ ...observed, tunnel: { ...observed.tunnel, 'vx-node2': { ...observed.tunnel['vx-node2']!, remoteIp: '192.0.2.22' } }, endpointPort: { veth1: observed.endpointPort['veth1']! } });
      const r = render(desired, observed, state({ bridges: [bridge], ports: [tunnelPort, veth2Port], ifaces: [tunnelIface, veth2Iface], qos: [ownQos] }));
      assert.deepEqual(r.conflicts, []);
      const options = r.main.find((o): o is MutateOperation => o.op === 'mutate' && o.table === 'Interface' && o.mutations[0]![0] === 'options')!;
      assert.deepEqual(options.mutations, [
        ['options', 'delete', ['remote_ip', 'local_ip', 'key', 'dst_port']],
        ['options', 'insert', { remote_ip: '192.0.2.22', key: 'flow' }],
      ]);
      const deletes = r.main.filter((o): o is DeleteOperation => o.op === 'delete').map((o) => `${o.table} ${JSON.stringify(o.where)}`);
      assert.ok(deletes.some((d) => d.startsWith('Port') && d.includes(UUID(30))), deletes.join('\n'));
      assert.ok(deletes.some((d) => d.startsWith('Interface') && d.includes(UUID(31))), deletes.join('\n'));
      assert.ok(deletes.some((d) => d.startsWith('QoS') && d.includes(UUID(40))), 'its own QoS row goes with it');
    });

    it('reports a name taken by a port netloom does not own as a conflict, never touching it', function () {
      const foreignPort = { _uuid: UUID(11), name: 'vx-node2', interfaces: [UUID(12)], tag: null, trunks: [], vlan_mode: null, qos: null, external_ids: new Map() };
      const foreignIface = { _uuid: UUID(12), name: 'vx-node2', type: 'vxlan', options: new Map(), ofport: 7, ofport_request: null, external_ids: new Map(), ingress_policing_rate: 0, ingress_policing_burst: 0 };
      const r = render(hostOverlay(), emptyVSwitchConfig(), state({ ports: [foreignPort], ifaces: [foreignIface] }));
      assert.ok(r.conflicts.some((c) => c.includes("vx-node2 already exists and is not netloom's tunnel")), r.conflicts.join('; '));
      assert.ok(!r.main.some((o) => o.op === 'insert' && o.table === 'Interface' && o.row['name'] === 'vx-node2'));
    });

    it('is deterministic', function () {
      assert.deepEqual(render(hostOverlay({ securityGroups: true })), render(hostOverlay({ securityGroups: true })));
    });

    it('fits the installed Open_vSwitch schema (every value encodes)', async function () {
      skipUnlessOvs(this);
      const schema = parseSchema(JSON.parse(await readFile(VSWITCH_SCHEMA, 'utf8')));
      const r = render(hostOverlay({ securityGroups: true }));
      for (const phase of [r.pre, r.main]) assert.doesNotThrow(() => encodeOperations(schema, wrapTransaction(phase, 'netloom_vswitch')));
    });
  });

  describe('reading rows back', function () {
    it('reads tunnels and tunnel-key attachments from the rows (options, netloom-vni), not the parking tag', function () {
      const marks = (kind: string, key: string): Map<string, string> => new Map([['netloom-owner', 'netloom'], ['netloom-kind', kind], ['netloom-key', key]]);
      const bridge = { _uuid: UUID(10), name: 'br-int', ports: [UUID(20), UUID(30)], external_ids: marks('bridge', 'br-int'), fail_mode: 'secure', protocols: [], datapath_type: 'netdev', controller: [], datapath_id: 'a' };
      const s = state({
        bridges: [bridge],
        ports: [
          { _uuid: UUID(20), name: 'vx-node3', interfaces: [UUID(21)], tag: 4095, trunks: [], vlan_mode: 'access', qos: null, external_ids: marks('tunnel', 'vx-node3') },
          {
            _uuid: UUID(30),
            name: 'veth1',
            interfaces: [UUID(31)],
            tag: 4095,
            trunks: [],
            vlan_mode: 'access',
            qos: null,
            external_ids: new Map([...marks('endpointPort', 'veth1'), ['netloom-vni', '5001'], ['netloom-mac', '0a:58:0a:00:00:01'], ['netloom-ips', '10.0.0.1'], ['netloom-endpoint-id', 'shop/web-0']]),
          },
        ],
        ifaces: [
          { _uuid: UUID(21), name: 'vx-node3', type: 'vxlan', options: new Map([['remote_ip', '192.0.2.3'], ['local_ip', '192.0.2.1'], ['key', '5002'], ['dst_port', '4790'], ['tos', 'inherit']]), ofport: 1003, ofport_request: 1003, external_ids: marks('tunnel-iface', 'vx-node3'), ingress_policing_rate: 0, ingress_policing_burst: 0 },
          { _uuid: UUID(31), name: 'veth1', type: '', options: new Map(), ofport: 1000, ofport_request: 1000, external_ids: marks('endpoint-iface', 'veth1'), ingress_policing_rate: 0, ingress_policing_burst: 0 },
        ],
      });
      const c = ownedConfig(s);
      assert.deepEqual(c.tunnel, { 'vx-node3': { key: 'vx-node3', name: 'vx-node3', bridge: 'br-int', remoteIp: '192.0.2.3', localIp: '192.0.2.1', tunnelKey: 5002, dstPort: 4790 } });
      assert.deepEqual(c.endpointPort['veth1']!.attachment, { type: 'tunnel', tunnelKey: 5001 });
    });
  });

  describe('vendor', function () {
    it('names an S1020V from its version string and anything else the S1020V-compatible mode', function () {
      assert.deepEqual(identifyVendor('H3C S1020V Release 2112P01'), { isS1020V: true, vendor: 'H3C', modelPrefix: 'S1020V' });
      assert.equal(identifyVendor('ovs-vswitchd (H3C S1000-V) 2.x').vendor, 'H3C');
      assert.deepEqual(identifyVendor('3.1.0'), { isS1020V: false, vendor: COMPATIBLE_VENDOR, modelPrefix: 'Open vSwitch' });
      assert.equal(identifyVendor(null).vendor, 'Open vSwitch (S1020V-compatible mode)');
    });
  });

  describe('port ranges as masks', function () {
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
});
