// The stage process of a queue worker: starts the best backend once, then executes one stage at a
// time for its parent (the BullMQ worker host), reporting every event over IPC. Training runs here so
// a busy loop never stalls the parent's job-lock renewals; killing this process cancels hard.
import { initBackend } from '../backend';
import { stages } from '../stages';
import type { RuntimeEnv } from '../stages/define-stage';
import { ArtifactStore } from './artifact-store';
import type { RunEvent } from './events';
import { executeStage, type StageJob, type StageOutcome } from './execute-stage';
import { StageFlights } from './single-flight';

/** Messages parent → stage process. */
export type ToStageWorker = { kind: 'stage'; job: StageJob; env: RuntimeEnv; artifactsRoot: string } | { kind: 'cancel' };
/** Messages stage process → parent. */
export type FromStageWorker =
  | { kind: 'ready'; backend: string; device: string }
  | { kind: 'event'; event: RunEvent; emittedAt: number }
  | { kind: 'finished'; outcome: StageOutcome }
  | { kind: 'crashed'; error: string };

const send = (m: FromStageWorker) => process.send?.(m);
let controller: AbortController | null = null;
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

// Orphaned (the worker host died): stop at once rather than train for nobody.
process.on('disconnect', () => process.exit(0));

const backend = initBackend();
backend.then(
  (info) => send({ kind: 'ready', backend: info.backend, device: info.device }),
  (err) => {
    send({ kind: 'crashed', error: `no compute backend could start: ${(err as Error).message}` });
    process.exit(1);
  },
);

process.on('message', async (message: ToStageWorker) => {
  if (message.kind === 'cancel') {
    controller?.abort();
    return;
  }
  controller = new AbortController();
  try {
    await backend;
    const outcome = await executeStage(message.job, { stages, store: new ArtifactStore(message.artifactsRoot), flights: new StageFlights(message.artifactsRoot), env: message.env, emit, signal: controller.signal });
    send({ kind: 'finished', outcome });
  } catch (err) {
    send({ kind: 'crashed', error: (err as Error).stack ?? String(err) });
  } finally {
    controller = null;
    lastProgress.clear();
  }
});
