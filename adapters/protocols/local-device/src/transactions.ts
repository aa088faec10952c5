/**
 * The emulated transaction of a device that applies every write at once and has no commit of its own (nftables,
 * iproute2): the bookkeeping both local Linux adapters share, around hooks for what differs (how the change set is
 * written and what is kept to undo it, how the device is put back).
 *
 * ```
 * apply:    input checks; an empty change set is confirmed at once; a pending transaction of this session →
 *           LockedError; `beforeLock`; the lock file; `write` (a throw frees the lock); pending
 * confirm:  drops the pending transaction, frees the lock
 * rollback: `restore` of the pending transaction, frees the lock (a confirmed one cannot be rolled back)
 * close:    `restore` of an unconfirmed transaction (a failure is logged), frees the lock, closes the runner
 * ```
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import {
  CommitError,
  DeviceConnectionError,
  InputError,
  LockedError,
  type ApplyOptions,
  type DevicePortKind,
  type Logger,
  type Transaction,
} from '@netloom/ports';
import type { DeviceLock } from './device-lock';

/** The transaction a session applied and has not confirmed yet, with what the adapter keeps to undo it. */
export interface PendingTransaction<U> {
  readonly tx: Transaction;
  /** The adapter's undo data (a saved table, the steps that ran and the config before). */
  readonly undo: U;
}

/** What one emulated-transaction core works on. */
export interface EmulatedTransactionsOptions<U> {
  /** The device's name (the change set's and transaction's `device`). */
  readonly device: string;
  /** The port this session serves; a change set for another port is refused. */
  readonly port: DevicePortKind;
  /** The session's number, for messages and the lock's owner text. */
  readonly session: number;
  readonly lock: DeviceLock;
  readonly logger: Logger;
  /**
   * Puts the device back as it was before `pending` (rollback, close). Throws `CommitError` when it cannot; the
   * transaction then stays pending and the lock held.
   */
  readonly restore: (pending: PendingTransaction<U>) => Promise<void>;
  /** Closes the session's runner (last step of `close`). */
  readonly closeRunner: () => Promise<void>;
}

/** The adapter's part of one apply. */
export interface ApplyHooks<U> {
  /** Checks that must refuse before the lock is taken (after the input checks). */
  readonly beforeLock?: () => void;
  /**
   * Checks and writes the change set while the lock is held; returns what undoes it and the fields of the
   * `applied` debug log. A throw frees the lock and reaches the caller as it is.
   */
  readonly write: (id: string) => Promise<{ readonly undo: U; readonly log?: Record<string, unknown> }>;
}

/**
 * The transaction bookkeeping of one session with an immediate-apply device: states by transaction id, the one
 * pending transaction, the lock file, the closed flag.
 * @example
 * const txs = new EmulatedTransactions({ device: 'vfw1', port: 'firewall', session: 1, lock, logger, restore, closeRunner });
 * const tx = await txs.apply({ changeSet }, { write: async () => ({ undo: await snapshotAndRun() }) });
 * await txs.confirm(tx);
 */
export class EmulatedTransactions<U> {
  readonly #opts: EmulatedTransactionsOptions<U>;
  readonly #states = new Map<string, Transaction['state']>();
  #pending: PendingTransaction<U> | undefined;
  #closed = false;

  constructor(opts: EmulatedTransactionsOptions<U>) {
    this.#opts = opts;
  }

  /** The applied, unconfirmed transaction, if any. */
  get pending(): PendingTransaction<U> | undefined {
    return this.#pending;
  }

