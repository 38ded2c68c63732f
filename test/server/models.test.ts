// "Try it" and downloads through the real server: a trained run's model answers typed text in the
// prediction process, Eval and Export nodes find the model wired into them, the export zip is listed
// with its size and downloads with its files, and nodes without a model say why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/http';
import { signUp, type TestSession } from '../helpers/session';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { fineTuneGraphBuilder } from '../helpers/fine-tune-graph';
import { FIXTURE_MODELS_DIR } from '../helpers/run-env';

function exportGraph() {
  const g = fineTuneGraphBuilder({ data: { maxExamples: 80, seed: 5 }, ft: { epochs: 1, batchSize: 8, maxSeqLength: 32, learningRate: 5e-3 } });
  g.node('export', { name: 'spam-model' }, { id: 'export' });
  g.connect('ft', 'model', 'export', 'model');
  return g.build();
}

describe('trained models of a run', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-models-'));
  let owner: TestSession;
  const api = async () => appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
  let runId = '';

  beforeAll(async () => {
    process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = FIXTURE_MODELS_DIR;
    server = await startServer({ port: 0, dataDir, next: false });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
    const { id: graphId } = await (await api()).graphs.create({ name: 'Models test', document: exportGraph() });
    ({ runId } = await (await api()).runs.start({ graphId }));
    const end = Date.now() + 120_000;
    while (!['done', 'failed', 'cancelled'].includes((await (await api()).runs.get({ runId })).run.status) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect((await (await api()).runs.get({ runId })).run.status).toBe('done');
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a fine-tuned node predicts a label with a probability for every class', async () => {
    const r = await (await api()).models.predict({ runId, nodeId: 'ft', text: 'Win a free prize now, click here!!!' });
    if (r.task !== 'sequence') throw new Error(`expected a sequence result, got ${r.task}`);
    expect(r.probabilities.map((p) => p.label).sort()).toEqual(['ham', 'spam']);
    expect(r.probabilities.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
    expect(r.label).toBe(r.probabilities[0].label);
    expect(r.probabilities[0].probability).toBeGreaterThanOrEqual(r.probabilities[1].probability);
  });

  it('Eval and Export nodes try the model wired into them, giving the same answer as that model', async () => {
    const text = 'Meeting moved to Thursday, see the attached agenda.';
    const direct = await (await api()).models.predict({ runId, nodeId: 'ft', text });
    expect(await (await api()).models.predict({ runId, nodeId: 'eval', text })).toEqual(direct);
    expect(await (await api()).models.predict({ runId, nodeId: 'export', text })).toEqual(direct);
  });

  it('a dataset node and an unknown node each say why they cannot be tried', async () => {
    await expect((await api()).models.predict({ runId, nodeId: 'data', text: 'hello' })).rejects.toThrow(/has no model to try/);
    await expect((await api()).models.predict({ runId, nodeId: 'nope', text: 'hello' })).rejects.toThrow(/has no node 'nope'/);
    await expect((await api()).models.predict({ runId, nodeId: 'ft', text: '   ' })).rejects.toThrow(/type some text/);
  });

  it('lists the export zip with its size, and the download route serves that zip with the model files', async () => {
    const [zip] = await (await api()).models.exports({ runId });
    expect(zip).toMatchObject({ nodeId: 'export', name: 'spam-model', url: `/api/files/runs/${runId}/nodes/export/export.zip` });
    expect(zip.bytes).toBeGreaterThan(1000);
    expect((await fetch(`${server.url}${zip.url}`)).status).toBe(401);
    const res = await fetch(`${server.url}${zip.url}`, { headers: { cookie: owner.cookie } });
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.length).toBe(zip.bytes);
    const files = Object.keys(unzipSync(body));
    expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/config\.json$/), expect.stringMatching(/model\.safetensors$/), expect.stringMatching(/vocab\.txt$/)]));
  });

  it('the Results page lists the finished run with its wall time and the Eval node’s scores', async () => {
    const mine = await (await api()).results.myRuns();
    const run = mine.find((r) => r.id === runId)!;
    expect(run.graphName).toBe('Models test');
    expect(run.seconds).toBeGreaterThan(0);
    const evalScore = run.scores.find((s) => s.nodeId === 'eval')!;
    expect(evalScore.kind).toBe('classification');
    expect(evalScore.values.macroF1).toBeGreaterThanOrEqual(0);
    expect(evalScore.values.accuracy).toBeGreaterThan(0);
  });

  it('a run that does not exist is not found', async () => {
    await expect((await api()).models.predict({ runId: 'r_missing', nodeId: 'ft', text: 'hi' })).rejects.toThrow(/no run 'r_missing'/);
  });
});
