// The lock file shared by the local Linux adapters: one writer per device, a second one refused with LockedError,
// a stale lock of a dead process taken over, a live or foreign holder never.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LockedError } from '@netloom/ports';
import { DeviceLock, deviceLockFile } from '@netloom/local-device';

const IDENTITY = 'local netns=vfw1 inet netloom';

/** The pid of a process that has exited (and been reaped), so `kill(pid, 0)` fails with ESRCH. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid;
  await once(child, 'exit');
  assert.ok(pid !== undefined);
  return pid;
}

function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

describe('@netloom/local-device DeviceLock', () => {
  let dir: string;
  const locks: DeviceLock[] = [];
  const lockIn = (device = 'vfw1', kind = 'nftables', identity = IDENTITY): DeviceLock => {
    const lock = new DeviceLock({ kind, identity, device, dir });
    locks.push(lock);
    return lock;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netloom-lock-test-'));
  });
  afterEach(async () => {
    for (const l of locks.splice(0)) await l.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('names the file by kind and a hash of the identity, in the given directory (default: the OS temp directory)', () => {
    const file = deviceLockFile('nftables', IDENTITY, dir);
    assert.equal(dirname(file), dir);
    assert.match(basename(file), /^netloom-nftables-[0-9a-f]{24}\.lock$/);
    assert.equal(deviceLockFile('nftables', IDENTITY, dir), file, 'stable for one identity');
    assert.notEqual(deviceLockFile('nftables', `${IDENTITY} `, dir), file, 'another identity, another file');
    assert.notEqual(deviceLockFile('linux-router', IDENTITY, dir), file, 'another kind, another file');
    assert.equal(dirname(deviceLockFile('nftables', IDENTITY)), tmpdir());
    assert.equal(lockIn().file, file);
  });

  it('acquire writes the owner into an exclusive file; release removes it; both are idempotent', async () => {
    const lock = lockIn();
    assert.equal(lock.held, false);
    await lock.acquire('session 1 (transaction t1)');
    await lock.acquire('session 1 (transaction t1)');
    assert.equal(lock.held, true);
    const content = JSON.parse(await readFile(lock.file, 'utf8')) as Record<string, unknown>;
    assert.equal(content['pid'], process.pid);
    assert.equal(content['host'], hostname());
    assert.equal(content['owner'], 'session 1 (transaction t1)');
    assert.equal(typeof content['token'], 'string');
    assert.equal((await stat(lock.file)).mode & 0o777, 0o600, 'only the owner may read or write it');
    await lock.release();
    await lock.release();
    assert.equal(lock.held, false);
    assert.equal(await exists(lock.file), false);
  });

  it('refuses a second writer with LockedError naming the holder, and lets it in once the first released', async () => {
    const first = lockIn();
    const second = lockIn();
    await first.acquire('session 1 (transaction t1)');
    const e = await second.acquire('session 2 (transaction t2)').then(
      () => assert.fail('the second writer got the lock'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof LockedError);
    assert.equal(e.code, 'DEVICE.LOCKED');
    assert.match(e.message, /^vfw1 is locked by session 1 \(transaction t1\) \(pid \d+ on .+, since .+\): its transaction is not confirmed yet/);
    assert.deepEqual(e.details, { device: 'vfw1', lockFile: first.file, pid: process.pid, host: hostname() });
    assert.equal(second.held, false);
    await second.release();
    assert.equal(first.held, true, "the refused writer's release does not free the holder's lock");
    assert.equal(await exists(first.file), true);
    await first.release();
    await second.acquire('session 2 (transaction t2)');
    assert.equal(second.held, true);
  });

  it('keeps kinds and identities apart: the same identity under another kind is another lock', async () => {
    await lockIn('vfw1', 'nftables').acquire('a');
    const router = lockIn('router1', 'linux-router');
    await router.acquire('b');
    assert.equal(router.held, true);
    const other = lockIn('vfw2', 'nftables', 'local netns=vfw2 inet netloom');
    await other.acquire('c');
    assert.equal(other.held, true);
  });

  it('takes over a stale lock whose process is gone (same host)', async () => {
    const pid = await deadPid();
    const lock = lockIn();
    await writeFile(lock.file, JSON.stringify({ pid, host: hostname(), token: 'old', owner: 'crashed controller', since: '2020-01-01T00:00:00Z' }));
    await lock.acquire('session 1 (transaction t1)');
    assert.equal(lock.held, true);
    const content = JSON.parse(await readFile(lock.file, 'utf8')) as Record<string, unknown>;
    assert.equal(content['pid'], process.pid);
    assert.notEqual(content['token'], 'old');
  });

  it('takes over a lock of this very pid that no session of this process holds (left by an earlier run)', async () => {
    const lock = lockIn();
    await writeFile(lock.file, JSON.stringify({ pid: process.pid, host: hostname(), token: 'forgotten', owner: 'earlier run', since: '2020-01-01T00:00:00Z' }));
    await lock.acquire('session 1');
    assert.equal(lock.held, true);
  });

  it('never takes over the lock of a live process', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 60000)'], { stdio: 'ignore' });
    try {
      assert.ok(child.pid !== undefined);
      const lock = lockIn();
      await writeFile(lock.file, JSON.stringify({ pid: child.pid, host: hostname(), token: 'live', owner: 'other controller', since: '2020-01-01T00:00:00Z' }));
      await assert.rejects(lock.acquire('session 1'), (e: unknown) => e instanceof LockedError && e.message.includes(`other controller (pid ${child.pid} on ${hostname()}`));
      assert.equal(JSON.parse(await readFile(lock.file, 'utf8')).token, 'live', 'the holder keeps its file');
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    }
  });

  it('never takes over the lock of another host, even with a pid that is not alive here', async () => {
    const pid = await deadPid();
    const lock = lockIn();
    await writeFile(lock.file, JSON.stringify({ pid, host: `${hostname()}-elsewhere`, token: 'remote', owner: 'remote controller', since: '2020-01-01T00:00:00Z' }));
    await assert.rejects(lock.acquire('session 1'), (e: unknown) => e instanceof LockedError && (e.details as Record<string, unknown>)['host'] === `${hostname()}-elsewhere`);
    assert.equal(await exists(lock.file), true);
  });

  it('refuses (and keeps) a lock file it cannot read as a lock: "another writer"', async () => {
    const lock = lockIn();
    await writeFile(lock.file, 'not json');
    await assert.rejects(lock.acquire('session 1'), (e: unknown) => e instanceof LockedError && /locked by another writer/.test(e.message) && !('pid' in (e.details as object)));
    assert.equal(await readFile(lock.file, 'utf8'), 'not json');
  });

  it('release leaves a file it no longer owns alone (another writer took over meanwhile)', async () => {
    const lock = lockIn();
    await lock.acquire('session 1');
    await writeFile(lock.file, JSON.stringify({ pid: process.pid, host: hostname(), token: 'someone-else', owner: 'x', since: 'y' }));
    await lock.release();
    assert.equal(JSON.parse(await readFile(lock.file, 'utf8')).token, 'someone-else');
  });

  it('lets exactly one of several racing writers in', async () => {
    const racers = [lockIn(), lockIn(), lockIn(), lockIn()];
    const results = await Promise.allSettled(racers.map((l, i) => l.acquire(`session ${i}`)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof LockedError);
    assert.equal(racers.filter((l) => l.held).length, 1);
  });

  it('surfaces a lock directory that does not exist as the file system error, not as LockedError', async () => {
    const lock = new DeviceLock({ kind: 'nftables', identity: IDENTITY, device: 'vfw1', dir: join(dir, 'missing') });
    await assert.rejects(lock.acquire('session 1'), (e: unknown) => !(e instanceof LockedError) && (e as NodeJS.ErrnoException).code === 'ENOENT');
  });
});
