// Attack replay (`npm run bench -- attack`): the issue-13 probes, one attacker on loopback, against a
// fresh server. Reports the slowest answer per probe class and overall (target < 2 s), 5xx answers
// and leaked SQL/document/stack text (target 0), the longest event-loop stall, and RSS after the
// attack against RSS before it (target within 10%). Probes carry the session cookie, as a signed-in
// attacker would; the Host/Origin class also runs without one.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eq } from 'drizzle-orm';
import superjson from 'superjson';
import { io } from 'socket.io-client';
import { graphs, runs } from '../../server/db/schema';
import { startServer } from '../../server/http';
import { newId } from '../../server/ids';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { chainWithBackEdges } from '../helpers/hostile-docs';
import { signUp } from '../helpers/session';
import { markdownTable, writeBenchResult } from './report';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settledRss = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 500));
  }
  return process.memoryUsage().rss;
};

const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-attack-'));
const server = await startServer({ port: 0, dataDir, next: false });
const owner = await signUp(server, { name: 'Attack Owner', email: 'attack@example.org' });
const api = appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
const withSession = { cookie: owner.cookie };
const { id: target } = await api.graphs.create({ name: 'target' });
// A finished run with 1,077 events (the replay-amplification probe of the issue).
const [graph] = await server.database.db.select().from(graphs).where(eq(graphs.id, target));
const runId = newId('r');
await server.database.db.insert(runs).values({ id: runId, workspaceId: graph.workspaceId, graphId: target, document: { schemaVersion: 1, nodes: [], edges: [] }, status: 'running', createdBy: owner.user.id });
for (let i = 0; i < 1076; i++) await server.runService.record(runId, { type: 'progress', nodeId: 'ft', step: i, totalSteps: 1076, epoch: 0, loss: 1 / (i + 1), phase: 'x'.repeat(100) });
await server.runService.record(runId, { type: 'run-status', status: 'done' });

interface Answer {
  probeClass: string;
  probe: string;
  status: number;
  ms: number;
  leaked: boolean;
  /** Longest event-loop stall of this process while the probe was answered (attacker and server share it). */
  stallMs?: number;
}
const answers: Answer[] = [];
const leak = /insert into|select .* from|"nodes":\[|Failed query|at [\w.]+ \(|root:x:0/i;

/** A raw POST (fetch cannot set Host; DNS rebinding sends the attacker's name). */
function rawPost(path: string, headers: Record<string, string>, body: string): Promise<Response> {
  const u = new URL(server.url);
  return new Promise((ok, fail) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method: 'POST', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok(new Response(Buffer.concat(chunks), { status: res.statusCode })));
    });
    req.on('error', fail);
    req.end(body);
  });
}
async function probe(probeClass: string, name: string, send: () => Promise<Response>) {
  const stall = monitorEventLoopDelay({ resolution: 10 });
  stall.enable();
  const started = performance.now();
  const res = await send();
  const text = await res.text();
  stall.disable();
  answers.push({ probeClass, probe: name, status: res.status, ms: performance.now() - started, leaked: leak.test(text), stallMs: stall.max / 1e6 });
}
const post = (path: string, input: unknown, headers: Record<string, string> = withSession) =>
  fetch(`${server.url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(superjson.serialize(input)) });
const upload = (filename: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/files/uploads?filename=${encodeURIComponent(filename)}`, { method: 'POST', headers: { ...withSession, ...headers }, body: body as BodyInit });
/** Whether a socket.io handshake with these headers is accepted. */
const handshake = (headers: Record<string, string>) =>
  new Promise<Response>((ok) => {
    const socket = io(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: headers, reconnection: false });
    socket.on('connect', () => (socket.close(), ok(new Response('connected', { status: 200 }))));
    socket.on('connect_error', (err) => (socket.close(), ok(new Response(err.message, { status: 403 }))));
  });

const loadBefore = os.loadavg()[0];
const rssBefore = await settledRss();

