// First-progress bench: on a warm server (started, signed in, idle), the seconds from pressing Run
// (the runs.start tRPC call over HTTP) until the browser's socket.io connection gets the run's first
// `progress` event (target ≤ 3 s), for a shipped example from a cold artifact cache and for a rerun
// with its data stages cached. The first progress may be data work (emails parsed, corpus tokenized);
// the first training step's progress is timed too. Each run is cancelled once that step is seen.
// `npm run bench -- first-progress [--examples=1,3]` (default: the spam example, first run and rerun);
// TUNEGRAPH_WARM_WORKER=0 measures the worker forked at Run instead of the one started ahead.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { io } from 'socket.io-client';
import superjson from 'superjson';
import type { GraphDocument } from '../../graph-nodes';
import type { NumberedRunEvent } from '../../runtime/exec/events';
import { startServer } from '../../server/http';
import type { AppRouter } from '../../server/routers/_app';
import type { InProcessQueue } from '../../server/runs/in-process-queue';
import { signUp } from '../helpers/session';
import { markdownTable, writeBenchResult } from './report';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examplesDir = join(root, 'server', 'examples');
const wanted = (process.argv.find((a) => a.startsWith('--examples='))?.slice('--examples='.length) ?? '1').split(',');
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json') && wanted.some((w) => f.startsWith(`${w}-`)))
  .sort();

/** Milliseconds from Run to each milestone a user can see. */
interface Timing {
  run: string;
  startCallMs: number;
  workerRunningMs: number | null;
  firstNodeRunningMs: number | null;
  firstProgressMs: number | null;
  firstProgressNode: string | null;
  /** What the first progress counted ("parsing emails 0 / 6046 emails", or a training step). */
  firstProgressWhat: string | null;
  /** The first progress of a training step (no `unit`). */
  firstTrainingProgressMs: number | null;
  /** Each node's status changes and each phase's first progress until then, as "ms node what" (JSON only). */
  timeline: string[];
}