  /** True once `close` ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** @throws DeviceConnectionError when the session is closed */
  assertOpen(): void {
    if (this.#closed) throw new DeviceConnectionError(`session ${this.#opts.session} to ${this.#opts.device} is closed`);
  }

  /**
   * Applies a change set through `hooks`: see the module documentation for the order of checks.
   * @throws InputError (another device or port, a bad `confirmWithinSec`), LockedError, whatever `hooks` throw
   */
  async apply(opts: ApplyOptions, hooks: ApplyHooks<U>): Promise<Transaction> {
    this.assertOpen();
    const { device: name, port } = this.#opts;
    const { changeSet } = opts;
    if (changeSet.device !== name || changeSet.port !== port) {
      throw new InputError(`change set for ${changeSet.port} device ${JSON.stringify(changeSet.device)} applied to ${port} device ${JSON.stringify(name)}`);
    }
    if (opts.confirmWithinSec !== undefined && !(Number.isFinite(opts.confirmWithinSec) && opts.confirmWithinSec > 0)) {
      throw new InputError(`confirmWithinSec must be a positive number of seconds, got ${String(opts.confirmWithinSec)}`);
    }
    const id = `${name}-${randomUUID()}`;
    if (changeSet.changes.length === 0) {
      this.#states.set(id, 'confirmed');
      return { id, device: name, changeSet, state: 'confirmed' };
    }
    if (this.#pending !== undefined) {
      throw new LockedError(`${name} is locked: transaction ${this.#pending.tx.id} of this session is not confirmed yet; confirm or roll it back first`, {
        details: { device: name, transaction: this.#pending.tx.id },
      });
    }
    hooks.beforeLock?.();
    await this.#opts.lock.acquire(`session ${this.#opts.session} (transaction ${id})`);
    try {
      const { undo, log } = await hooks.write(id);
      const tx: Transaction = { id, device: name, changeSet, state: 'applied' };
      this.#pending = { tx, undo };
      this.#states.set(id, 'applied');
      this.#opts.logger.debug({ transaction: id, ...log }, 'applied');
      return tx;
    } catch (e) {
      await this.#opts.lock.release();
      throw e;
    }
  }

  /**
   * Confirms `tx`: the pending transaction is kept, the lock freed. Confirming a confirmed one is a no-op.
   * @throws CommitError (rolled back, or not this session's), InputError (another device)
   */
  async confirm(tx: Transaction): Promise<void> {
    this.assertOpen();
    const state = this.#known(tx);
    if (state === 'rolled-back') throw new CommitError(`${this.#opts.device}: transaction ${tx.id} was rolled back; it cannot be confirmed`, { details: { device: this.#opts.device, transaction: tx.id } });
    if (state === 'applied') {
      this.#pending = undefined;
      this.#states.set(tx.id, 'confirmed');
      await this.#opts.lock.release();
    }
    tx.state = 'confirmed';
  }

  /**
   * Rolls `tx` back through the `restore` hook. An empty (confirmed at once) change set is a no-op.
   * @throws CommitError (confirmed, not this session's, or the restore failed), InputError (another device)
   */
  async rollback(tx: Transaction): Promise<void> {
    this.assertOpen();
    const state = this.#known(tx);
    if (state === 'confirmed' && tx.changeSet.changes.length > 0) {
      throw new CommitError(`${this.#opts.device}: transaction ${tx.id} is confirmed; it cannot be rolled back (apply a change set that undoes it)`, {
        details: { device: this.#opts.device, transaction: tx.id },
      });
    }
    if (state === 'applied') await this.#restore('rolled back on request');
    if (state !== 'confirmed') tx.state = 'rolled-back';
  }

  async #restore(why: string): Promise<void> {
    const pending = this.#pending;
    if (pending === undefined) return;
    await this.#opts.restore(pending);
    this.#pending = undefined;
    this.#states.set(pending.tx.id, 'rolled-back');
    await this.#opts.lock.release();
    this.#opts.logger.info({ transaction: pending.tx.id }, `transaction rolled back (${why})`);
  }

  /** Closes the session: rolls back an unconfirmed transaction (a failure is logged, not thrown), frees the lock, closes the runner. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#pending !== undefined) {
        const tx = this.#pending.tx;
        await this.#restore('the session closed before confirming');
        tx.state = 'rolled-back';
      }
    } catch (e) {
      this.#opts.logger.error({ error: e instanceof Error ? e.message : String(e) }, 'could not roll back the unconfirmed transaction on close');
    } finally {
      await this.#opts.lock.release();
      await this.#opts.closeRunner();
    }
  }

  #known(tx: Transaction): Transaction['state'] {
    const name = this.#opts.device;
    if (tx.device !== name) throw new InputError(`transaction ${tx.id} belongs to ${JSON.stringify(tx.device)}, not ${JSON.stringify(name)}`);
    const state = this.#states.get(tx.id);
    if (state === undefined) throw new CommitError(`${name}: transaction ${tx.id} is not one of this session's`, { details: { device: name, transaction: tx.id } });
    return state;
  }
}
