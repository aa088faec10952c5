/**
 * OVSDB locks (RFC 7047 §4.1.8–4.1.10) as ovsdb-server 3.1 keeps them: per lock, a queue of sessions whose head
 * owns it. `lock` joins the tail; `steal` jumps to the head (the previous owner gets `stolen` and stays queued
 * behind); `unlock` (or a closed session) leaves the queue.
 *
 * Quirk kept on purpose: whenever a session leaves a queue that is not empty afterwards, ovsdb-server sends
 * `locked` to whoever owns the lock then — also when the owner did not change (a waiter gave up).
 *
 * @packageDocumentation
 */

/** A session as the lock table sees it. */
export interface OvsdbLockHolder {
  /** A label for logs and the test API. */
  readonly label: string;
  /** Sends the `locked` or `stolen` notification. */
  notifyLock(method: 'locked' | 'stolen', lock: string): void;
}

/** The lock table of one server. */
export class OvsdbLockTable {
  private readonly queues = new Map<string, OvsdbLockHolder[]>();

  /** The session owning `lock`, if any. */
  owner(lock: string): OvsdbLockHolder | undefined {
    return this.queues.get(lock)?.[0];
  }

  /** True when `holder` is queued for (or owns) `lock`. */
  isWaiting(holder: OvsdbLockHolder, lock: string): boolean {
    return this.queues.get(lock)?.includes(holder) ?? false;
  }

  /** `lock`: queues `holder`; true when it owns the lock now. */
  lock(holder: OvsdbLockHolder, lock: string): boolean {
    let q = this.queues.get(lock);
    if (q === undefined) this.queues.set(lock, (q = []));
    q.push(holder);
    return q[0] === holder;
  }

  /** `steal`: `holder` owns the lock from now on; the previous owner is told `stolen`. */
  steal(holder: OvsdbLockHolder, lock: string): void {
    let q = this.queues.get(lock);
    if (q === undefined) this.queues.set(lock, (q = []));
    const victim = q[0];
    q.unshift(holder);
    if (victim !== undefined && victim !== holder) victim.notifyLock('stolen', lock);
  }

  /** `unlock` (or the session closed): leaves the queue of `lock`. */
  unlock(holder: OvsdbLockHolder, lock: string): void {
    const q = this.queues.get(lock);
    if (q === undefined) return;
    const i = q.indexOf(holder);
    if (i < 0) return;
    q.splice(i, 1);
    if (q.length === 0) {
      this.queues.delete(lock);
      return;
    }
    q[0]!.notifyLock('locked', lock);
  }

  /** Leaves every queue (the session closed). */
  releaseAll(holder: OvsdbLockHolder): void {
    for (const [lock, q] of [...this.queues]) if (q.includes(holder)) this.unlock(holder, lock);
  }

  /** Lock → owner label, for the test API. */
  owners(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [lock, q] of this.queues) if (q[0] !== undefined) out[lock] = q[0].label;
    return out;
  }
}
