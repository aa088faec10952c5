// The OpenFlow 1.3 switch simulator: driven by @netloom/openflow's controller (as the OVS and H3C adapters drive
// ovs-vswitchd) and by raw messages for the error paths, with the OVSDB simulator holding the Bridge/Controller rows;
// then side by side with a real ovs-vswitchd (the @netloom/ovsdb sandbox), where the same flow_mod sequence and the
// same malformed messages must give the same flow stats and the same errors.
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { CommitError, DeviceConnectionError, DeviceProtocolError, VSwitchConfigCodec, decodeOrThrow, emptyVSwitchConfig, type VSwitchConfig } from '@netloom/ports';
import { OpenFlowController, encodeFlowMod, type FlowMod, type FlowStats, type SwitchConnection } from '@netloom/openflow';
import { type OvsSandbox, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { desiredFlows as ovsFlows } from '@netloom/adapter-ovs';
import { desiredFlows as h3cFlows } from '@netloom/adapter-h3c-s1020v';
import { OpenFlowSwitchSimulator, OvsdbSimulator } from '@netloom/conformance/simulators';

const DB = 'Open_vSwitch';
const NL = 0x4e4c000000000000n;
const NL_MASK = 0xffff000000000000n;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function until<T>(what: string, probe: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface BridgeSpec {
  readonly name: string;
  readonly target?: string;
  readonly failMode?: 'secure' | 'standalone';
  readonly datapathId?: string;
  readonly protocols?: readonly string[];
}

/** Creates a bridge (with its internal port) and its Controller row in the OVSDB simulator, as ovs-vsctl would. */
async function addBridge(ovsdb: OvsdbSimulator, b: BridgeSpec): Promise<void> {
  const ops: unknown[] = [
    { op: 'insert', table: 'Interface', row: { name: b.name, type: 'internal' }, 'uuid-name': 'i' },
    { op: 'insert', table: 'Port', row: { name: b.name, interfaces: ['named-uuid', 'i'] }, 'uuid-name': 'p' },
  ];
  const row: Record<string, unknown> = { name: b.name, ports: ['named-uuid', 'p'], datapath_type: 'netdev' };
  if (b.failMode !== undefined) row['fail_mode'] = b.failMode;
  if (b.datapathId !== undefined) row['other_config'] = ['map', [['datapath-id', b.datapathId]]];
  if (b.protocols !== undefined) row['protocols'] = ['set', [...b.protocols]];
  if (b.target !== undefined) {
    ops.push({ op: 'insert', table: 'Controller', row: { target: b.target }, 'uuid-name': 'c' });
    row['controller'] = ['named-uuid', 'c'];
  }
  ops.push({ op: 'insert', table: 'Bridge', row, 'uuid-name': 'b' }, { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'insert', ['set', [['named-uuid', 'b']]]]] });
  const results = await ovsdb.transactDirect(DB, ops);
  assert.ok(results.every((r) => !(typeof r === 'object' && r !== null && 'error' in r)), JSON.stringify(results));
}

/** An OVSDB simulator (with the vswitchd stand-in) and the switch simulator on it. */
async function startSims(): Promise<{ ovsdb: OvsdbSimulator; sw: OpenFlowSwitchSimulator; stop(): Promise<void> }> {
  const ovsdb = new OvsdbSimulator({ emulateVswitchd: true, tcp: false });
  await ovsdb.start();
  const sw = new OpenFlowSwitchSimulator({ ovsdb, reconnectInitialMs: 50 });
  await sw.start();
  return {
    ovsdb,
    sw,
    async stop() {
      await sw.stop();
      await ovsdb.stop();
    },
  };
}

/** Waits until the simulator listens on a bridge's passive target. */
async function listening(sw: OpenFlowSwitchSimulator, bridge: string): Promise<void> {
  await until(`bridge ${bridge} listening`, () => (sw.bridge(bridge)?.controllers.some((c) => c.listening !== undefined) === true ? true : undefined));
}

// ---- raw OpenFlow client (for what the controller library refuses to send) --------------------------------------

