/**
 * A minimal typed event emitter. Unlike Node's EventEmitter it has no special `error` event (an unhandled one would
 * throw and crash the process), and a listener that throws is reported to {@link TypedEmitter.listenerFailed}
 * instead of breaking the socket handler that emitted the event.
 *
 * @packageDocumentation
 */

/** An event map: event name to listener signature. */
export type EventMap<E> = { [K in keyof E]: (...args: never[]) => void };

interface Entry {
  readonly fn: (...args: never[]) => void;
  readonly once: boolean;
}

/**
 * Base class of the controller and the connections.
 *
 * @example
 * interface Events { tick: (n: number) => void }
 * class Clock extends TypedEmitter<Events> { fire() { this.emit('tick', 1); } }
 */
export class TypedEmitter<E extends EventMap<E>> {
  private readonly entries = new Map<keyof E, Entry[]>();

  /** Adds a listener. */
  on<K extends keyof E>(event: K, listener: E[K]): this {
    this.entries.set(event, [...(this.entries.get(event) ?? []), { fn: listener, once: false }]);
    return this;
  }

  /** Adds a listener removed after its first call. */
  once<K extends keyof E>(event: K, listener: E[K]): this {
    this.entries.set(event, [...(this.entries.get(event) ?? []), { fn: listener, once: true }]);
    return this;
  }

  /** Removes a listener (every registration of it). */
  off<K extends keyof E>(event: K, listener: E[K]): this {
    const list = (this.entries.get(event) ?? []).filter((e) => e.fn !== listener);
    if (list.length === 0) this.entries.delete(event);
    else this.entries.set(event, list);
    return this;
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof E>(event: K): number {
    return this.entries.get(event)?.length ?? 0;
  }

  /** Calls the listeners of `event` in order. A throwing listener is reported and does not stop the others. */
  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const list = this.entries.get(event);
    if (list === undefined) return;
    if (list.some((e) => e.once)) {
      const keep = list.filter((e) => !e.once);
      if (keep.length === 0) this.entries.delete(event);
      else this.entries.set(event, keep);
    }
    for (const e of list) {
      try {
        (e.fn as (...a: Parameters<E[K]>) => void)(...args);
      } catch (err) {
        this.listenerFailed(String(event), err);
      }
    }
  }

  /** Called when a listener throws. Subclasses log it. */
  protected listenerFailed(_event: string, _error: unknown): void {
    // Overridden by subclasses that have a logger.
  }
}
