// Uploads: size and type limits, workspace scoping, and a run that reads an uploaded CSV.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/http';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { graphBuilder } from '../helpers/graph-builder';
import { FIXTURE_MODELS_DIR } from '../helpers/run-env';
import { signUp, type TestSession } from '../helpers/session';

describe('uploads', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-uploads-'));
  let owner: TestSession;
  const api = async () => appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
  const upload = (filename: string, body: string | Buffer, cookie: string | null = owner.cookie) =>
    fetch(`${server.url}/api/files/uploads?filename=${encodeURIComponent(filename)}`, { method: 'POST', headers: cookie ? { cookie } : {}, body: typeof body === 'string' ? body : new Uint8Array(body) });

  beforeAll(async () => {
    process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = FIXTURE_MODELS_DIR;
    server = await startServer({ port: 0, dataDir, next: false });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses uploads without a session', async () => {
    const res = await upload('reviews.csv', 'text,label\na,b\n', null);
    expect(res.status).toBe(401);
  });

  it('accepts a CSV, refuses other types and files over the limit', async () => {
    const ok = await upload('reviews.csv', readFileSync(new URL('../fixtures/data/reviews.csv', import.meta.url)));
    expect(ok.status).toBe(201);
    expect((await ok.json()).id).toMatch(/^f_/);
    const exe = await upload('tool.exe', 'MZ');
    expect(exe.status).toBe(400);
    expect((await exe.json()).error).toContain('only .csv, .tsv, .jsonl and .txt files are accepted');
    const big = await upload('big.txt', Buffer.alloc(51 * 1024 * 1024, 97));
    expect(big.status).toBe(413);
  });

  it('a bad row in an uploaded file fails its node with the line number', async () => {
    const res = await upload('bad.csv', 'text,label\nfine,a\n,b\nok,\n');
    const { id } = await res.json();
    const g = graphBuilder('');
    g.node('dataset-upload', { fileId: id }, { id: 'upload' });
    g.node('split', {}, { id: 'split' });
    g.connect('upload', 'dataset', 'split', 'dataset');
    const doc = g.build();
    const { id: graphId } = await (await api()).graphs.create({ name: 'upload', document: doc });
    const { runId } = await (await api()).runs.start({ graphId });
    let snap = await (await api()).runs.get({ runId });
    for (let i = 0; i < 300 && !['done', 'failed'].includes(snap.run.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      snap = await (await api()).runs.get({ runId });
    }
    const node = snap.nodes.find((n) => n.nodeId === 'upload')!;
    expect(node.status).toBe('failed');
    expect(node.error).toBe('bad.csv: 2 problems: line 3: column "text" is empty; line 4: column "label" is empty');
    expect(snap.nodes.find((n) => n.nodeId === 'split')!.status).toBe('skipped');
    // The run header and the run list say which node failed and why.
    const reason = 'Uploaded dataset (upload) failed: bad.csv: 2 problems: line 3: column "text" is empty; line 4: column "label" is empty';
    expect(snap.run.error).toBe(reason);
    expect((await (await api()).runs.list({ graphId })).find((r) => r.id === runId)!.error).toBe(reason);
  });

  it('refuses a run that reads another workspace’s upload', async () => {
    const g = graphBuilder('');
    g.node('dataset-upload', { fileId: 'f_notmine1234' }, { id: 'upload' });
    const { id: graphId } = await (await api()).graphs.create({ name: 'foreign', document: g.build() });
    await expect((await api()).runs.start({ graphId })).rejects.toThrow('no upload "f_notmine1234" in this workspace');
  });
});