function header(type: number, xid: number, body: Buffer = Buffer.alloc(0), version = 4): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt8(version, 0);
  h.writeUInt8(type, 1);
  h.writeUInt16BE(8 + body.length, 2);
  h.writeUInt32BE(xid, 4);
  return Buffer.concat([h, body]);
}
const u = (n: number, bytes: number): Buffer => {
  const b = Buffer.alloc(bytes);
  b.writeUIntBE(n, 0, bytes);
  return b;
};
function oxm(cls: number, field: number, value: Buffer, mask?: Buffer): Buffer {
  return Buffer.concat([u(cls, 2), u((field << 1) | (mask ? 1 : 0), 1), u(value.length + (mask?.length ?? 0), 1), value, mask ?? Buffer.alloc(0)]);
}
function match(tlvs: readonly Buffer[], type = 1): Buffer {
  const body = Buffer.concat(tlvs);
  const len = 4 + body.length;
  return Buffer.concat([u(type, 2), u(len, 2), body, Buffer.alloc((8 - (len % 8)) % 8)]);
}
const inst = (type: number, body: Buffer): Buffer => Buffer.concat([u(type, 2), u(4 + body.length, 2), body]);
const applyActions = (...actions: Buffer[]): Buffer => inst(4, Buffer.concat([Buffer.alloc(4), ...actions]));
const output = (port: number): Buffer => Buffer.concat([u(0, 2), u(16, 2), u(port, 4), Buffer.alloc(8)]);
function rawFlowMod(o: { table?: number; command?: number; priority?: number; flags?: number; match?: Buffer; inst?: readonly Buffer[] } = {}): Buffer {
  const b = Buffer.alloc(40);
  b.writeUInt8(o.table ?? 0, 16);
  b.writeUInt8(o.command ?? 0, 17);
  b.writeUInt16BE(o.priority ?? 0x8000, 22);
  b.writeUInt32BE(0xffffffff, 24);
  b.writeUInt32BE(0xffffffff, 28);
  b.writeUInt32BE(0xffffffff, 32);
  b.writeUInt16BE(o.flags ?? 0, 36);
  return Buffer.concat([b, o.match ?? match([]), ...(o.inst ?? [])]);
}
const multipart = (type: number, body: Buffer = Buffer.alloc(0)): Buffer => Buffer.concat([u(type, 2), Buffer.alloc(6), body]);
const nicira = (subtype: number, rest: Buffer): Buffer => Buffer.concat([u(0xffff, 2), u(10 + rest.length, 2), u(0x2320, 4), u(subtype, 2), rest]);

interface Reply {
  readonly version: number;
  readonly type: number;
  readonly body: Buffer;
}

/** A raw connection that has said HELLO (OpenFlow 1.3 bitmap) and reads replies by xid. */
class RawClient {
  private buf = Buffer.alloc(0);
  readonly frames: (Reply & { xid: number })[] = [];
  private xid = 100;
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 8 && this.buf.length >= this.buf.readUInt16BE(2)) {
        const len = this.buf.readUInt16BE(2);
        const f = Buffer.from(this.buf.subarray(0, len));
        this.buf = this.buf.subarray(len);
        this.frames.push({ version: f[0]!, type: f[1]!, xid: f.readUInt32BE(4), body: f.subarray(8) });
      }
    });
  }
  static async open(port: number, hello: Buffer = header(0, 1, Buffer.from('0001000800000010', 'hex'))): Promise<RawClient> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const c = new RawClient(socket);
    socket.write(hello);
    await until('hello', () => (c.frames.some((f) => f.type === 0) ? true : undefined));
    return c;
  }
  /** Sends one message and a barrier; the replies to the message. */
  async exchange(type: number, body: Buffer, version = 4): Promise<Reply[]> {
    const x = ++this.xid;
    const bx = ++this.xid;
    this.socket.write(Buffer.concat([header(type, x, body, version), header(20, bx)]));
    await until('barrier reply', () => (this.frames.some((f) => f.xid === bx && f.type === 21) ? true : undefined));
    return this.frames.filter((f) => f.xid === x);
  }
  close(): void {
    this.socket.destroy();
  }
}

/** An ERROR reply as `type/code` (experimenter errors as `exp:<id>/<exp_type>`), plus how much of the request it quotes. */
function errorOf(replies: readonly Reply[]): string {
  const e = replies.find((r) => r.type === 1);
  if (e === undefined) return replies.length === 0 ? 'ok' : `reply type ${replies.map((r) => r.type).join(',')}`;
  const type = e.body.readUInt16BE(0);
  if (type === 0xffff) return `exp:${e.body.readUInt32BE(4).toString(16)}/${e.body.readUInt16BE(2)} data=${e.body.length - 8}`;
  return `${type}/${e.body.readUInt16BE(2)} data=${e.body.length - 4}`;
}