const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-bench-first-'));
const server = await startServer({ port: 0, dataDir, next: false });
const owner = await signUp(server, { name: 'Bench', email: 'bench@example.org' });
const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/api/trpc`, transformer: superjson, methodOverride: 'POST', headers: { cookie: owner.cookie } })] });
const socket = io(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: owner.cookie } });
await new Promise<void>((ok) => socket.on('connect', () => ok()));
const listeners = new Set<(e: NumberedRunEvent) => void>();
socket.on('run-event', (e: NumberedRunEvent) => listeners.forEach((l) => l(e)));
const queue = server.queue as InProcessQueue;
// TUNEGRAPH_WARM_WORKER=0 measures the old path: a worker forked when Run is pressed.
const warmWorker = process.env.TUNEGRAPH_WARM_WORKER !== '0';
/** A warm server: a first request has gone through, and the embedded queue's waiting worker (if it keeps one) is ready. */
async function settle(): Promise<void> {
  await client.graphs.list.query();
  if (!warmWorker) return void (await new Promise((r) => setTimeout(r, 3000)));
  for (let waited = 0; waited < 60_000 && !queue.spareWorkerReady(); waited += 100) await new Promise((r) => setTimeout(r, 100));
}

async function timedRun(label: string, graphId: string, document: GraphDocument): Promise<Timing> {
  const seen = new Set<number>();
  const timing: Timing = { run: label, startCallMs: 0, workerRunningMs: null, firstNodeRunningMs: null, firstProgressMs: null, firstProgressNode: null, firstProgressWhat: null, firstTrainingProgressMs: null, timeline: [] };
  const phases = new Set<string>();
  let runId = '';
  let started = 0;
  let onProgress: () => void = () => {};
  let onEnd: () => void = () => {};
  const progressed = new Promise<void>((ok) => (onProgress = ok));
  const ended = new Promise<void>((ok) => (onEnd = ok));
  const early: NumberedRunEvent[] = [];
  const take = (e: NumberedRunEvent) => {
    if (!runId) return void early.push(e);
    if (e.runId !== runId || seen.has(e.seq)) return;
    seen.add(e.seq);
    const ms = Date.now() - started;
    if (e.type === 'node-status') timing.timeline.push(`${ms} ${e.nodeId} ${e.status}`);
    if (e.type === 'progress' && !phases.has(`${e.nodeId} ${e.phase}`)) {
      phases.add(`${e.nodeId} ${e.phase}`);
      timing.timeline.push(`${ms} ${e.nodeId} ${e.phase ?? 'training'} ${e.step}/${e.totalSteps} ${e.unit ?? 'steps'}`);
    }
    if (e.type === 'run-status' && e.status === 'running' && timing.workerRunningMs === null) timing.workerRunningMs = ms;
    if (e.type === 'node-status' && e.status === 'running' && timing.firstNodeRunningMs === null) timing.firstNodeRunningMs = ms;
    if (e.type === 'progress' && timing.firstProgressMs === null) {
      timing.firstProgressMs = ms;
      timing.firstProgressNode = e.nodeId;
      timing.firstProgressWhat = e.unit ? `${e.phase} ${e.step}/${e.totalSteps} ${e.unit}` : `${e.phase ?? 'training'} step ${e.step}`;
    }
    if (e.type === 'progress' && !e.unit && timing.firstTrainingProgressMs === null) {
      timing.firstTrainingProgressMs = ms;
      onProgress();
    }
    if (e.type === 'run-status' && ['done', 'failed', 'cancelled'].includes(e.status)) {
      onProgress();
      onEnd();
    }
  };
  listeners.add(take);
  await settle();
  started = Date.now();
  runId = (await client.runs.start.mutate({ graphId, document })).runId;
  timing.startCallMs = Date.now() - started;
  const joined = (await socket.emitWithAck('join', { runId, afterSeq: 0 })) as { ok: boolean; events?: NumberedRunEvent[]; error?: string };
  if (!joined.ok) throw new Error(`join failed: ${joined.error}`);
  for (const e of [...early.splice(0), ...(joined.events ?? [])]) take(e);
  await Promise.race([progressed, new Promise((r) => setTimeout(r, 180_000))]);
  await client.runs.cancel.mutate({ runId });
  await Promise.race([ended, new Promise((r) => setTimeout(r, 30_000))]);
  listeners.delete(take);
  return timing;
}

const timings: Timing[] = [];
for (const file of examples) {
  const example = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as { name: string; document: GraphDocument };
  const { id: graphId } = await client.graphs.create.mutate({ name: example.name, document: example.document });
  timings.push(await timedRun(`${example.name}: first run (cold cache)`, graphId, example.document));
  timings.push(await timedRun(`${example.name}: rerun (data stages cached)`, graphId, example.document));
}
socket.close();
await server.close();
rmSync(dataDir, { recursive: true, force: true });

const s = (ms: number | null) => (ms === null ? '—' : (ms / 1000).toFixed(2));
writeBenchResult(
  'first-progress',
  { worker: warmWorker ? 'started ahead of time' : 'forked at Run (TUNEGRAPH_WARM_WORKER=0)', loadAverage: os.loadavg(), targetSeconds: 3, timings },
  markdownTable(
    ['run', 'runs.start (s)', 'worker running (s)', 'first node running (s)', 'first progress (s)', 'first progress from', 'first training step (s)', 'target'],
    timings.map((t) => [t.run, s(t.startCallMs), s(t.workerRunningMs), s(t.firstNodeRunningMs), s(t.firstProgressMs), `${t.firstProgressNode ?? '—'}${t.firstProgressWhat ? ` (${t.firstProgressWhat})` : ''}`, s(t.firstTrainingProgressMs), '≤ 3']),
  ) + `\n\nworker: ${warmWorker ? 'started ahead of time' : 'forked at Run (TUNEGRAPH_WARM_WORKER=0)'}; load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} (2-core machine shared with other work)`,
);
process.exit(0);
