// Queue mode end to end: a real redis-server, a real database, the server and two real worker host
// processes. Both workers take stages, a socket.io client gets every event in order, a worker killed
// mid-stage has its stage resumed on the other from the shared checkpoint, a stage whose attempts all
// die fails with the reason, a restarted server loses nothing, cancel stops a stage on
// its worker, and the reconciler closes a run that no job backs.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { io as connect, type Socket } from 'socket.io-client';
import { Worker } from 'bullmq';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NumberedRunEvent } from '../../../runtime/exec/events';
import { DEFAULT_WORKSPACE, LOCAL_USER } from '../../../server/db/seed';
import { runNodes, runs } from '../../../server/db/schema';
import { startServer, type RunningServer } from '../../../server/http';
import { signUp, type TestSession } from '../../helpers/session';
import type { BullmqRunQueue } from '../../../server/queue/bullmq-queue';
import { stageQueueName } from '../../../server/queue/protocol';
import { appRouter } from '../../../server/routers/_app';
import { createContextInner } from '../../../server/trpc';
import { graphBuilder } from '../../helpers/graph-builder';
import { startTestRedis, type TestRedis } from '../../helpers/redis';
import { FIXTURE_MODELS_DIR, FIXTURE_MODEL_ID } from '../../helpers/run-env';
import { startWorkerProcess, type WorkerProcess } from '../../helpers/worker-process';

const timings = { TUNEGRAPH_JOB_LOCK_MS: '2500', TUNEGRAPH_RECONCILE_MS: '1000', TUNEGRAPH_HEARTBEAT_MS: '1000', TUNEGRAPH_CHECKPOINT_MS: '-1', TUNEGRAPH_BUNDLED_MODELS_DIR: FIXTURE_MODELS_DIR };
Object.assign(process.env, timings);