/** Malformed or unusual requests and what ovs-vswitchd 3.1 answers (the simulator must answer the same). */
const B = 0x8000;
const ERROR_CASES: readonly { readonly name: string; readonly type: number; readonly body: Buffer; readonly expect: string }[] = [
  { name: 'unknown message type', type: 40, body: Buffer.alloc(0), expect: '1/1 data=8' },
  { name: 'flow_mod command 9', type: 14, body: rawFlowMod({ command: 9 }), expect: '5/6 data=56' },
  { name: 'add to table 255', type: 14, body: rawFlowMod({ table: 255 }), expect: '5/2 data=56' },
  { name: 'tcp_dst without its prerequisites', type: 14, body: rawFlowMod({ match: match([oxm(B, 14, u(80, 2))]) }), expect: '4/9 data=64' },
  { name: 'ip_proto before eth_type', type: 14, body: rawFlowMod({ match: match([oxm(B, 10, u(6, 1)), oxm(B, 5, u(0x800, 2))]) }), expect: '4/9 data=64' },
  { name: 'in_port twice', type: 14, body: rawFlowMod({ match: match([oxm(B, 0, u(1, 4)), oxm(B, 0, u(2, 4))]) }), expect: '4/10 data=72' },
  { name: 'unknown OXM field', type: 14, body: rawFlowMod({ match: match([oxm(B, 50, u(1, 4))]) }), expect: '4/6 data=64' },
  { name: 'OXM of the wrong length', type: 14, body: rawFlowMod({ match: match([oxm(B, 0, u(1, 3))]) }), expect: '4/6 data=64' },
  { name: 'vlan_vid out of range', type: 14, body: rawFlowMod({ match: match([oxm(B, 6, u(0x2000, 2))]) }), expect: '4/7 data=64' },
  { name: 'OpenFlow 1.1 standard match', type: 14, body: rawFlowMod({ match: match([], 0) }), expect: '4/1 data=56' },
  { name: 'unknown instruction', type: 14, body: rawFlowMod({ inst: [inst(7, Buffer.alloc(4))] }), expect: '3/0 data=64' },
  { name: 'goto_table backwards', type: 14, body: rawFlowMod({ table: 5, inst: [inst(1, Buffer.from([3, 0, 0, 0]))] }), expect: '3/2 data=64' },
  { name: 'apply-actions twice', type: 14, body: rawFlowMod({ inst: [applyActions(), applyActions()] }), expect: 'exp:4f4e4600/2600 data=72' },
  { name: 'unknown action type', type: 14, body: rawFlowMod({ inst: [applyActions(Buffer.from('0063000800000000', 'hex'))] }), expect: '2/0 data=72' },
  { name: 'output to a reserved-range port', type: 14, body: rawFlowMod({ inst: [applyActions(output(0xffffff01))] }), expect: '2/4 data=80' },
  { name: 'unknown Nicira action', type: 14, body: rawFlowMod({ inst: [applyActions(nicira(200, Buffer.alloc(6)))] }), expect: '2/3 data=80' },
  { name: 'action of another vendor', type: 14, body: rawFlowMod({ inst: [applyActions(Buffer.from('ffff000800001234', 'hex'))] }), expect: '2/2 data=72' },
  { name: 'action length 12', type: 14, body: rawFlowMod({ inst: [applyActions(Buffer.from('000000100000000100000000', 'hex'))] }), expect: '1/6 data=76' },
  { name: 'instruction length 6', type: 14, body: rawFlowMod({ inst: [Buffer.from('000100060000', 'hex')] }), expect: '1/6 data=62' },
  { name: 'match past the end', type: 14, body: rawFlowMod({ match: Buffer.from('00010040', 'hex') }), expect: '1/6 data=52' },
  { name: 'unknown flow_mod flag', type: 14, body: rawFlowMod({ flags: 0x100 }), expect: '5/7 data=56' },
  { name: 'meter instruction (no meters)', type: 14, body: rawFlowMod({ inst: [inst(6, u(1, 4))] }), expect: '12/2 data=64' },
  { name: 'truncated flow_mod', type: 14, body: rawFlowMod().subarray(0, 20), expect: '1/6 data=28' },
  { name: 'unknown multipart type', type: 18, body: multipart(99), expect: '1/2 data=16' },
  { name: 'barrier with a body', type: 20, body: Buffer.alloc(8), expect: '1/6 data=16' },
  { name: 'experimenter message of another vendor', type: 4, body: Buffer.from('0000123400000000', 'hex'), expect: '1/3 data=16' },
  { name: 'packet_out naming a buffer', type: 13, body: Buffer.alloc(16), expect: '1/8 data=24' },
  { name: 'an all-ones mask on ip_proto (accepted)', type: 14, body: rawFlowMod({ match: match([oxm(B, 5, u(0x800, 2)), oxm(B, 10, u(6, 1), u(0xff, 1))]) }), expect: 'ok' },
];

