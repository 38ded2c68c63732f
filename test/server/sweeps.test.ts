// Sweeps through the API on a real server: the plan names shared and per-point stages from the cache
// keys, a 2×2 sweep below DAPT executes DAPT once and fine-tune four times, the results table has
// every point's metrics with the best marked, grids are checked value by value, and rights hold.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNodes, runs, users, workspaceMembers, workspaces } from '../../server/db/schema';
import { DEFAULT_WORKSPACE, LOCAL_USER } from '../../server/db/seed';
import { startServer, type RunningServer } from '../../server/http';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { FIXTURE_MODELS_DIR } from '../helpers/run-env';
import { tinyDaptGraph } from '../helpers/tiny-dapt-graph';

/** data → split; tiny model → DAPT → head → fine-tune → eval, all tiny. */
const grid2x2 = [
  { name: 'learningRate', values: [1e-3, 5e-4] },
  { name: 'batchSize', values: [4, 8] },
];

type Persona = 'stranger' | 'nonMember' | 'viewer' | 'editor' | 'admin' | 'owner';
const person = (id: string) => ({ id, name: id.slice(2) });

describe('sweeps', () => {
  let server: RunningServer;
  let graphId: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-sweeps-'));
  const people = { owner: LOCAL_USER, admin: person('u_swadmin'), editor: person('u_sweditor'), viewer: person('u_swviewer'), nonMember: person('u_swoutsider') };
  const api = async (who: Persona) => appRouter.createCaller(await createContextInner({ db: server.database.db, user: who === 'stranger' ? null : people[who], runService: server.runService }));

  beforeAll(async () => {
    process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = FIXTURE_MODELS_DIR;
    server = await startServer({ port: 0, dataDir, next: false });
    const { db } = server.database;
    await db.insert(users).values(['admin', 'editor', 'viewer', 'nonMember'].map((w) => ({ ...people[w as 'admin'], email: `${people[w as 'admin'].name}@example.org` })));
    await db.insert(workspaces).values({ id: 'w_sweep_outsider', name: 'Elsewhere' });
    await db.insert(workspaceMembers).values([
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.admin.id, role: 'admin' },
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.editor.id, role: 'editor' },
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.viewer.id, role: 'viewer' },
      { workspaceId: 'w_sweep_outsider', userId: people.nonMember.id, role: 'owner' },
    ]);
    graphId = (await (await api('owner')).graphs.create({ name: 'Sweep me', document: tinyDaptGraph({ seed: 4 }) })).id;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the plan counts the runs and names the stages that run once (above the swept node) and per point', async () => {
    const plan = await (await api('editor')).sweeps.plan({ graphId, nodeId: 'ft', params: grid2x2 });
    expect(plan.runs).toBe(4);
    expect(plan.shared.map((s) => s.nodeId).sort()).toEqual(['corpus', 'dapt', 'data', 'head', 'load', 'split']);
    expect(plan.perPoint.map((s) => s.nodeId)).toEqual(['ft', 'eval']);
    expect(plan.computations).toBe(6 + 2 * 4);
    expect(plan.summary).toBe('4 runs; runs once and shared: Bundled dataset, Split, Bundled corpus, Pretrained model, Domain-adaptive pretraining, Task head; runs per point: Fine-tune, Evaluate');
    expect(plan.points).toEqual([
      { learningRate: 1e-3, batchSize: 4 },
      { learningRate: 1e-3, batchSize: 8 },
      { learningRate: 5e-4, batchSize: 4 },
      { learningRate: 5e-4, batchSize: 8 },
    ]);
  });

  it('a 2×2 sweep below DAPT executes DAPT once and fine-tune four times, and fills one results table', async () => {
    const editor = await api('editor');
    const { sweepId, runIds } = await editor.sweeps.start({ graphId, nodeId: 'ft', params: grid2x2 });
    expect(runIds).toHaveLength(4);
    const { db } = server.database;
    const end = Date.now() + 300_000;
    for (;;) {
      const rows = await db.select({ status: runs.status }).from(runs).where(eq(runs.sweepId, sweepId));
      if (rows.length === 4 && rows.every((r) => ['done', 'failed', 'cancelled'].includes(r.status))) break;
      if (Date.now() > end) throw new Error('the sweep did not finish');
      await new Promise((r) => setTimeout(r, 300));
    }
    // Every point is a run of the base version with its own params; no graph version per point.
    const runRows = await db.select().from(runs).where(eq(runs.sweepId, sweepId));
    expect(runRows.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(new Set(runRows.map((r) => r.graphVersion))).toEqual(new Set([1]));
    expect((await editor.graphs.versions({ graphId })).length).toBe(1);
    // Stage executions, counted from what each run recorded: done = executed, cached = reused.
    const nodes = await db.select({ nodeId: runNodes.nodeId, status: runNodes.status }).from(runNodes).where(and(inArray(runNodes.runId, runIds), inArray(runNodes.nodeId, ['dapt', 'ft', 'eval'])));
    const count = (nodeId: string, status: string) => nodes.filter((n) => n.nodeId === nodeId && n.status === status).length;
    expect({ daptDone: count('dapt', 'done'), daptCached: count('dapt', 'cached'), ftDone: count('ft', 'done'), evalDone: count('eval', 'done') }).toEqual({ daptDone: 1, daptCached: 3, ftDone: 4, evalDone: 4 });

    const table = await (await api('viewer')).sweeps.get({ graphId, sweepId });
    expect(table.sweep).toMatchObject({ nodeId: 'ft', nodeType: 'fine-tune', graphVersion: 1 });
    expect(table.rows.map((r) => r.values)).toEqual([
      { learningRate: 1e-3, batchSize: 4 },
      { learningRate: 1e-3, batchSize: 8 },
      { learningRate: 5e-4, batchSize: 4 },
      { learningRate: 5e-4, batchSize: 8 },
    ]);
    for (const row of table.rows) {
      expect(row.status).toBe('done');
      expect(row.seconds).toBeGreaterThan(0);
      expect(row.scores[0].values.accuracy).toBeGreaterThanOrEqual(0);
      expect(Array.isArray(row.scores[0].flags)).toBe(true);
    }
    expect(table.stages.filter((st) => ['dapt', 'ft', 'eval'].includes(st.nodeId))).toEqual([
      { nodeId: 'dapt', title: 'Domain-adaptive pretraining', computed: 1, reused: 3 },
      { nodeId: 'ft', title: 'Fine-tune', computed: 4, reused: 0 },
      { nodeId: 'eval', title: 'Evaluate', computed: 4, reused: 0 },
    ]);
    const accuracy = table.columns.find((c) => c.metric === 'accuracy')!;
    expect(accuracy.lowerIsBetter).toBe(false);
    const accuracies = table.rows.map((r) => r.scores[0].values.accuracy);
    const best = Math.max(...accuracies);
    // The best is marked where runs differ; when every point scored the same, none is.
    expect(accuracy.best).toEqual(new Set(accuracies).size > 1 ? table.rows.filter((r) => r.scores[0].values.accuracy === best).map((r) => r.runId) : []);
    const listed = await (await api('viewer')).sweeps.list({ graphId });
    expect(listed[0]).toMatchObject({ id: sweepId, nodeId: 'ft', runs: 4, finished: 4 });

    // Planned again, everything is cached; with new fine-tune values only the fan-out recomputes.
    const again = await editor.sweeps.plan({ graphId, nodeId: 'ft', params: grid2x2 });
    expect(again.computations).toBe(0);
    expect(again.shared.every((s) => s.cachedPoints === 4)).toBe(true);
    const fresh = await editor.sweeps.plan({ graphId, nodeId: 'ft', params: [{ name: 'learningRate', values: [2e-3, 3e-3] }] });
    expect(fresh.shared.find((s) => s.nodeId === 'dapt')).toMatchObject({ cachedPoints: 2 });
    expect(fresh.perPoint.find((s) => s.nodeId === 'ft')).toMatchObject({ cachedPoints: 0 });
    expect(fresh.summary).toContain('Domain-adaptive pretraining (cached)');
  }, 320_000);

  it('every value is checked against the node’s param schema, and the grid is capped', async () => {
    const editor = await api('editor');
    const refused = (params: { name: string; values: (number | string | boolean)[] }[], nodeId = 'ft') => editor.sweeps.plan({ graphId, nodeId, params }).then(
      () => 'accepted',
      (err: { code: string; message: string }) => `${err.code}: ${err.message}`,
    );
    expect(await refused([{ name: 'learningRate', values: [1e-3, 5] }])).toBe('BAD_REQUEST: learningRate = 5: Learning rate must be at most 1, got 5');
    expect(await refused([{ name: 'batchSize', values: [8, 1.5] }])).toBe('BAD_REQUEST: batchSize = 1.5: Batch size must be a whole number, got 1.5');
    expect(await refused([{ name: 'schedule', values: ['linear', 'sideways'] }])).toMatch(/^BAD_REQUEST: schedule = "sideways": .*linear/);
    expect(await refused([{ name: 'learningRate', values: [1e-3, 1e-3] }])).toBe('BAD_REQUEST: learningRate lists the same value more than once');
    expect(await refused([{ name: 'learningRat', values: [1e-3] }])).toMatch(/^BAD_REQUEST: Fine-tune has no param "learningRat" \(it has learningRate, /);
    expect(await refused([{ name: 'learningRate', values: [1e-3] }], 'nosuch')).toBe('BAD_REQUEST: the graph has no node "nosuch"');
    expect(await refused([{ name: 'genres', values: ['news'] }], 'corpus')).toBe('BAD_REQUEST: genres is a list or free text; only numbers, choices and on/off params can be swept');
    expect(await refused([{ name: 'epochs', values: [1, 2, 3, 4, 5] }, { name: 'batchSize', values: [2, 4, 8, 16] }])).toBe('BAD_REQUEST: this grid has 20 runs; a sweep runs at most 16 (use fewer values)');
    expect(await refused([{ name: 'learningRate', values: [1e-3] }, { name: 'learningRate', values: [2e-3] }])).toMatch(/learningRate is named twice/);
    await expect(editor.sweeps.plan({ graphId, nodeId: 'ft', params: [{ name: 'epochs', values: [1] }, { name: 'batchSize', values: [2] }, { name: 'seed', values: [1] }] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await refused([{ name: 'learningRate', values: ['auto', 1e-3] }, { name: 'schedule', values: ['linear', 'cosine'] }])).toBe('accepted');
  });

  it('editors, admins and owners start sweeps; viewers read them; outsiders and strangers get nothing', async () => {
    const outcome = (p: Promise<unknown>) => p.then(
      () => 'ok',
      (err: { code: string }) => err.code,
    );
    // A start refused for its grid (BAD_REQUEST) got past the rights check; no training is started here.
    const badGrid = [{ name: 'learningRate', values: [7] }];
    const seen: Record<string, string[]> = {};
    for (const who of ['stranger', 'nonMember', 'viewer', 'editor', 'admin', 'owner'] as const) {
      const caller = await api(who);
      seen[who] = [
        await outcome(caller.sweeps.start({ graphId, nodeId: 'ft', params: badGrid })),
        await outcome(caller.sweeps.plan({ graphId, nodeId: 'ft', params: grid2x2 })),
        await outcome(caller.sweeps.list({ graphId })),
      ];
    }
    expect(seen).toEqual({
      stranger: ['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED'],
      nonMember: ['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'],
      viewer: ['FORBIDDEN', 'ok', 'ok'],
      editor: ['BAD_REQUEST', 'ok', 'ok'],
      admin: ['BAD_REQUEST', 'ok', 'ok'],
      owner: ['BAD_REQUEST', 'ok', 'ok'],
    });
    // A sweep of another graph is not reachable through this one.
    const other = (await (await api('owner')).graphs.create({ name: 'Other', document: tinyDaptGraph({ seed: 4 }) })).id;
    const [sweep] = await (await api('viewer')).sweeps.list({ graphId });
    await expect((await api('owner')).sweeps.get({ graphId: other, sweepId: sweep.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect((await api('nonMember')).sweeps.get({ graphId, sweepId: sweep.id })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no graph '${graphId}'` });
  });
});
