/**
 * The single-writer lock of one firewall: the lock file of `@netloom/local-device` under the kind `nftables`. nftables
 * has no configuration lock of its own; the kernel applies each script atomically, but two controllers could still
 * interleave apply and rollback. A second writer gets `LockedError`; a stale lock of a dead process is taken over.
 *
 * @packageDocumentation
 */
import { DeviceLock as LocalDeviceLock, deviceLockFile } from '@netloom/local-device';

/** The kind in the lock file's name (`netloom-nftables-<hash>.lock`). */
const KIND = 'nftables';

/** The lock file for a device identity (`local netns=vfw1 inet netloom`, `ssh 10.0.0.9:22 netns=- inet netloom`). */
export function lockFileFor(identity: string, dir?: string): string {
  return deviceLockFile(KIND, identity, dir);
}

/**
 * One firewall's lock, as one session sees it.
 * @example
 * const lock = new DeviceLock('local netns=vfw1 inet netloom', 'vfw1');
 * await lock.acquire('transaction 3');   // LockedError if another session holds it
 * await lock.release();
 */
export class DeviceLock extends LocalDeviceLock {
  constructor(identity: string, device: string, dir?: string) {
    super({ kind: KIND, identity, device, dir });
  }
}
