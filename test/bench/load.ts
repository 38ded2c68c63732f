// Load bench (`npm run bench -- load`): a real server on loopback trains a real run while 50
// socket.io watchers follow it live and 20 API clients call the API for a bounded time (clients in
// their own process, as browsers are). Then the issue-13 attack probes are replayed and RSS is
// compared before and after. Targets: API p95 ≤ 300 ms, live event p95 ≤ 100 ms, no event lost,
// 0 × 500 and no leaked SQL in the probes, RSS back within 10%.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import superjson from 'superjson';
import { io } from 'socket.io-client';
import type { GraphDocument } from '../../graph-nodes';
import { startServer } from '../../server/http';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { chainWithBackEdges } from '../helpers/hostile-docs';
import { signUp } from '../helpers/session';
import { markdownTable, writeBenchResult } from './report';

const root = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const seconds = arg('seconds', 40);
const watchers = arg('watchers', 50);
const clients = arg('clients', 20);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settledRss = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 500));
  }
  return process.memoryUsage().rss;
};

process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = join(root, 'test', 'fixtures');
const example = JSON.parse(readFileSync(join(root, 'server/examples/1-spam-filter-dapt.json'), 'utf8')).document as GraphDocument;
// The shipped example on the tiny fixture model, with training long enough to outlast the load.
for (const n of example.nodes) {
  if (n.type === 'pretrained-load') n.params.modelId = 'tiny-bert';
  if (n.type === 'dapt') Object.assign(n.params, { maxSteps: 60, maxSeqLength: 64, batchSize: 16 });
  if (n.type === 'corpus-bundled') n.params.maxDocuments = 300;
  if (n.type === 'fine-tune') Object.assign(n.params, { epochs: 100, maxSeqLength: 64 });
}

const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-load-'));
const server = await startServer({ port: 0, dataDir, next: false });
const owner = await signUp(server, { name: 'Load Owner', email: 'load@example.org' });
const api = appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
const { id: graphId } = await api.graphs.create({ name: 'load', document: example });
const { runId } = await api.runs.start({ graphId });

// Phase 1: load while the run trains.
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/bench/load-clients.ts'), server.url, runId, graphId, String(watchers), String(clients), String(seconds), owner.cookie], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
let cancelled = false;
child.stdout.on('data', (d) => {
  out += d;
  if (out.includes('api-done\n') && !cancelled) {
    cancelled = true;
    void api.runs.cancel({ runId });
  }
});
await new Promise((ok) => child.on('exit', ok));
const load = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as {
  apiLatencies: number[];
  apiStatuses: Record<string, number>;
  eventLatencies: number[];
  missing: number[];
  finished: number;
  finalSeq: number;
};
const storedEvents = await server.runService.eventsAfter(runId, 0, 100_000);

