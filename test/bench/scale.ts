// Queue-mode scaling bench: a batch of small runs (each its own data seed, so nothing is cached)
// through one worker host, then a fresh batch through two, each worker pinned to one core with
// taskset; ratio = throughput with two ÷ with one (target ≥ 1.7). Then single runs on idle
// workers for the stage-ready → job-start latency (target p95 ≤ 100 ms). Real redis-server,
// PGlite, real worker processes; the tiny-bert fixture is the pretrained model.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_USER } from '../../server/db/seed';
import { startServer } from '../../server/http';
import type { BullmqRunQueue } from '../../server/queue/bullmq-queue';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { fineTuneGraph } from '../helpers/fine-tune-graph';
import { startTestRedis } from '../helpers/redis';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { markdownTable, writeBenchResult } from './report';

const root = fileURLToPath(new URL('../../', import.meta.url));
process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = join(root, 'test', 'fixtures');
const quick = process.argv.includes('--short');
const BATCH = quick ? 4 : 8;
const LATENCY_RUNS = quick ? 3 : 6;
const ROUNDS = quick ? 1 : 2;

/** A small run: data (seeded) → split → head on the fixture model → one short fine-tune → eval. */
function smallRun(seed: number) {
  return fineTuneGraph({ data: { maxExamples: 120, seed }, ft: { epochs: 4, batchSize: 8, maxSeqLength: 32 } });
}

const redis = await startTestRedis();
const dataDir = mkdtempSync(join(os.tmpdir(), 'tunegraph-scale-'));
const server = await startServer({ port: 0, dataDir, next: false, redisUrl: redis.url });
const api = appRouter.createCaller(await createContextInner({ db: server.database.db, user: LOCAL_USER, runService: server.runService }));
const coordinator = (server.queue as BullmqRunQueue).coordinator;
const { id: graphId } = await api.graphs.create({ name: 'scale bench', document: smallRun(0) });
const workers: WorkerProcess[] = [];
let seed = 1000;

async function waitDone(runIds: string[]): Promise<void> {
  for (const runId of runIds) {
    for (;;) {
      const { run, nodes } = await api.runs.get({ runId });
      if (run.status === 'done') break;
      if (run.status !== 'queued' && run.status !== 'running') throw new Error(`run ${runId} ${run.status}: ${nodes.filter((n) => n.error).map((n) => `${n.nodeId}: ${n.error}`).join('; ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Seconds for a batch of runs submitted together. */
const leaderLoad: { entries: number; busySeconds: number }[] = [];
const stagesPerWorker: Record<string, number>[] = [];
const stageSeconds: number[] = [];

async function batch(): Promise<number> {
  const started = performance.now();
  const before = { ...coordinator.stats };
  const ids = [];
  for (let i = 0; i < BATCH; i++) ids.push((await api.runs.start({ graphId, document: smallRun(seed++) })).runId);
  await waitDone(ids);
  const perWorker: Record<string, number> = {};
  let ranSeconds = 0;
  for (const runId of ids) {
    for (const n of (await api.runs.get({ runId })).nodes) {
      perWorker[n.workerId ?? '?'] = (perWorker[n.workerId ?? '?'] ?? 0) + 1;
      if (n.startedAt && n.finishedAt) ranSeconds += (n.finishedAt.getTime() - n.startedAt.getTime()) / 1000;
    }
  }
  stagesPerWorker.push(perWorker);
  stageSeconds.push(ranSeconds);
  leaderLoad.push({ entries: coordinator.stats.handled - before.handled, busySeconds: (coordinator.stats.busyMs - before.busyMs) / 1000 });
  return (performance.now() - started) / 1000;
}

async function addWorker(cpu: number): Promise<void> {
  const w = startWorkerProcess({ id: `bench-w${cpu}`, redisUrl: redis.url, dataDir, cpu: cpu % os.cpus().length });
  workers.push(w);
  await w.ready;
}

try {
  await addWorker(0);
  await waitDone([(await api.runs.start({ graphId, document: smallRun(seed++) })).runId]); // warm-up: shared model artifact, first stage process
  // The VM's cores are shared with other work, so each setting runs ROUNDS batches and the fastest
  // counts (noise only ever slows a batch down). A new worker is warmed up first (JIT, tfjs kernels,
  // the bundled dataset read once per process), as the first worker was.
  const oneTimes: number[] = [];
  const twoTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) oneTimes.push(await batch());
  await addWorker(1);
  const warm = [];
  for (let i = 0; i < 4; i++) warm.push((await api.runs.start({ graphId, document: smallRun(seed++) })).runId);
  await waitDone(warm);
  for (let round = 0; round < ROUNDS; round++) twoTimes.push(await batch());
  const oneWorker = Math.min(...oneTimes);
  const twoWorkers = Math.min(...twoTimes);

  coordinator.startLatencies.length = 0;
  for (let i = 0; i < LATENCY_RUNS; i++) await waitDone([(await api.runs.start({ graphId, document: smallRun(seed++) })).runId]);
  const latencies = [...coordinator.startLatencies].sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];

  const ratio = oneWorker / twoWorkers;
  const data = {
    batchRuns: BATCH,
    stagesPerRun: 6,
    cpuPinning: 'taskset: worker 1 on core 0, worker 2 on core 1; server unpinned',
    loadAverageAtEnd: os.loadavg()[0],
    rounds: ROUNDS,
    oneWorker: { seconds: oneWorker, allSeconds: oneTimes, runsPerMinute: (BATCH / oneWorker) * 60 },
    twoWorkers: { seconds: twoWorkers, allSeconds: twoTimes, runsPerMinute: (BATCH / twoWorkers) * 60 },
    leaderBusy: leaderLoad,
    stagesPerWorker,
    stageSeconds,
    ratio,
    ratioTarget: 1.7,
    startLatencyMs: { samples: latencies.length, p50: pct(0.5), p95: pct(0.95), max: latencies[latencies.length - 1] },
    startLatencyTargetP95Ms: 100,
  };
  writeBenchResult(
    'scale',
    data,
    markdownTable(
      ['measure', 'result', 'target'],
      [
        [`${BATCH} small runs, 1 worker (1 core), best of ${ROUNDS}`, `${oneWorker.toFixed(1)} s (${oneTimes.map((t) => t.toFixed(1)).join(', ')})`, ''],
        [`${BATCH} small runs, 2 workers (1 core each), best of ${ROUNDS}`, `${twoWorkers.toFixed(1)} s (${twoTimes.map((t) => t.toFixed(1)).join(', ')})`, ''],
        ['throughput ratio 2 ÷ 1', ratio.toFixed(2), '≥ 1.7'],
        [`stage ready → job start on an idle worker (${latencies.length} stages), p50 / p95`, `${pct(0.5)} / ${pct(0.95)} ms`, 'p95 ≤ 100 ms'],
        ['leader busy handling worker messages per batch', leaderLoad.map((l) => `${l.busySeconds.toFixed(1)} s / ${l.entries}`).join(', '), ''],
        ['load average (1 min) at the end', os.loadavg()[0].toFixed(1), ''],
      ],
    ),
  );
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await server.close();
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
