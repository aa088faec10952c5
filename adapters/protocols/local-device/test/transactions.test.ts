// The emulated transaction core: the order of checks in apply, the lock held exactly while a transaction is pending,
// confirm / rollback / close through the adapter's restore hook.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommitError, DeviceConnectionError, InputError, LockedError, NotSupportedError, silentLogger, type ChangeSet, type Logger } from '@netloom/ports';
import { DeviceLock, EmulatedTransactions, assertPlannedOperations, changesOnto, type PendingTransaction } from '@netloom/local-device';

const DEVICE = 'vfw1';

function changeSet(changes = 1, device = DEVICE, port: ChangeSet['port'] = 'firewall'): ChangeSet {
  return {
    device,
    port,
    changes: Array.from({ length: changes }, (_, i) => ({ op: 'create' as const, kind: 'zone', key: `z${i}`, after: { key: `z${i}` } })),
    operations: [],
  };
}

function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

interface Rig {
  readonly txs: EmulatedTransactions<string>;
  readonly lock: DeviceLock;
  readonly restored: PendingTransaction<string>[];
  readonly logs: { level: string; obj: object; msg?: string | undefined }[];
  failRestore: boolean;
  runnerClosed: number;
}

describe('@netloom/local-device EmulatedTransactions', () => {
  let dir: string;
  const rigs: Rig[] = [];

  function rig(session = 1): Rig {
    const logs: Rig['logs'] = [];
    const logger: Logger = {
      debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
      info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
      error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
      child: () => silentLogger,
    };
    const lock = new DeviceLock({ kind: 'test', identity: 'one device', device: DEVICE, dir });
    const r: Rig = {
      lock,
      restored: [],
      logs,
      failRestore: false,
      runnerClosed: 0,
      txs: new EmulatedTransactions<string>({
        device: DEVICE,
        port: 'firewall',
        session,
        lock,
        logger,
        restore: async (pending) => {
          if (r.failRestore) throw new CommitError('restore failed');
          r.restored.push(pending);
        },
        closeRunner: async () => {
          r.runnerClosed++;
        },
      }),
    };
    rigs.push(r);
    return r;
  }

  const writes = (undo = 'saved table'): { write: () => Promise<{ undo: string; log: Record<string, unknown> }> } => ({ write: async () => ({ undo, log: { lines: 3 } }) });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netloom-tx-test-'));
  });
  afterEach(async () => {
    for (const r of rigs.splice(0)) {
      r.failRestore = false;
      await r.txs.close();
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('confirms an empty change set at once, without the lock or a write', async () => {
    const r = rig();
    let wrote = false;
    const tx = await r.txs.apply({ changeSet: changeSet(0) }, { write: async () => ((wrote = true), { undo: 'x' }) });
    assert.equal(tx.state, 'confirmed');
    assert.match(tx.id, /^vfw1-[0-9a-f-]{36}$/);
    assert.equal(wrote, false);
    assert.equal(await exists(r.lock.file), false);
    await r.txs.rollback(tx); // a no-op, not an error
    assert.equal(tx.state, 'confirmed');
  });

  it('apply holds the lock while pending, refuses a second apply of the session and of another session; confirm frees it', async () => {
    const a = rig(1);
    const b = rig(2);
    const tx = await a.txs.apply({ changeSet: changeSet() }, writes());
    assert.equal(tx.state, 'applied');
    assert.deepEqual(a.txs.pending, { tx, undo: 'saved table' });
    assert.equal(a.lock.held, true);
    assert.ok(a.logs.some((l) => l.level === 'debug' && l.msg === 'applied' && (l.obj as Record<string, unknown>)['lines'] === 3 && (l.obj as Record<string, unknown>)['transaction'] === tx.id));
    await assert.rejects(a.txs.apply({ changeSet: changeSet() }, writes()), (e: unknown) => e instanceof LockedError && e.message.includes(`transaction ${tx.id} of this session`));
    await assert.rejects(b.txs.apply({ changeSet: changeSet() }, writes()), (e: unknown) => e instanceof LockedError && e.message.includes('session 1 (transaction'));
    await a.txs.confirm(tx);
    await a.txs.confirm(tx); // idempotent
    assert.equal(tx.state, 'confirmed');
    assert.equal(a.txs.pending, undefined);
    assert.equal(await exists(a.lock.file), false);
    const txB = await b.txs.apply({ changeSet: changeSet() }, writes());
    assert.equal(txB.state, 'applied');
    await assert.rejects(a.txs.rollback(tx), (e: unknown) => e instanceof CommitError && /is confirmed; it cannot be rolled back/.test(e.message));
  });

  it('refuses another device, another port and a bad confirmWithinSec before anything else', async () => {
    const r = rig();
    const never = { beforeLock: () => assert.fail('beforeLock ran'), write: () => assert.fail('write ran') };
    await assert.rejects(r.txs.apply({ changeSet: changeSet(1, 'vfw2') }, never), (e: unknown) => e instanceof InputError && e.message.includes('applied to firewall device "vfw1"'));
    await assert.rejects(r.txs.apply({ changeSet: changeSet(1, DEVICE, 'fabric') }, never), InputError);
    for (const confirmWithinSec of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) await assert.rejects(r.txs.apply({ changeSet: changeSet(), confirmWithinSec }, never), InputError);
    assert.equal(await exists(r.lock.file), false);
  });

  it('runs beforeLock before taking the lock: its refusal wins over another holder and leaves no lock', async () => {
    const holder = rig(1);
    await holder.txs.apply({ changeSet: changeSet() }, writes());
    const r = rig(2);
    await assert.rejects(
      r.txs.apply({ changeSet: changeSet() }, { beforeLock: () => { throw new NotSupportedError('nope'); }, write: () => assert.fail('write ran') }),
      NotSupportedError,
    );
    await holder.txs.close();
    await assert.rejects(r.txs.apply({ changeSet: changeSet() }, { beforeLock: () => { throw new NotSupportedError('nope'); }, write: () => assert.fail('write ran') }), NotSupportedError);
    assert.equal(await exists(r.lock.file), false);
  });

  it('frees the lock when write throws, and passes the error through unchanged', async () => {
    const r = rig();
    const boom = new CommitError('nothing was written');
    await assert.rejects(r.txs.apply({ changeSet: changeSet() }, { write: async () => { throw boom; } }), (e: unknown) => e === boom);
    assert.equal(r.txs.pending, undefined);
    assert.equal(r.lock.held, false);
    assert.equal(await exists(r.lock.file), false);
    assert.equal((await r.txs.apply({ changeSet: changeSet() }, writes())).state, 'applied', 'the session can apply again');
  });

  it('rollback restores through the hook with the undo data, frees the lock, and the transaction cannot be confirmed', async () => {
    const r = rig();
    const tx = await r.txs.apply({ changeSet: changeSet() }, writes('table before'));
    await r.txs.rollback(tx);
    assert.equal(tx.state, 'rolled-back');
    assert.deepEqual(r.restored.map((p) => [p.tx.id, p.undo]), [[tx.id, 'table before']]);
    assert.equal(await exists(r.lock.file), false);
    await r.txs.rollback(tx); // idempotent: no second restore
    assert.equal(r.restored.length, 1);
    await assert.rejects(r.txs.confirm(tx), (e: unknown) => e instanceof CommitError && /was rolled back/.test(e.message));
  });

  it('a failed restore keeps the transaction pending and the lock held', async () => {
    const r = rig();
    const tx = await r.txs.apply({ changeSet: changeSet() }, writes());
    r.failRestore = true;
    await assert.rejects(r.txs.rollback(tx), /restore failed/);
    assert.equal(tx.state, 'applied');
    assert.equal(r.txs.pending?.tx, tx);
    assert.equal(r.lock.held, true);
    r.failRestore = false;
    await r.txs.rollback(tx);
    assert.equal(tx.state, 'rolled-back');
    assert.equal(r.lock.held, false);
  });

  it('refuses transactions of another device or another session', async () => {
    const a = rig(1);
    const b = rig(2);
    const tx = await a.txs.apply({ changeSet: changeSet() }, writes());
    await assert.rejects(b.txs.confirm(tx), (e: unknown) => e instanceof CommitError && /is not one of this session's/.test(e.message));
    await assert.rejects(a.txs.confirm({ ...tx, device: 'vfw2' }), InputError);
  });

  it('close rolls back an unconfirmed transaction, frees the lock, closes the runner once; the session is closed after', async () => {
    const r = rig();
    const tx = await r.txs.apply({ changeSet: changeSet() }, writes());
    await r.txs.close();
    await r.txs.close();
    assert.equal(tx.state, 'rolled-back');
    assert.equal(r.restored.length, 1);
    assert.equal(r.runnerClosed, 1);
    assert.equal(r.txs.closed, true);
    assert.equal(await exists(r.lock.file), false);
    assert.ok(r.logs.some((l) => l.level === 'info' && l.msg === 'transaction rolled back (the session closed before confirming)'));
    assert.throws(() => r.txs.assertOpen(), (e: unknown) => e instanceof DeviceConnectionError && e.message === 'session 1 to vfw1 is closed');
    await assert.rejects(r.txs.apply({ changeSet: changeSet() }, writes()), DeviceConnectionError);
    await assert.rejects(r.txs.confirm(tx), DeviceConnectionError);
  });

  it('close logs a failed rollback instead of throwing, and still frees the lock and closes the runner', async () => {
    const r = rig();
    const tx = await r.txs.apply({ changeSet: changeSet() }, writes());
    r.failRestore = true;
    await r.txs.close();
    assert.equal(tx.state, 'applied');
    assert.equal(r.runnerClosed, 1);
    assert.equal(await exists(r.lock.file), false);
    assert.ok(r.logs.some((l) => l.level === 'error' && (l.obj as Record<string, unknown>)['error'] === 'restore failed'));
  });
});

describe('@netloom/local-device stale-plan checks', () => {
  const wording = { device: DEVICE, noun: 'router' };
  const zone = { key: 'z0' };

  it('changesOnto applies the change set, or refuses one that does not fit with CommitError (cause kept, nothing written)', () => {
    const current = { zone: {} };
    assert.deepEqual(changesOnto(current, [{ op: 'create', kind: 'zone', key: 'z0', after: zone }], wording), { zone: { z0: zone } });
    const e = (() => {
      try {
        changesOnto(current, [{ op: 'delete', kind: 'zone', key: 'z9', before: { key: 'z9' } }], wording);
      } catch (err) {
        return err;
      }
      return assert.fail('a delete of a missing object applied');
    })();
    assert.ok(e instanceof CommitError);
    assert.match(e.message, /^vfw1: the change set does not fit the router's configuration \(.+\); nothing was written\. Observe and plan again\.$/);
    assert.deepEqual(e.details, { device: DEVICE, written: 0 });
    assert.ok(e.cause instanceof Error);
  });

  it('assertPlannedOperations accepts exactly the planned texts of the medium and refuses edits, reorderings and another medium', () => {
    const ops = [
      { medium: 'argv', text: 'ip netns add a' },
      { medium: 'argv', text: 'ip netns add b' },
    ];
    assertPlannedOperations(ops, ['ip netns add a', 'ip netns add b'], 'argv', 'the commands', wording);
    const refused = (e: unknown): boolean => e instanceof CommitError && /^vfw1: the change set's operations are not the commands these changes need on the router as it is now/.test(e.message);
    assert.throws(() => assertPlannedOperations(ops, ['ip netns add b', 'ip netns add a'], 'argv', 'the commands', wording), refused);
    assert.throws(() => assertPlannedOperations(ops, ['ip netns add a'], 'argv', 'the commands', wording), refused);
    assert.throws(() => assertPlannedOperations(ops, ['ip netns add a', 'ip netns add b'], 'nft', 'the commands', wording), refused);
  });
});
