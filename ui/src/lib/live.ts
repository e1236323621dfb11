// Keeping a page live without letting a burst of events cost a request each, and without a
// listener outliving the component that asked for it.
import type { Unsubscribe } from "./api";

/**
 * For an `$effect`: holds a subscription that is still being set up, and returns the
 * cleanup. A component that goes before the subscription is in place unsubscribes as soon as
 * it is; one that stays unsubscribes when it goes.
 */
export function whileMounted(subscription: Promise<Unsubscribe>): () => void {
  let off: Unsubscribe | null = null;
  let gone = false;
  void subscription.then((f) => (gone ? f() : (off = f)));
  return () => {
    gone = true;
    off?.();
  };
}

export type Throttled = (() => void) & { cancel: () => void };

/**
 * `run` at once, then at most once every `ms`: calls in between collapse into one more run at
 * the end of the wait, so the last change is always read and a burst of ten events a second
 * costs a few reads. `cancel` drops a pending run (when the component goes).
 */
export function throttle(run: () => unknown, ms: number): Throttled {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    timer = null;
    last = Date.now();
    void run();
  };
  const call = (() => {
    if (timer) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) fire();
    else timer = setTimeout(fire, wait);
  }) as Throttled;
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return call;
}
