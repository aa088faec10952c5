import { strict as assert } from 'node:assert';
import { CommitError, DeviceProtocolError, DeviceTimeoutError, InputError, LockedError } from '@netloom/ports';
import { type LockEvent, type Monitor, type MonitorMethod, OvsdbClient, type Row, type TableChange, type Uuid, namedUuid, op } from '@netloom/ovsdb';
import { type OvsSandbox, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { TcpProxy, eventually } from './support';

const DB = 'Open_vSwitch';

interface PortRow extends Row {
  readonly name: string;
  readonly tag: number | null;
  readonly trunks: readonly number[];
  readonly interfaces: readonly Uuid[];
  readonly external_ids: ReadonlyMap<string, string>;
}

interface BridgeRow extends Row {
  readonly name: string;
  readonly ports: readonly Uuid[];
}

/** Lines of `ovs-vsctl --bare --columns=<column> list <table>`, sorted. */
async function listColumn(ovs: OvsSandbox, table: string, column: string): Promise<string[]> {
  const out = await ovs.vsctl('--bare', `--columns=${column}`, 'list', table);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .sort();
}

/** One transaction that creates bridge `br` with port/interface `port` (access VLAN `tag`) under the root row. */
function addBridgeOps(br: string, port: string, tag: number) {
  return [
    op.insert('Interface', { name: port, type: 'internal' }, 'iface'),
    op.insert('Port', { name: port, interfaces: [namedUuid('iface')], tag }, 'port'),
    op.insert('Bridge', { name: br, ports: [namedUuid('port')] }, 'bridge'),
    op.mutate('Open_vSwitch', [], [['bridges', 'insert', [namedUuid('bridge')]]]),
  ] as const;
}

describe('OvsdbClient against ovsdb-server', function () {
  let ovs: OvsSandbox;
  let client: OvsdbClient;

  before(async function () {
    skipUnlessOvs(this, { vswitchd: false });
    ovs = await startOvsSandbox({ vswitchd: false });
    client = await OvsdbClient.connect({ remote: ovs.unixRemote });
  });

  after(async () => {
    await client?.close();
    await ovs?.stop();
  });

  it('lists the databases, fetches and validates the schema, answers echo', async () => {
    const dbs = await client.listDbs();
    assert.ok(dbs.includes(DB), dbs.join(','));
    const schema = await client.getSchema(DB);
    assert.equal(schema.name, DB);
    assert.equal(schema.tables.get('Open_vSwitch')!.isRoot, true);
    assert.equal(schema.tables.get('Port')!.isRoot, false);
    assert.deepEqual(schema.tables.get('Port')!.columns.get('tag')!.type, { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 1 });
    assert.deepEqual(await client.echo(['ping', 1]), ['ping', 1]);
    await assert.rejects(client.getSchema('Nope'), (e: unknown) => e instanceof DeviceProtocolError && /unknown database/.test(e.message));
  });

  it('inserts Bridge + Port + Interface in one transaction referenced from the root row; ovs-vsctl sees them', async () => {
    const [iface, port, bridge, mutate] = await client.transact(DB, addBridgeOps('br-a', 'pa', 10));
    assert.equal(mutate.count, 1);
    assert.deepEqual(await ovs.vsctl('list-br'), 'br-a');
    assert.equal(await ovs.vsctl('list-ports', 'br-a'), 'pa');
    assert.equal(await ovs.vsctl('get', 'Bridge', 'br-a', '_uuid'), bridge.uuid);
    assert.equal(await ovs.vsctl('get', 'Port', 'pa', '_uuid'), port.uuid);
    assert.equal(await ovs.vsctl('get', 'Interface', 'pa', '_uuid'), iface.uuid);
    assert.equal(await ovs.vsctl('get', 'Port', 'pa', 'tag'), '10');
    assert.equal(await ovs.vsctl('get', 'Interface', 'pa', 'type'), 'internal');
  });

  it('updates a map (external_ids), a set (trunks) and an optional value (tag); select reads them back typed', async () => {
    await client.transact(DB, [op.update('Port', [['name', '==', 'pa']], { external_ids: { owner: 'netloom', 'netloom/vpc': 'blue' }, trunks: [30, 10, 20] })]);
    assert.equal(await ovs.vsctl('get', 'Port', 'pa', 'external_ids'), '{"netloom/vpc"=blue, owner=netloom}');
    assert.equal(await ovs.vsctl('get', 'Port', 'pa', 'trunks'), '[10, 20, 30]');
    await client.transact(DB, [
      op.mutate('Port', [['name', '==', 'pa']], [
        ['external_ids', 'insert', { zone: 'a' }],
        ['external_ids', 'delete', ['netloom/vpc']],
        ['trunks', 'delete', [20]],
        ['trunks', 'insert', [40]],
      ]),
      op.update('Port', [['name', '==', 'pa']], { tag: null }),
    ]);
    assert.equal(await ovs.vsctl('get', 'Port', 'pa', 'external_ids'), '{owner=netloom, zone=a}');
    assert.equal(await ovs.vsctl('get', 'Port', 'pa', 'trunks'), '[10, 30, 40]');
    assert.equal(await ovs.vsctl('get', 'Port', 'pa', 'tag'), '[]');
    const [{ rows }] = await client.transact(DB, [op.select<PortRow>('Port', [['external_ids', 'includes', { owner: 'netloom' }]], ['name', 'tag', 'trunks', 'external_ids'])] as const);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0], { name: 'pa', tag: null, trunks: [10, 30, 40], external_ids: new Map([['owner', 'netloom'], ['zone', 'a']]) });
  });

  it('deletes with referential integrity: a referenced row cannot go, an unreferenced Port is garbage-collected', async () => {
    // Bridge br-a is still in Open_vSwitch.bridges (a strong reference from the root row).
    await assert.rejects(client.transact(DB, [op.delete('Bridge', [['name', '==', 'br-a']])]), (e: unknown) => {
      assert.ok(e instanceof CommitError, String(e));
      assert.equal(e.details['error'], 'referential integrity violation');
      assert.equal(e.details['opIndex'], 1, 'the commit itself failed (index = number of operations)');
      assert.equal(e.details['op'], 'commit');
      return true;
    });
    assert.equal(await ovs.vsctl('list-br'), 'br-a');

    // A Port inserted without any reference vanishes at commit (Port is not a root table).
    const [orphan] = await client.transact(DB, [
      op.insert('Interface', { name: 'orphan' }, 'i'),
      op.insert('Port', { name: 'orphan', interfaces: [namedUuid('i')] }),
    ]);
    assert.ok(orphan.uuid.length > 0);
    assert.deepEqual(await listColumn(ovs, 'Port', 'name'), ['pa']);

    // Dropping the bridge's reference to its port garbage-collects the port and, through it, the interface.
    const portUuid = await ovs.vsctl('get', 'Port', 'pa', '_uuid');
    const [m] = await client.transact(DB, [op.mutate('Bridge', [['name', '==', 'br-a']], [['ports', 'delete', [portUuid]]])]);
    assert.equal(m.count, 1);
    assert.deepEqual(await listColumn(ovs, 'Port', 'name'), []);
    assert.deepEqual(await listColumn(ovs, 'Interface', 'name'), []);

    // Removing the bridge from the root set collects the bridge.
    await client.transact(DB, [op.mutate('Open_vSwitch', [], [['bridges', 'delete', [await ovs.vsctl('get', 'Bridge', 'br-a', '_uuid')]]])]);
    assert.equal(await ovs.vsctl('list-br'), '');
  });

  it('maps operation errors to netloom errors carrying the op index, error and details', async () => {
    await client.transact(DB, addBridgeOps('br-e', 'pe', 5));
    await assert.rejects(client.transact(DB, [op.comment('x'), op.mutate('Port', [['name', '==', 'pe']], [['tag', '+=', 5000]])]), (e: unknown) => {
      assert.ok(e instanceof CommitError, String(e));
      assert.deepEqual(
        { ...e.details },
        { database: DB, opIndex: 1, op: 'mutate', table: 'Port', error: 'constraint violation', errorDetails: '5005 is not in the valid range 0 to 4095 (inclusive)' },
      );
      assert.match(e.message, /failed at operation 1 \(mutate Port\): constraint violation/);
      return true;
    });
    await assert.rejects(client.transact(DB, [op.wait('Port', [['name', '==', 'pe']], ['tag'], '==', [{ tag: 7 }], 0)]), (e: unknown) => {
      assert.ok(e instanceof DeviceTimeoutError, String(e));
      assert.equal(e.details['error'], 'timed out');
      assert.equal(e.details['opIndex'], 0);
      return true;
    });
    await assert.rejects(client.transact(DB, [op.abort()]), (e: unknown) => e instanceof CommitError && e.details['error'] === 'aborted');
    await assert.rejects(client.transact(DB, [op.assert('nobody_holds_this')]), (e: unknown) => e instanceof LockedError && e.details['error'] === 'not owner');
    await assert.rejects(
      client.transact(DB, [op.insert('Bridge', { name: 'br-e' }, 'dup'), op.mutate('Open_vSwitch', [], [['bridges', 'insert', [namedUuid('dup')]]])]),
      (e: unknown) => e instanceof CommitError && e.details['error'] === 'constraint violation' && /index on column "name"/.test(String(e.details['errorDetails'])),
    );
    // A satisfied wait passes.
    const [w] = await client.transact(DB, [op.wait('Port', [['name', '==', 'pe']], ['tag'], '==', [{ tag: 5 }], 0)] as const);
    assert.deepEqual(w, {});
  });

  it('is atomic: when the third operation fails, the first two leave nothing behind', async () => {
    await assert.rejects(
      client.transact(DB, [
        op.mutate('Open_vSwitch', [], [['external_ids', 'insert', { atomic: 'yes' }]]),
        op.update('Port', [['name', '==', 'pe']], { tag: 99 }),
        op.mutate('Port', [['name', '==', 'pe']], [['tag', '+=', 4000]]),
      ]),
      (e: unknown) => e instanceof CommitError && e.details['opIndex'] === 2 && e.details['error'] === 'constraint violation',
    );
    assert.equal(await ovs.vsctl('get', 'Port', 'pe', 'tag'), '5');
    assert.equal(await ovs.vsctl('--if-exists', 'get', 'Open_vSwitch', '.', 'external_ids:atomic'), '');
  });

  it('rejects type errors before anything reaches the server', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: ovs.tcpPort });
    const metered = await OvsdbClient.connect({ remote: proxy.remote, probeIntervalMs: 0 });
    try {
      await metered.getSchema(DB); // cached: the transact below needs nothing more from the server
      const sent = proxy.bytesFromClients;
      await assert.rejects(
        metered.transact(DB, [
          op.mutate('Open_vSwitch', [], [['external_ids', 'insert', { typed: 'no' }]]),
          op.insert('Port', { name: 'bad', interfaces: [], tag: 5000, vlan_mode: 'sideways', trunks: ['x' as unknown as number] }),
        ]),
        (e: unknown) => {
          assert.ok(e instanceof InputError, String(e));
          assert.deepEqual(
            e.problems.map((p) => p.path),
            ['ops[1].Port.interfaces', 'ops[1].Port.tag', 'ops[1].Port.vlan_mode', 'ops[1].Port.trunks[0]'],
          );
          assert.match(e.message, /ops\[1\]\.Port\.tag: 5000 is outside 0\.\.4095/);
          return true;
        },
      );
      assert.equal(proxy.bytesFromClients, sent, 'nothing was sent');
      assert.equal(await ovs.vsctl('--if-exists', 'get', 'Open_vSwitch', '.', 'external_ids:typed'), '');
    } finally {
      await metered.close();
      await proxy.close();
    }
  });

  it('cancels a transaction blocked in wait (CommitError "canceled"); the session stays usable', async () => {
    const abort = new AbortController();
    const blocked = client.transact(DB, [op.wait('Port', [['name', '==', 'pe']], ['tag'], '==', [{ tag: 1 }], 60_000)], { signal: abort.signal, timeoutMs: 0 });
    await new Promise((r) => setImmediate(r)); // the transact is on the wire now
    await client.echo(); // ... and the server, answering in order, has taken it up and is blocked in the wait
    abort.abort();
    await assert.rejects(blocked, (e: unknown) => e instanceof CommitError && e.details['error'] === 'canceled');
    assert.deepEqual(await client.echo(['still here']), ['still here']);
  });

  for (const method of ['monitor', 'monitor_cond'] as const satisfies readonly MonitorMethod[]) {
    it(`${method}: the replica follows inserts, modifications and deletions made by ovs-vsctl`, async () => {
      const changes: TableChange[] = [];
      const mon: Monitor = await client.monitor(DB, { Bridge: { columns: ['name', 'ports'] }, Port: { columns: ['name', 'tag', 'trunks', 'external_ids', 'interfaces'] } }, { method, onChange: (c) => changes.push(c) });
      try {
        const names = (): string[] => [...mon.rows<BridgeRow>('Bridge').values()].map((r) => r.name).sort();
        assert.deepEqual(names(), ['br-e'], 'initial contents');
        assert.ok(changes.some((c) => c.cause === 'initial' && c.table === 'Bridge' && c.inserted.length === 1));

        await ovs.vsctl('--no-wait', 'add-br', `br-${method}`, '--', 'add-port', `br-${method}`, `p-${method}`, 'tag=7');
        const port = await eventually('the new port in the replica', () => mon.find<PortRow>('Port', (r) => r.name === `p-${method}`)[0]);
        assert.equal(port.tag, 7);
        assert.equal(port._uuid, await ovs.vsctl('get', 'Port', `p-${method}`, '_uuid'));
        assert.deepEqual(names(), ['br-e', `br-${method}`]);
        assert.ok(changes.some((c) => c.cause === 'update' && c.table === 'Port' && c.inserted.some((r) => r['name'] === `p-${method}`)));

        await ovs.vsctl('--no-wait', 'set', 'Port', `p-${method}`, 'tag=8', 'trunks=1,2', 'external_ids:k=v');
        const updated = await eventually('the modified port', () => {
          const r = mon.get<PortRow>('Port', port._uuid);
          return r !== undefined && r.tag === 8 ? r : undefined;
        });
        assert.deepEqual(updated.trunks, [1, 2]);
        assert.deepEqual(updated.external_ids, new Map([['k', 'v']]));
        const mod = changes.find((c) => c.table === 'Port' && c.updated.some((u) => u.new._uuid === port._uuid && u.new['tag'] === 8));
        assert.ok(mod, 'a change event with old and new');
        const u = mod.updated.find((x) => x.new._uuid === port._uuid)!;
        assert.equal(u.old['tag'], 7, 'old row is whole, before the change');
        assert.equal(u.old['name'], `p-${method}`);

        await ovs.vsctl('--no-wait', 'clear', 'Port', `p-${method}`, 'tag', '--', 'remove', 'Port', `p-${method}`, 'external_ids', 'k');
        await eventually('tag cleared', () => mon.get<PortRow>('Port', port._uuid)?.tag === null);
        assert.deepEqual(mon.get<PortRow>('Port', port._uuid)!.external_ids, new Map());

        await ovs.vsctl('--no-wait', 'del-br', `br-${method}`);
        await eventually('the port gone from the replica', () => mon.get('Port', port._uuid) === undefined);
        assert.deepEqual(names(), ['br-e']);
        assert.ok(changes.some((c) => c.table === 'Port' && c.deleted.some((r) => r._uuid === port._uuid && r['name'] === `p-${method}`)));
      } finally {
        await mon.cancel();
      }
    });
  }

  it('monitor_cond with where replicates only the matching rows', async () => {
    const mon = await client.monitor(DB, { Port: { columns: ['name', 'tag'], where: [['tag', '==', 100], ['name', '==', 'pe']] } });
    try {
      await ovs.vsctl('--no-wait', 'add-port', 'br-e', 'p100', 'tag=100', '--', 'add-port', 'br-e', 'p200', 'tag=200');
      await eventually('p100 replicated', () => mon.find('Port', (r) => r['name'] === 'p100').length === 1);
      await client.echo(); // ovsdb-server flushes monitor updates before any reply: p200's would have come by now
      assert.deepEqual([...mon.rows('Port').values()].map((r) => r['name']).sort(), ['p100', 'pe']);
      await ovs.vsctl('--no-wait', 'set', 'Port', 'p100', 'tag=101');
      await eventually('p100 left the condition', () => mon.find('Port', (r) => r['name'] === 'p100').length === 0);
    } finally {
      await mon.cancel();
      await ovs.vsctl('--no-wait', 'del-port', 'p100', '--', 'del-port', 'p200');
    }
  });

  it('monitor_cancel stops the replica from following', async () => {
    const mon = await client.monitor(DB, { Port: { columns: ['name', 'tag'] } });
    const before = [...mon.rows('Port').values()].map((r) => r['name']).sort();
    await mon.cancel();
    assert.equal(mon.active, false);
    await ovs.vsctl('--no-wait', 'add-port', 'br-e', 'p-after-cancel');
    await client.echo(); // any update would have been flushed before this reply
    assert.deepEqual([...mon.rows('Port').values()].map((r) => r['name']).sort(), before);
    await ovs.vsctl('--no-wait', 'del-port', 'p-after-cancel');
  });

  it('lock: a second client cannot get the lock, and its assert-guarded transaction fails with LockedError', async () => {
    const other = await OvsdbClient.connect({ remote: `tcp:127.0.0.1:${ovs.tcpPort}` });
    const events: LockEvent[] = [];
    other.onLock((e) => events.push(e));
    const guarded = (value: string) => [op.assert('netloom_writer'), op.mutate('Open_vSwitch', [], [['external_ids', 'insert', { writer: value }]])] as const;
    try {
      await assert.rejects(client.lock('netloom-writer'), (e: unknown) => e instanceof InputError && /not an <id>/.test(e.message));
      assert.deepEqual(await client.lock('netloom_writer'), { locked: true });
      assert.deepEqual(await other.lock('netloom_writer'), { locked: false });
      assert.equal(other.holdsLock('netloom_writer'), false);
      await assert.rejects(other.transact(DB, guarded('other')), (e: unknown) => e instanceof LockedError && e.details['opIndex'] === 0);
      assert.equal(await ovs.vsctl('--if-exists', 'get', 'Open_vSwitch', '.', 'external_ids:writer'), '');
      await client.transact(DB, guarded('first'));
      assert.equal(await ovs.vsctl('get', 'Open_vSwitch', '.', 'external_ids:writer'), 'first');

      // Releasing hands the lock to the queued client.
      await client.unlock('netloom_writer');
      await eventually('the lock granted to the waiting client', () => other.holdsLock('netloom_writer'));
      assert.deepEqual(events, [{ lock: 'netloom_writer', event: 'locked' }]);
      await other.transact(DB, [op.assert('netloom_writer'), op.mutate('Open_vSwitch', [], [['external_ids', 'delete', ['writer']]])]);

      // Stealing takes it back.
      assert.deepEqual(await client.steal('netloom_writer'), { locked: true });
      await eventually('the stolen notice', () => events.some((e) => e.event === 'stolen'));
      assert.equal(other.holdsLock('netloom_writer'), false);
      await client.unlock('netloom_writer');
    } finally {
      await other.close();
    }
  });

  it('works over a tcp: remote too', async () => {
    const tcp = await OvsdbClient.connect({ remote: `tcp:127.0.0.1:${ovs.tcpPort}` });
    try {
      assert.equal(tcp.remote, `tcp:127.0.0.1:${ovs.tcpPort}`);
      const [{ rows }] = await tcp.transact(DB, [op.select<BridgeRow>('Bridge', [['name', '==', 'br-e']], ['name'])] as const);
      assert.deepEqual(rows, [{ name: 'br-e' }]);
    } finally {
      await tcp.close();
    }
  });
});

