// Run worker processes for the embedded queue, one kept forked ahead of time: starting a worker
// (tsx, the stage code, tfjs and its backend) takes seconds, so a spare that has done all of that
// waits for the next run and Run shows progress at once. Each worker runs one run and exits; the
// spare is replaced when it is used, dropped when it dies, and killed on shutdown.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromWorker } from '../../runtime/exec/worker';
import { pipeTrimmed } from '../security/log-trim';
import { lowerPriority } from './worker-priority';

const workerEntry = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runtime', 'exec', 'worker.ts');

/** A fresh run worker process (it starts its backend at once and waits for a `start` message). */
export function forkRunWorker(): ChildProcess {
  const child = fork(workerEntry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced' });
  if (child.stderr) pipeTrimmed(child.stderr, process.stderr);
  // Below the server's priority, at once and again when it first reports (threads its backend started meanwhile).
  lowerPriority(child.pid);
  child.once('message', () => lowerPriority(child.pid));
  // A send to a worker that just died reports here; its 'exit' handler tells the run what happened.
  child.on('error', (err) => console.error(`run worker ${child.pid ?? '?'}: ${err.message}`));
  return child;
}

/** Holds at most one idle, already started worker. */
export class WarmWorkers {
  private spare: { child: ChildProcess; env: string; ready: boolean } | null = null;
  private closed = false;

  /** `enabled: false` forks only when a run needs a worker (no idle process). */
  constructor(private readonly enabled: boolean) {}

  /** Forks the spare if there is none (after startup, and after each run so the next one finds it). */
  refill(): void {
    if (!this.enabled || this.closed || this.spare) return;
    const child = forkRunWorker();
    const spare = { child, env: environmentOf(), ready: false };
    this.spare = spare;
    child.on('message', (m: FromWorker) => {
      if (m.kind === 'ready') spare.ready = true;
    });
    // A spare that dies while idle (out of memory, killed) is forgotten; the next run forks its own.
    child.once('exit', () => {
      if (this.spare === spare) this.spare = null;
    });
  }

  /** A worker for a run: the spare when it is alive and was started with today's environment, else a fresh fork. */
  take(): ChildProcess {
    const spare = this.spare;
    this.spare = null;
    if (spare && spare.child.exitCode === null && spare.child.signalCode === null && spare.child.connected) {
      // The environment decides the backend, model folders and more; a worker forked before it changed is stale.
      if (spare.env === environmentOf()) return spare.child;
      spare.child.kill('SIGKILL');
    }
    return forkRunWorker();
  }

  /** The idle worker's process id (tests, the Workers page), or null. */
  get sparePid(): number | null {
    return this.spare?.child.pid ?? null;
  }

  /** Whether the idle worker has loaded everything a run needs. */
  get spareReady(): boolean {
    return this.spare?.ready ?? false;
  }

  close(): void {
    this.closed = true;
    this.spare?.child.kill('SIGKILL');
    this.spare = null;
  }
}

/** Variables a worker's behaviour depends on (backend, folders, checkpoints, the Hub, native threads);
 * others (Next.js sets some of its own at run time) do not make a spare stale. */
const RELEVANT_ENV = /^(TUNEGRAPH_|HF_|XDG_CACHE_HOME$|HOME$|NODE_OPTIONS$|OPENBLAS_|OMP_|TF_|CUDA_|LD_LIBRARY_PATH$|PATH$|HTTPS?_PROXY$|NO_PROXY$)/i;

function environmentOf(): string {
  return JSON.stringify(Object.entries(process.env).filter(([k]) => RELEVANT_ENV.test(k)).sort(([a], [b]) => (a < b ? -1 : 1)));
}
