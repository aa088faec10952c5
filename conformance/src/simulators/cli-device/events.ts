/**
 * A tiny typed event hub for simulator hooks (no transcript is kept: listeners see each event once).
 *
 * @packageDocumentation
 */

/** A listener for events of type `E`. */
export type Listener<E> = (event: E) => void;

/**
 * Typed publish/subscribe. `on` returns a function that removes the listener. A throwing listener is isolated:
 * it never breaks the simulator (its error is reported to `onListenerError`).
 *
 * @example
 * const hub = new EventHub<{ commit: { id: number } }>();
 * const off = hub.on('commit', (e) => console.log(e.id));
 * hub.emit('commit', { id: 1000000001 });
 * off();
 */
export class EventHub<M extends object> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof M>(type: K, listener: Listener<M[K]>): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener as Listener<never>);
    return () => {
      set.delete(listener as Listener<never>);
    };
  }

  /** Resolves with the next event of `type` that satisfies `predicate` (all events when absent). */
  next<K extends keyof M>(type: K, predicate: (event: M[K]) => boolean = () => true): Promise<M[K]> {
    return new Promise((resolve) => {
      const off = this.on(type, (e) => {
        if (!predicate(e)) return;
        off();
        resolve(e);
      });
    });
  }

  /** Calls every listener of `type`. */
  emit<K extends keyof M>(type: K, event: M[K]): void {
    const set = this.listeners.get(type);
    if (set === undefined) return;
    for (const l of [...set]) {
      try {
        (l as Listener<M[K]>)(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
