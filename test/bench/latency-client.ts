// A socket.io client in its own process (as a browser is): joins a run and reports, for every
// event, milliseconds from the worker's emit to arrival here. Prints one JSON line when the run ends.
import { io } from 'socket.io-client';
import type { NumberedRunEvent } from '../../runtime/exec/events';

const [url, runId, cookie] = process.argv.slice(2);
const socket = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: cookie ? { cookie } : {} });
const latencies: number[] = [];
socket.on('run-event', (e: NumberedRunEvent) => {
  if (e.runId !== runId) return;
  if (e.emittedAt) latencies.push(Date.now() - e.emittedAt);
  if (e.type === 'run-status' && ['done', 'failed', 'cancelled'].includes(e.status)) {
    process.stdout.write(JSON.stringify({ latencies }) + '\n');
    socket.close();
    process.exit(0);
  }
});
socket.on('connect', () => socket.emit('join', { runId, afterSeq: 1e9 }, () => process.stdout.write('joined\n')));
