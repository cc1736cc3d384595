/** A function called with each event a policy emits. */
export type Listener<E> = (event: E) => void;

/**
 * Subscribes `listener` to one kind of event and returns a function that
 * unsubscribes it.
 *
 * @example
 * const dispose = breaker.onStateChange((change) => log(change.to));
 * dispose(); // stop listening
 * @example
 * // a listener that throws does not break the policy: the error is rethrown
 * // on a later tick, where the process's uncaughtException handling sees it
 * breaker.onStateChange(() => { throw new Error('bug in a listener'); });
 */
export type Subscribe<E> = (listener: Listener<E>) => () => void;

/**
 * The tiny typed emitter behind every policy's `on…` events. Emitting with no
 * listener is a single field check, so hot paths guard the construction of the
 * event object with {@link EventEmitter.hasListeners} and allocate nothing.
 *
 * @example
 * const retried = new EventEmitter<{ attempt: number }>();
 * const dispose = retried.subscribe((e) => console.log(e.attempt));
 * if (retried.hasListeners) retried.emit({ attempt: 2 });
 * dispose();
 * @example
 * // emitting to no one is a no-op, never an error
 * new EventEmitter<string>().emit('ignored');
 */
export class EventEmitter<E> {
  private listeners: Listener<E>[] | undefined;

  /** True when at least one listener is subscribed. */
  get hasListeners(): boolean {
    return this.listeners !== undefined;
  }

  /** Adds `listener`; the returned function removes it (calling it twice is harmless). */
  readonly subscribe: Subscribe<E> = (listener) => {
    // copy-on-write, so an emit in progress keeps iterating its own array
    this.listeners = this.listeners === undefined ? [listener] : [...this.listeners, listener];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const remaining = (this.listeners ?? []).filter((candidate) => candidate !== listener);
      this.listeners = remaining.length === 0 ? undefined : remaining;
    };
  };

  /** Calls every listener with `event`; one listener's exception does not stop the others. */
  emit(event: E): void {
    const listeners = this.listeners;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        // A bug in a monitor must not corrupt a policy mid-transition, nor hide.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