// Phase 2: the attack, one attacker, after the load (RSS measured around it).
const rssBefore = await settledRss();
const attack: { probe: string; status: number; ms: number; leaked: boolean }[] = [];
const leak = /insert into|select .* from|"nodes":\[|Failed query|at [\w.]+ \(/i;
/** fetch cannot set Host; a raw request can (DNS rebinding sends the attacker's name). */
function rawStatus(host: string): Promise<Response> {
  const u = new URL(server.url);
  return new Promise((ok, fail) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method: 'POST', path: '/api/trpc/graphs.create', headers: { host, 'content-type': 'application/json', ...withSession } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok(new Response(Buffer.concat(chunks), { status: res.statusCode })));
    });
    req.on('error', fail);
    req.end(JSON.stringify(superjson.serialize({ name: 'rebound' })));
  });
}
async function probe(name: string, send: () => Promise<Response>) {
  const started = performance.now();
  const res = await send();
  const text = await res.text();
  attack.push({ probe: name, status: res.status, ms: performance.now() - started, leaked: leak.test(text) });
}
const post = (path: string, input: unknown) =>
  fetch(`${server.url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: owner.cookie }, body: JSON.stringify(superjson.serialize(input)) });
const withSession = { cookie: owner.cookie };
const { id: target } = await api.graphs.create({ name: 'target' });
for (let i = 0; i < 3; i++) await probe('save 5,000-node chain + 15,000 back edges', () => post('graphs.save', { graphId: target, document: chainWithBackEdges(), message: 'x', baseVersion: 1 }));
await probe('create with NUL name', () => post('graphs.create', { name: 'n\u0000' }));
await probe('create with lone surrogate in a document', () => post('graphs.create', { name: 'x', document: { schemaVersion: 1, nodes: [{ id: 'a', type: 'split', typeVersion: 1, params: { t: '\ud800' }, position: { x: 0, y: 0 } }], edges: [] } }));
await probe('deeply nested JSON', () => fetch(`${server.url}/api/trpc/graphs.create`, { method: 'POST', headers: { 'content-type': 'application/json', ...withSession }, body: `{"json":{"name":"d","document":${'['.repeat(200_000)}${']'.repeat(200_000)}}}` }));
await probe('BigInt in a document', () => post('graphs.create', { name: 'b', document: { schemaVersion: 1, nodes: [], edges: [], n: 1n } }));
await probe('200 batched graphs.list', () => fetch(`${server.url}/api/trpc/${Array(200).fill('graphs.list').join(',')}?batch=1&input=%7B%7D`, { headers: withSession }));
await probe('__proto__ node id', () => post('graphs.create', { name: 'p', document: { schemaVersion: 1, nodes: [{ id: '__proto__', type: 'split', typeVersion: 1, params: {}, position: { x: 0, y: 0 } }], edges: [] } }));
await probe('Host: rebind.evil.example', () => rawStatus('rebind.evil.example'));
await probe('cross-origin text/plain upload', () => fetch(`${server.url}/api/files/uploads?filename=x.csv`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'http://evil.example', ...withSession }, body: 'a,b\n' }));
await probe('binary upload', () => fetch(`${server.url}/api/files/uploads?filename=x.csv`, { method: 'POST', headers: withSession, body: new Uint8Array([0, 1, 2, 3]) }));
{
  // 300 joins of the finished run on one socket: served a page at a time, the rest refused.
  const socket = io(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: withSession });
  const started = performance.now();
  let bytes = 0;
  await Promise.all(Array.from({ length: 300 }, () => new Promise((ok) => socket.emit('join', { runId, afterSeq: 0 }, (r: unknown) => ((bytes += JSON.stringify(r).length), ok(r))))));
  const absurd = await new Promise<{ ok: boolean }>((ok) => socket.emit('join', { runId, afterSeq: 1e308 }, ok));
  attack.push({ probe: `300 socket.io joins (${(bytes / 1e6).toFixed(1)} MB sent)`, status: 200, ms: performance.now() - started, leaked: false });
  attack.push({ probe: 'join with afterSeq 1e308', status: absurd.ok ? 200 : 400, ms: 0, leaked: false });
  socket.close();
}
const rssAfter = await settledRss();

await server.close();
rmSync(dataDir, { recursive: true, force: true });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const api50 = pct(load.apiLatencies, 50);
const api95 = pct(load.apiLatencies, 95);
const ev50 = pct(load.eventLatencies, 50);
const ev95 = pct(load.eventLatencies, 95);
const lost = load.missing.reduce((a, b) => a + b, 0);
const rssChange = (rssAfter - rssBefore) / rssBefore;
const fivehundreds = attack.filter((a) => a.status >= 500).length;
writeBenchResult(
  'load',
  {
    setup: { watchers, apiClients: clients, seconds, thinkMs: 50, run: 'spam example on tiny-bert, training through the load, cancelled at the end' },
    api: { calls: load.apiLatencies.length, statuses: load.apiStatuses, p50Ms: api50, p95Ms: api95, maxMs: Math.max(...load.apiLatencies), targetP95Ms: 300 },
    liveEvents: { received: load.eventLatencies.length, p50Ms: ev50, p95Ms: ev95, maxMs: Math.max(...load.eventLatencies), targetP95Ms: 100 },
    eventLoss: { storedEvents: storedEvents.length, watchersFinished: load.finished, missingPerWatcher: load.missing, lost },
    attack: { probes: attack, serverErrors: fivehundreds, leaked: attack.filter((a) => a.leaked).length, slowestMs: Math.max(...attack.map((a) => a.ms)) },
    rss: { beforeAttackMB: rssBefore / 2 ** 20, afterAttackMB: rssAfter / 2 ** 20, change: rssChange, target: 0.1 },
  },
  [
    markdownTable(
      ['measure', 'value', 'target'],
      [
        ['API calls (20 clients)', load.apiLatencies.length, ''],
        ['API p50 / p95 (ms)', `${api50.toFixed(0)} / ${api95.toFixed(0)}`, 'p95 ≤ 300'],
        ['live events received (50 watchers)', load.eventLatencies.length, ''],
        ['live event p50 / p95 (ms)', `${ev50.toFixed(0)} / ${ev95.toFixed(0)}`, 'p95 ≤ 100'],
        ['events lost (all watchers)', `${lost} of ${storedEvents.length} × ${watchers}`, '0'],
        ['attack: 5xx answers / leaked texts', `${fivehundreds} / ${attack.filter((a) => a.leaked).length}`, '0 / 0'],
        ['attack: slowest answer (ms)', Math.max(...attack.map((a) => a.ms)).toFixed(0), '< 2000'],
        ['RSS before → after attack (MB)', `${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} (${(rssChange * 100).toFixed(1)}%)`, '≤ +10%'],
      ],
    ),
    markdownTable(
      ['probe', 'status', 'ms'],
      attack.map((a) => [a.probe, a.status, a.ms.toFixed(0)]),
    ),
  ].join('\n\n'),
);
process.exit(0);
