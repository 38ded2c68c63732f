// A sweep in queue mode (REDIS_URL): a real redis-server and two worker host processes take the stage
// jobs of all four runs at once, so both workers may reach the shared DAPT stage together; the single
// flight on its cache key still lets DAPT execute once, and fine-tune runs once per point.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvents, runNodes, runs } from '../../../server/db/schema';
import { startServer, type RunningServer } from '../../../server/http';
import { appRouter } from '../../../server/routers/_app';
import { createContextInner } from '../../../server/trpc';
import { graphBuilder } from '../../helpers/graph-builder';
import { startTestRedis, type TestRedis } from '../../helpers/redis';
import { FIXTURE_MODELS_DIR, FIXTURE_MODEL_ID } from '../../helpers/run-env';
import { signUp, type TestSession } from '../../helpers/session';
import { startWorkerProcess, type WorkerProcess } from '../../helpers/worker-process';

const timings = { TUNEGRAPH_JOB_LOCK_MS: '2500', TUNEGRAPH_RECONCILE_MS: '1000', TUNEGRAPH_HEARTBEAT_MS: '1000', TUNEGRAPH_CHECKPOINT_MS: '-1', TUNEGRAPH_BUNDLED_MODELS_DIR: FIXTURE_MODELS_DIR };
Object.assign(process.env, timings);

function daptGraph() {
  const g = graphBuilder('');
  g.node('dataset-bundled', { dataset: 'spam-assassin', maxExamples: 60, seed: 6 }, { id: 'data' });
  g.node('split', {}, { id: 'split' });
  g.node('corpus-bundled', { corpus: 'spam-assassin-emails', maxDocuments: 24 }, { id: 'corpus' });
  g.node('pretrained-load', { modelId: FIXTURE_MODEL_ID }, { id: 'load' });
  // Enough DAPT steps that the other worker reaches this stage while it is still computing.
  g.node('dapt', { maxSteps: 12, batchSize: 4, maxSeqLength: 32, learningRate: 1e-3 }, { id: 'dapt' });
  g.node('head', {}, { id: 'head' });
  g.node('fine-tune', { epochs: 1, batchSize: 8, maxSeqLength: 32, learningRate: 1e-3 }, { id: 'ft' });
  g.node('eval', {}, { id: 'eval' });
  g.connect('data', 'dataset', 'split', 'dataset');
  g.connect('load', 'model', 'dapt', 'model');
  g.connect('corpus', 'corpus', 'dapt', 'corpus');
  g.connect('dapt', 'model', 'head', 'model');
  g.connect('split', 'dataset', 'head', 'dataset');
  g.connect('head', 'model', 'ft', 'model');
  g.connect('split', 'dataset', 'ft', 'dataset');
  g.connect('ft', 'model', 'eval', 'model');
  g.connect('split', 'dataset', 'eval', 'dataset');
  return g.build();
}

describe('a sweep in queue mode', () => {
  let redis: TestRedis;
  let server: RunningServer;
  let owner: TestSession;
  const workers: WorkerProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-sweep-queue-'));
  const api = async () => appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));

  beforeAll(async () => {
    redis = await startTestRedis();
    server = await startServer({ port: 0, dataDir, next: false, redisUrl: redis.url });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
    for (const id of ['w1', 'w2']) workers.push(startWorkerProcess({ id, redisUrl: redis.url, dataDir, env: timings }));
    await Promise.all(workers.map((w) => w.ready));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await server?.close();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('two workers run a 2×2 sweep below DAPT: DAPT executes once, fine-tune four times', async () => {
    const caller = await api();
    const { id: graphId } = await caller.graphs.create({ name: 'Queue sweep', document: daptGraph() });
    const { sweepId, runIds } = await caller.sweeps.start({ graphId, nodeId: 'ft', params: [{ name: 'learningRate', values: [1e-3, 5e-4] }, { name: 'batchSize', values: [4, 8] }] });
    const { db } = server.database;
    const end = Date.now() + 240_000;
    for (;;) {
      const rows = await db.select({ status: runs.status }).from(runs).where(eq(runs.sweepId, sweepId));
      if (rows.length === 4 && rows.every((r) => ['done', 'failed', 'cancelled'].includes(r.status))) break;
      if (Date.now() > end) throw new Error('the sweep did not finish');
      await new Promise((r) => setTimeout(r, 300));
    }
    const nodes = await db.select({ runId: runNodes.runId, nodeId: runNodes.nodeId, status: runNodes.status, error: runNodes.error, workerId: runNodes.workerId }).from(runNodes).where(inArray(runNodes.runId, runIds));
    expect(nodes.filter((n) => n.error)).toEqual([]);
    const count = (nodeId: string, status: string) => nodes.filter((n) => n.nodeId === nodeId && n.status === status).length;
    expect({ daptDone: count('dapt', 'done'), daptCached: count('dapt', 'cached'), ftDone: count('ft', 'done') }).toEqual({ daptDone: 1, daptCached: 3, ftDone: 4 });
    expect(new Set(nodes.map((n) => n.workerId).filter(Boolean)).size).toBe(2);
    // Whether a DAPT job found the other computing depends on timing; when it did, it said whom it waited for.
    const waits = await db.select({ payload: runEvents.payload }).from(runEvents).where(and(inArray(runEvents.runId, runIds), eq(runEvents.type, 'log')));
    const waited = waits.filter((w) => /waiting for run r_/.test((w.payload as { message: string }).message)).length;
    console.log(`queue-mode sweep: ${waited} stage job(s) waited for another run's identical stage`);
  }, 260_000);
});
