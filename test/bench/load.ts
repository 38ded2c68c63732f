// Load bench (`npm run bench -- load [--db=postgres] [--seconds=40]`): a real server on loopback
// trains a real run while 50 socket.io watchers follow it live and 20 API clients call the API for
// a bounded time (clients in their own process, as browsers are). Targets: API p95 ≤ 300 ms, live
// event p95 ≤ 100 ms, no event lost. Also recorded, so numbers can be read honestly on a shared
// machine: the load average, CPU seconds of server, worker and clients, and the server's event-loop delay.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { GraphDocument } from '../../graph-nodes';
import { startServer } from '../../server/http';
import { InProcessQueue } from '../../server/runs/in-process-queue';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { signUp } from '../helpers/session';
import { privatePostgres } from './private-postgres';
import { markdownTable, writeBenchResult } from './report';

const root = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const seconds = Number(arg('seconds', '40'));
const watchers = Number(arg('watchers', '50'));
const clients = Number(arg('clients', '20'));
const engine = arg('db', 'pglite') === 'postgres' ? 'postgres' : 'pglite';

process.env.TUNEGRAPH_BUNDLED_MODELS_DIR = join(root, 'test', 'fixtures');
const example = JSON.parse(readFileSync(join(root, 'server/examples/1-spam-filter-dapt.json'), 'utf8')).document as GraphDocument;
// The shipped example on the tiny fixture model, with training long enough to outlast the load.
for (const n of example.nodes) {
  if (n.type === 'pretrained-load') n.params.modelId = 'tiny-bert';
  if (n.type === 'dapt') Object.assign(n.params, { maxSteps: 60, maxSeqLength: 64, batchSize: 16 });
  if (n.type === 'corpus-bundled') n.params.maxDocuments = 300;
  if (n.type === 'fine-tune') Object.assign(n.params, { epochs: 100, maxSeqLength: 64 });
}

/** CPU milliseconds a process has used so far (Linux /proc), or null. */
function cpuMsOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return null;
  }
}

const pg = engine === 'postgres' ? await privatePostgres('tunegraph_load_bench') : null;
const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-load-'));
const server = await startServer({ port: 0, dataDir, next: false, databaseUrl: pg?.url });
const owner = await signUp(server, { name: 'Load Owner', email: 'load@example.org' });
const api = appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
const { id: graphId } = await api.graphs.create({ name: 'load', document: example });
const { runId } = await api.runs.start({ graphId });
const worker = server.queue instanceof InProcessQueue ? server.queue.activeWorker() : null;

const loadBefore = os.loadavg()[0];
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const serverCpu0 = process.cpuUsage();
const workerCpu0 = cpuMsOf(worker?.pid);
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/bench/load-clients.ts'), server.url, runId, graphId, String(watchers), String(clients), String(seconds), owner.cookie], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
let cancelled = false;
let during: { serverCpuMs: number; workerCpuMs: number | null; loadAverage: number; loopDelay: Record<string, number> } | null = null;
child.stdout.on('data', (d) => {
  out += d;
  if (out.includes('api-done\n') && !cancelled) {
    cancelled = true;
    delay.disable();
    const cpu = process.cpuUsage(serverCpu0);
    const workerCpu = cpuMsOf(worker?.pid);
    during = {
      serverCpuMs: (cpu.user + cpu.system) / 1000,
      workerCpuMs: workerCpu !== null && workerCpu0 !== null ? workerCpu - workerCpu0 : null,
      loadAverage: os.loadavg()[0],
      loopDelay: { p50Ms: delay.percentile(50) / 1e6, p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 },
    };
    void api.runs.cancel({ runId });
  }
});
// 'close', not 'exit': the clients' last line (one JSON line, hundreds of kB) may still be in the pipe at exit.
await new Promise((ok) => child.on('close', ok));
const load = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as {
  apiLatencies: number[];
  apiStatuses: Record<string, number>;
  apiByPath: Record<string, number[]>;
  eventLatencies: number[];
  missing: number[];
  finished: number;
  finalSeq: number;
  cpuMs: number;
  clientLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
};
const storedEvents = await server.runService.eventsAfter(runId, 0, 100_000);
await server.close();
await pg?.drop();
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
const d = during!;
const secondsOf = (ms: number | null) => (ms === null ? 'n/a' : (ms / 1000).toFixed(1));
writeBenchResult(
  engine === 'postgres' ? 'load-postgres' : 'load',
  {
    setup: { database: engine, watchers, apiClients: clients, seconds, thinkMs: 50, run: 'spam example on tiny-bert, training through the load, cancelled at the end' },
    api: {
      calls: load.apiLatencies.length,
      statuses: load.apiStatuses,
      p50Ms: api50,
      p95Ms: api95,
      maxMs: Math.max(...load.apiLatencies),
      targetP95Ms: 300,
      byProcedure: Object.fromEntries(Object.entries(load.apiByPath).map(([path, ms]) => [path, { calls: ms.length, p50Ms: pct(ms, 50), p95Ms: pct(ms, 95) }])),
    },
    liveEvents: { received: load.eventLatencies.length, p50Ms: ev50, p95Ms: ev95, maxMs: Math.max(...load.eventLatencies), targetP95Ms: 100 },
    eventLoss: { storedEvents: storedEvents.length, watchersFinished: load.finished, missingPerWatcher: load.missing, lost },
    machineLoad: { loadAverageBefore: loadBefore, loadAverageAtEnd: d.loadAverage, serverCpuMs: d.serverCpuMs, workerCpuMs: d.workerCpuMs, clientsCpuMs: load.cpuMs, serverLoopDelay: d.loopDelay, clientsLoopDelay: load.clientLoopDelay },
  },
  [
    markdownTable(
      ['measure', 'value', 'target'],
      [
        ['database', engine, ''],
        ['API calls (20 clients)', load.apiLatencies.length, ''],
        ['API p50 / p95 (ms)', `${api50.toFixed(0)} / ${api95.toFixed(0)}`, 'p95 ≤ 300'],
        ['live events received (50 watchers)', load.eventLatencies.length, ''],
        ['live event p50 / p95 (ms)', `${ev50.toFixed(0)} / ${ev95.toFixed(0)}`, 'p95 ≤ 100'],
        ['events lost (all watchers)', `${lost} of ${storedEvents.length} × ${watchers}`, '0'],
        ['load average (1 min) before / at end', `${loadBefore.toFixed(2)} / ${d.loadAverage.toFixed(2)}`, ''],
        ['CPU s: server / worker / clients', `${secondsOf(d.serverCpuMs)} / ${secondsOf(d.workerCpuMs)} / ${secondsOf(load.cpuMs)} in ${seconds} s`, ''],
        ['server event-loop delay p50 / p99 / max (ms)', `${d.loopDelay.p50Ms.toFixed(0)} / ${d.loopDelay.p99Ms.toFixed(0)} / ${d.loopDelay.maxMs.toFixed(0)}`, ''],
        ['clients’ own event-loop delay p50 / p99 / max (ms)', `${load.clientLoopDelay.p50Ms.toFixed(0)} / ${load.clientLoopDelay.p99Ms.toFixed(0)} / ${load.clientLoopDelay.maxMs.toFixed(0)}`, ''],
      ],
    ),
    markdownTable(
      ['procedure', 'calls', 'p50 (ms)', 'p95 (ms)'],
      Object.entries(load.apiByPath).map(([path, ms]) => [path, ms.length, pct(ms, 50).toFixed(0), pct(ms, 95).toFixed(0)]),
    ),
  ].join('\n\n'),
);
process.exit(0);
