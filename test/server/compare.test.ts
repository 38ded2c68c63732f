// Rerun with changes and run comparison through the API against real runs: the rerun saves a version
// named after the run and its changes and records its parent; compare checks rights on every run,
// refuses other graphs' and other workspaces' runs, and returns param differences, metrics and thinned curves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphShares, runEvents, runNodes, runs, users, workspaceMembers, workspaces } from '../../server/db/schema';
import { DEFAULT_WORKSPACE, LOCAL_USER } from '../../server/db/seed';
import { startServer, type RunningServer } from '../../server/http';
import { newId } from '../../server/ids';
import { MAX_CURVE_POINTS } from '../../server/compare/run-summaries';
import { appRouter } from '../../server/routers/_app';
import { MAX_COMPARED_RUNS } from '../../server/routers/compare';
import { createContextInner } from '../../server/trpc';
import { fineTuneGraph } from '../helpers/fine-tune-graph';
import { FIXTURE_MODELS_DIR } from '../helpers/run-env';

function smallGraph(learningRate = 5e-3) {
  return fineTuneGraph({ data: { maxExamples: 80, seed: 4 }, ft: { epochs: 1, batchSize: 8, maxSeqLength: 32, learningRate }, ev: { batchSize: 32 }, evalId: 'ev' });
}

const person = (id: string) => ({ id, name: id.slice(2), email: `${id.slice(2)}@example.org` });
const people = { owner: LOCAL_USER, admin: person('u_admin'), editor: person('u_editor'), viewer: person('u_viewer'), nonMember: person('u_outsider') };
type Who = keyof typeof people | 'stranger';