/** A sample host: an endpoint with a security group (TCP port range, UDP, ICMP, a remote group over v4/v6) behind a tunnel. */
function sampleConfig(): VSwitchConfig {
  return decodeOrThrow(
    VSwitchConfigCodec,
    {
      ...emptyVSwitchConfig(),
      bridge: { 'br-int': { key: 'br-int', name: 'br-int' } },
      tunnel: { vx2: { key: 'vx2', name: 'vx2', bridge: 'br-int', remoteIp: '192.0.2.2', tunnelKey: 'flow' } },
      securityGroupRule: {
        'web:http': { key: 'web:http', group: 'web', name: 'http', direction: 'ingress', protocol: 'tcp', ports: [{ from: 8080, to: 8083 }], remote: { cidr: '10.0.0.0/24' } },
        'web:dns': { key: 'web:dns', group: 'web', name: 'dns', direction: 'egress', protocol: 'udp', ports: [{ from: 53, to: 53 }] },
        'web:ping': { key: 'web:ping', group: 'web', name: 'ping', direction: 'ingress', protocol: 'icmp' },
        'web:peers': { key: 'web:peers', group: 'web', name: 'peers', direction: 'ingress', protocol: 'any', remote: { group: 'web' } },
      },
      endpointPort: {
        veth1: { key: 'veth1', name: 'veth1', bridge: 'br-int', mac: '0a:58:0a:00:00:01', ips: ['10.0.0.1', 'fd00::1'], attachment: { type: 'tunnel', tunnelKey: 5001 }, endpointId: 'shop/web-0', securityGroups: ['web'] },
        veth2: { key: 'veth2', name: 'veth2', bridge: 'br-int', mac: '0a:58:0a:00:00:02', ips: ['10.0.0.2'], attachment: { type: 'tunnel', tunnelKey: 5001 }, endpointId: 'shop/web-1', securityGroups: ['web'] },
      },
    },
    'sample config',
  );
}
const OFPORTS = new Map([
  ['veth1', 1000],
  ['veth2', 1001],
  ['vx2', 1002],
]);

/** The flow_mod sequence both switches get: the adapters' adds, then modify, strict and non-strict deletes. */
function sequence(): FlowMod[][] {
  const adds = (flows: ReturnType<typeof ovsFlows>): FlowMod[] => (flows.get('br-int') ?? []).map((f) => ({ command: 'add', tableId: f.tableId, priority: f.priority, cookie: f.cookie, match: f.match, instructions: f.instructions }));
  const endpoint1000 = 0x4e4c0002000003e8n;
  return [
    adds(ovsFlows(sampleConfig(), OFPORTS)),
    adds(h3cFlows(sampleConfig(), OFPORTS)),
    [
      // Non-strict modify of veth1's classify flows (every priority), cookie kept.
      { command: 'modify', tableId: 0, cookie: endpoint1000, cookieMask: 0xffffffffffffffffn, match: { inPort: 1000 }, instructions: [{ type: 'gotoTable', tableId: 42 }] },
      // Strict modify of one flow; one that names no flow changes nothing.
      { command: 'modifyStrict', tableId: 0, priority: 90, cookie: endpoint1000, cookieMask: 0xffffffffffffffffn, match: { inPort: 1000 }, instructions: [] },
      { command: 'modifyStrict', tableId: 0, priority: 91, cookie: endpoint1000, cookieMask: 0xffffffffffffffffn, match: { inPort: 1000 }, instructions: [] },
      // Strict delete with the prefix mask; a non-strict delete of the tunnel's flows in every table.
      { command: 'deleteStrict', tableId: 41, priority: 0, cookie: NL, cookieMask: NL_MASK, match: {} },
      { command: 'delete', tableId: 'all', cookie: 0x4e4c0003000003ean, cookieMask: 0xffffffffffffffffn },
      // A delete filtered by out_port: only flows that output to port 1001.
      { command: 'delete', tableId: 'all', cookie: NL, cookieMask: NL_MASK, outPort: 1001 },
      // A delete whose cookie matches nothing.
      { command: 'delete', tableId: 'all', cookie: 0x1234n, cookieMask: 0xffffn },
    ],
  ];
}

