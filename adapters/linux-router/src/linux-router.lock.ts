/**
 * The single-writer lock of one Linux router: a lock file per device in the adapter's `stateDir` (default: the OS
 * temp directory), created exclusively (O_EXCL) when a session applies a change set and removed when the transaction
 * is confirmed, rolled back or its session closes. Linux has no configuration lock: without this, two controllers
 * could interleave their commands and their undo. A second writer gets `LockedError`.
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

/** Lock tokens this process holds, by lock file. */
const held = new Map<string, string>();

/** The lock file for a device identity (`local netns=- uplink=eth1 prefix=nlr-`). */
export function lockFileFor(identity: string, dir: string = tmpdir()): string {
  return join(dir, `netloom-linux-router-${createHash('sha256').update(identity).digest('hex').slice(0, 24)}.lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
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

/**
 * One router's lock, as one session sees it.
 * @example
 * const lock = new DeviceLock('local netns=- uplink=eth1 prefix=nlr-', 'router1');
 * await lock.acquire('transaction 3');   // LockedError if another session holds it
 * await lock.release();
 */
export class DeviceLock {
  readonly file: string;
  readonly #device: string;
  #token: string | undefined;

  constructor(identity: string, device: string, dir?: string) {
    this.file = lockFileFor(identity, dir);
    this.#device = device;
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
