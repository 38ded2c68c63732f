import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineGraph } from '../helpers/graph-builder';
import { dbKinds, openTestDatabase } from '../helpers/db';
import type { OpenDatabase } from '../../server/db/client';
import { DEFAULT_WORKSPACE, LOCAL_USER } from '../../server/db/seed';
import { eq } from 'drizzle-orm';
import { graphVersions, users, workspaceMembers } from '../../server/db/schema';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';

describe.each(dbKinds)('graphs API on %s', (kind) => {
  let database: OpenDatabase;
  const caller = async (user: { id: string; name: string } | null = LOCAL_USER) => appRouter.createCaller(await createContextInner({ db: database.db, user }));

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await database.db.insert(users).values([
      { id: 'u_viewer', name: 'Vera Viewer', email: 'vera@example.org' },
      { id: 'u_stranger', name: 'Sam Stranger', email: 'sam@example.org' },
    ]);
    await database.db.insert(workspaceMembers).values({ workspaceId: DEFAULT_WORKSPACE.id, userId: 'u_viewer', role: 'viewer' });
  });
  afterAll(() => database.close());

  it('creates, lists and opens a graph', async () => {
    const api = await caller();
    const { doc } = pipelineGraph();
    const { id, version } = await api.graphs.create({ name: '  Spam filter ', document: doc });
    expect(version).toBe(1);
    const list = await api.graphs.list();
    expect(list.find((g) => g.id === id)).toMatchObject({ name: 'Spam filter', latestVersion: 1, nodeCount: doc.nodes.length });
    const got = await api.graphs.get({ graphId: id });
    expect(got.document).toEqual(doc);
  });

  it('each save is a new immutable version; old versions stay readable and unchanged', async () => {
    const api = await caller();
    const { id } = await api.graphs.create({ name: 'Versioned' });
    const first = pipelineGraph('a').doc;
    const second = pipelineGraph('b', { learningRate: 1e-4 }).doc;
    const saved2 = await api.graphs.save({ graphId: id, document: first, message: 'first pipeline', baseVersion: 1 });
    const saved3 = await api.graphs.save({ graphId: id, document: second, message: 'higher learning rate', baseVersion: 2 });
    expect([saved2.version, saved3.version]).toEqual([2, 3]);
    expect(saved3.issues).toEqual([]);
    expect((await api.graphs.get({ graphId: id, version: 2 })).document).toEqual(first);
    expect((await api.graphs.get({ graphId: id, version: 1 })).document.nodes).toEqual([]);
    expect((await api.graphs.get({ graphId: id })).version).toBe(3);
    expect((await api.graphs.versions({ graphId: id })).map((v) => [v.version, v.message, v.nodeCount])).toEqual([
      [3, 'higher learning rate', second.nodes.length],
      [2, 'first pipeline', first.nodes.length],
      [1, 'Created', 0],
    ]);
  });

  it('lists the most recently changed graph first', async () => {
    const api = await caller();
    const older = await api.graphs.create({ name: 'Older' });
    const newer = await api.graphs.create({ name: 'Newer' });
    expect((await api.graphs.list()).slice(0, 2).map((g) => g.id)).toEqual([newer.id, older.id]);
    await api.graphs.save({ graphId: older.id, document: pipelineGraph().doc, baseVersion: 1 });
    expect((await api.graphs.list())[0]).toMatchObject({ id: older.id, latestVersion: 2, nodeCount: pipelineGraph().doc.nodes.length });
  });

  it('saves work in progress and returns its compile issues', async () => {
    const api = await caller();
    const { id } = await api.graphs.create({ name: 'WIP' });
    const { doc } = pipelineGraph();
    doc.edges = doc.edges.slice(1);
    const { issues } = await api.graphs.save({ graphId: id, document: doc, baseVersion: 1 });
    expect(issues).toContainEqual(expect.objectContaining({ kind: 'missing-input', port: 'dataset' }));
  });

  it('refuses a structurally bad save naming the path, and keeps the saved versions', async () => {
    const api = await caller();
    const { id } = await api.graphs.create({ name: 'Guarded', document: pipelineGraph().doc });
    const bad = pipelineGraph().doc as unknown as { nodes: { position: unknown }[] };
    bad.nodes[2].position = { x: 'left' };
    await expect(api.graphs.save({ graphId: id, document: bad, baseVersion: 1 })).rejects.toThrow(/nodes\.2\.position\.x/);
    expect((await api.graphs.get({ graphId: id })).latestVersion).toBe(1);
  });

  it('renames and deletes', async () => {
    const api = await caller();
    const { id } = await api.graphs.create({ name: 'Old name' });
    await api.graphs.rename({ graphId: id, name: 'New name' });
    expect((await api.graphs.get({ graphId: id })).name).toBe('New name');
    await expect(api.graphs.rename({ graphId: id, name: '   ' })).rejects.toThrow(/name is empty/);
    await api.graphs.delete({ graphId: id });
    await expect(api.graphs.get({ graphId: id })).rejects.toThrow(`no graph '${id}'`);
    expect((await api.graphs.list()).some((g) => g.id === id)).toBe(false);
  });

  it('exports and imports a graph round trip', async () => {
    const api = await caller();
    const { doc } = pipelineGraph();
    const { id } = await api.graphs.create({ name: 'Round trip', document: doc });
    const file = await api.graphs.export({ graphId: id });
    expect(file.filename).toBe('round-trip.v1.json');
    const imported = await api.graphs.import({ json: file.json, filename: file.filename });
    expect((await api.graphs.get({ graphId: imported.id })).document).toEqual(doc);
  });

  it('imports an old file, migrating its nodes', async () => {
    const api = await caller();
    const json = readFileSync(new URL('../fixtures/graphs/lora-v1.json', import.meta.url), 'utf8');
    const { id, notes } = await api.graphs.import({ json, name: 'Old LoRA graph' });
    expect(notes).toEqual(['node "adapters" (lora) upgraded from version 1 to 2']);
    const node = (await api.graphs.get({ graphId: id })).document.nodes.find((n) => n.id === 'adapters')!;
    expect(node.params.targetModules).toEqual(['query', 'key', 'value']);
  });

  it.each([
    ['JSON syntax', '{"schemaVersion": 1, "nodes": [', /not valid JSON/],
    ['wrong schema version', '{"schemaVersion": 9, "nodes": [], "edges": []}', /schemaVersion 9 is not supported/],
    ['schema path', JSON.stringify({ schemaVersion: 1, nodes: [{ id: 'a', type: 'lora', typeVersion: 2, params: {}, position: { x: 0 } }], edges: [] }), /nodes\.0\.position\.y/],
    ['unknown type', JSON.stringify({ schemaVersion: 1, nodes: [{ id: 'a', type: 'quantum', typeVersion: 1, params: {}, position: { x: 0, y: 0 } }], edges: [] }), /node "a" has unknown type "quantum"/],
  ])('refuses a bad import (%s), names the problem and changes nothing', async (_, json, error) => {
    const api = await caller();
    const before = await api.graphs.list();
    await expect(api.graphs.import({ json, filename: 'bad.json' })).rejects.toThrow(error);
    expect(await api.graphs.list()).toEqual(before);
  });

  it('keeps names to 1..120 characters and documents to 5 MB', async () => {
    const api = await caller();
    const before = await api.graphs.list();
    await expect(api.graphs.create({ name: 'x'.repeat(121) })).rejects.toThrow(/longer than 120 characters/);
    const huge = { ...pipelineGraph().doc, padding: 'p'.repeat(5 * 1024 * 1024) };
    await expect(api.graphs.create({ name: 'Huge', document: huge })).rejects.toThrow(/larger than 5 MB/);
    await expect(api.graphs.import({ json: JSON.stringify(huge) })).rejects.toThrow(/larger than 5 MB/);
    expect(await api.graphs.list()).toEqual(before);
  });

  it('checks a document server-side with the compiler the browser uses', async () => {
    const api = await caller();
    const { doc } = pipelineGraph();
    expect((await api.graphs.check({ document: doc })).issues).toEqual([]);
    doc.edges = doc.edges.slice(1);
    expect((await api.graphs.check({ document: doc })).issues).toContainEqual(expect.objectContaining({ kind: 'missing-input', port: 'dataset' }));
  });

  it('refuses to change a saved version even below the API', async () => {
    const api = await caller();
    const { id } = await api.graphs.create({ name: 'Frozen history' });
    const refused = await database.db.update(graphVersions).set({ message: 'rewritten' }).where(eq(graphVersions.graphId, id)).then(() => null, (err: Error) => err);
    // Drizzle wraps the driver's error; the trigger's reason is on the cause.
    expect(String((refused?.cause as Error | undefined)?.message)).toMatch(/graph_versions are immutable: version 1 of graph/);
    expect((await api.graphs.get({ graphId: id, version: 1 })).message).toBe('Created');
  });

  it('hides graphs from users outside the workspace and stops viewers from writing', async () => {
    const api = await caller();
    const { id } = await api.graphs.create({ name: 'Private' });
    const stranger = await caller({ id: 'u_stranger', name: 'Sam' });
    await expect(stranger.graphs.get({ graphId: id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(stranger.graphs.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const viewer = await caller({ id: 'u_viewer', name: 'Vera' });
    expect((await viewer.graphs.get({ graphId: id })).name).toBe('Private');
    await expect(viewer.graphs.save({ graphId: id, document: pipelineGraph().doc, baseVersion: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(viewer.graphs.delete({ graphId: id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect((await caller(null)).graphs.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
