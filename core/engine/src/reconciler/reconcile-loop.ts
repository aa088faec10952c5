/**
 * The controller's loop around the reconciler: coalesces triggers (watch events, REST calls, retries, resync) in a
 * batching window into one pass, runs at most one pass at a time, and schedules retries and periodic resyncs.
 *
 * - `trigger(reason)` opens a window of `windowMs` (default 300) if none is open; every trigger inside it joins the
 *   same pass. A trigger while a pass runs marks exactly one more pass, which opens its own window after the
 *   running pass ends (so 50 triggers during a pass make one more pass, not 50).
 * - After every pass, if `nextRetryAt()` names a time, a `retry` trigger is scheduled for it.
 * - Every `resyncSec` (if set), a `resync` trigger (level-triggered repair of drift and missed events).
 * - `stop()` cancels every timer, waits for the running pass, and ignores later triggers.
 *
 * Per device at most one session and one transaction per pass is the reconciler's guarantee; the loop's is at most
 * one pass at a time, hence at most one per window.
 * @packageDocumentation
 */
import type { Logger } from '@netloom/ports';
import { systemClock, type Clock } from './reconciler.types';

/** Default batching window (ms). */
export const DEFAULT_BATCH_WINDOW_MS = 300;

/** Options of {@link ReconcileLoop}. */
export interface ReconcileLoopOptions {
  /** Runs one pass (compile intent, project, `reconciler.reconcile`). Its errors are logged, never fatal. */
  readonly pass: (reasons: readonly string[]) => Promise<unknown>;
  /** Batching window in ms (default 300; the profile's controller settings). */
  readonly windowMs?: number;
  /** Periodic resync in seconds (absent or 0: none). */
  readonly resyncSec?: number;
  /** When a device should be retried (epoch ms), e.g. `() => reconciler.nextRetryAt()`. */
  readonly nextRetryAt?: () => number | undefined;
  readonly clock?: Clock;
  readonly logger: Logger;
}

/** See the module documentation. */
export class ReconcileLoop {
  readonly #opts: ReconcileLoopOptions;
  readonly #clock: Clock;
  readonly #windowMs: number;
  #window: unknown;
  #retryTimer: unknown;
  #resyncTimer: unknown;
  #running: Promise<void> | undefined;
  #again = false;
  #reasons: string[] = [];
  #stopped = false;
  #passes = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(opts: ReconcileLoopOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#windowMs = opts.windowMs ?? DEFAULT_BATCH_WINDOW_MS;
  }

  /** Passes run so far. */
  get passes(): number {
    return this.#passes;
  }

  /** True while a pass runs. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Starts the periodic resync and triggers a first pass. */
  start(): void {
    this.#scheduleResync();
    this.trigger('start');
  }

  /** Asks for a pass (coalesced, see the module documentation). */
  trigger(reason: string): void {
    if (this.#stopped) return;
    this.#reasons.push(reason);
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#openWindow();
  }

  /** Resolves when no pass runs, none is marked and no window is open. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops: cancels timers, waits for a running pass. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#again = false;
    for (const t of [this.#window, this.#retryTimer, this.#resyncTimer]) if (t !== undefined) this.#clock.clearTimeout(t);
    this.#window = this.#retryTimer = this.#resyncTimer = undefined;
    await this.#running;
    this.#notifyIdle();
  }

  #openWindow(): void {
    if (this.#window !== undefined) return;
    this.#window = this.#clock.setTimeout(() => {
      this.#window = undefined;
      this.#run();
    }, this.#windowMs);
  }

  #run(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    const reasons = [...new Set(this.#reasons)];
    this.#reasons = [];
    this.#running = (async () => {
      try {
        await this.#opts.pass(reasons);
      } catch (e) {
        this.#opts.logger.error({ error: e instanceof Error ? e.message : String(e), reasons }, 'reconcile pass failed');
      } finally {
        this.#passes++;
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.#openWindow();
        }
        this.#scheduleRetry();
        this.#notifyIdle();
      }
    })();
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined) {
      this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    const at = this.#opts.nextRetryAt?.();
    if (at === undefined || this.#stopped) return;
    this.#retryTimer = this.#clock.setTimeout(
      () => {
        this.#retryTimer = undefined;
        this.trigger('retry');
      },
      Math.max(0, at - this.#clock.now()),
    );
  }

  #scheduleResync(): void {
    const sec = this.#opts.resyncSec ?? 0;
    if (!(sec > 0) || this.#stopped) return;
    this.#resyncTimer = this.#clock.setTimeout(() => {
      this.#resyncTimer = undefined;
      this.trigger('resync');
      this.#scheduleResync();
    }, sec * 1000);
  }

  #isIdle(): boolean {
    return this.#running === undefined && !this.#again && this.#window === undefined;
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
