// After a server restart no run is lost: a run in flight is resumed (finished nodes come back from
// the cache) and completes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_USER } from '../../server/db/seed';
import { startServer, type RunningServer } from '../../server/http';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { graphBuilder } from '../helpers/graph-builder';
import { FIXTURE_MODELS_DIR, FIXTURE_MODEL_ID } from '../helpers/run-env';

const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-recovery-'));
const api = async (s: RunningServer) => appRouter.createCaller(await createContextInner({ db: s.database.db, user: LOCAL_USER, runService: s.runService }));
const poll = async <T>(fn: () => Promise<T | null>, ms = 90_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('server restart', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('resumes a run that was in flight and finishes it', async () => {
    process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = FIXTURE_MODELS_DIR;
    const g = graphBuilder('');
    g.node('dataset-bundled', { dataset: 'spam-assassin', maxExamples: 100, seed: 4 }, { id: 'data' });
    g.node('split', {}, { id: 'split' });
    g.node('pretrained-load', { modelId: FIXTURE_MODEL_ID }, { id: 'load' });
    g.node('head', {}, { id: 'head' });
    g.node('fine-tune', { epochs: 12, batchSize: 8, maxSeqLength: 32 }, { id: 'ft' });
    g.connect('data', 'dataset', 'split', 'dataset');
    g.connect('load', 'model', 'head', 'model');
    g.connect('split', 'dataset', 'head', 'dataset');
    g.connect('head', 'model', 'ft', 'model');
    g.connect('split', 'dataset', 'ft', 'dataset');
    let server = await startServer({ port: 0, dataDir, next: false });
    const { id: graphId } = await (await api(server)).graphs.create({ name: 'restart', document: g.build() });
    const { runId } = await (await api(server)).runs.start({ graphId });
    await poll(async () => ((await (await api(server)).runs.get({ runId })).nodes.find((n) => n.nodeId === 'ft')?.status === 'running' ? true : null));
    await server.close(); // the worker dies with the server; the run row still says running

    server = await startServer({ port: 0, dataDir, next: false });
    try {
      const snap = await poll(async () => {
        const s = await (await api(server)).runs.get({ runId });
        return s.run.status === 'done' || s.run.status === 'failed' ? s : null;
      });
      expect(snap.run.status).toBe('done');
      const statuses = Object.fromEntries(snap.nodes.map((n) => [n.nodeId, n.status]));
      expect(statuses).toMatchObject({ data: 'cached', split: 'cached', load: 'cached', head: 'cached', ft: 'done' });
      const events = await (await api(server)).runs.events({ runId });
      expect(events.some((e) => e.type === 'log' && e.message.includes('resuming'))).toBe(true);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    } finally {
      await server.close();
    }
  });
});
