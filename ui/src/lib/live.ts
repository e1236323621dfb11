// Keeping a page live without letting a burst of events cost a request each.

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