/** Flow stats without what differs by nature (age, counters), in a stable order. */
function comparable(flows: readonly FlowStats[]): unknown[] {
  const stable = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x.toString(16)}n` : x));
  return flows
    .map((f) => ({ tableId: f.tableId, priority: f.priority, cookie: f.cookie, idleTimeout: f.idleTimeout, hardTimeout: f.hardTimeout, flags: f.flags, match: f.match, instructions: f.instructions }))
    .sort((a, b) => stable(a).localeCompare(stable(b)));
}

/** Raw flow stats entries (durations zeroed), sorted: what goes on the wire, byte for byte. */
async function rawFlowStats(port: number): Promise<string[]> {
  const c = await RawClient.open(port);
  try {
    const body = Buffer.concat([u(0xff, 1), Buffer.alloc(3), u(0xffffffff, 4), u(0xffffffff, 4), Buffer.alloc(4), Buffer.alloc(16), match([])]);
    const replies = await c.exchange(18, multipart(1, body));
    const out: string[] = [];
    for (const r of replies) {
      let at = 8;
      while (at < r.body.length) {
        const len = r.body.readUInt16BE(at);
        const e = Buffer.from(r.body.subarray(at, at + len));
        e.fill(0, 4, 12);
        out.push(e.toString('hex'));
        at += len;
      }
    }
    return out.sort();
  } finally {
    c.close();
  }
}

describe('OpenFlow switch simulator', function () {
  this.timeout(30_000);
  let sims: Awaited<ReturnType<typeof startSims>>;
  const controller = new OpenFlowController({ requestTimeoutMs: 5000 });
  beforeEach(async function () {
    sims = await startSims();
  });
  afterEach(async function () {
    await sims.stop();
  });
  after(async function () {
    await controller.close();
  });

  it('listens on what the Controller row says (ptcp) and answers the handshake with the datapath id from other_config and the ports', async function () {
    const port = await freePort();
    await addBridge(sims.ovsdb, { name: 'br-a', target: `ptcp:${port}:127.0.0.1`, failMode: 'secure', datapathId: '00000000000000ab' });
    await listening(sims.sw, 'br-a');
    const sw = await controller.connect({ host: '127.0.0.1', port });
    try {
      assert.equal(sw.datapathId, '00000000000000ab');
      assert.deepEqual({ nTables: sw.features.nTables, nBuffers: sw.features.nBuffers, capabilities: sw.features.capabilities }, { nTables: 254, nBuffers: 0, capabilities: 0x4f });
      assert.deepEqual(
        sw.ports.map((p) => [p.portNo, p.name]),
        [['LOCAL', 'br-a']],
      );
      // The emulated ovs-vswitchd reports the same id in OVSDB, so an adapter's datapath check passes.
      const bridgeRow = await until('datapath_id', () => sims.ovsdb.dump(DB)['Bridge']!.find((r) => r['name'] === 'br-a' && typeof r['datapath_id'] === 'string'));
      assert.equal(bridgeRow['datapath_id'], '00000000000000ab');
      assert.equal(await sw.echo(Buffer.from('hi')).then(() => 'echoed'), 'echoed');
    } finally {
      await sw.close();
    }
  });

  it('dials a tcp: controller, and dials again after the connection is dropped', async function () {
    const listener = await OpenFlowController.listen({ host: '127.0.0.1', port: 0 });
    try {
      await addBridge(sims.ovsdb, { name: 'br-b', target: `tcp:127.0.0.1:${listener.address()!.port}`, failMode: 'secure' });
      const first = await listener.waitForSwitch({ timeoutMs: 5000 });
      const dpid = first.datapathId;
      assert.match(dpid, /^0000[0-9a-f]{12}$/);
      sims.sw.dropConnections('br-b');
      const second = await listener.waitForSwitch({ datapathId: dpid, timeoutMs: 5000, fresh: true });
      assert.notEqual(second, first);
      assert.equal(sims.sw.stats.dialled, 2);
    } finally {
      await listener.close();
    }
  });

  it('stops listening when the Controller row goes and the bridge is deleted with its flows', async function () {
    const port = await freePort();
    await addBridge(sims.ovsdb, { name: 'br-c', target: `ptcp:${port}:127.0.0.1`, failMode: 'secure' });
    await listening(sims.sw, 'br-c');
    await sims.ovsdb.transactDirect(DB, [{ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'delete', ['set', sims.ovsdb.dump(DB)['Bridge']!.map((r) => r['_uuid'])]]] }]);
    await until('bridge gone', () => (sims.sw.bridges().includes('br-c') ? undefined : true));
    await assert.rejects(controller.connect({ host: '127.0.0.1', port, timeoutMs: 1000 }), DeviceConnectionError);
  });

  it('applies add, modify, modify-strict, delete and delete-strict with cookies and masks, and filters flow stats', async function () {
    const port = await freePort();
    await addBridge(sims.ovsdb, { name: 'br-d', target: `ptcp:${port}:127.0.0.1`, failMode: 'secure' });
    await listening(sims.sw, 'br-d');
    const sw: SwitchConnection = await controller.connect({ host: '127.0.0.1', port });
    try {
      const out = (port: number): FlowMod['instructions'] => [{ type: 'applyActions', actions: [{ type: 'output', port }] }];
      await sw.applyFlowMods([
        { command: 'add', tableId: 0, priority: 10, cookie: NL | 1n, match: { inPort: 1 }, instructions: out(2) },
        { command: 'add', tableId: 0, priority: 20, cookie: NL | 2n, match: { inPort: 1, ethType: 0x0800 }, instructions: out(3) },
        { command: 'add', tableId: 1, priority: 10, cookie: 0xf00dn, match: { inPort: 1 }, instructions: out(2) },
        // Same table, priority and match as the first: replaces it (new cookie and instructions).
        { command: 'add', tableId: 0, priority: 10, cookie: NL | 3n, match: { inPort: 1 }, instructions: out(4) },
      ]);
      let flows = await sw.dumpFlows();
      assert.equal(flows.length, 3);
      assert.deepEqual(flows.find((f) => f.tableId === 0 && f.priority === 10)?.cookie, NL | 3n);
      // Non-strict modify by in_port within netloom's cookies: both table-0 flows (any priority), cookie kept.
      await sw.applyFlowMods([{ command: 'modify', tableId: 0, cookie: NL, cookieMask: NL_MASK, match: { inPort: 1 }, instructions: out(9) }]);
      flows = await sw.dumpFlows({ tableId: 0 });
      assert.deepEqual(flows.map((f) => [f.priority, f.cookie, f.instructions]), [
        [20, NL | 2n, out(9)],
        [10, NL | 3n, out(9)],
      ]);
      // Strict modify needs the exact match and priority; modify never adds.
      await sw.applyFlowMods([{ command: 'modifyStrict', tableId: 0, priority: 20, match: { inPort: 1 }, instructions: out(5) }]);
      assert.equal((await sw.dumpFlows({ tableId: 0 })).filter((f) => JSON.stringify(f.instructions).includes('"port":5')).length, 0);
      // Flow stats filters: table, out_port, cookie + mask.
      assert.equal((await sw.dumpFlows({ outPort: 2 })).length, 1);
      assert.equal((await sw.dumpFlows({ cookie: NL, cookieMask: NL_MASK })).length, 2);
      assert.equal((await sw.dumpFlows({ tableId: 1 }))[0]?.cookie, 0xf00dn);
      // Delete-strict by priority; a delete with the prefix mask never touches another controller's flow.
      await sw.applyFlowMods([{ command: 'deleteStrict', tableId: 0, priority: 10, cookie: NL, cookieMask: NL_MASK, match: { inPort: 1 } }]);
      assert.deepEqual((await sw.dumpFlows()).map((f) => f.priority).sort(), [10, 20]);
      await sw.applyFlowMods([{ command: 'delete', tableId: 'all', cookie: NL, cookieMask: NL_MASK }]);
      assert.deepEqual((await sw.dumpFlows()).map((f) => f.cookie), [0xf00dn]);
      assert.deepEqual(sims.sw.flows('br-d').map((f) => f.cookie), [0xf00dn]);
    } finally {
      await sw.close();
    }
  });

  it('answers malformed requests with the ERROR type and code ovs-vswitchd sends', async function () {
    const port = await freePort();
    await addBridge(sims.ovsdb, { name: 'br-e', target: `ptcp:${port}:127.0.0.1`, failMode: 'secure' });
    await listening(sims.sw, 'br-e');
    const c = await RawClient.open(port);
    try {
      const got = [];
      for (const k of ERROR_CASES) got.push(`${k.name}: ${errorOf(await c.exchange(k.type, k.body))}`);
      assert.deepEqual(
        got,
        ERROR_CASES.map((k) => `${k.name}: ${k.expect}`),
      );
    } finally {
      c.close();
    }
  });

  it('refuses a controller without OpenFlow 1.3 with HELLO_FAILED, and honours Bridge.protocols', async function () {
    const port = await freePort();
    await addBridge(sims.ovsdb, { name: 'br-f', target: `ptcp:${port}:127.0.0.1`, failMode: 'secure', protocols: ['OpenFlow10'] });
    await listening(sims.sw, 'br-f');
    await assert.rejects(controller.connect({ host: '127.0.0.1', port, timeoutMs: 2000 }), (e: unknown) => e instanceof DeviceProtocolError || e instanceof DeviceConnectionError);
    assert.equal(sims.sw.stats.helloFailures, 1);
  });

  it('gives a standalone bridge without a primary controller the NORMAL flow and flushes on a fail-mode change', async function () {
    await addBridge(sims.ovsdb, { name: 'br-g' });
    await until('bridge', () => (sims.sw.bridges().includes('br-g') ? true : undefined));
    assert.deepEqual(
      sims.sw.flows('br-g').map((f) => [f.tableId, f.priority, f.cookie, f.matchHex, f.instructionsHex]),
      [[0, 0, 0n, '', '000400180000000000000010fffffffa0000000000000000']],
    );
    const foreign = encodeFlowMod(1, { command: 'add', priority: 7, cookie: 0xf00dn, match: { ethType: 0x88cc } });
    assert.equal(sims.sw.flowMod('br-g', foreign), undefined);
    await sims.ovsdb.transactDirect(DB, [{ op: 'update', table: 'Bridge', where: [['name', '==', 'br-g']], row: { fail_mode: 'secure' } }]);
    await until('flush', () => (sims.sw.flows('br-g').length === 0 ? true : undefined));
  });

  it('injects faults: a refused flow_mod fails the batch; a dropped connection after N flow_mods keeps what was applied', async function () {
    const port = await freePort();
    await addBridge(sims.ovsdb, { name: 'br-h', target: `ptcp:${port}:127.0.0.1`, failMode: 'secure' });
    await listening(sims.sw, 'br-h');
    const mods = (n: number): FlowMod[] => Array.from({ length: n }, (_, i) => ({ command: 'add', priority: 100 + i, cookie: NL | BigInt(i), match: { inPort: i + 1 } }));
    const sw = await controller.connect({ host: '127.0.0.1', port });
    sims.sw.rejectFlowMod({ after: 1 });
    await assert.rejects(sw.applyFlowMods(mods(3)), (e: unknown) => e instanceof CommitError && (e.details as { index?: number; ofTypeName?: string }).index === 1);
    assert.deepEqual(sims.sw.flows('br-h').map((f) => f.priority), [102, 100]);
    sims.sw.dropConnectionAfterFlowMods(2, { bridge: 'br-h' });
    await assert.rejects(sw.applyFlowMods(mods(5)), DeviceConnectionError);
    assert.equal(sims.sw.stats.faultDrops, 1);
    assert.deepEqual(sims.sw.flows('br-h').map((f) => f.priority), [102, 101, 100]);
    // The switch still listens: a new connection works.
    const again = await controller.connect({ host: '127.0.0.1', port });
    assert.equal((await again.dumpFlows()).length, 3);
    await again.close();
  });
});

describe('OpenFlow switch simulator against a real ovs-vswitchd', function () {
  this.timeout(120_000);
  let sandbox: OvsSandbox | undefined;
  let sims: Awaited<ReturnType<typeof startSims>> | undefined;
  const controller = new OpenFlowController({ requestTimeoutMs: 10_000 });
  let realPort = 0;
  let simPort = 0;

  before(async function () {
    skipUnlessOvs(this, { vswitchd: true });
    sandbox = await startOvsSandbox({ vswitchd: true });
    sims = await startSims();
    realPort = await freePort();
    simPort = await freePort();
    await sandbox.vsctl('add-br', 'br-int', '--', 'set', 'bridge', 'br-int', 'datapath_type=netdev', 'fail_mode=secure', '--', 'set-controller', 'br-int', `ptcp:${realPort}:127.0.0.1`);
    await addBridge(sims.ovsdb, { name: 'br-int', target: `ptcp:${simPort}:127.0.0.1`, failMode: 'secure' });
    await listening(sims.sw, 'br-int');
  });
  after(async function () {
    await controller.close();
    await sims?.stop();
    await sandbox?.stop();
  });

  const connect = async (port: number): Promise<SwitchConnection> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        return await controller.connect({ host: '127.0.0.1', port, timeoutMs: 2000 });
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  it('gives the same flow stats for the adapters\' flow_mod sequence (security group, tunnel, modify, strict and non-strict deletes)', async function () {
    const real = await connect(realPort);
    const sim = await connect(simPort);
    try {
      const filters = [{}, { tableId: 0 }, { outPort: 1000 }, { cookie: NL, cookieMask: NL_MASK }, { tableId: 43, cookie: 0x4e4c0002000003e9n, cookieMask: 0xffffffffffffffffn }, { match: { inPort: 1000 } }];
      for (const [step, batch] of sequence().entries()) {
        await real.applyFlowMods(batch);
        await sim.applyFlowMods(batch);
        for (const filter of filters) {
          const want = comparable(await real.dumpFlows(filter));
          if (Object.keys(filter).length === 0) assert.ok(want.length > 0, 'the real switch holds flows');
          assert.deepEqual(comparable(await sim.dumpFlows(filter)), want, `step ${step}, filter ${JSON.stringify(filter, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x))}`);
        }
      }
      // Byte for byte: same entries, same OXM order, same instruction encoding.
      const wire = await rawFlowStats(realPort);
      assert.ok(wire.length >= 20, `the real switch holds the remaining flows (${wire.length})`);
      assert.deepEqual(await rawFlowStats(simPort), wire);
    } finally {
      await real.close();
      await sim.close();
    }
  });

  it('answers the same malformed requests with the same errors', async function () {
    const real = await RawClient.open(realPort);
    const sim = await RawClient.open(simPort);
    try {
      for (const k of ERROR_CASES) {
        const want = errorOf(await real.exchange(k.type, k.body));
        assert.equal(want, k.expect, `ovs-vswitchd: ${k.name}`);
        assert.equal(errorOf(await sim.exchange(k.type, k.body)), want, `simulator: ${k.name}`);
      }
    } finally {
      real.close();
      sim.close();
    }
  });

  it('sends the same HELLO, FEATURES (apart from the datapath id) and DESC', async function () {
    const real = await RawClient.open(realPort);
    const sim = await RawClient.open(simPort);
    try {
      const hello = (c: RawClient): string => {
        const h = c.frames.find((f) => f.type === 0)!;
        return `${h.version}:${h.body.toString('hex')}`;
      };
      assert.equal(hello(sim), hello(real));
      const features = async (c: RawClient): Promise<string> => (await c.exchange(5, Buffer.alloc(0)))[0]!.body.subarray(8).toString('hex');
      assert.equal(await features(sim), await features(real));
      const desc = async (c: RawClient): Promise<string> => (await c.exchange(18, multipart(0)))[0]!.body.toString('hex');
      assert.equal(await desc(sim), await desc(real));
    } finally {
      real.close();
      sim.close();
    }
  });
});
