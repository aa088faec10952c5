/**
 * The single-writer lock of one local Linux device (an nftables firewall, a Linux router): a lock file per device
 * in a directory of the machine netloom runs on (default: the OS temp directory), created exclusively (O_EXCL) when a
 * session applies a change set and removed when the transaction is confirmed, rolled back or its session closes.
 * Linux has no configuration lock of its own: without this, two controllers could interleave their writes and their
 * undo. A second writer gets `LockedError`.
 *
 * A lock whose owner process is gone (same host, pid no longer alive) is stale and taken over. Sessions of one
 * process are told apart by a token kept in memory.
 *
 * @packageDocumentation
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockedError } from '@netloom/ports';

/** What a lock file holds. */
interface LockContent {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly owner: string;
  readonly since: string;
}

/** Lock tokens this process holds, by lock file (shared by every adapter in the process: file names differ by kind). */
const held = new Map<string, string>();

/**
 * The lock file of a device: `netloom-<kind>-<24 hex of sha256(identity)>.lock` in `dir`.
 *
 * `kind` keeps the adapters' files apart (`nftables`, `linux-router`); `identity` names the device as the adapter
 * sees it (where it runs, which namespace, which table or uplink).
 * @example deviceLockFile('nftables', 'local netns=vfw1 inet netloom') // '/tmp/netloom-nftables-<24 hex>.lock'
 */
export function deviceLockFile(kind: string, identity: string, dir: string = tmpdir()): string {
  return join(dir, `netloom-${kind}-${createHash('sha256').update(identity).digest('hex').slice(0, 24)}.lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readContent(file: string): Promise<LockContent | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string' && typeof parsed.host === 'string'
      ? { pid: parsed.pid, host: parsed.host, token: parsed.token, owner: String(parsed.owner ?? '?'), since: String(parsed.since ?? '?') }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Where and for what a {@link DeviceLock} is. */
export interface DeviceLockOptions {
  /** The adapter's kind, part of the file name (`nftables`, `linux-router`). */
  readonly kind: string;
  /** The device as the adapter identifies it (see {@link deviceLockFile}). */
  readonly identity: string;
  /** The device's name, for messages. */
  readonly device: string;
  /** Where lock files live (default: the OS temp directory). */
  readonly dir?: string | undefined;
}

/**
 * One device's lock, as one session sees it.
 * @example
 * const lock = new DeviceLock({ kind: 'nftables', identity: 'local netns=vfw1 inet netloom', device: 'vfw1' });
 * await lock.acquire('transaction 3');   // LockedError if another session holds it
 * await lock.release();
 */
export class DeviceLock {
  /** The lock file's path. */
  readonly file: string;
  readonly #device: string;
  #token: string | undefined;

  constructor(opts: DeviceLockOptions) {
    this.file = deviceLockFile(opts.kind, opts.identity, opts.dir);
    this.#device = opts.device;
  }

  /** True while this session holds the lock. */
  get held(): boolean {
    return this.#token !== undefined && held.get(this.file) === this.#token;
  }

  /**
   * Takes the lock for `owner` (a text for the other writer's message). Idempotent while held.
   * @throws LockedError
   */
  async acquire(owner: string): Promise<void> {
    if (this.held) return;
    const token = randomUUID();
    const content: LockContent = { pid: process.pid, host: hostname(), token, owner, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(this.file, 'wx', 0o600);
        try {
          await fh.writeFile(JSON.stringify(content));
        } finally {
          await fh.close();
        }
        held.set(this.file, token);
        this.#token = token;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const other = await readContent(this.file);
      // Our own pid with a token we do not hold: a session of a crashed earlier run that reused the pid, or a lock
      // this process forgot; another live pid, or another host, is a real writer.
      const stale =
        other === undefined
          ? false
          : other.host === hostname() && (other.pid === process.pid ? held.get(this.file) !== other.token : !alive(other.pid));
      if (!stale || attempt > 0) {
        const who = other === undefined ? 'another writer' : `${other.owner} (pid ${other.pid} on ${other.host}, since ${other.since})`;
        throw new LockedError(`${this.#device} is locked by ${who}: its transaction is not confirmed yet; confirm or roll it back first`, {
          details: { device: this.#device, lockFile: this.file, ...(other === undefined ? {} : { pid: other.pid, host: other.host }) },
        });
      }
      await unlink(this.file).catch(() => undefined);
    }
  }

  /** Gives the lock back (only if this session holds it). Idempotent. */
  async release(): Promise<void> {
    const token = this.#token;
    this.#token = undefined;
    if (token === undefined || held.get(this.file) !== token) return;
    held.delete(this.file);
    const other = await readContent(this.file);
    if (other?.token === token) await unlink(this.file).catch(() => undefined);
  }
}