// 1. Host and Origin.
const rebound = JSON.stringify(superjson.serialize({ name: 'rebound' }));
await probe('host/origin', 'POST graphs.create with Host: rebind.evil.example', () => rawPost('/api/trpc/graphs.create', { host: 'rebind.evil.example', 'content-type': 'application/json', ...withSession }, rebound));
await probe('host/origin', 'cross-origin text/plain upload', () => upload('x.csv', 'a,b\n', { 'content-type': 'text/plain', origin: 'http://evil.example' }));
await probe('host/origin', 'socket.io handshake from Origin: http://evil.example', () => handshake({ ...withSession, origin: 'http://evil.example' }));
// 2. Quadratic validation (a health check sent while it is being answered shows any stall).
// The attacker's 2.3 MB body is built before the clock starts: its answer time is the server's, not the attacker's JSON work.
const chainBody = JSON.stringify(superjson.serialize({ graphId: target, document: chainWithBackEdges(), message: 'x', baseVersion: 1 }));
for (let i = 0; i < 3; i++) {
  const save = probe('validation', `save 5,000-node chain + 15,000 back edges (#${i + 1})`, () =>
    fetch(`${server.url}/api/trpc/graphs.save`, { method: 'POST', headers: { 'content-type': 'application/json', ...withSession }, body: chainBody }),
  );
  await probe('validation', `health check during that save (#${i + 1})`, () => fetch(`${server.url}/api/health`));
  await save;
}
// 3. NUL and lone surrogates.
await probe('text', 'graphs.create with a NUL in the name', () => post('graphs.create', { name: 'n\u0000' }));
await probe('text', 'graphs.create with a lone surrogate in a document', () => post('graphs.create', { name: 'x', document: { schemaVersion: 1, nodes: [{ id: 'a', type: 'split', typeVersion: 1, params: { t: '\ud800' }, position: { x: 0, y: 0 } }], edges: [] } }));
// 5. Uploads.
await probe('uploads', 'binary upload', () => upload('x.csv', new Uint8Array([0x74, 0x00, 0x01, 0x02])));
await probe('uploads', 'Latin-1 upload', () => upload('l.csv', Buffer.concat([Buffer.from('text,label\ncaf'), Buffer.from([0xe9]), Buffer.from(' au lait,ham\n')])));
await probe('uploads', 'UTF-16 upload', () => upload('u.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello\n', 'utf16le')])));
await probe('uploads', 'filename with NUL', () => upload('a\u0000.csv', 'text,label\na,b\n'));
{
  const rows = ['text,label'];
  for (let i = 0; i < 500_000; i++) rows.push(`message number ${i} with a few words of filler text,${i % 2 ? 'spam' : 'ham'}`);
  const big = Buffer.from(rows.join('\n') + '\n');
  await probe('uploads', `${(big.length / 1e6).toFixed(0)} MB / 500k-row CSV upload`, () => upload('big.csv', big));
}
// 6. Amplification.
await probe('amplification', '200 batched graphs.list in one GET', () => fetch(`${server.url}/api/trpc/${Array(200).fill('graphs.list').join(',')}?batch=1&input=%7B%7D`, { headers: withSession }));
{
  const socket = io(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: withSession });
  let bytes = 0;
  const stall = monitorEventLoopDelay({ resolution: 10 });
  stall.enable();
  const started = performance.now();
  const replies = await Promise.all(Array.from({ length: 300 }, () => new Promise<{ ok: boolean }>((ok) => socket.emit('join', { runId, afterSeq: 0 }, (r: { ok: boolean }) => ((bytes += JSON.stringify(r).length), ok(r))))));
  answers.push({ probeClass: 'amplification', probe: `300 socket.io joins of a 1,077-event run (${(bytes / 1e6).toFixed(1)} MB sent, ${replies.filter((r) => r.ok).length} served)`, status: 200, ms: performance.now() - started, leaked: false, stallMs: (stall.disable(), stall.max / 1e6) });
  const t = performance.now();
  const absurd = await new Promise<{ ok: boolean }>((ok) => socket.emit('join', { runId, afterSeq: 1e308 }, ok));
  answers.push({ probeClass: 'amplification', probe: 'join with afterSeq 1e308', status: absurd.ok ? 200 : 400, ms: performance.now() - t, leaked: false });
  socket.close();
}
// 7. Prototype keys.
await probe('prototype keys', 'node id __proto__ at create', () => post('graphs.create', { name: 'p', document: { schemaVersion: 1, nodes: [{ id: '__proto__', type: 'split', typeVersion: 1, params: {}, position: { x: 0, y: 0 } }], edges: [] } }));
await probe('prototype keys', 'runs.nodeState with node id constructor', () => post('runs.nodeState', { graphId: target, document: { schemaVersion: 1, nodes: [{ id: 'constructor', type: 'split', typeVersion: 1, params: {}, position: { x: 0, y: 0 } }], edges: [] } }));
// 8. Unclear or leaking errors.
await probe('errors', 'JSON nested 200,000 deep', () => fetch(`${server.url}/api/trpc/graphs.create`, { method: 'POST', headers: { 'content-type': 'application/json', ...withSession }, body: `{"json":{"name":"d","document":${'['.repeat(200_000)}${']'.repeat(200_000)}}}` }));
await probe('errors', 'BigInt in a document', () => post('graphs.create', { name: 'b', document: { schemaVersion: 1, nodes: [], edges: [], n: 1n } }));
// 9. Housekeeping.
await probe('housekeeping', 'graphs.list limit 1,000,000', () => fetch(`${server.url}/api/trpc/graphs.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: 1_000_000 } }))}`, { headers: withSession }));

