// Server side of issue 8: upload previews, graphs.check with the uploaded file's columns and the
// resolved "auto" values, and graph-carrying queries sent as POST (a GET URL overflows).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type TestSession } from '../helpers/session';
import { startServer, type RunningServer } from '../../server/http';
import { appRouter, type AppRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { graphBuilder } from '../helpers/graph-builder';
import { FIXTURE_MODEL_ID, FIXTURE_MODELS_DIR } from '../helpers/run-env';

describe('upload preview and the server-side check', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-check-'));
  let owner: TestSession;
  const api = async () => appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
  const upload = async (filename: string, body: string) => (await (await fetch(`${server.url}/api/files/uploads?filename=${encodeURIComponent(filename)}`, { method: 'POST', headers: { cookie: owner.cookie }, body })).json()).id as string;
  const trainCsv = 'review,sentiment\n' + Array.from({ length: 40 }, (_, i) => `review number ${i} was ${i % 2 ? 'good' : 'bad'},${i % 2 ? 'pos' : 'neg'}`).join('\n');
  const testCsv = 'review,sentiment\nloved it,pos\nhated it,neg\nso good,pos\n';

  beforeAll(async () => {
    process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = FIXTURE_MODELS_DIR;
    server = await startServer({ port: 0, dataDir, next: false });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('previews an upload: columns, first rows, row count, label distribution, suggested columns', async () => {
    const id = await upload('train.csv', trainCsv);
    const p = await (await api()).uploads.preview({ fileId: id });
    expect(p).toMatchObject({ id, filename: 'train.csv', kind: 'csv', columns: ['review', 'sentiment'], rows: 40, suggested: { textColumn: 'review', labelColumn: 'sentiment' } });
    expect(p.sample).toHaveLength(10);
    expect(p.labels).toEqual({ column: 'sentiment', counts: [{ label: 'neg', count: 20 }, { label: 'pos', count: 20 }] });
    await expect((await api()).uploads.preview({ fileId: 'f_nothere1' })).rejects.toThrow("no upload 'f_nothere1'");
    expect((await (await api()).uploads.list()).map((u) => u.id)).toContain(id);
  });

  it('checks upload columns against the file and resolves "auto" from the model and the data', async () => {
    const trainId = await upload('train.csv', trainCsv);
    const testId = await upload('test.csv', testCsv);
    const g = graphBuilder();
    const train = g.node('dataset-upload', { fileId: trainId, textColumn: 'text', labelColumn: 'sentiment', role: 'train' });
    const test = g.node('dataset-upload', { fileId: testId, textColumn: 'review', labelColumn: 'sentiment', role: 'test' });
    const model = g.node('pretrained-load', { modelId: FIXTURE_MODEL_ID });
    const head = g.node('head');
    const ft = g.node('fine-tune', { batchSize: 8 });
    const ev = g.node('eval');
    g.connect(model, 'model', head, 'model');
    g.connect(train, 'dataset', head, 'dataset');
    g.connect(head, 'model', ft, 'model');
    g.connect(train, 'dataset', ft, 'dataset');
    g.connect(ft, 'model', ev, 'model');
    g.connect(test, 'dataset', ev, 'dataset');
    const doc = g.build();
    const first = await (await api()).graphs.check({ document: doc });
    expect(first.issues).toEqual([{ kind: 'bad-upload', nodeId: train, param: 'textColumn', message: 'train.csv has no column "text"; its columns are "review", "sentiment"' }]);
    doc.nodes.find((n) => n.id === train)!.params.textColumn = 'review';
    const fixed = await (await api()).graphs.check({ document: doc });
    expect(fixed.issues).toEqual([]);
    // 40 rows at batch 8 = 5 steps per epoch; 300 / 5 → the 10-epoch cap. The fixture model is 2-layer H32.
    expect(fixed.resolved[ft].epochs).toEqual({ value: 20, reason: 'auto: 20 epochs (100 steps) for 40 training examples at batch 8 (a small set: at least 100 steps)' });
    expect(fixed.resolved[ft].learningRate.reason).toMatch(/^auto: 1e-3 for a \d+-layer H\d+ pretrained model, full fine-tuning$/);
  });

  it('runs.start refuses what graphs.check reports from the uploaded file, naming the node and param', async () => {
    const trainId = await upload('train.csv', trainCsv);
    const g = graphBuilder('');
    g.node('dataset-upload', { fileId: trainId, textColumn: 'text', labelColumn: 'sentiment', role: 'unsplit' }, { id: 'reviews' });
    g.node('corpus-upload', { fileId: trainId }, { id: 'domain-text' });
    g.node('split', {}, { id: 'split' });
    g.connect('reviews', 'dataset', 'split', 'dataset');
    const doc = g.build();
    const { id: graphId } = await (await api()).graphs.create({ name: 'Checked at start', document: doc });
    const checked = await (await api()).graphs.check({ document: doc });
    expect(checked.issues.map((i) => [i.nodeId, i.param])).toEqual([
      ['reviews', 'textColumn'],
      ['domain-text', 'fileId'],
    ]);
    const refused = (await api()).runs.start({ graphId, document: doc });
    await expect(refused).rejects.toThrow('reviews (textColumn): train.csv has no column "text"; its columns are "review", "sentiment"');
    await expect((await api()).runs.start({ graphId, document: doc })).rejects.toThrow('domain-text (fileId): train.csv is a CSV file with columns "review", "sentiment"; a corpus reads plain text (TXT) or JSONL');
    expect(await (await api()).runs.list({ graphId })).toEqual([]);
  });

  it('refuses another workspace’s or a missing upload by name', async () => {
    const g = graphBuilder();
    const d = g.node('dataset-upload', { fileId: 'f_notmine99', role: 'train' });
    expect((await (await api()).graphs.check({ document: g.build() })).issues).toContainEqual(expect.objectContaining({ nodeId: d, param: 'fileId', message: 'The uploaded file cannot be read: no upload "f_notmine99" in this workspace' }));
  });

  it('carries a 60-node graph in POST bodies (graphs.check and runs.nodeState), where a GET URL got HTTP 431', async () => {
    const { id: graphId } = await (await api()).graphs.create({ name: 'Big' });
    const g = graphBuilder();
    for (let i = 0; i < 30; i++) {
      const m = g.node('pretrained-load', { modelId: FIXTURE_MODEL_ID });
      const l = g.node('lora', { rank: 4, targetModules: ['query', 'key', 'value'] });
      g.connect(m, 'model', l, 'model');
    }
    const document = g.build();
    const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/api/trpc`, transformer: superjson, methodOverride: 'POST', headers: { cookie: owner.cookie } })] });
    const state = await client.runs.nodeState.mutate({ graphId, document });
    expect(Object.keys(state.nodes)).toHaveLength(60);
    const checked = await client.graphs.check.mutate({ document });
    expect(checked.issues).toEqual([]);
  });
});
