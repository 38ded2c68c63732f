// Runs through the real server: worker process, persisted events, socket.io streaming and replay,
// a killed worker, and recovery of interrupted runs.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { NumberedRunEvent } from '../../runtime/exec/events';
import { startServer, type RunningServer } from '../../server/http';
import type { InProcessQueue } from '../../server/runs/in-process-queue';
import { signUp, type TestSession } from '../helpers/session';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { fineTuneGraph } from '../helpers/fine-tune-graph';
import { FIXTURE_MODELS_DIR } from '../helpers/run-env';

function smallGraph(epochs = 2) {
  return fineTuneGraph({ data: { maxExamples: 120, seed: 2 }, ft: { epochs, batchSize: 8, maxSeqLength: 32, learningRate: 5e-3 } });
}

async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('runs on the server', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-runs-'));
  let owner: TestSession;
  const api = async () => appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
  let graphId = '';

  beforeAll(async () => {
    process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = FIXTURE_MODELS_DIR;
    server = await startServer({ port: 0, dataDir, next: false });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
    graphId = (await (await api()).graphs.create({ name: 'Runs test', document: smallGraph() })).id;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('streams a run’s events in order over socket.io, and a late joiner gets the replay', async () => {
    const live: Socket = connect(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: owner.cookie } });
    const { runId } = await (await api()).runs.start({ graphId });
    const received: NumberedRunEvent[] = [];
    live.on('run-event', (e: NumberedRunEvent) => received.push(e));
    const joined = (await new Promise((ok) => live.emit('join', { runId, afterSeq: 0 }, ok))) as { ok: boolean; events: NumberedRunEvent[] };
    expect(joined.ok).toBe(true);
    const all = new Map<number, NumberedRunEvent>();
    for (const e of joined.events) all.set(e.seq, e);
    await waitFor(async () => received.some((e) => e.type === 'run-status' && e.status === 'done'));
    for (const e of received) all.set(e.seq, e);
    const seqs = [...all.keys()].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    // Live events arrive in seq order.
    const liveSeqs = received.map((e) => e.seq);
    expect(liveSeqs).toEqual([...liveSeqs].sort((a, b) => a - b));
    expect(received.some((e) => e.type === 'progress' && e.nodeId === 'ft')).toBe(true);
    live.close();

    const late: Socket = connect(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: owner.cookie } });
    const replay = (await new Promise((ok) => late.emit('join', { runId, afterSeq: 0 }, ok))) as { ok: boolean; events: NumberedRunEvent[] };
    late.close();
    expect(replay.events.map((e) => e.seq)).toEqual(seqs);
    const snapshot = await (await api()).runs.get({ runId });
    expect(snapshot.run.status).toBe('done');
    expect(snapshot.run.backend).toBeTruthy();
    expect(snapshot.nodes.every((n) => n.status === 'done')).toBe(true);
    expect((snapshot.nodes.find((n) => n.nodeId === 'eval')!.metrics as { values: { accuracy: number } }).values.accuracy).toBeGreaterThan(0);
  });

  it('reruns use the cache; stale marking sees changed nodes', async () => {
    const doc = smallGraph(3);
    const state = await (await api()).runs.nodeState({ graphId, document: doc });
    expect(state.nodes.load.lastStatus).toBe('done');
    expect(state.nodes.ft.lastStatus).toBe(null);
  });

  it('a killed worker leaves a failed node with a readable reason, no partial artifact, and the app serving', async () => {
    const { runId } = await (await api()).runs.start({ graphId, document: smallGraph(40) });
    await waitFor(async () => (await (await api()).runs.get({ runId })).nodes.find((n) => n.nodeId === 'ft' && n.status === 'running'));
    await waitFor(async () => (await (await api()).runs.events({ runId })).some((e) => e.type === 'progress'));
    (server.queue as InProcessQueue).activeWorker()!.kill('SIGKILL');
    const snapshot = await waitFor(async () => {
      const s = await (await api()).runs.get({ runId });
      return s.run.status === 'failed' ? s : null;
    });
    const ft = snapshot.nodes.find((n) => n.nodeId === 'ft')!;
    expect(ft.status).toBe('failed');
    expect(ft.error).toMatch(/worker process exited unexpectedly \(signal SIGKILL\)/);
    expect(snapshot.run.error).toBe('Fine-tune (ft) failed: worker process exited unexpectedly (signal SIGKILL)');
    expect(snapshot.nodes.find((n) => n.nodeId === 'eval')!.status).toBe('skipped');
    expect(existsSync(join(dataDir, 'artifacts', ft.cacheKey))).toBe(false);
    expect(readdirSync(join(dataDir, 'artifacts', '.tmp'))).toEqual([]);
    const health = await fetch(`${server.url}/api/health`);
    expect(health.ok).toBe(true);
  });

  it('runs in the worker started ahead of time, starts the next one when a run ends, and replaces a spare that died', async () => {
    const queue = server.queue as InProcessQueue;
    const spare = await waitFor(async () => !queue.activeWorker() && queue.spareWorkerPid());
    const first = await (await api()).runs.start({ graphId, document: smallGraph(1) });
    expect(queue.activeWorker()!.pid).toBe(spare);
    await waitFor(async () => (await (await api()).runs.get({ runId: first.runId })).run.status === 'done');
    const next = await waitFor(async () => !queue.activeWorker() && queue.spareWorkerPid());
    expect(next).not.toBe(spare);
    // A spare that dies while idle is forgotten; the next run forks its own worker and still finishes.
    process.kill(next, 'SIGKILL');
    await waitFor(async () => queue.spareWorkerPid() === null);
    const doc = smallGraph(1);
    doc.nodes.find((n) => n.id === 'ft')!.params.learningRate = 4e-3;
    const second = await (await api()).runs.start({ graphId, document: doc });
    expect(queue.activeWorker()!.pid).not.toBe(next);
    const done = await waitFor(async () => {
      const s = await (await api()).runs.get({ runId: second.runId });
      return s.run.status === 'done' || s.run.status === 'failed' ? s : null;
    });
    expect(done.run.status).toBe('done');
    expect(done.nodes.find((n) => n.nodeId === 'ft')!.status).toBe('done');
  });

  it('closing the server stops the waiting worker too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunegraph-runs-close-'));
    const other = await startServer({ port: 0, dataDir: dir, next: false });
    const pid = (other.queue as InProcessQueue).spareWorkerPid();
    expect(pid).toBeTypeOf('number');
    await other.close();
    const gone = () => {
      try {
        process.kill(pid!, 0);
        return false;
      } catch {
        return true;
      }
    };
    await waitFor(async () => gone(), 10_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to run a graph with problems, naming them', async () => {
    const doc = smallGraph();
    doc.edges = doc.edges.filter((e) => e.target !== 'ft' || e.targetPort !== 'dataset');
    await expect((await api()).runs.start({ graphId, document: doc })).rejects.toThrow(/ft: input "dataset" \(Dataset\) is not connected/);
  });
});
