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
import { startTestRedis, type TestRedis } from '../../helpers/redis';
import { FIXTURE_MODELS_DIR } from '../../helpers/run-env';
import { signUp, type TestSession } from '../../helpers/session';
import { startWorkerProcess, type WorkerProcess } from '../../helpers/worker-process';
import { tinyDaptGraph } from '../../helpers/tiny-dapt-graph';

const timings = { TUNEGRAPH_JOB_LOCK_MS: '2500', TUNEGRAPH_RECONCILE_MS: '1000', TUNEGRAPH_HEARTBEAT_MS: '1000', TUNEGRAPH_CHECKPOINT_MS: '-1', TUNEGRAPH_BUNDLED_MODELS_DIR: FIXTURE_MODELS_DIR };
Object.assign(process.env, timings);

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
    const { id: graphId } = await caller.graphs.create({ name: 'Queue sweep', document: tinyDaptGraph({ seed: 6, maxDocuments: 24, daptSteps: 12 /* enough that the other worker reaches DAPT while it is still computing */ }) });
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
