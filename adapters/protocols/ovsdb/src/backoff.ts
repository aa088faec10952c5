/**
 * Reconnect delays: exponential backoff with jitter and a cap.
 *
 * @packageDocumentation
 */

/** How the client waits between reconnect attempts. */
export interface ReconnectOptions {
  /** Delay before the first attempt after a disconnect (default 500 ms). */
  readonly initialDelayMs?: number;
  /** Upper bound of any delay (default 30 000 ms). */
  readonly maxDelayMs?: number;
  /** Growth per failed attempt (default 2). */
  readonly factor?: number;
  /**
   * Randomisation as a fraction of the delay (default 0.2: ±20 %), so that many clients cut off together do not
   * come back in lock-step.
   */
  readonly jitter?: number;
}

/** The defaults of {@link ReconnectOptions}. */
export const DEFAULT_RECONNECT: Required<ReconnectOptions> = { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2, jitter: 0.2 };

/**
 * The delay before reconnect attempt `attempt` (0 = the first after a disconnect): `initial · factor^attempt`,
 * capped at `maxDelayMs`, then spread by ±`jitter` (and capped again). `random` is a number in [0, 1).
 *
 * @example backoffDelay(3, { initialDelayMs: 100, jitter: 0 }) // 800
 */
export function backoffDelay(attempt: number, options: ReconnectOptions = {}, random: () => number = Math.random): number {
  const o = { ...DEFAULT_RECONNECT, ...options };
  const base = Math.min(o.maxDelayMs, o.initialDelayMs * Math.pow(o.factor, Math.max(0, attempt)));
  const spread = 1 - o.jitter + 2 * o.jitter * random();
  return Math.max(0, Math.min(o.maxDelayMs, Math.round(base * spread)));
}
