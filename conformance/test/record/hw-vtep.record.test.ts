// Live + record + replay at the OVSDB JSON-RPC level: the in-memory OVSDB simulator serving hardware_vtep plays a
// lab VTEP on 127.0.0.1, the hw-vtep adapter runs the fabric kit through the recording proxy, then replays.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { adapter } from '@netloom/adapter-hw-vtep';
import { fabricConformance, readSession, runChecks, type ConformanceReport } from '@netloom/conformance';
import { OvsdbSimulator, type OvsdbCommitEvent } from '@netloom/conformance/simulators';
import { alterRecording, assertDiverged, assertReplaysLive, cleanup, failedChecks, filesUnder, tempDir, writeTargetFile } from './support';

const ALLOWED = ['Ethernet1/3', 'Ethernet1/4'];
const VLANS = { from: 300, to: 309 };
const VNIS = { from: 910000, to: 910999 };
const PORTS = ['Ethernet1/1', 'Ethernet1/2', 'Ethernet1/3', 'Ethernet1/4'];

/** The values of an OVSDB wire map/set/atom as a list. */
function entries(v: unknown): unknown[] {
  if (Array.isArray(v) && (v[0] === 'map' || v[0] === 'set')) return v[1] as unknown[];
  return v === undefined ? [] : [v];
}

describe('live target with --record, and replay (ovsdb, the OVSDB simulator serving hardware_vtep as the lab device)', function () {
  this.timeout(240_000);
  let sim: OvsdbSimulator | undefined;
  let work: string | undefined;
  let recording = '';
  let live: ConformanceReport;
  const touched: string[] = [];

  before(async function () {
    work = tempDir('vtep-record');
    recording = path.join(work, 'recording');
    sim = new OvsdbSimulator({ databases: ['hardware_vtep'], unixSocket: false });
    const endpoint = await sim.start();
    const globals = sim.dump('hardware_vtep')['Global'] ?? [];
    await sim.transactDirect('hardware_vtep', [
      ...PORTS.map((name, i) => ({ op: 'insert', table: 'Physical_Port', row: { name }, 'uuid-name': `p${i}` })),
      { op: 'insert', table: 'Physical_Switch', row: { name: 'leaf1', ports: ['set', PORTS.map((_, i) => ['named-uuid', `p${i}`])], tunnel_ips: '127.0.0.1' }, 'uuid-name': 'ps' },
      globals.length === 0
        ? { op: 'insert', table: 'Global', row: { switches: ['named-uuid', 'ps'] } }
        : { op: 'mutate', table: 'Global', where: [], mutations: [['switches', 'insert', ['named-uuid', 'ps']]] },
    ]);
    // Every port binding and tunnel key any commit writes, to prove the run stayed inside allow.
    const names = new Map<string, string>();
    sim.onCommit((e: OvsdbCommitEvent) => {
      for (const [uuid, change] of Object.entries(e.changes['Physical_Port'] ?? {})) {
        const name = String(change.new?.['name'] ?? change.old?.['name'] ?? names.get(uuid) ?? uuid);
        names.set(uuid, name);
        for (const pair of entries(change.new?.['vlan_bindings'])) touched.push(`port ${name} vlan ${String((pair as unknown[])[0])}`);
      }
      for (const change of Object.values(e.changes['Logical_Switch'] ?? {})) for (const k of entries(change.new?.['tunnel_key'])) touched.push(`vni ${String(k)}`);
    });
    const file = writeTargetFile(work, {
      adapter: '@netloom/adapter-hw-vtep',
      port: 'fabric',
      device: { name: 'lab-vtep', address: endpoint.host!, port: endpoint.port!, options: { physicalSwitch: 'leaf1' } },
      credentials: {},
      allow: { interfaces: ALLOWED, vlans: VLANS, vnis: VNIS },
    });
    live = await runChecks(fabricConformance({ adapter, target: { kind: 'live', file, record: recording } }));
  });

  after(async function () {
    await sim?.stop();
    cleanup(work);
  });

  it('passes every check that runs live, and leaves no Logical_Switch behind', function () {
    assert.deepEqual(failedChecks(live), []);
    assert.ok(live.summary.passed >= 6, `only ${live.summary.passed} checks passed`);
    assert.deepEqual(sim!.dump('hardware_vtep')['Logical_Switch'] ?? [], []);
    for (const port of sim!.dump('hardware_vtep')['Physical_Port'] ?? []) assert.deepEqual(entries(port['vlan_bindings']), [], `port ${String(port['name'])} keeps a binding`);
  });

  it('never touches an interface, VLAN or VNI outside allow', function () {
    assert.ok(touched.length > 0, 'the run wrote nothing');
    const outside = touched.filter((t) => {
      const m = /^port (\S+) vlan (\d+)$/.exec(t);
      if (m !== null) return !ALLOWED.includes(m[1]!) || Number(m[2]) < VLANS.from || Number(m[2]) > VLANS.to;
      const v = Number(t.slice('vni '.length));
      return v < VNIS.from || v > VNIS.to;
    });
    assert.deepEqual(outside, []);
  });

  it('records OVSDB messages both ways, lock notifications included', function () {
    const methods = new Set<string>();
    for (const f of filesUnder(recording).filter((x) => /session-\d+\.json$/.test(x))) {
      for (const e of readSession(f).events) {
        const m = (e.message as { method?: unknown } | undefined)?.method;
        if (typeof m === 'string') methods.add(`${e.dir}:${m}`);
      }
    }
    for (const m of ['in:get_schema', 'in:transact', 'in:lock', 'in:unlock', 'out:locked']) assert.ok(methods.has(m), `${m} missing from ${[...methods].join(', ')}`);
  });

  it('replays with no device: every check that ran live passes again', async function () {
    await sim!.stop();
    const replay = await runChecks(fabricConformance({ adapter, target: { kind: 'replay', dir: recording } }));
    assertReplaysLive(replay, live);
  });

  it('fails on an altered recorded reply, naming the exchange', async function () {
    const copy = alterRecording<{ events: { dir: string; message?: { result?: unknown; error?: unknown } }[] }>(recording, path.join(work!, 'altered'), path.join('idempotency', 'default', 'session-1.json'), (session) => {
      // The device "answers" the last reply of the first connection with an error: the adapter goes on differently.
      const replies = session.events.filter((e) => e.dir === 'out' && e.message !== undefined && 'result' in e.message);
      const reply = replies[replies.length - 1];
      assert.ok(reply?.message !== undefined);
      reply.message.result = null;
      reply.message.error = 'unknown method';
    });
    const replay = await runChecks(fabricConformance({ adapter, target: { kind: 'replay', dir: copy } }), { only: ['idempotency'] });
    assertDiverged(replay, 'idempotency');
  });
});
