// Issue 13 probes that need stored graphs and runs, replayed against a real server on loopback:
// the quadratic save, prototype ids, replay amplification over socket.io, events with NUL, event
// order at a run's end, and graphs.list paging.
import { mkdtempSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import superjson from 'superjson';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NumberedRunEvent } from '../../../runtime/exec/events';
import { eq } from 'drizzle-orm';
import { graphs, runNodes, runs } from '../../../server/db/schema';
import { startServer, type RunningServer } from '../../../server/http';
import { newId } from '../../../server/ids';
import { JOIN_BURST, REPLAY_PAGE_EVENTS } from '../../../server/realtime/socket';
import { appRouter } from '../../../server/routers/_app';
import { createContextInner } from '../../../server/trpc';
import { graphBuilder } from '../../helpers/graph-builder';
import { chainWithBackEdges } from '../../helpers/hostile-docs';
import { signUp, type TestSession } from '../../helpers/session';

describe('stored-data probes', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-probes-'));
  let owner: TestSession;
  const api = async () => appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
  const post = (path: string, input: unknown) =>
    fetch(`${server.url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: owner.cookie }, body: JSON.stringify(superjson.serialize(input)) });
  const socketOptions = () => ({ path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: owner.cookie } });

  /** A run row with nodes, to drive the run service directly (no worker). */
  async function fakeRun(nodeIds: string[]): Promise<string> {
    const { id: graphId } = await (await api()).graphs.create({ name: `run ${nodeIds.join(',')}` });
    const [graph] = await server.database.db.select().from(graphs).where(eq(graphs.id, graphId));
    const runId = newId('r');
    await server.database.db.insert(runs).values({ id: runId, workspaceId: graph.workspaceId, graphId, document: { schemaVersion: 1, nodes: [], edges: [] }, status: 'running', createdBy: owner.user.id });
    if (nodeIds.length) await server.database.db.insert(runNodes).values(nodeIds.map((nodeId) => ({ runId, nodeId, cacheKey: `k-${nodeId}`, status: 'queued' as const })));
    return runId;
  }

  beforeAll(async () => {
    server = await startServer({ port: 0, dataDir, next: false });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the 5,000-node chain + 15,000 back edges save with a 400, stores nothing, and keeps the server responsive', async () => {
    const { id: graphId } = await (await api()).graphs.create({ name: 'quadratic' });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const save = post('graphs.save', { graphId, document: chainWithBackEdges(), message: 'attack', baseVersion: 1 });
    const health = await fetch(`${server.url}/api/health`, { headers: { cookie: owner.cookie } });
    const res = await save;
    delay.disable();
    expect(health.status).toBe(200);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(5_000);
    expect(JSON.parse(text).error.json.message).toMatch(/^document: node "s\d+": input "dataset" takes one Dataset, but \d+ edges lead into it/);
    expect(await (await api()).graphs.versions({ graphId })).toHaveLength(1);
    // Generous bound (tests never time tightly): the loop was held for 17–26 s before the fix.
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  it('refuses prototype-named node ids at save and answers nodeState for them without a 500', async () => {
    const g = graphBuilder();
    g.node('dataset-bundled', {}, { id: '__proto__' });
    g.node('split', {}, { id: 'constructor' });
    g.connect('__proto__', 'dataset', 'constructor', 'dataset');
    const doc = g.build();
    const created = await post('graphs.create', { name: 'proto', document: doc });
    expect(created.status).toBe(400);
    expect((await created.json()).error.json.message).toContain('node id "__proto__" is a reserved name');
    const { id: graphId } = await (await api()).graphs.create({ name: 'plain' });
    const state = await post('runs.nodeState', { graphId, document: doc });
    expect(state.status).toBe(200);
    const nodes = (await state.json()).result.data.json.nodes;
    expect(nodes).toEqual({});
  });

  it('stores events carrying NUL or lone surrogates (cleaned), so replay has no gap', async () => {
    const runId = await fakeRun([]);
    const record = server.runService.record;
    await record(runId, { type: 'log', level: 'info', message: 'before' });
    await record(runId, { type: 'log', level: 'error', message: 'row 3: "\u0000\ud800"' });
    await record(runId, { type: 'metrics', nodeId: 'n\u0000', metrics: { 'k\u0000': 'v\udc00' } });
    await record(runId, { type: 'log', level: 'info', message: 'after' });
    const events = await server.runService.eventsAfter(runId, 0);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(events[1]).toMatchObject({ message: 'row 3: "\ufffd\ufffd"' });
    expect(events[2]).toMatchObject({ nodeId: 'n\ufffd', metrics: { 'k\ufffd': 'v\ufffd' } });
  });

  it('closes leftover nodes before the run’s final event, so nothing follows "failed"', async () => {
    const runId = await fakeRun(['a', 'b', 'c']);
    const record = server.runService.record;
    await record(runId, { type: 'node-status', nodeId: 'a', status: 'running' });
    await record(runId, { type: 'node-status', nodeId: 'a', status: 'failed', error: 'boom' });
    await record(runId, { type: 'run-status', status: 'failed', error: 'worker process exited unexpectedly (signal SIGKILL)' });
    const events = await server.runService.eventsAfter(runId, 0);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'run-status', status: 'failed' });
    expect(events.filter((e) => e.type === 'node-status' && e.status === 'skipped').map((e) => (e as { nodeId: string }).nodeId).sort()).toEqual(['b', 'c']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('bounds socket.io replay: 300 joins of a 1,077-event run get pages, not 91 MB', async () => {
    const runId = await fakeRun([]);
    for (let i = 0; i < 1077; i++) await server.runService.record(runId, { type: 'progress', nodeId: 'ft', step: i, totalSteps: 1077, epoch: 0, loss: 1 / (i + 1), phase: 'x'.repeat(100) });
    const socket = connect(server.url, socketOptions());
    let bytes = 0;
    type Reply = { ok: boolean; events?: NumberedRunEvent[]; more?: boolean; error?: string };
    const replies = await Promise.all(
      Array.from({ length: 300 }, () => new Promise<Reply>((ok) => socket.emit('join', { runId, afterSeq: 0 }, (r: Reply) => ((bytes += JSON.stringify(r).length), ok(r))))),
    );
    const served = replies.filter((r) => r.ok);
    expect(served.length).toBeLessThanOrEqual(JOIN_BURST + 2);
    expect(replies.filter((r) => !r.ok)[0]?.error).toMatch(/too many joins/);
    for (const r of served) expect(r.events!.length).toBeLessThanOrEqual(REPLAY_PAGE_EVENTS);
    expect(bytes).toBeLessThan(15 * 1024 * 1024);
    socket.close();

    // A well-behaved client pages through the whole run with `more`, without gaps.
    const reader = connect(server.url, socketOptions());
    const seqs: number[] = [];
    let afterSeq = 0;
    for (;;) {
      const r = await new Promise<Reply>((ok) => reader.emit('join', { runId, afterSeq }, ok));
      seqs.push(...r.events!.map((e) => e.seq));
      if (!r.more) break;
      afterSeq = seqs[seqs.length - 1];
    }
    reader.close();
    expect(seqs).toEqual(Array.from({ length: 1077 }, (_, i) => i + 1));
  });

  it('pages graphs.list with a cursor, keeping the default call working', async () => {
    for (let i = 0; i < 5; i++) await (await api()).graphs.create({ name: `paged ${i}` });
    const all = await (await api()).graphs.list();
    const pages: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await (await api()).graphs.list({ limit: 3, cursor });
      pages.push(...page.map((g) => g.id));
      if (page.length < 3) break;
      cursor = page[page.length - 1].id;
    }
    expect(pages).toEqual(all.map((g) => g.id));
    await expect((await api()).graphs.list({ limit: 10_000 })).rejects.toThrow();
  });
});
