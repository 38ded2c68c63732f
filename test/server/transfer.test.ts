// Moving a graph to another workspace: only admins and owners on both sides; the graph, its history
// and shares move; its runs, sweeps, artifacts and uploads stay where they were made, so the new
// workspace computes with its own cache and never sees the old one's runs or files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweeps, uploads, users, workspaceMembers, workspaces } from '../../server/db/schema';
import { DEFAULT_WORKSPACE, LOCAL_USER } from '../../server/db/seed';
import { startServer, type RunningServer } from '../../server/http';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { fineTuneGraph } from '../helpers/fine-tune-graph';
import { FIXTURE_MODELS_DIR } from '../helpers/run-env';

function smallGraph() {
  return fineTuneGraph({ data: { maxExamples: 60, seed: 9 }, ft: { epochs: 1, batchSize: 8, maxSeqLength: 32, learningRate: 5e-3 }, ev: false });
}

const person = (id: string) => ({ id, name: id.slice(2), email: `${id.slice(2)}@example.org` });
// The owner of the default workspace is admin of "Lab"; `labOnly` belongs to Lab alone; `editor` edits both.
const people = { owner: LOCAL_USER, labOnly: person('u_labonly'), editor: person('u_editor') };

describe('transferring a graph between workspaces', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-transfer-'));
  const api = async (who: keyof typeof people) => appRouter.createCaller(await createContextInner({ db: server.database.db, user: people[who], runService: server.runService }));
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

  beforeAll(async () => {
    process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = FIXTURE_MODELS_DIR;
    server = await startServer({ port: 0, dataDir, next: false });
    const { db } = server.database;
    await db.insert(users).values([people.labOnly, people.editor]);
    await db.insert(workspaces).values({ id: 'w_lab', name: 'Lab' });
    await db.insert(workspaceMembers).values([
      { workspaceId: 'w_lab', userId: people.labOnly.id, role: 'owner' },
      { workspaceId: 'w_lab', userId: LOCAL_USER.id, role: 'admin' },
      { workspaceId: 'w_lab', userId: people.editor.id, role: 'editor' },
      { workspaceId: DEFAULT_WORKSPACE.id, userId: people.editor.id, role: 'editor' },
    ]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('only an admin or owner of both workspaces moves it', async () => {
    const { id: graphId } = await (await api('owner')).graphs.create({ name: 'Not yours to move', document: smallGraph() });
    await expect((await api('editor')).graphs.transfer({ graphId, workspaceId: 'w_lab' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect((await api('labOnly')).graphs.transfer({ graphId, workspaceId: 'w_lab' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await server.database.db.insert(workspaces).values({ id: 'w_edited', name: 'Edited only' });
    await server.database.db.insert(workspaceMembers).values({ workspaceId: 'w_edited', userId: LOCAL_USER.id, role: 'editor' });
    await expect((await api('owner')).graphs.transfer({ graphId, workspaceId: 'w_edited' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: "transferring needs admin or owner in workspace 'w_edited'" });
  });

  it('runs, sweeps, artifacts and uploads stay in the old workspace; the new one computes with its own cache', async () => {
    const owner = await api('owner');
    const { id: graphId } = await owner.graphs.create({ name: 'Moving', document: smallGraph() });
    const before = (await owner.runs.start({ graphId })).runId;
    expect((await finished(before)).run.status).toBe('done');
    // A sweep of the graph in the default workspace (its row, as sweeps.start writes it).
    await server.database.db.insert(sweeps).values({ id: 's_before', workspaceId: DEFAULT_WORKSPACE.id, graphId, graphVersion: 1, nodeId: 'ft', spec: { params: [{ name: 'learningRate', values: [5e-3] }] }, createdBy: LOCAL_USER.id });
    expect(await owner.graphs.transfer({ graphId, workspaceId: 'w_lab' })).toEqual({ id: graphId, workspaceId: 'w_lab' });

    // The graph and its history are Lab's now: its owner reads it, the history is whole.
    const labOnly = await api('labOnly');
    expect((await labOnly.graphs.get({ graphId })).name).toBe('Moving');
    expect((await labOnly.graphs.versions({ graphId })).map((v) => v.version)).toEqual([1]);
    // The old run stays in the default workspace: Lab's member neither lists nor opens it.
    expect(await labOnly.runs.list({ graphId })).toEqual([]);
    await expect(labOnly.runs.get({ runId: before })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(labOnly.compare.runs({ graphId, runIds: [before] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await labOnly.sweeps.list({ graphId })).toEqual([]);
    await expect(labOnly.sweeps.get({ graphId, sweepId: 's_before' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await owner.sweeps.list({ graphId })).map((s) => s.id)).toEqual(['s_before']);
    expect((await owner.sweeps.get({ graphId, sweepId: 's_before' })).rows).toEqual([]);
    // Someone in both workspaces still sees it.
    expect((await owner.runs.list({ graphId })).map((r) => r.id)).toEqual([before]);

    // A run in Lab uses Lab's cache: every stage is computed again, none reused from the default workspace.
    const after = (await labOnly.runs.start({ graphId })).runId;
    const snap = await finished(after);
    expect(snap.run.workspaceId).toBe('w_lab');
    expect(Object.values(statuses(snap))).toEqual(snap.nodes.map(() => 'done'));
    expect((await labOnly.runs.list({ graphId })).map((r) => r.id)).toEqual([after]);
    expect((await owner.runs.list({ graphId })).map((r) => r.id)).toEqual([after, before]);

    // An upload of the old workspace named in the document is not readable from Lab.
    await server.database.db.insert(uploads).values({ id: 'f_oldfile1', workspaceId: DEFAULT_WORKSPACE.id, filename: 'old.csv', path: 'x/old.csv', bytes: 10, contentHash: 'h' });
    const doc = smallGraph();
    doc.nodes.find((n) => n.id === 'data')!.type = 'dataset-upload';
    doc.nodes.find((n) => n.id === 'data')!.params = { fileId: 'f_oldfile1' };
    const checked = await labOnly.graphs.check({ document: doc });
    // A graph imported by Lab's member belongs to Lab, the importer's workspace.
    const imported = await labOnly.graphs.import({ json: JSON.stringify(smallGraph()), filename: 'brought.json' });
    expect((await labOnly.graphs.get({ graphId: imported.id })).workspaceId).toBe('w_lab');
    expect(checked.issues.map((i) => i.message).join('\n')).toContain('no upload "f_oldfile1" in this workspace');
  });
});