/** Data and a model prepared once, then two fine-tunes that can run side by side, each evaluated. */
function twoBranchGraph(epochs: number, seed = 2) {
  const g = graphBuilder('');
  g.node('dataset-bundled', { dataset: 'spam-assassin', maxExamples: 100, seed }, { id: 'data' });
  g.node('split', {}, { id: 'split' });
  g.node('pretrained-load', { modelId: FIXTURE_MODEL_ID }, { id: 'load' });
  g.node('head', {}, { id: 'head' });
  for (const [id, lr] of [['ftA', 5e-3], ['ftB', 1e-3]] as const) {
    g.node('fine-tune', { epochs, batchSize: 8, maxSeqLength: 32, learningRate: lr }, { id });
    g.node('eval', {}, { id: `eval${id.slice(2)}` });
    g.connect('head', 'model', id, 'model');
    g.connect('split', 'dataset', id, 'dataset');
    g.connect(id, 'model', `eval${id.slice(2)}`, 'model');
    g.connect('split', 'dataset', `eval${id.slice(2)}`, 'dataset');
  }
  g.connect('data', 'dataset', 'split', 'dataset');
  g.connect('load', 'model', 'head', 'model');
  g.connect('split', 'dataset', 'head', 'dataset');
  return g.build();
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** A private PostgreSQL database for this file when TEST_DATABASE_URL is set (other files wipe theirs). */
async function privatePostgres(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return null;
  const name = `tunegraph_queue_${process.pid}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

const engines = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(engines)('queue mode (%s)', (engine) => {
  let redis: TestRedis;
  let server: RunningServer;
  let pg: Awaited<ReturnType<typeof privatePostgres>> = null;
  const workers: WorkerProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-queue-'));
  let owner: TestSession;
  const api = async () => appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
  const nodesOf = async (runId: string) => (await (await api()).runs.get({ runId })).nodes;
  /** Waits for the run to end and expects it done; a failure says which nodes failed and why, at once. */
  const doneRun = async (runId: string) => {
    const s = await waitFor(`run ${runId}`, async () => {
      const snap = await (await api()).runs.get({ runId });
      return ['done', 'failed', 'cancelled'].includes(snap.run.status) ? snap : null;
    });
    expect(`${s.run.status} ${s.nodes.filter((n) => n.error).map((n) => `${n.nodeId}: ${n.error}`).join('; ')}`.trim()).toBe('done');
    return s;
  };
  let graphId = '';

  beforeAll(async () => {
    redis = await startTestRedis();
    if (engine === 'postgres') pg = await privatePostgres();
    server = await startServer({ port: 0, dataDir, next: false, redisUrl: redis.url, databaseUrl: pg?.url });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
    for (const id of ['w1', 'w2']) workers.push(startWorkerProcess({ id, redisUrl: redis.url, dataDir, env: timings }));
    await Promise.all(workers.map((w) => w.ready));
    graphId = (await (await api()).graphs.create({ name: 'Queue test', document: twoBranchGraph(2) })).id;
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await server?.close();
    await redis?.stop();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('two workers share a run’s stages and a socket.io client gets every event in order', async () => {
    const live: Socket = connect(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: owner.cookie } });
    const received: NumberedRunEvent[] = [];
    live.on('run-event', (e: NumberedRunEvent) => received.push(e));
    const { runId } = await (await api()).runs.start({ graphId });
    const joined = (await new Promise((ok) => live.emit('join', { runId, afterSeq: 0 }, ok))) as { ok: boolean; events: NumberedRunEvent[] };
    expect(joined.ok).toBe(true);
    await waitFor('the run to end', async () => received.some((e) => e.type === 'run-status' && ['done', 'failed'].includes(e.status)));
    live.close();
    const all = new Map<number, NumberedRunEvent>();
    for (const e of [...joined.events, ...received]) all.set(e.seq, e);
    const seqs = [...all.keys()].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const liveSeqs = received.map((e) => e.seq);
    expect(liveSeqs).toEqual([...liveSeqs].sort((a, b) => a - b));
    // Persisted exactly as pushed.
    const stored = await (await api()).runs.events({ runId });
    expect(stored.map((e) => e.seq)).toEqual(seqs);

    const snapshot = await (await api()).runs.get({ runId });
    expect(snapshot.run.status).toBe('done');
    expect(snapshot.run.backend).toBeTruthy();
    expect(snapshot.nodes.every((n) => n.status === 'done')).toBe(true);
    expect(new Set(snapshot.nodes.map((n) => n.workerId))).toEqual(new Set(['w1', 'w2']));
    // The two fine-tunes ran side by side, one on each worker.
    expect(new Set(snapshot.nodes.filter((n) => n.nodeId.startsWith('ft')).map((n) => n.workerId)).size).toBe(2);
    expect(received.some((e) => e.type === 'progress' && e.nodeId === 'ftA')).toBe(true);
    expect((snapshot.nodes.find((n) => n.nodeId === 'evalA')!.metrics as { values: { accuracy: number } }).values.accuracy).toBeGreaterThan(0);

    // The Workers page sees both hosts, their backend, the queue, and the stages they ran.
    const view = await (await api()).compute.workers();
    expect(view.mode).toBe('queue');
    expect(view.workers.map((w) => w.id).sort()).toEqual(['w1', 'w2']);
    expect(view.workers.every((w) => w.backend && w.device && w.memoryBytes > 0)).toBe(true);
    expect(view.queues.map((q) => q.name)).toContain('tunegraph-stages');
    expect(view.recentJobs.filter((j) => j.runId === runId)).toHaveLength(snapshot.nodes.length);
    expect(view.startLatencyP95Ms).not.toBeNull();
    const anonymous = appRouter.createCaller(await createContextInner({ db: server.database.db, user: null, runService: server.runService }));
    await expect(anonymous.compute.workers()).rejects.toThrow(/sign in first/);
  });

  it('a rerun finds every artifact in the shared store and runs nothing again', async () => {
    const { runId } = await (await api()).runs.start({ graphId });
    await doneRun(runId);
    expect((await nodesOf(runId)).every((n) => n.status === 'cached')).toBe(true);
  });

  it('a worker killed mid-stage: the stage resumes on the other worker from its checkpoint, nothing is lost', async () => {
    const doc = twoBranchGraph(2);
    doc.nodes.find((n) => n.id === 'ftA')!.params.epochs = 14;
    const { runId } = await (await api()).runs.start({ graphId, document: doc });
    const ft = await waitFor('ftA to train', async () => {
      const n = (await nodesOf(runId)).find((x) => x.nodeId === 'ftA' && x.status === 'running' && x.workerId);
      const progressed = n && (await (await api()).runs.events({ runId })).some((e) => e.type === 'progress' && e.nodeId === 'ftA' && e.step >= 3);
      return progressed ? n : null;
    });
    const victim = workers.find((w) => w.id === ft.workerId)!;
    const survivor = workers.find((w) => w !== victim)!;
    victim.killHard();
    const snapshot = await waitFor('the run to end', async () => {
      const s = await (await api()).runs.get({ runId });
      return ['done', 'failed', 'cancelled'].includes(s.run.status) ? s : null;
    });
    expect(snapshot.run.status).toBe('done');
    const after = snapshot.nodes.find((n) => n.nodeId === 'ftA')!;
    expect(after.status).toBe('done');
    expect(after.attempts).toBe(2);
    expect(after.workerId).toBe(survivor.id);
    const events = await (await api()).runs.events({ runId });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.some((e) => e.type === 'log' && e.message.includes(`restarted on worker ${survivor.id}`))).toBe(true);
    expect(events.some((e) => e.type === 'log' && e.nodeId === 'ftA' && /resuming .*from its checkpoint at batch [1-9]/.test(e.message))).toBe(true);
    // Only complete artifacts are visible: every key folder holds its completion marker.
    const artifacts = join(dataDir, 'artifacts');
    for (const entry of readdirSync(artifacts).filter((e) => !e.startsWith('.'))) expect(readdirSync(join(artifacts, entry))).toContain('.complete');
    workers.splice(workers.indexOf(victim), 1);
  });

  it('a server restart mid-run loses nothing: the new server catches up with what workers reported meanwhile', async () => {
    const doc = twoBranchGraph(4, 5);
    const { runId } = await (await api()).runs.start({ graphId, document: doc });
    await waitFor('a fine-tune to run', async () => (await nodesOf(runId)).some((n) => n.nodeId.startsWith('ft') && n.status === 'running'));
    await server.close();
    await new Promise((r) => setTimeout(r, 1500)); // the workers keep training and reporting into Redis
    server = await startServer({ port: 0, dataDir, next: false, redisUrl: redis.url, databaseUrl: pg?.url });
    const snapshot = await waitFor('the run to end', async () => {
      const s = await (await api()).runs.get({ runId });
      return ['done', 'failed', 'cancelled'].includes(s.run.status) ? s : null;
    });
    expect(snapshot.run.status).toBe('done');
    expect(snapshot.nodes.every((n) => n.status === 'done' || n.status === 'cached')).toBe(true);
    const events = await (await api()).runs.events({ runId });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const id of ['ftA', 'ftB']) expect(events.filter((e) => e.type === 'node-status' && e.nodeId === id && e.status === 'done')).toHaveLength(1);
  });

  it('the surviving worker keeps serving, and cancel stops a stage on its worker', async () => {
    const doc = twoBranchGraph(60, 3);
    const { runId } = await (await api()).runs.start({ graphId, document: doc });
    await waitFor('a fine-tune to run', async () => (await nodesOf(runId)).some((n) => n.nodeId.startsWith('ft') && n.status === 'running'));
    await (await api()).runs.cancel({ runId });
    const snapshot = await waitFor('the cancel', async () => {
      const s = await (await api()).runs.get({ runId });
      return s.run.status !== 'running' && s.run.status !== 'queued' ? s : null;
    }, 30_000);
    expect(snapshot.run.status).toBe('cancelled');
    expect(snapshot.nodes.filter((n) => n.nodeId.startsWith('ft')).map((n) => n.status).sort()).toContain('cancelled');
    expect(snapshot.nodes.some((n) => n.status === 'running' || n.status === 'queued')).toBe(false);

    // The same worker takes the next run at once.
    const small = twoBranchGraph(1, 4);
    const next = await (await api()).runs.start({ graphId, document: small });
    await doneRun(next.runId);
    expect(new Set((await nodesOf(next.runId)).map((n) => n.workerId))).toEqual(new Set([workers[0].id]));
  });

  it('a training stage that needs a label waits for a worker that has it', async () => {
    const doc = twoBranchGraph(1, 6);
    const start = await (await api()).runs.start({ graphId, document: doc, requires: ['gpu'] });
    expect(start.warnings.some((w) => /^ftA: no connected worker with label gpu; the stage waits/.test(w))).toBe(true);
    await waitFor('the head to finish on the plain worker', async () => (await nodesOf(start.runId)).find((n) => n.nodeId === 'head' && n.status === 'done'));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await nodesOf(start.runId)).filter((n) => n.nodeId.startsWith('ft')).map((n) => n.status)).toEqual(['queued', 'queued']);
    const gpu = startWorkerProcess({ id: 'w3', redisUrl: redis.url, dataDir, env: timings, args: ['--labels', 'gpu'] });
    workers.push(gpu);
    await gpu.ready;
    await doneRun(start.runId);
    const nodes = await nodesOf(start.runId);
    expect(nodes.filter((n) => n.nodeId.startsWith('ft')).sort((a, b) => a.nodeId.localeCompare(b.nodeId)).map((n) => [n.workerId, n.requires])).toEqual([['w3', ['gpu']], ['w3', ['gpu']]]);
    expect(nodes.find((n) => n.nodeId === 'data')!.requires).toEqual([]);
  });

  it('a stage whose attempts all die fails with the reason after N attempts; what is below is skipped', async () => {
    // A host that takes "flaky" stages and whose stage process dies every time (BullMQ's real retry path).
    let tries = 0;
    const flaky = new Worker(stageQueueName(['flaky']), async () => {
      tries++;
      throw new Error('stage process exited unexpectedly (signal SIGKILL)');
    }, { connection: { url: redis.url }, concurrency: 1 });
    try {
      const { runId } = await (await api()).runs.start({ graphId, document: twoBranchGraph(1, 7), requires: ['flaky'] });
      const snapshot = await waitFor('the run to fail', async () => {
        const s = await (await api()).runs.get({ runId });
        return ['done', 'failed', 'cancelled'].includes(s.run.status) ? s : null;
      });
      expect(snapshot.run.status).toBe('failed');
      for (const id of ['ftA', 'ftB']) {
        const n = snapshot.nodes.find((x) => x.nodeId === id)!;
        expect(n.status).toBe('failed');
        expect(n.error).toBe('stage failed after 3 attempts: stage process exited unexpectedly (signal SIGKILL)');
      }
      expect(snapshot.nodes.filter((n) => n.nodeId.startsWith('eval')).map((n) => n.status)).toEqual(['skipped', 'skipped']);
      expect(tries).toBe(6);
    } finally {
      await flaky.close();
    }
  });

  it('the reconciler closes a run the database calls running but no job backs', async () => {
    const db = server.database.db;
    const doc = twoBranchGraph(1);
    await db.insert(runs).values({ id: 'r_orphan1', workspaceId: DEFAULT_WORKSPACE.id, graphId, document: doc, targets: { mode: 'all', nodeId: null, force: [] }, status: 'running', createdBy: LOCAL_USER.id });
    await db.insert(runNodes).values([
      { runId: 'r_orphan1', nodeId: 'data', cacheKey: 'a'.repeat(64), status: 'running', jobId: 'r_orphan1.data', workerId: 'gone' },
      { runId: 'r_orphan1', nodeId: 'split', cacheKey: 'b'.repeat(64), status: 'queued' },
    ]);
    await (server.queue as BullmqRunQueue).coordinator.reconcile();
    const [run] = await db.select().from(runs).where(eq(runs.id, 'r_orphan1'));
    expect(run.status).toBe('failed');
    const [node] = await db.select().from(runNodes).where(and(eq(runNodes.runId, 'r_orphan1'), eq(runNodes.nodeId, 'data')));
    expect(node.status).toBe('failed');
    expect(node.error).toMatch(/no queue job backs this stage/);
    const [split] = await db.select().from(runNodes).where(and(eq(runNodes.runId, 'r_orphan1'), eq(runNodes.nodeId, 'split')));
    expect(split.status).toBe('skipped');
  });
});
