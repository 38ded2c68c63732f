// A compute host in queue mode (`npm run worker`): pulls stage jobs from BullMQ for its labels, runs
// each in a stage child process, streams the stage's events to Redis, beats every few seconds, and
// stops a stage when its run is cancelled. It needs Redis and the shared artifact store, not the database.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunEvent } from '../../runtime/exec/events';
import type { StageOutcome } from '../../runtime/exec/execute-stage';
import type { RuntimeEnv } from '../../runtime/stages/define-stage';
import { CANCEL_CHANNEL, cancelledKey, EVENTS_STREAM, queueTimings, queuesForLabels, WORKER_KEY_PREFIX, type StageJobData, type StageJobResult, type StreamMessage, type WorkerInfo } from './protocol';
import { connectRedis } from './redis';
import { StageProcess } from './stage-process';

export interface WorkerHostOptions {
  redisUrl: string;
  /** Stages run at once (one child process each). */
  concurrency: number;
  /** Labels this host offers (e.g. `gpu`); stages that require labels go only to hosts with all of them. */
  labels: string[];
  env: RuntimeEnv;
  artifactsRoot: string;
  id?: string;
}

/** Total GPU memory in bytes from nvidia-smi, or null without an NVIDIA GPU. */
function gpuMemoryBytes(): number | null {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=memory.total', '--format=csv,noheader,nounits'], { timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const mib = Math.max(...out.split('\n').map(Number).filter((n) => n > 0));
    return Number.isFinite(mib) ? mib * 1024 * 1024 : null;
  } catch {
    return null;
  }
}

export class WorkerHost {
  readonly id: string;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly workers: Worker[] = [];
  private readonly idle: StageProcess[] = [];
  private readonly waiters: ((p: StageProcess) => void)[] = [];
  private readonly current = new Map<string, { runId: string; nodeId: string; startedAt: number; process: StageProcess; cancelled: boolean }>();
  private readonly startedAt = Date.now();
  private readonly gpuMemory = gpuMemoryBytes();
  private heartbeat: NodeJS.Timeout | null = null;
  private closing = false;
  private backend: string | null = null;
  private device: string | null = null;

  private constructor(
    private readonly opts: WorkerHostOptions,
    redis: Redis,
    subscriber: Redis,
  ) {
    this.id = opts.id ?? `${os.hostname()}-${process.pid}`;
    this.redis = redis;
    this.subscriber = subscriber;
  }

  /** Connects (a clear error when Redis is not there), starts the stage processes and takes jobs. */
  static async start(opts: WorkerHostOptions): Promise<WorkerHost> {
    const redis = await connectRedis(opts.redisUrl, 'tunegraph-worker');
    const subscriber = redis.duplicate();
    const host = new WorkerHost(opts, redis, subscriber);
    await host.boot();
    return host;
  }

