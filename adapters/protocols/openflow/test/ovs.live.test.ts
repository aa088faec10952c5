/**
 * The controller against a real ovs-vswitchd (userspace datapath, fail_mode=secure, protocols=OpenFlow13) in the
 * OVS sandbox of `@netloom/ovsdb/testing`. Flows written through the package are read back twice: as text with
 * `ovs-ofctl -O OpenFlow13 dump-flows` and with the package's own flow-stats decoder (deepEqual to what was written).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { type OvsSandbox, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { CommitError, type Logger } from '@netloom/ports';
import {
  type DisconnectInfo,
  type FlowMod,
  type HandshakeFailure,
  OpenFlowController,
  type PacketInEvent,
  type PortStatusEvent,
  type SwitchConnection,
} from '@netloom/openflow';

interface LogEntry {
  readonly level: string;
  readonly msg: string;
  readonly obj: Record<string, unknown>;
}

/** A logger that records every entry (to observe echo answers and multipart parts). */
function recordingLogger(entries: LogEntry[]): Logger {
  const make = (bindings: Record<string, unknown>): Logger => {
    const rec = (level: string) => (obj: object, msg?: string) => entries.push({ level, msg: msg ?? '', obj: { ...bindings, ...(obj as Record<string, unknown>) } });
    return { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error'), child: (b) => make({ ...bindings, ...b }) };
  };
  return make({});
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP port free right now on 127.0.0.1. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The dump-flows line of the flow with this cookie. */
function lineOf(dump: string, cookie: bigint): string {
  const line = dump.split('\n').find((l) => l.includes(`cookie=0x${cookie.toString(16)},`));
  assert.ok(line !== undefined, `no flow with cookie 0x${cookie.toString(16)} in:\n${dump}`);
  return line;
}

const NL = 0x4e4c000000000000n; // netloom's cookie prefix in these tests
const NL_MASK = 0xffff000000000000n;
const TUNNEL_PORT = 10;
const PACKET = 'ffffffffffff020000000001080045000014000040004011000000000a0000010a000002';

/** One flow per feature, with the text ovs-ofctl must print for it. */
const FLOWS: { mod: FlowMod; text: string[] }[] = [
  {
    mod: {
      command: 'add',
      tableId: 0,
      priority: 100,
      cookie: NL | 1n,
      match: { inPort: 1, vlanVid: 0x1000 | 100 },
      instructions: [{ type: 'applyActions', actions: [{ type: 'popVlan' }, { type: 'setField', field: 'tunnelId', value: 0x1388n }] }, { type: 'gotoTable', tableId: 1 }],
    },
    text: ['table=0', 'priority=100,in_port=1,dl_vlan=100', 'actions=pop_vlan,set_field:0x1388->tun_id,goto_table:1'],
  },
  {
    mod: {
      command: 'add',
      tableId: 1,
      priority: 200,
      cookie: NL | 2n,
      match: {
        ethType: 0x0800,
        ipProto: 6,
        ipv4Src: { value: '10.0.0.0', mask: '255.255.255.0' },
        ipv4Dst: '10.1.2.3',
        tcpDst: 80,
        ctState: { value: 0x21, mask: 0x21 },
        ctZone: 5,
        ctMark: 3,
        reg0: 7,
        reg7: { value: 0x10, mask: 0xf0 },
        tunnelId: 0x1388n,
      },
      instructions: [{ type: 'applyActions', actions: [{ type: 'ct', commit: true, zone: 5, table: 3 }, { type: 'resubmit', table: 4 }, { type: 'setField', field: 'reg1', value: 5 }, { type: 'ctClear' }] }],
    },
    text: ['ct_state=+new+trk', 'ct_zone=5', 'ct_mark=0x3', 'tcp', 'reg0=0x7', 'reg7=0x10/0xf0', 'tun_id=0x1388', 'nw_src=10.0.0.0/24', 'nw_dst=10.1.2.3', 'tp_dst=80', 'actions=ct(commit,table=3,zone=5),resubmit(,4),set_field:0x5->reg1,ct_clear'],
  },
  {
    mod: {
      command: 'add',
      tableId: 2,
      priority: 300,
      cookie: NL | 3n,
      match: {
        ethType: 0x86dd,
        ipProto: 17,
        ipv6Src: { value: 'fd00::', mask: 'ffff:ffff::' },
        ipv6Dst: 'fd00::1',
        udpSrc: 4789,
        ethSrc: 'aa:bb:cc:dd:ee:ff',
        ethDst: { value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' },
        metadata: { value: 0x10n, mask: 0xffn },
        tunnelId: { value: 0x1000n, mask: 0xfffff000n },
      },
      instructions: [
        {
          type: 'applyActions',
          actions: [
            { type: 'pushVlan' },
            { type: 'setField', field: 'vlanVid', value: 0x1000 | 200 },
            { type: 'setField', field: 'ethDst', value: '00:11:22:33:44:55' },
            { type: 'output', port: 'NORMAL' },
            { type: 'output', port: 'CONTROLLER' },
            { type: 'output', port: TUNNEL_PORT },
            { type: 'output', port: 'IN_PORT' },
            { type: 'output', port: 'FLOOD' },
            { type: 'output', port: 'ALL' },
            { type: 'output', port: 'LOCAL' },
          ],
        },
        { type: 'writeActions', actions: [{ type: 'output', port: 2 }] },
        { type: 'writeMetadata', metadata: 0x20n, mask: 0xf0n },
        { type: 'gotoTable', tableId: 5 },
      ],
    },
    text: [
      'udp6',
      'metadata=0x10/0xff',
      'dl_src=aa:bb:cc:dd:ee:ff',
      'dl_dst=01:00:00:00:00:00/01:00:00:00:00:00',
      'ipv6_src=fd00::/32',
      'ipv6_dst=fd00::1',
      'tp_src=4789',
      'tun_id=0x1000/0xfffff000',
      'actions=push_vlan:0x8100,set_field:4296->vlan_vid,set_field:00:11:22:33:44:55->eth_dst,NORMAL,CONTROLLER:65535,output:10,IN_PORT,FLOOD,ALL,LOCAL,write_actions(output:2),write_metadata:0x20/0xf0,goto_table:5',
    ],
  },
  {
    mod: { command: 'add', tableId: 3, priority: 1, cookie: NL | 4n, idleTimeout: 300, hardTimeout: 600, flags: ['sendFlowRem'], match: { vlanVid: 0 }, instructions: [{ type: 'clearActions' }] },
    text: ['idle_timeout=300', 'hard_timeout=600', 'send_flow_rem', 'priority=1,vlan_tci=0x0000/0x1fff', 'actions=clear_actions'],
  },
  {
    mod: {
      command: 'add',
      tableId: 3,
      priority: 2,
      cookie: NL | 5n,
      match: { ethType: 0x0800, vlanVid: { value: 0x1000, mask: 0x1000 } },
      instructions: [{ type: 'applyActions', actions: [{ type: 'ct', commit: true, zone: 7, actions: [{ type: 'setField', field: 'ctMark', value: 1 }] }, { type: 'group', groupId: 1 }] }],
    },
    text: ['vlan_tci=0x1000/0x1000', 'actions=ct(commit,zone=7,exec(set_field:0x1->ct_mark)),group:1'],
  },
  {
    // Flooding per VNI: traffic of tunnel key 5000 goes out every local port of the segment.
    mod: { command: 'add', tableId: 4, priority: 50, cookie: NL | 6n, match: { tunnelId: 5000n }, instructions: [{ type: 'applyActions', actions: [{ type: 'output', port: 1 }, { type: 'output', port: 2 }, { type: 'output', port: 3 }] }] },
    text: ['table=4', 'priority=50,tun_id=0x1388', 'actions=output:1,output:2,output:3'],
  },
];

describe('OpenFlow controller with a real ovs-vswitchd', function () {
  this.timeout(60_000);
  // Unique per run: every userspace bridge is also a tap device in the host namespace.
  const BR = `nlof${process.pid % 100000}`;
  let ovs: OvsSandbox | undefined;
  let controller: OpenFlowController | undefined;
  let datapathId = '';
  const log: LogEntry[] = [];

  const ofctl = (...args: string[]): Promise<string> => ovs!.ofctl(...args);
  const current = (): Promise<SwitchConnection> => controller!.waitForSwitch({ datapathId, timeoutMs: 15_000 });

  before(async function () {
    skipUnlessOvs(this, { vswitchd: true });
    ovs = await startOvsSandbox({ vswitchd: true });
    controller = await OpenFlowController.listen({ host: '127.0.0.1', port: 0, logger: recordingLogger(log), echoIntervalMs: 60_000, echoTimeoutMs: 120_000 });
    await ovs.vsctl('add-br', BR, '--', 'set', 'bridge', BR, 'datapath_type=netdev', 'fail_mode=secure', 'protocols=OpenFlow13');
    await ofctl('show', BR).catch((e: unknown) => {
      // Seen when another ovs-vswitchd with a userspace datapath runs in this network namespace (both want the
      // `ovs-netdev` tap device): fail with the reason instead of a connect timeout.
      const logTail = fs.readFileSync(path.join(ovs!.dir, 'vswitchd.log'), 'utf8').split('\n').filter((l) => /ERR|WARN/.test(l)).slice(-5).join('\n');
      throw new Error(`ovs-vswitchd did not create bridge ${BR} (another userspace ovs-vswitchd in this network namespace?): ${String(e)}\n${logTail}`);
    });
    await ovs.vsctl('add-port', BR, 'vxlan0', '--', 'set', 'interface', 'vxlan0', 'type=vxlan', 'options:remote_ip=127.0.0.2', 'options:key=flow', `ofport_request=${TUNNEL_PORT}`);
    await ovs.vsctl('set-controller', BR, `tcp:127.0.0.1:${controller.address()!.port}`);
    // OVS probes an idle controller connection with echo requests after this many ms (5 s is its minimum).
    await ovs.vsctl('set', 'controller', BR, 'inactivity_probe=5000');
    const sw = await controller.waitForSwitch({ timeoutMs: 15_000 });
    datapathId = sw.datapathId;
  });

  after(async () => {
    await controller?.close();
    await ovs?.stop();
  });

  beforeEach(async () => {
    if (ovs !== undefined) await ofctl('del-flows', BR);
  });

  it('the switch connects; its datapath id equals ovs-vsctl get bridge datapath_id; ports come from port-desc', async () => {
    const sw = await current();
    assert.equal(sw.datapathId, JSON.parse(await ovs!.vsctl('get', 'bridge', BR, 'datapath_id')) as string);
    assert.match(sw.datapathId, /^[0-9a-f]{16}$/);
    assert.equal(sw.version, 4);
    assert.equal(sw.port(BR)?.portNo, 'LOCAL');
    assert.equal(sw.port(BR)?.hwAddr, JSON.parse(await ovs!.vsctl('get', 'interface', BR, 'mac_in_use')) as string);
    assert.equal(sw.port('vxlan0')?.portNo, TUNNEL_PORT);
    assert.deepEqual((await sw.refreshPorts()).map((p) => p.name).sort(), [BR, 'vxlan0'].sort());
  });

  it('flows with every match field and action kind appear in ovs-ofctl dump-flows as intended', async () => {
    const sw = await current();
    await ofctl('add-group', BR, `group_id=1,type=all,bucket=output:${TUNNEL_PORT}`);
    try {
      await sw.applyFlowMods(FLOWS.map((f) => f.mod));
      const dump = await ofctl('dump-flows', BR);
      for (const f of FLOWS) {
        const line = lineOf(dump, f.mod.cookie!);
        for (const text of f.text) assert.ok(line.includes(text), `flow 0x${f.mod.cookie!.toString(16)} lacks ${JSON.stringify(text)}:\n${line}`);
      }
    } finally {
      await ofctl('del-groups', BR);
    }
  });

  it('flow stats decode back into exactly the Match and Instructions that were written', async () => {
    const sw = await current();
    await ofctl('add-group', BR, `group_id=1,type=all,bucket=output:${TUNNEL_PORT}`);
    try {
      await sw.applyFlowMods(FLOWS.map((f) => f.mod));
      const read = await sw.dumpFlows({ cookie: NL, cookieMask: NL_MASK });
      assert.equal(read.length, FLOWS.length);
      for (const { mod } of FLOWS) {
        const got = read.find((r) => r.cookie === mod.cookie);
        assert.ok(got !== undefined, `flow 0x${mod.cookie!.toString(16)} not read back`);
        assert.deepEqual(got.match, mod.match);
        assert.deepEqual(got.instructions, mod.instructions);
        assert.deepEqual(
          { tableId: got.tableId, priority: got.priority, idleTimeout: got.idleTimeout, hardTimeout: got.hardTimeout, flags: got.flags },
          { tableId: mod.tableId, priority: mod.priority, idleTimeout: mod.idleTimeout ?? 0, hardTimeout: mod.hardTimeout ?? 0, flags: mod.flags ?? [] },
        );
      }
      const filtered = await sw.dumpFlows({ tableId: 3, cookie: NL, cookieMask: NL_MASK });
      assert.deepEqual(filtered.map((f) => f.cookie).sort(), [NL | 4n, NL | 5n]);
    } finally {
      await ofctl('del-groups', BR);
    }
  });

  it('flow stats carry the packet and byte counters and the duration', async () => {
    const sw = await current();
    await sw.applyFlowMods([{ command: 'add', priority: 1, cookie: NL | 0x99n, match: { inPort: 'LOCAL', ethType: 0x0800 } }]);
    for (let i = 0; i < 3; i++) await ofctl('packet-out', BR, `in_port=LOCAL packet=${PACKET} actions=TABLE`);
    const [flow] = await sw.dumpFlows({ cookie: NL | 0x99n, cookieMask: 0xffffffffffffffffn });
    const line = lineOf(await ofctl('dump-flows', BR), NL | 0x99n);
    assert.equal(flow?.packetCount, 3n);
    assert.equal(String(flow?.byteCount), /n_bytes=(\d+)/.exec(line)?.[1]);
    assert.ok(flow!.byteCount >= 3n * BigInt(PACKET.length / 2));
    assert.ok(flow!.durationSec >= 0 && flow!.durationNsec < 1_000_000_000);
    assert.deepEqual(flow?.instructions, [], 'no instructions = drop');
  });

  it('multipart continuation: 3000 flows are read back completely from several reply parts', async () => {
    const sw = await current();
    const mods: FlowMod[] = [];
    for (let i = 0; i < 3000; i++) {
      mods.push({
        command: 'add',
        tableId: 7,
        priority: 10,
        cookie: NL | BigInt(0x10000 + i),
        match: { ethType: 0x0800, ipv4Dst: `10.${(i >> 8) & 255}.${i & 255}.1`, reg3: i },
        instructions: [{ type: 'applyActions', actions: [{ type: 'setField', field: 'tunnelId', value: BigInt(i) }, { type: 'output', port: TUNNEL_PORT }] }],
      });
    }
    await sw.applyFlowMods(mods);
    const mark = log.length;
    const read = await sw.dumpFlows({ tableId: 7 });
    assert.equal(read.length, 3000);
    const byCookie = new Map(read.map((f) => [f.cookie, f]));
    for (const m of [mods[0]!, mods[1500]!, mods[2999]!]) {
      assert.deepEqual(byCookie.get(m.cookie!)?.match, m.match);
      assert.deepEqual(byCookie.get(m.cookie!)?.instructions, m.instructions);
    }
    const done = log.slice(mark).find((e) => e.msg === 'multipart reply complete' && e.obj['what'] === 'flow stats request');
    assert.ok(done !== undefined && (done.obj['parts'] as number) > 1, `expected several reply parts, got ${JSON.stringify(done?.obj)}`);
  });

  it('delete by cookie mask removes netloom flows and leaves a flow with another cookie (added by ovs-ofctl) in place', async () => {
    const sw = await current();
    await ofctl('add-flow', BR, 'table=0,priority=5,cookie=0x1234,in_port=2,actions=drop');
    await sw.applyFlowMods([
      { command: 'add', tableId: 0, priority: 5, cookie: NL | 1n, match: { inPort: 3 } },
      { command: 'add', tableId: 6, priority: 5, cookie: NL | 2n, match: { inPort: 4 } },
    ]);
    assert.equal((await sw.dumpFlows()).length, 3);
    await sw.applyFlowMods([{ command: 'delete', tableId: 'all', cookie: NL, cookieMask: NL_MASK }]);
    const dump = await ofctl('dump-flows', BR);
    assert.ok(lineOf(dump, 0x1234n).includes('in_port=2'));
    assert.doesNotMatch(dump, /cookie=0x4e4c/);
    assert.deepEqual((await sw.dumpFlows()).map((f) => f.cookie), [0x1234n]);
  });

  it("another controller's flow with actions not modelled here (nat, learn) reads back raw and writes back unchanged", async () => {
    const sw = await current();
    await ofctl('add-flow', BR, 'table=6,priority=1,cookie=0x66,ip,actions=ct(commit,nat(src=10.0.0.1)),learn(table=9,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])');
    const text = async (): Promise<string> => lineOf(await ofctl('dump-flows', BR), 0x66n).replace(/ duration=[^,]+,/, '');
    const original = await text();
    const [flow] = await sw.dumpFlows({ cookie: 0x66n, cookieMask: 0xffffffffffffffffn });
    assert.ok(flow !== undefined);
    const actions = flow.instructions[0]?.type === 'applyActions' ? flow.instructions[0].actions : [];
    assert.deepEqual(
      actions.map((a) => (a.type === 'ct' ? `ct:${(a.actions ?? []).map((n) => n.type).join('+')}` : a.type)),
      ['ct:raw', 'raw'],
    );
    await sw.applyFlowMods([
      { command: 'deleteStrict', tableId: 6, priority: 1, match: flow.match },
      { command: 'add', tableId: flow.tableId, priority: flow.priority, cookie: flow.cookie, match: flow.match, instructions: flow.instructions },
    ]);
    assert.equal(await text(), original);
  });

  it('modify and delete_strict act on the exact flow only', async () => {
    const sw = await current();
    const base = { tableId: 0, cookie: NL | 7n, match: { inPort: 5 } } as const;
    await sw.applyFlowMods([
      { ...base, command: 'add', priority: 10, instructions: [{ type: 'applyActions', actions: [{ type: 'output', port: 1 }] }] },
      { ...base, command: 'add', priority: 20, instructions: [{ type: 'applyActions', actions: [{ type: 'output', port: 1 }] }] },
    ]);
    await sw.applyFlowMods([{ ...base, command: 'modifyStrict', priority: 20, cookieMask: 0xffffffffffffffffn, instructions: [{ type: 'applyActions', actions: [{ type: 'output', port: 2 }] }] }]);
    await sw.applyFlowMods([{ ...base, command: 'deleteStrict', priority: 10 }]);
    const left = await sw.dumpFlows({ cookie: NL, cookieMask: NL_MASK });
    assert.deepEqual(
      left.map((f) => [f.priority, f.instructions]),
      [[20, [{ type: 'applyActions', actions: [{ type: 'output', port: 2 }] }]]],
    );
    await sw.applyFlowMods([{ command: 'modify', tableId: 0, cookie: NL, cookieMask: NL_MASK, match: {}, instructions: [{ type: 'applyActions', actions: [{ type: 'output', port: 3 }] }] }]);
    assert.match(await ofctl('dump-flows', BR), /priority=20,in_port=5 actions=output:3/);
  });

  it('a flow_mod the switch refuses (goto_table to a lower table) rejects its batch with CommitError; the rest of the batch is applied', async () => {
    const sw = await current();
    await assert.rejects(
      sw.applyFlowMods([
        { command: 'add', tableId: 0, priority: 1, cookie: NL | 1n, match: { inPort: 1 } },
        { command: 'add', tableId: 3, priority: 1, cookie: NL | 2n, instructions: [{ type: 'gotoTable', tableId: 1 }] },
        { command: 'add', tableId: 0, priority: 1, cookie: NL | 3n, match: { inPort: 2 } },
      ]),
      (e: unknown) => {
        assert.ok(e instanceof CommitError);
        assert.equal(e.details['ofTypeName'], 'BAD_INSTRUCTION');
        assert.equal(e.details['ofCodeName'], 'BAD_TABLE_ID');
        assert.equal(e.details['ofType'], 3);
        assert.equal(e.details['ofCode'], 2);
        assert.equal(e.details['index'], 1);
        assert.equal(e.details['datapathId'], datapathId);
        assert.equal(typeof e.details['xid'], 'number');
        const dataHex = e.details['dataHex'] as string;
        assert.equal(dataHex.slice(0, 4), '040e', 'the data starts with the refused OFPT_FLOW_MOD header');
        assert.equal(parseInt(dataHex.slice(8, 16), 16), e.details['xid'], 'and its xid');
        return true;
      },
    );
    assert.deepEqual((await sw.dumpFlows()).map((f) => f.cookie).sort(), [NL | 1n, NL | 3n]);
  });

  it('output to an invalid port is BAD_ACTION/BAD_OUT_PORT; a missing prerequisite is BAD_MATCH/BAD_PREREQ', async () => {
    const sw = await current();
    await assert.rejects(
      sw.applyFlowMods([{ command: 'add', priority: 1, instructions: [{ type: 'applyActions', actions: [{ type: 'output', port: 0xffffff80 }] }] }]),
      (e: unknown) => e instanceof CommitError && e.details['ofTypeName'] === 'BAD_ACTION' && e.details['ofCodeName'] === 'BAD_OUT_PORT',
    );
    await assert.rejects(
      sw.applyFlowMods([{ command: 'add', priority: 1, match: { tcpDst: 80 } }]),
      (e: unknown) => e instanceof CommitError && e.details['ofTypeName'] === 'BAD_MATCH' && e.details['ofCodeName'] === 'BAD_PREREQ' && /BAD_MATCH\/BAD_PREREQ/.test(e.message),
    );
    assert.ok(sw.isOpen);
  });

  it('barrier ordering: batches sent back to back are confirmed in order, and a resolved batch is visible on the switch', async () => {
    const sw = await current();
    const order: string[] = [];
    const out = (port: number) => [{ type: 'applyActions' as const, actions: [{ type: 'output' as const, port }] }];
    const a = sw.applyFlowMods([{ command: 'add', priority: 10, cookie: NL | 1n, match: { inPort: 1 }, instructions: out(2) }]).then(() => order.push('a'));
    const b = sw
      .applyFlowMods([
        { command: 'delete', tableId: 'all', cookie: NL | 1n, cookieMask: 0xffffffffffffffffn },
        { command: 'add', priority: 10, cookie: NL | 2n, match: { inPort: 2 }, instructions: out(1) },
      ])
      .then(() => order.push('b'));
    const c = sw.applyFlowMods([{ command: 'modify', cookie: NL | 2n, cookieMask: 0xffffffffffffffffn, instructions: out(3) }]).then(() => order.push('c'));
    const d = sw.barrier().then(() => order.push('d'));
    await Promise.all([a, b, c, d]);
    assert.deepEqual(order, ['a', 'b', 'c', 'd']);
    const dump = await ofctl('dump-flows', BR);
    assert.doesNotMatch(dump, /in_port=1 /);
    assert.match(lineOf(dump, NL | 2n), /in_port=2 actions=output:3/);
  });

  it('echo: OVS answers ours, and we answer its inactivity probes so it keeps the connection', async () => {
    const sw = await current();
    assert.equal((await sw.echo(Buffer.from('netloom'))).toString(), 'netloom');
    const disconnects: DisconnectInfo[] = [];
    sw.on('disconnected', (i) => disconnects.push(i));
    const answered = (): LogEntry[] => log.filter((e) => e.msg === 'echo request answered' && e.obj['datapathId'] === datapathId);
    const before = answered().length;
    // OVS drops a controller that leaves a probe unanswered for another probe interval, so a second probe on the
    // same connection proves the first was answered.
    await until('two inactivity probes from OVS', () => (answered().length >= before + 2 ? true : undefined), 25_000);
    assert.deepEqual(disconnects, []);
    assert.equal(controller!.getSwitch(datapathId), sw);
    assert.equal(await ovs!.vsctl('get', 'controller', BR, 'is_connected'), 'true');
  });

  it('adding and removing a VXLAN port is reported by PORT_STATUS and the port list follows', async () => {
    const sw = await current();
    const events: PortStatusEvent[] = [];
    sw.on('portStatus', (e) => events.push(e));
    await ovs!.vsctl('add-port', BR, 'vxlan1', '--', 'set', 'interface', 'vxlan1', 'type=vxlan', 'options:remote_ip=127.0.0.3', 'options:key=5000', 'ofport_request=11');
    await until('port-status add', () => events.find((e) => e.reason === 'add' && e.port.name === 'vxlan1'));
    assert.equal(sw.port('vxlan1')?.portNo, 11);
    await ovs!.vsctl('del-port', BR, 'vxlan1');
    await until('port-status delete', () => events.find((e) => e.reason === 'delete' && e.port.name === 'vxlan1'));
    assert.equal(sw.port('vxlan1'), undefined);
  });

  it('a packet-out to CONTROLLER comes back as a typed PACKET_IN', async () => {
    const sw = await current();
    const got = new Promise<PacketInEvent>((r) => sw.once('packetIn', r));
    await ofctl('packet-out', BR, `in_port=LOCAL packet=${PACKET} actions=CONTROLLER`);
    const ev = await got;
    assert.equal(ev.reasonName, 'action');
    assert.equal(ev.match.inPort, 'LOCAL');
    assert.equal(ev.totalLen, PACKET.length / 2);
    assert.equal(ev.data.toString('hex'), PACKET);
  });

  it('connect() dials a switch listening with ptcp: and reads the same datapath', async () => {
    const port = await freePort();
    await ovs!.vsctl('set-controller', BR, `tcp:127.0.0.1:${controller!.address()!.port}`, `ptcp:${port}:127.0.0.1`);
    const active = new OpenFlowController({ echoIntervalMs: 60_000, echoTimeoutMs: 120_000 });
    try {
      // ovs-vswitchd opens the passive port after reading the database: retry until it listens.
      const sw = await until('ovs-vswitchd to listen on ptcp', async () => active.connect({ host: '127.0.0.1', port }).catch(() => undefined));
      assert.equal(sw.datapathId, datapathId);
      assert.equal(sw.port('vxlan0')?.portNo, TUNNEL_PORT);
      await sw.applyFlowMods([{ command: 'add', priority: 3, cookie: NL | 0x77n, match: { inPort: 7 } }]);
      assert.ok(lineOf(await ofctl('dump-flows', BR), NL | 0x77n).includes('in_port=7'));
    } finally {
      await active.close();
      await ovs!.vsctl('set-controller', BR, `tcp:127.0.0.1:${controller!.address()!.port}`);
    }
  });

  it('a bridge limited to OpenFlow 1.0 is refused with HELLO_FAILED', async () => {
    const BR10 = `nlof10${process.pid % 100000}`;
    const failed = new Promise<HandshakeFailure>((r) => controller!.once('handshakeFailed', r));
    await ovs!.vsctl('add-br', BR10, '--', 'set', 'bridge', BR10, 'datapath_type=netdev', 'fail_mode=secure', 'protocols=OpenFlow10');
    try {
      await ovs!.vsctl('set-controller', BR10, `tcp:127.0.0.1:${controller!.address()!.port}`);
      const f = await failed;
      assert.equal(f.error.name, 'DeviceProtocolError');
      assert.match(f.error.message, /does not speak OpenFlow 1\.3 \(offered 0x01\); sent HELLO_FAILED/);
      assert.equal(controller!.switches.filter((s) => s.datapathId !== datapathId).length, 0);
    } finally {
      await ovs!.vsctl('del-br', BR10);
    }
  });

  it('del-controller is seen as disconnected; set-controller brings a new connection of the same datapath', async () => {
    const sw = await current();
    const gone = new Promise<DisconnectInfo>((r) => sw.once('disconnected', r));
    await ovs!.vsctl('del-controller', BR);
    assert.equal((await gone).reason, 'peerClosed');
    assert.equal(controller!.getSwitch(datapathId), undefined);
    const next = controller!.waitForSwitch({ datapathId, fresh: true, timeoutMs: 15_000 });
    await ovs!.vsctl('set-controller', BR, `tcp:127.0.0.1:${controller!.address()!.port}`);
    const sw2 = await next;
    assert.notEqual(sw2, sw);
    assert.equal(sw2.datapathId, datapathId);
    assert.equal((await sw2.echo(Buffer.from('back'))).toString(), 'back');
  });
});
