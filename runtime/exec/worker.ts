// The worker process: executes one run's plan and reports every event to its parent over IPC.
// Training happens here so the web server never blocks; killing this process cancels hard. The
// stage code and the backend load as soon as it starts, so a worker forked ahead of time waits ready.
import { initBackend } from '../backend';
import { stages } from '../stages';
import type { RunEvent } from './events';
import { executeRun, type RunJob } from './execute-run';

/** Messages parent → worker. */
export type ToWorker = { kind: 'start'; job: RunJob } | { kind: 'cancel' };
/** Messages worker → parent. */
export type FromWorker =
  /** Stage code loaded and backend started: the worker can take a run with no further start-up. */
  | { kind: 'ready' }
  | { kind: 'event'; event: RunEvent; emittedAt: number }
  | { kind: 'finished'; status: 'done' | 'failed' | 'cancelled' };

// Once the parent is gone (killed, crashed) nobody can use what this process computes: exit at once
// instead of running on as an orphan whose failing sends end in a crash dump.
let finishing = false;
process.on('disconnect', () => finishing || process.exit(1));
const send = (m: FromWorker) => {
  if (process.connected) process.send?.(m);
};
const controller = new AbortController();
const lastProgress = new Map<string, { at: number; phase?: string }>();

/** Progress is thinned to 5 per second per node; the last step and the first of a new phase
 * (tokenizing after parsing, validation between epochs) always go through. */
function emit(event: RunEvent) {
  if (event.type === 'progress') {
    const now = Date.now();
    const last = lastProgress.get(event.nodeId);
    if (last && now - last.at < 200 && event.step < event.totalSteps && event.phase === last.phase) return;
    lastProgress.set(event.nodeId, { at: now, phase: event.phase });
  }
  send({ kind: 'event', event, emittedAt: Date.now() });
}

// Started now, not at the first message: a spare worker is then warm when its run arrives.
const backend = initBackend();
// A failure is reported when a run arrives, through the same path as a failing run.
backend.then(() => send({ kind: 'ready' }), () => {});

process.on('message', async (message: ToWorker) => {
  if (message.kind === 'cancel') {
    controller.abort();
    return;
  }
  try {
    const info = await backend;
    emit({ type: 'run-status', status: 'running', backend: info.backend, device: info.device });
    const status = await executeRun(message.job, { stages, emit, signal: controller.signal });
    send({ kind: 'finished', status });
  } catch (err) {
    emit({ type: 'log', level: 'error', message: (err as Error).stack ?? String(err) });
    send({ kind: 'finished', status: 'failed' });
  }
  finishing = true;
  process.disconnect?.();
});
