// Runs "Try it" predictions in one long-lived child process (runtime/exec/try-worker.ts): models
// stay loaded between calls, and tokenizing plus the forward pass never block the web server.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TryReply, TryRequest } from '../../runtime/exec/try-worker';
import type { TryResult } from '../../runtime/exec/try-model';

const workerEntry = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runtime', 'exec', 'try-worker.ts');

/** A prediction that takes longer than this is abandoned (the worker is restarted). */
const TIMEOUT_MS = 120_000;
/** The worker exits after this long without a request, giving its memory back. */
const IDLE_MS = 10 * 60_000;

/** The IPC channel, ref'd only while a prediction is awaited. */
const channelOf = (child: ChildProcess) => (child as unknown as { channel?: { ref(): void; unref(): void } }).channel;

export class TryItPredictor {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { ok: (r: TryResult) => void; fail: (e: Error) => void; timer: NodeJS.Timeout }>();
  private idleTimer: NodeJS.Timeout | null = null;

  /** The model in `dir` applied to `text`. */
  predict(dir: string, text: string): Promise<TryResult> {
    const child = this.worker();
    const id = this.nextId++;
    this.touch();
    return new Promise<TryResult>((ok, fail) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        fail(new Error(`the prediction took longer than ${TIMEOUT_MS / 1000} s`));
        this.stop();
      }, TIMEOUT_MS);
      this.pending.set(id, { ok, fail, timer });
      channelOf(child)?.ref();
      child.send({ id, dir, text } satisfies TryRequest);
    });
  }

  /** Stops the worker; requests in flight fail. */
  stop(): void {
    const child = this.child;
    this.child = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    child?.kill('SIGKILL');
  }

  private touch() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.pending.size === 0 && this.stop(), IDLE_MS);
    this.idleTimer.unref();
  }

  private worker(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(workerEntry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    // Neither the process nor its channel keeps the server (or a test) alive.
    child.unref();
    channelOf(child)?.unref();
    child.on('message', (reply: TryReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) channelOf(child)?.unref();
      clearTimeout(waiting.timer);
      if (reply.ok) waiting.ok(reply.result);
      else waiting.fail(new Error(reply.error));
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      for (const [id, waiting] of this.pending) {
        clearTimeout(waiting.timer);
        waiting.fail(new Error(`the prediction process stopped (${signal ?? `exit code ${code}`})`));
        this.pending.delete(id);
      }
    });
    this.child = child;
    return child;
  }
}

let shared: TryItPredictor | null = null;
/** The server's one predictor, started on first use and stopped when the process exits. */
export function sharedPredictor(): TryItPredictor {
  if (!shared) {
    const p = new TryItPredictor();
    shared = p;
    process.once('exit', () => p.stop());
  }
  return shared;
}