describe('OvsdbClient on the hardware_vtep database', function () {
  let ovs: OvsSandbox;
  let client: OvsdbClient;

  before(async function () {
    skipUnlessOvs(this, { vtep: true });
    ovs = await startOvsSandbox({ vtep: true });
    client = await OvsdbClient.connect({ remote: ovs.unixRemote });
  });

  after(async () => {
    await client?.close();
    await ovs?.stop();
  });

  it('creates a physical switch, port binding and logical switch that vtep-ctl reads back', async () => {
    assert.ok((await client.listDbs()).includes('hardware_vtep'));
    const schema = await client.getSchema('hardware_vtep');
    assert.deepEqual(schema.tables.get('Physical_Port')!.columns.get('vlan_bindings')!.type.key, { type: 'integer', minInteger: 0, maxInteger: 4095 });
    await client.transact('hardware_vtep', [
      op.insert('Logical_Switch', { name: 'ls5000', tunnel_key: 5000 }, 'ls'),
      op.insert('Physical_Port', { name: 'p1', vlan_bindings: new Map([[100, namedUuid('ls')]]) }, 'pp'),
      op.insert('Physical_Switch', { name: 'leaf1', ports: [namedUuid('pp')], tunnel_ips: ['127.0.0.1'] }, 'ps'),
      op.insert('Global', { switches: [namedUuid('ps')] }),
    ]);
    assert.equal(await ovs.vtepctl('list-ps'), 'leaf1');
    assert.equal(await ovs.vtepctl('list-ls'), 'ls5000');
    assert.equal(await ovs.vtepctl('list-ports', 'leaf1'), 'p1');
    assert.equal(await ovs.vtepctl('list-bindings', 'leaf1', 'p1'), '0100 ls5000');
    assert.equal(await ovs.vtepctl('get', 'Logical_Switch', 'ls5000', 'tunnel_key'), '5000');

    const mon = await client.monitor('hardware_vtep', { Logical_Switch: { columns: ['name', 'tunnel_key'] } });
    try {
      await ovs.vtepctl('add-ls', 'ls6000', '--', 'set', 'Logical_Switch', 'ls6000', 'tunnel_key=6000');
      await eventually('ls6000 replicated', () => mon.find('Logical_Switch', (r) => r['name'] === 'ls6000' && r['tunnel_key'] === 6000).length === 1);
    } finally {
      await mon.cancel();
    }
  });
});
