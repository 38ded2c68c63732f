// Run workers train below the web server's priority: training takes whatever CPU the server leaves,
// so pages, the API and live events stay quick while a run trains on the same machine. Measured
// with test/bench/load.ts: on 2 cores a worker at equal priority took half the CPU and the API's
// p95 under 50 watchers + 20 clients followed the machine's load.
import { readdirSync } from 'node:fs';
import os from 'node:os';

/** How many steps of niceness a run worker sits below this server (TUNEGRAPH_WORKER_NICE, 0–19, default 10). */
export function workerNiceness(): number {
  const n = Number(process.env.TUNEGRAPH_WORKER_NICE ?? 10);
  return Number.isInteger(n) ? Math.min(19, Math.max(0, n)) : 10;
}

/** Lowers the priority of every thread of a process. On Linux niceness is per thread and threads
 * inherit it when they start, so this is called at fork and again once the worker has started its backend. */
export function lowerPriority(pid: number | undefined, steps = workerNiceness()): void {
  if (!pid || steps === 0) return;
  const niceness = Math.min(19, os.getPriority() + steps);
  let threads: number[] = [pid];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    // Not Linux: the process's priority is all there is.
  }
  for (const tid of threads) {
    try {
      os.setPriority(tid, niceness);
    } catch {
      // A thread that just ended, or a system that refuses: training then competes at normal priority.
    }
  }
}