describe('rerun with changes and compare runs', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-compare-'));
  const api = async (who: Who) => appRouter.createCaller(await createContextInner({ db: server.database.db, user: who === 'stranger' ? null : people[who], runService: server.runService }));
  async function finished(runId: string) {
    const end = Date.now() + 120_000;
    for (;;) {
      const snap = await (await api('owner')).runs.get({ runId });
      if (['done', 'failed', 'cancelled'].includes(snap.run.status)) return snap;
      if (Date.now() > end) throw new Error(`run ${runId} did not finish`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const statuses = (snap: Awaited<ReturnType<typeof finished>>) => Object.fromEntries(snap.nodes.map((n) => [n.nodeId, n.status]));
  let graphId = '';
  let first = '';
  let second = '';

  beforeAll(async () => {
    process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = FIXTURE_MODELS_DIR;
    // COMPARE_TEST_DATABASE_URL runs the same against a real (empty) PostgreSQL database.
    server = await startServer({ port: 0, dataDir, next: false, databaseUrl: process.env.COMPARE_TEST_DATABASE_URL || undefined });
    const { db } = server.database;
    await db.insert(users).values([people.admin, people.editor, people.viewer, people.nonMember]);
    await db.insert(workspaces).values({ id: 'w_other', name: 'Other team' });
    await db.insert(workspaceMembers).values([
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.admin.id, role: 'admin' },
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.editor.id, role: 'editor' },
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.viewer.id, role: 'viewer' },
      { workspaceId: 'w_other', userId: people.nonMember.id, role: 'owner' },
    ]);
    const owner = await api('owner');
    graphId = (await owner.graphs.create({ name: 'Compare me', document: smallGraph() })).id;
    first = (await owner.runs.start({ graphId })).runId;
    expect((await finished(first)).run.status).toBe('done');
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('plan says in plain words what is wrong with a change, and which stages rerun and which are reused', async () => {
    const owner = await api('owner');
    const bad = await owner.reruns.plan({ runId: first, changes: [{ nodeId: 'ft', param: 'learningRate', value: 5 }, { nodeId: 'ft', param: 'lr', value: 1 }, { nodeId: 'nope', param: 'x', value: 1 }] });
    expect(bad.issues.map((i) => [i.nodeId, i.param, i.message])).toEqual([
      ['ft', 'lr', expect.stringMatching(/Fine-tune "ft" has no param "lr" \(it has learningRate, epochs/)],
      ['nope', 'x', 'the run has no node "nope"'],
      ['ft', 'learningRate', expect.stringMatching(/^Learning rate must be .*got 5$/)],
    ]);
    expect(bad.stages).toEqual([]);
    const plan = await owner.reruns.plan({ runId: first, changes: [{ nodeId: 'ft', param: 'learningRate', value: 1e-3 }] });
    expect(plan.issues).toEqual([]);
    expect(plan.message).toBe(`Rerun of run ${first}: ft.learningRate 5e-3 → 1e-3`);
    expect(Object.fromEntries(plan.stages.map((s) => [s.nodeId, [s.action, s.reason]]))).toEqual({
      data: ['reuse', 'unchanged: cached result reused'],
      split: ['reuse', 'unchanged: cached result reused'],
      load: ['reuse', 'unchanged: cached result reused'],
      head: ['reuse', 'unchanged: cached result reused'],
      ft: ['run', 'its params changed'],
      ev: ['run', 'a stage above it changed'],
    });
  });

  it('start refuses bad or empty changes, and a viewer; an editor reruns: new version named after the run, parent recorded, cache reused', async () => {
    const editor = await api('editor');
    await expect(editor.reruns.start({ runId: first, changes: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/no param differs/) });
    await expect(editor.reruns.start({ runId: first, changes: [{ nodeId: 'ft', param: 'batchSize', value: 0 }] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'not rerun: node "ft", param batchSize: Batch size must be at least 1, got 0' });
    await expect((await api('viewer')).reruns.start({ runId: first, changes: [{ nodeId: 'ft', param: 'learningRate', value: 1e-3 }] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect((await api('nonMember')).reruns.start({ runId: first, changes: [{ nodeId: 'ft', param: 'learningRate', value: 1e-3 }] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect((await api('stranger')).reruns.start({ runId: first, changes: [{ nodeId: 'ft', param: 'learningRate', value: 1e-3 }] })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await (await api('owner')).graphs.versions({ graphId })).length).toBe(1);

    const started = await editor.reruns.start({ runId: first, changes: [{ nodeId: 'ft', param: 'learningRate', value: 1e-3 }] });
    second = started.runId;
    expect(started).toMatchObject({ version: 2, message: `Rerun of run ${first}: ft.learningRate 5e-3 → 1e-3` });
    const snap = await finished(second);
    expect(snap.run).toMatchObject({ status: 'done', parentRunId: first, graphVersion: 2, createdBy: people.editor.id });
    expect(statuses(snap)).toEqual({ data: 'cached', split: 'cached', load: 'cached', head: 'cached', ft: 'done', ev: 'done' });
    const versions = await (await api('owner')).graphs.versions({ graphId });
    expect(versions[0]).toMatchObject({ version: 2, message: started.message, author: 'editor' });
    const v2 = await (await api('owner')).graphs.get({ graphId, version: 2 });
    expect(v2.document.nodes.find((n) => n.id === 'ft')?.params.learningRate).toBe(1e-3);
    expect((await editor.runs.list({ graphId })).find((r) => r.id === second)?.parentRunId).toBe(first);
  });

  it('compare returns the two runs with only the learning rate different, both metrics, and both curves', async () => {
    const viewer = await api('viewer');
    const c = await viewer.compare.runs({ graphId, runIds: [first, second] });
    expect(c.runs.map((r) => r.id)).toEqual([first, second]);
    expect(c.runs.map((r) => r.graphVersion)).toEqual([1, 2]);
    expect(c.runs.map((r) => r.sameAsVersion)).toEqual([1, 2]);
    expect(c.runs[1].versionMessage).toMatch(/^Rerun of run /);
    expect(c.paramDiff.filter((r) => r.differs).map((r) => [r.nodeId, r.param, r.values])).toEqual([['ft', 'learningRate', [5e-3, 1e-3]]]);
    // Unset params compare by their defaults: the eval's split is "test" in both and not a difference.
    expect(c.paramDiff.find((r) => r.nodeId === 'ev' && r.param === 'split')).toMatchObject({ values: ['test', 'test'], differs: false });
    for (const r of c.runs) {
      expect(r.metrics.ev).toMatchObject({ kind: 'classification', values: { accuracy: expect.any(Number), macroF1: expect.any(Number) } });
      expect(r.metrics.ft.kind).toBe('stage');
      expect(r.curves.ft.points.length).toBeGreaterThan(0);
      expect(r.wallSec).toBeGreaterThanOrEqual(0);
      expect(JSON.stringify(r.metrics)).not.toMatch(/confusion|perClass/);
    }
    expect(c.runs[0].metrics.ev.values.accuracy).not.toBeUndefined();
    expect(c.runs[0].curves.ft.points).not.toEqual(c.runs[1].curves.ft.points);
    // A run of the editor's document (no version) is named after the saved version it equals, if any.
    const asSaved = newId('r');
    const edited = newId('r');
    await server.database.db.insert(runs).values([
      { id: asSaved, workspaceId: DEFAULT_WORKSPACE.id, graphId, graphVersion: null, document: (({ schemaVersion, nodes, edges }) => ({ edges, nodes, schemaVersion }))(smallGraph()), status: 'done' },
      { id: edited, workspaceId: DEFAULT_WORKSPACE.id, graphId, graphVersion: null, document: smallGraph(2e-3), status: 'done' },
    ]);
    expect((await viewer.compare.runs({ graphId, runIds: [asSaved, edited] })).runs.map((r) => [r.graphVersion, r.sameAsVersion])).toEqual([[null, 1], [null, null]]);
  });

  it('compare checks rights on the graph and on every run, and refuses runs of another graph or workspace', async () => {
    const { db } = server.database;
    await expect((await api('stranger')).compare.runs({ graphId, runIds: [first] })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect((await api('nonMember')).compare.runs({ graphId, runIds: [first] })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no graph '${graphId}'` });
    for (const who of ['viewer', 'editor', 'admin', 'owner'] as const) expect((await (await api(who)).compare.runs({ graphId, runIds: [first] })).runs).toHaveLength(1);
    // The outsider's run of their own graph, in their workspace.
    const outsider = await api('nonMember');
    const { id: theirs } = await outsider.graphs.create({ name: 'Elsewhere', document: smallGraph() });
    const foreign = newId('r');
    await db.insert(runs).values({ id: foreign, workspaceId: 'w_other', graphId: theirs, graphVersion: 1, document: smallGraph(), status: 'done', createdBy: people.nonMember.id });
    await expect((await api('owner')).compare.runs({ graphId, runIds: [first, foreign] })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no run '${foreign}' in graph '${graphId}'` });
    await expect(outsider.compare.runs({ graphId: theirs, runIds: [foreign, first] })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no run '${first}' in graph '${theirs}'` });
    // A run of another graph in the same workspace is refused the same way.
    const owner = await api('owner');
    const { id: sibling } = await owner.graphs.create({ name: 'Sibling', document: smallGraph() });
    await expect(owner.compare.runs({ graphId: sibling, runIds: [first] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A run that stayed in the workspace it ran in (the graph was transferred since): readable only to members there.
    const stayed = newId('r');
    await db.insert(runs).values({ id: stayed, workspaceId: 'w_other', graphId, graphVersion: 1, document: smallGraph(), status: 'done' });
    await expect(owner.compare.runs({ graphId, runIds: [first, stayed] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A share of the graph lets the outsider read it, but still not a run kept in a workspace they do not belong to… unless it is theirs.
    await db.insert(graphShares).values({ id: newId('s'), graphId, userId: people.nonMember.id, role: 'viewer', createdBy: LOCAL_USER.id });
    expect((await outsider.compare.runs({ graphId, runIds: [first, stayed] })).runs.map((r) => r.id)).toEqual([first, stayed]);
    await expect((await api('viewer')).compare.runs({ graphId, runIds: [stayed] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(owner.compare.runs({ graphId, runIds: ['r_doesnotexist'] })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no run 'r_doesnotexist' in graph '${graphId}'` });
  });

  it('a sweep compares its runs in order, at most the bound, with curves thinned and metric flags kept', async () => {
    const { db } = server.database;
    const owner = await api('owner');
    const { id: g } = await owner.graphs.create({ name: 'Swept', document: smallGraph() });
    const ids: string[] = [];
    for (let i = 0; i < MAX_COMPARED_RUNS + 2; i++) {
      const id = `r_sweep${String(i).padStart(3, '0')}`;
      ids.push(id);
      await db.insert(runs).values({ id, workspaceId: DEFAULT_WORKSPACE.id, graphId: g, graphVersion: 1, document: smallGraph(10 ** -(2 + i / 10)), status: 'done', sweepId: 'sw_1', createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)) });
      await db.insert(runNodes).values({ runId: id, nodeId: 'ev', cacheKey: `k${i}`, status: 'done', metrics: { name: 'ev', kind: 'classification', values: { accuracy: 0.5, macroF1: 0.33 }, confusion: { labels: ['a'], matrix: [[1]] }, flags: [{ code: 'collapsed', message: 'every prediction is "ham"' }] } });
    }
    await db.insert(runEvents).values(Array.from({ length: 1000 }, (_, k) => ({ runId: ids[0], seq: k + 1, type: 'progress', payload: { type: 'progress', nodeId: 'ft', step: k + 1, totalSteps: 1000, epoch: 0, loss: 1000 - k } })));
    await db.insert(runEvents).values({ runId: ids[0], seq: 1001, type: 'progress', payload: { type: 'progress', nodeId: 'load', step: 1, totalSteps: 2, epoch: 0, phase: 'download' } });
    const c = await owner.compare.runs({ graphId: g, sweepId: 'sw_1' });
    expect(c.runs.map((r) => r.id)).toEqual(ids.slice(0, MAX_COMPARED_RUNS));
    expect(c.omitted).toBe(2);
    const curve = c.runs[0].curves.ft.points;
    expect(curve.length).toBeLessThanOrEqual(MAX_CURVE_POINTS + 1);
    expect(curve.length).toBeGreaterThan(MAX_CURVE_POINTS / 2);
    expect(curve[0]).toEqual([1, 1000]);
    expect(curve[curve.length - 1]).toEqual([1000, 1]);
    expect(c.runs[0].curves.load).toBeUndefined();
    expect(c.runs[0].metrics.ev.flags).toEqual([{ code: 'collapsed', message: 'every prediction is "ham"' }]);
    expect(c.paramDiff.filter((r) => r.differs).map((r) => `${r.nodeId}.${r.param}`)).toEqual(['ft.learningRate']);
    await expect(owner.compare.runs({ graphId: g, sweepId: 'sw_nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(owner.compare.runs({ graphId: g })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
