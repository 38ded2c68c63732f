// Rerun with changes: the new run records its parent and the exact version; the artifact cache is
// shared inside a workspace (a teammate's identical stage is reused) and never across workspaces.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users, workspaceMembers, workspaces } from '../../server/db/schema';
import { DEFAULT_WORKSPACE, LOCAL_USER } from '../../server/db/seed';
import { startServer, type RunningServer } from '../../server/http';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { fineTuneGraph } from '../helpers/fine-tune-graph';
import { FIXTURE_MODELS_DIR } from '../helpers/run-env';

function smallGraph(learningRate = 5e-3) {
  return fineTuneGraph({ data: { maxExamples: 80, seed: 2 }, ft: { epochs: 1, batchSize: 8, maxSeqLength: 32, learningRate }, ev: false });
}

describe('rerun with changes and the workspace cache', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-rerun-'));
  const people = { owner: LOCAL_USER, teammate: { id: 'u_teammate', name: 'Tea Mate' }, outsider: { id: 'u_outsider', name: 'Out Sider' } };
  const api = async (who: keyof typeof people) => appRouter.createCaller(await createContextInner({ db: server.database.db, user: people[who], runService: server.runService }));
  async function finished(who: keyof typeof people, runId: string) {
    const end = Date.now() + 120_000;
    for (;;) {
      const snap = await (await api(who)).runs.get({ runId });
      if (['done', 'failed', 'cancelled'].includes(snap.run.status)) return snap;
      if (Date.now() > end) throw new Error(`run ${runId} did not finish`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const statuses = (snap: Awaited<ReturnType<typeof finished>>) => Object.fromEntries(snap.nodes.map((n) => [n.nodeId, n.status]));

  beforeAll(async () => {
    process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = FIXTURE_MODELS_DIR;
    server = await startServer({ port: 0, dataDir, next: false });
    const { db } = server.database;
    await db.insert(users).values([
      { ...people.teammate, email: 'tea@example.org' },
      { ...people.outsider, email: 'out@example.org' },
    ]);
    await db.insert(workspaces).values({ id: 'w_other', name: 'Other team' });
    await db.insert(workspaceMembers).values([
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.teammate.id, role: 'editor' },
      { workspaceId: 'w_other', userId: people.outsider.id, role: 'owner' },
    ]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a rerun with an altered learning rate records its parent and version, and reuses everything above fine-tune', async () => {
    const owner = await api('owner');
    const { id: graphId } = await owner.graphs.create({ name: 'Rerun me', document: smallGraph() });
    const first = await finished('owner', (await owner.runs.start({ graphId })).runId);
    expect(first.run.status).toBe('done');
    const v2 = await owner.graphs.save({ graphId, document: smallGraph(1e-3), baseVersion: 1, message: 'lower learning rate' });
    const rerun = await owner.runs.start({ graphId, version: v2.version, parentRunId: first.run.id });
    const second = await finished('owner', rerun.runId);
    expect(second.run).toMatchObject({ status: 'done', parentRunId: first.run.id, graphVersion: 2 });
    expect(statuses(second)).toEqual({ data: 'cached', split: 'cached', load: 'cached', head: 'cached', ft: 'done' });
    expect((await owner.runs.list({ graphId })).find((r) => r.id === rerun.runId)?.parentRunId).toBe(first.run.id);
    await expect(owner.runs.start({ graphId, parentRunId: 'r_nosuchrun1' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it("a teammate's identical stages are reused in the same workspace, and recomputed in another", async () => {
    const teammate = await api('teammate');
    const { id: mine } = await teammate.graphs.create({ name: 'Same stages, other graph', document: smallGraph() });
    const reused = await finished('teammate', (await teammate.runs.start({ graphId: mine })).runId);
    expect(statuses(reused)).toEqual({ data: 'cached', split: 'cached', load: 'cached', head: 'cached', ft: 'cached' });

    const outsider = await api('outsider');
    const { id: theirs } = await outsider.graphs.create({ name: 'Same stages, other workspace', document: smallGraph() });
    const state = await outsider.runs.nodeState({ graphId: theirs, document: smallGraph() });
    expect(Object.values(state.nodes).every((n) => n.lastStatus === null)).toBe(true);
    const recomputed = await finished('outsider', (await outsider.runs.start({ graphId: theirs })).runId);
    expect(statuses(recomputed)).toEqual({ data: 'done', split: 'done', load: 'done', head: 'done', ft: 'done' });
    // Same graph, different workspaces: different keys, so neither cache can serve the other.
    const keyOf = (snap: typeof reused, id: string) => snap.nodes.find((n) => n.nodeId === id)!.cacheKey;
    expect(keyOf(recomputed, 'ft')).not.toBe(keyOf(reused, 'ft'));
  });
});