  private async boot(): Promise<void> {
    for (let i = 0; i < this.opts.concurrency; i++) this.idle.push(this.spawn());
    const first = await this.idle[0].ready;
    this.backend = first.backend;
    this.device = first.device;
    await this.subscriber.subscribe(CANCEL_CHANNEL);
    this.subscriber.on('message', (_channel: string, runId: string) => this.cancelRun(runId));
    const { lockMs, attempts } = queueTimings();
    for (const name of queuesForLabels(this.opts.labels)) {
      const worker = new Worker<StageJobData, StageJobResult>(name, (job) => this.process(job), {
        connection: this.redis,
        concurrency: this.opts.concurrency,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        // A worker that dies mid-stage counts as an attempt; after `attempts` the node fails.
        maxStalledCount: attempts - 1,
        drainDelay: 5,
      });
      worker.on('error', (err) => console.error(`worker ${this.id}: ${err.message}`));
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), queueTimings().heartbeatMs);
  }

  private spawn(): StageProcess {
    return new StageProcess((dead) => {
      const i = this.idle.indexOf(dead);
      if (i >= 0) this.idle.splice(i, 1);
      // Keep the pool full: a stage process that died (or was killed to cancel) is replaced.
      if (!this.closing) this.release(this.spawn());
    });
  }

  private acquire(): Promise<StageProcess> {
    const p = this.idle.shift();
    if (p) return Promise.resolve(p);
    return new Promise((ok) => this.waiters.push(ok));
  }

  private release(p: StageProcess): void {
    if (!p.alive) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter(p);
    else this.idle.push(p);
  }

  private publish(message: StreamMessage): Promise<unknown> {
    // One connection keeps commands in order, so events reach the stream in emission order.
    return this.redis.xadd(EVENTS_STREAM, 'MAXLEN', '~', '200000', '*', 'm', JSON.stringify(message));
  }

  private async process(job: Job<StageJobData, StageJobResult>): Promise<StageJobResult> {
    const data = job.data;
    const base = { runId: data.runId, nodeId: data.nodeId, workerId: this.id };
    if (await this.redis.exists(cancelledKey(data.runId))) {
      const outcome: StageOutcome = { status: 'cancelled', error: 'cancelled' };
      await this.publish({ kind: 'stage-finished', ...base, outcome });
      return { ...outcome, workerId: this.id };
    }
    const proc = await this.acquire();
    const startedAt = Date.now();
    const entry = { runId: data.runId, nodeId: data.nodeId, startedAt, process: proc, cancelled: false };
    this.current.set(job.id!, entry);
    void this.beat().catch(() => {});
    try {
      const ready = await proc.ready;
      void this.publish({ kind: 'stage-started', ...base, jobId: job.id!, attempt: job.attemptsStarted || job.attemptsMade + 1, backend: ready.backend, device: ready.device, readyAt: data.readyAt, startedAt });
      const onEvent = (event: RunEvent, emittedAt: number) => void this.publish({ kind: 'event', ...base, event, emittedAt });
      let outcome: StageOutcome;
      try {
        outcome = await proc.run(data, this.opts.env, this.opts.artifactsRoot, onEvent);
      } catch (err) {
        if (!entry.cancelled) {
          await this.publish({ kind: 'event', ...base, event: { type: 'log', nodeId: data.nodeId, level: 'error', message: `worker ${this.id}: ${(err as Error).message}` }, emittedAt: Date.now() });
          throw err; // BullMQ retries the job (on any worker) until its attempts are spent
        }
        outcome = { status: 'cancelled', error: 'cancelled' };
        onEvent({ type: 'node-status', nodeId: data.nodeId, status: 'cancelled', error: 'cancelled' }, Date.now());
      }
      await this.publish({ kind: 'stage-finished', ...base, outcome });
      return { ...outcome, workerId: this.id };
    } finally {
      this.current.delete(job.id!);
      this.release(proc);
      void this.beat().catch(() => {});
    }
  }

  /** Stops every stage of the run on this host (a cancel in the browser). */
  private cancelRun(runId: string): void {
    for (const entry of this.current.values()) {
      if (entry.runId !== runId || entry.cancelled) continue;
      entry.cancelled = true;
      entry.process.cancel();
    }
  }

  /** What this host is and does, as the Workers page and the run estimates see it. */
  info(): WorkerInfo {
    return {
      id: this.id,
      hostname: os.hostname(),
      pid: process.pid,
      labels: this.opts.labels,
      concurrency: this.opts.concurrency,
      backend: this.backend,
      device: this.device,
      memoryBytes: os.totalmem(),
      freeMemoryBytes: os.freemem(),
      gpuMemoryBytes: this.gpuMemory,
      currentJobs: [...this.current.values()].map(({ runId, nodeId, startedAt }) => ({ runId, nodeId, startedAt })),
      startedAt: this.startedAt,
      lastSeenAt: Date.now(),
    };
  }

  private async beat(): Promise<void> {
    if (this.closing) return;
    await this.redis.set(WORKER_KEY_PREFIX + this.id, JSON.stringify(this.info()), 'PX', queueTimings().heartbeatMs * 3);
  }

  /** Stops taking jobs, lets running stages finish unless `force`, and disconnects. */
  async close(force = false): Promise<void> {
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (force) for (const e of this.current.values()) e.process.kill();
    await Promise.all(this.workers.map((w) => w.close(force)));
    for (const p of this.idle) p.kill();
    await this.redis.del(WORKER_KEY_PREFIX + this.id).catch(() => {});
    this.subscriber.disconnect();
    this.redis.disconnect();
  }
}
