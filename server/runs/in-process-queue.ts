// The embedded queue: one run at a time, each in its own worker process forked from this server
// (a warm one, started ahead of time, when there is one).
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../runtime/exec/artifact-store';
import type { RunJob } from '../../runtime/exec/execute-run';
import type { FromWorker, ToWorker } from '../../runtime/exec/worker';
import type { QueueOverview, RunEventSink, RunQueue } from './run-queue';
import { WarmWorkers } from './warm-worker';

export interface InProcessQueueOptions {
  /** Keep one started worker waiting for the next run (default true; TUNEGRAPH_WARM_WORKER=0 turns it off). */
  warmWorker?: boolean;
}

export class InProcessQueue implements RunQueue {
  private readonly pending: RunJob[] = [];
  private active: { job: RunJob; child: ChildProcess; runningNode: string | null; finished: boolean; cancelled: boolean } | null = null;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly startedAt = Date.now();
  private readonly workers: WarmWorkers;

  constructor(
    private readonly sink: RunEventSink,
    opts: InProcessQueueOptions = {},
  ) {
    this.workers = new WarmWorkers(opts.warmWorker ?? process.env.TUNEGRAPH_WARM_WORKER !== '0');
    this.workers.refill();
  }

  enqueue(job: RunJob): void {
    this.pending.push(job);
    this.pump();
  }

  async cancel(runId: string): Promise<void> {
    const i = this.pending.findIndex((j) => j.runId === runId);
    if (i >= 0) {
      const [job] = this.pending.splice(i, 1);
      for (const nodeId of job.order) await this.sink(runId, { type: 'node-status', nodeId, status: 'cancelled' });
      await this.sink(runId, { type: 'run-status', status: 'cancelled' });
      return;
    }
    if (this.active?.job.runId === runId) {
      const active = this.active;
      active.cancelled = true;
      active.child.send({ kind: 'cancel' } satisfies ToWorker);
      // A stage deep in a kernel may not see the signal soon; stop the process if it lingers.
      setTimeout(() => active.child.exitCode === null && active.child.kill('SIGKILL'), 3000).unref();
    }
  }

  /** Resolves when nothing is running or queued (tests). */
  idle(): Promise<void> {
    if (!this.active && this.pending.length === 0) return Promise.resolve();
    return new Promise((ok) => this.idleWaiters.push(ok));
  }

  /** The worker of the run in progress (tests kill it to check recovery). */
  activeWorker(): ChildProcess | null {
    return this.active?.child ?? null;
  }

  /** The worker waiting for the next run, if any. */
  spareWorkerPid(): number | null {
    return this.workers.sparePid;
  }

  /** Whether the waiting worker has loaded its stage code and backend (benches wait for it). */
  spareWorkerReady(): boolean {
    return this.workers.spareReady;
  }

  async overview(): Promise<QueueOverview> {
    const active = this.active;
    return {
      mode: 'embedded',
      workers: [
        {
          id: 'embedded',
          hostname: os.hostname(),
          pid: active?.child.pid ?? process.pid,
          labels: [],
          concurrency: 1,
          backend: null,
          device: null,
          memoryBytes: os.totalmem(),
          freeMemoryBytes: os.freemem(),
          gpuMemoryBytes: null,
          currentJobs: active && !active.finished && active.runningNode ? [{ runId: active.job.runId, nodeId: active.runningNode, startedAt: Date.now() }] : [],
          startedAt: this.startedAt,
          lastSeenAt: Date.now(),
          connected: true,
        },
      ],
      queues: [{ name: 'embedded', waiting: this.pending.length, active: active ? 1 : 0, failed: 0 }],
      startLatencyP95Ms: null,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending.length = 0;
    this.workers.close();
    this.active?.child.kill('SIGKILL');
  }

  private pump(): void {
    if (this.active || this.closed) return;
    const job = this.pending.shift();
    if (!job) {
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    const child = this.workers.take();
    const active = { job, child, runningNode: null as string | null, finished: false, cancelled: false };
    this.active = active;
    // Events are persisted strictly in arrival order.
    let chain = Promise.resolve();
    const forward = (fn: () => Promise<unknown>) => {
      chain = chain.then(fn).then(
        () => undefined,
        (err) => console.error('run event could not be stored:', err),
      );
    };
    child.on('message', (m: FromWorker) => {
      if (m.kind === 'ready') return;
      if (m.kind === 'event') {
        if (m.event.type === 'node-status') active.runningNode = m.event.status === 'running' ? m.event.nodeId : active.runningNode === m.event.nodeId ? null : active.runningNode;
        // Numbering and the live push happen now; the sink keeps database writes in order itself.
        const stored = this.sink(job.runId, m.event, m.emittedAt);
        forward(() => stored);
      } else {
        active.finished = true;
        forward(() => this.sink(job.runId, { type: 'run-status', status: m.status }));
      }
    });
    child.on('exit', (code, signal) => {
      forward(async () => {
        // On shutdown the run stays "running" in the database, so the next start resumes it.
        if (this.closed) return;
        if (!active.finished) {
          // A worker killed mid-write leaves a temp folder; nothing else runs now, so clear it.
          new ArtifactStore(join(job.env.dataDir, 'artifacts')).sweepTemp();
          const reason = active.cancelled ? 'cancelled' : `worker process exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`;
          if (active.runningNode) await this.sink(job.runId, { type: 'node-status', nodeId: active.runningNode, status: active.cancelled ? 'cancelled' : 'failed', error: reason });
          await this.sink(job.runId, { type: 'run-status', status: active.cancelled ? 'cancelled' : 'failed', error: reason });
        }
      });
      void chain.then(() => {
        this.active = null;
        // The next worker starts now, while nothing trains, so the next Run finds it ready.
        this.workers.refill();
        this.pump();
      });
    });
    child.send({ kind: 'start', job } satisfies ToWorker);
  }
}