const rssAfter = await settledRss();
// Every save probe was refused; the target graph must still be at its first version.
const [after] = await server.database.db.select({ latest: graphs.latestVersion }).from(graphs).where(eq(graphs.id, target));
const storedInvalidVersions = after.latest - 1;
await server.close();
rmSync(dataDir, { recursive: true, force: true });

const classes = [...new Set(answers.map((a) => a.probeClass))];
const slowestOf = (xs: Answer[]) => xs.reduce((a, b) => (b.ms > a.ms ? b : a));
const slowest = slowestOf(answers);
const fivehundreds = answers.filter((a) => a.status >= 500).length;
const leaked = answers.filter((a) => a.leaked).length;
const rssChange = (rssAfter - rssBefore) / rssBefore;
const longestStall = Math.max(...answers.map((a) => a.stallMs ?? 0));
writeBenchResult(
  'attack',
  {
    probes: answers,
    byClass: Object.fromEntries(classes.map((c) => [c, { probes: answers.filter((a) => a.probeClass === c).length, slowestMs: slowestOf(answers.filter((a) => a.probeClass === c)).ms }])),
    slowest: { probe: slowest.probe, ms: slowest.ms, targetMs: 2000 },
    serverErrors: fivehundreds,
    leaked,
    storedInvalidVersions,
    longestStallWhileAnsweringMs: longestStall,
    rss: { beforeMB: rssBefore / 2 ** 20, afterMB: rssAfter / 2 ** 20, change: rssChange, target: 0.1 },
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
  },
  [
    markdownTable(
      ['measure', 'value', 'target'],
      [
        ['slowest answer (ms)', `${slowest.ms.toFixed(0)} (${slowest.probe})`, '< 2000'],
        ['5xx answers / leaked texts / stored invalid versions', `${fivehundreds} / ${leaked} / ${storedInvalidVersions}`, '0 / 0 / 0'],
        ['longest event-loop stall while a probe was answered (ms)', longestStall.toFixed(0), ''],
        ['RSS before → after (MB)', `${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} (${(rssChange * 100).toFixed(1)}%)`, '≤ +10%'],
        ['load average (1 min) before / after', `${loadBefore.toFixed(2)} / ${os.loadavg()[0].toFixed(2)}`, ''],
      ],
    ),
    markdownTable(
      ['class', 'probes', 'slowest (ms)'],
      classes.map((c) => [c, answers.filter((a) => a.probeClass === c).length, slowestOf(answers.filter((a) => a.probeClass === c)).ms.toFixed(0)]),
    ),
    markdownTable(
      ['probe', 'status', 'ms', 'loop stall (ms)'],
      answers.map((a) => [a.probe, a.status, a.ms.toFixed(0), a.stallMs?.toFixed(0) ?? '']),
    ),
  ].join('\n\n'),
);
process.exit(0);
