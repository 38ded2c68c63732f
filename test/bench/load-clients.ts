// Load clients in their own process (as browsers are): N socket.io watchers follow one run live
// and M API clients call the tRPC API in loops for a fixed time. Prints one JSON line: API latency
// per call, live event latency (worker emit → arrival) and, per watcher, the seqs it never got.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import superjson from 'superjson';
import type { NumberedRunEvent } from '../../runtime/exec/events';

const [url, runId, graphId, watchersArg, clientsArg, secondsArg, cookie] = process.argv.slice(2);
const watchers = Number(watchersArg);
const clients = Number(clientsArg);
const seconds = Number(secondsArg);
const thinkMs = 50;

interface WatcherState {
  socket: Socket;
  seqs: Set<number>;
  finalSeq: number | null;
}

const eventLatencies: number[] = [];
const apiLatencies: number[] = [];
const apiStatuses: Record<string, number> = {};
const apiByPath: Record<string, number[]> = {};

function watch(): WatcherState {
  const state: WatcherState = { socket: io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie } }), seqs: new Set(), finalSeq: null };
  const take = (e: NumberedRunEvent, live: boolean) => {
    if (e.runId !== runId) return;
    if (live && e.emittedAt) eventLatencies.push(Date.now() - e.emittedAt);
    state.seqs.add(e.seq);
    if (e.type === 'run-status' && ['done', 'failed', 'cancelled'].includes(e.status)) state.finalSeq = e.seq;
  };
  state.socket.on('run-event', (e: NumberedRunEvent) => take(e, true));
  const join = (afterSeq: number) =>
    state.socket.emit('join', { runId, afterSeq }, (r: { ok: boolean; events?: NumberedRunEvent[]; more?: boolean }) => {
      for (const e of r.events ?? []) take(e, false);
      if (r.more && r.events?.length) join(r.events[r.events.length - 1].seq);
    });
  state.socket.on('connect', () => join(Math.max(0, ...state.seqs)));
  return state;
}

async function call(path: string, input: unknown, mutation = false): Promise<void> {
  const started = performance.now();
  const encoded = JSON.stringify(superjson.serialize(input));
  const res = mutation
    ? await fetch(`${url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: encoded })
    : await fetch(`${url}/api/trpc/${path}?input=${encodeURIComponent(encoded)}`, { headers: { cookie } });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  apiLatencies.push(ms);
  (apiByPath[path] ??= []).push(ms);
  apiStatuses[res.status] = (apiStatuses[res.status] ?? 0) + 1;
}

/** One API client: what an open editor and run view ask for, in a loop. */
async function apiClient(until: number, i: number): Promise<void> {
  const calls: (() => Promise<void>)[] = [
    () => call('graphs.list', {}),
    () => call('graphs.get', { graphId }),
    () => call('runs.get', { runId }),
    () => call('runs.list', { graphId }),
    () => call('runs.events', { runId, afterSeq: 0, limit: 100 }),
  ];
  for (let n = i; performance.now() < until; n++) {
    await calls[n % calls.length]();
    await new Promise((r) => setTimeout(r, thinkMs));
  }
}

// This process's own event-loop delay: an event that arrives while the clients are busy is stamped late.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const states = Array.from({ length: watchers }, watch);
const until = performance.now() + seconds * 1000;
await Promise.all(Array.from({ length: clients }, (_, i) => apiClient(until, i)));
// Watchers keep listening until the run's last event reaches them (the bench cancels the run now).
process.stdout.write('api-done\n');
const deadline = Date.now() + 60_000;
while (states.some((s) => s.finalSeq === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
const missing = states.map((s) => {
  const last = s.finalSeq ?? Math.max(0, ...s.seqs);
  let gaps = 0;
  for (let q = 1; q <= last; q++) if (!s.seqs.has(q)) gaps++;
  return gaps;
});
for (const s of states) s.socket.close();
const cpu = process.cpuUsage();
loop.disable();
const clientLoopDelay = { p50Ms: loop.percentile(50) / 1e6, p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 };
process.stdout.write(JSON.stringify({ apiLatencies, apiStatuses, apiByPath, cpuMs: (cpu.user + cpu.system) / 1000, clientLoopDelay, eventLatencies, missing, finished: states.filter((s) => s.finalSeq !== null).length, finalSeq: Math.max(...states.map((s) => s.finalSeq ?? 0)) }) + '\n',
  // Exit only once the line (hundreds of kB) is handed to the pipe: exiting right after write() cut it at high throughput.
  () => process.exit(0),
);
