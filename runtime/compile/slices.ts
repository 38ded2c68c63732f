// Long compile work written once as steps: the same generator runs to the end at once (browser,
// CLI) or in slices that hand the event loop back between them (server), so one large document
// never holds up every other request.

/** A computation that yields between units of work and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** Longest a slice runs before the server's event loop gets a turn. */
export const SLICE_MS = 20;

/** Runs steps to the end synchronously. */
export function runSteps<T>(steps: Steps<T>): T {
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

/** Runs steps, giving the event loop a turn whenever a slice has run for `sliceMs`. */
export async function runStepsInSlices<T>(steps: Steps<T>, sliceMs = SLICE_MS): Promise<T> {
  let start = performance.now();
  let r = steps.next();
  while (!r.done) {
    if (performance.now() - start > sliceMs) {
      await yieldToEventLoop();
      start = performance.now();
    }
    r = steps.next();
  }
  return r.value;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((ok) => (typeof setImmediate === 'function' ? setImmediate(ok) : setTimeout(ok, 0)));
}
