import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DeviceConnectionError } from '@netloom/ports';
import { type LockEvent, OvsdbClient, type Row, type StateEvent, type TableChange, type Uuid, namedUuid, op } from '@netloom/ovsdb';
import { type OvsSandbox, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { TcpProxy, activeTimers, eventually } from './support';

const run = promisify(execFile);
const DB = 'Open_vSwitch';

interface BridgeRow extends Row {
  readonly name: string;
  readonly external_ids: ReadonlyMap<string, string>;
}

function bridgeNames(rows: ReadonlyMap<Uuid, BridgeRow>): string[] {
  return [...rows.values()].map((r) => r.name).sort();
}

async function addBridge(client: OvsdbClient, name: string): Promise<void> {
  await client.transact(DB, [op.insert('Bridge', { name }, 'b'), op.mutate('Open_vSwitch', [], [['bridges', 'insert', [namedUuid('b')]]])]);
}

describe('OvsdbClient reconnect', function () {
  let ovs: OvsSandbox;

  before(async function () {
    skipUnlessOvs(this, { vswitchd: false });
    ovs = await startOvsSandbox({ vswitchd: false });
  });

  after(async () => {
    await ovs?.stop();
  });

  it('reconnects after ovsdb-server drops every connection, re-issues the monitor and the lock, and sees a change made meanwhile', async () => {
    const client = await OvsdbClient.connect({ remote: ovs.unixRemote, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
    const states: StateEvent[] = [];
    const locks: LockEvent[] = [];
    let changeWhileDown: Promise<string> | undefined;
    client.onState((e) => {
      states.push(e);
      // Made as soon as the client notices the drop; it lands before or after the reconnect, either way the
      // replica must end up with it.
      if (e.state === 'disconnected' && changeWhileDown === undefined) changeWhileDown = ovs.vsctl('--no-wait', 'add-br', 'br-during-drop');
    });
    client.onLock((e) => locks.push(e));
    try {
      await addBridge(client, 'br-r1');
      const mon = await client.monitor(DB, { Bridge: { columns: ['name', 'external_ids'] } });
      assert.deepEqual(await client.lock('netloom_writer'), { locked: true });

      await run('ovs-appctl', ['-t', path.join(ovs.dir, 'ovsdb.ctl'), 'ovsdb-server/reconnect'], { env: ovs.env });

      await eventually('connected again', () => states.some((e) => e.state === 'connected'));
      await changeWhileDown;
      await eventually('the bridge added during the drop in the replica', () => bridgeNames(mon.rows<BridgeRow>('Bridge')).includes('br-during-drop'));
      assert.deepEqual(bridgeNames(mon.rows<BridgeRow>('Bridge')), ['br-during-drop', 'br-r1']);
      assert.equal(mon.active, true);

      const down = states.find((e) => e.state === 'disconnected')!;
      assert.ok(down.error instanceof DeviceConnectionError, String(down.error));
      assert.equal(down.attempt, 0);
      assert.equal(client.holdsLock('netloom_writer'), true, 'the lock is asked for again and granted');
      assert.deepEqual(locks, [
        { lock: 'netloom_writer', event: 'lost' },
        { lock: 'netloom_writer', event: 'locked' },
      ]);

      // The monitor keeps following after the reconnect.
      await client.transact(DB, [op.assert('netloom_writer'), op.update('Bridge', [['name', '==', 'br-r1']], { external_ids: { after: 'reconnect' } })]);
      await eventually('the update after reconnect', () => mon.find<BridgeRow>('Bridge', (r) => r.external_ids.get('after') === 'reconnect').length === 1);
    } finally {
      await client.close();
      await ovs.vsctl('--no-wait', '--if-exists', 'del-br', 'br-r1', '--', '--if-exists', 'del-br', 'br-during-drop');
    }
  });

  it('re-syncs the replica from a cut it could not see: inserts, updates and deletes made while down arrive as one resync change', async () => {
    await ovs.vsctl('--no-wait', 'add-br', 'br-keep', '--', 'add-br', 'br-gone');
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: ovs.tcpPort });
    const client = await OvsdbClient.connect({ remote: proxy.remote, reconnect: { initialDelayMs: 20, maxDelayMs: 200, jitter: 0 } });
    const states: StateEvent[] = [];
    client.onState((e) => states.push(e));
    try {
      const changes: TableChange<BridgeRow>[] = [];
      const mon = await client.monitor(DB, { Bridge: { columns: ['name', 'external_ids'] } });
      mon.onChange<BridgeRow>('Bridge', (c) => changes.push(c));
      const view = mon.rows<BridgeRow>('Bridge');
      assert.deepEqual(bridgeNames(view), ['br-gone', 'br-keep']);
      const goneUuid = mon.find<BridgeRow>('Bridge', (r) => r.name === 'br-gone')[0]!._uuid;

      proxy.refuse(true);
      proxy.dropAll();
      // Several attempts fail against the refusing proxy, with growing delays.
      await eventually('three failed attempts', () => states.filter((e) => e.state === 'disconnected').length >= 3);
      const delays = states.filter((e) => e.state === 'disconnected').map((e) => e.delayMs);
      assert.deepEqual(delays.slice(0, 3), [20, 40, 80]);
      await assert.rejects(client.listDbs(), (e: unknown) => e instanceof DeviceConnectionError && /not connected \(reconnecting\)/.test(e.message));

      // Changes the client cannot see: an insert, an update and a delete.
      await ovs.vsctl('--no-wait', 'add-br', 'br-new', '--', 'set', 'Bridge', 'br-keep', 'external_ids:touched=yes', '--', 'del-br', 'br-gone');
      proxy.refuse(false);
      await client.whenConnected();

      assert.deepEqual(bridgeNames(view), ['br-keep', 'br-new'], 'the view taken before the cut is live');
      const resync = changes.filter((c) => c.cause === 'resync');
      assert.equal(resync.length, 1, 'one change event for the table');
      const [c] = resync;
      assert.deepEqual(c!.inserted.map((r) => r.name), ['br-new']);
      assert.deepEqual(c!.updated.map((u) => [u.old.name, u.old.external_ids.get('touched'), u.new.external_ids.get('touched')]), [['br-keep', undefined, 'yes']]);
      assert.deepEqual(c!.deleted.map((r) => [r.name, r._uuid]), [['br-gone', goneUuid]]);
      assert.ok(proxy.connections >= 2);
      assert.deepEqual(await client.listDbs().then((d) => d.includes(DB)), true);
    } finally {
      await client.close();
      await proxy.close();
      await ovs.vsctl('--no-wait', '--if-exists', 'del-br', 'br-keep', '--', '--if-exists', 'del-br', 'br-new');
    }
  });

  it('with reconnect off, a lost connection closes the client and later calls fail with DeviceConnectionError', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: ovs.tcpPort });
    const client = await OvsdbClient.connect({ remote: proxy.remote, reconnect: false });
    try {
      const closed = new Promise<StateEvent>((resolve) => client.onState((e) => e.state === 'closed' && resolve(e)));
      proxy.dropAll();
      const e = await closed;
      assert.ok(e.error instanceof DeviceConnectionError);
      await assert.rejects(client.listDbs(), DeviceConnectionError);
      await assert.rejects(client.whenConnected(), DeviceConnectionError);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('close() during the backoff stops reconnecting and leaves no timer behind', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: ovs.tcpPort });
    const baseline = activeTimers();
    const client = await OvsdbClient.connect({ remote: proxy.remote, reconnect: { initialDelayMs: 60_000 } });
    const disconnected = new Promise<void>((resolve) => client.onState((e) => e.state === 'disconnected' && resolve()));
    proxy.refuse(true);
    proxy.dropAll();
    await disconnected;
    const waiting = client.whenConnected();
    await client.close();
    await assert.rejects(waiting, DeviceConnectionError);
    assert.equal(client.state, 'closed');
    assert.equal(activeTimers(), baseline);
    const connectionsAtClose = proxy.connections;
    await proxy.close();
    assert.equal(proxy.connections, connectionsAtClose);
  });
});
