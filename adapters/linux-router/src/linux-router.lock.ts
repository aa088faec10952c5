/**
 * The single-writer lock of one Linux router: the lock file of `@netloom/local-device` under the kind `linux-router`,
 * in the adapter's `stateDir` (default: the OS temp directory). Linux has no configuration lock: without this, two
 * controllers could interleave their commands and their undo. A second writer gets `LockedError`; a stale lock of a
 * dead process is taken over.
 *
 * @packageDocumentation
 */
import { DeviceLock as LocalDeviceLock, deviceLockFile } from '@netloom/local-device';

/** The kind in the lock file's name (`netloom-linux-router-<hash>.lock`). */
const KIND = 'linux-router';

/** The lock file for a device identity (`local netns=- uplink=eth1 prefix=nlr-`). */
export function lockFileFor(identity: string, dir?: string): string {
  return deviceLockFile(KIND, identity, dir);
}

/**
 * One router's lock, as one session sees it.
 * @example
 * const lock = new DeviceLock('local netns=- uplink=eth1 prefix=nlr-', 'router1');
 * await lock.acquire('transaction 3');   // LockedError if another session holds it
 * await lock.release();
 */
export class DeviceLock extends LocalDeviceLock {
  constructor(identity: string, device: string, dir?: string) {
    super({ kind: KIND, identity, device, dir });
  }
}
