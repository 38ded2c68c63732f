// The orchestrator of queue mode. One server replica at a time leads (a lease in Redis; another takes
// over when it lapses): it reads the events stream in order, persists what workers report through the
// run service, and drives each run's plan as a state machine over run_nodes — a stage is enqueued as a
// BullMQ job once its inputs are done, a failure skips what is below it, a run ends when no node is
// open. A reconcile loop repairs what a crash or a lost message left: jobs that failed or vanished,
// ready stages without a job, runs the database calls running that nothing backs.
import os from 'node:os';
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { GraphDocument } from '../../graph-nodes';
import { planRun } from '../../runtime/compile/plan';
import type { NodeStatus } from '../../runtime/exec/events';
import type { Database } from '../db/client';
import { runNodes, runs, workers } from '../db/schema';
import type { RunEventSink } from '../runs/run-queue';
import { cancelledKey, CANCEL_CHANNEL, EVENTS_CURSOR, EVENTS_STREAM, LEADER_KEY, queueTimings, stageJobId, stageQueueName, WORKER_KEY_PREFIX, type StageJobData, type StageJobResult, type StreamMessage, type WorkerInfo } from './protocol';

const OPEN_NODE = new Set<NodeStatus>(['queued', 'running']);
const FINAL_RUN = new Set(['done', 'failed', 'cancelled']);
const LEASE_MS = 10_000;
/** A running node of a cancelled run whose worker has not confirmed within this long is closed anyway. */
const CANCEL_GRACE_MS = 15_000;

const RENEW_LEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

type NodeRow = typeof runNodes.$inferSelect;

export class QueueCoordinator {
  readonly replicaId = `${os.hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly queues = new Map<string, Queue<StageJobData, StageJobResult>>();
  private readonly reader: Redis;
  private leading = false;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private lastRenew = 0;
  private lastReconcile = 0;
  private lock: Promise<void> = Promise.resolve();
  /** Which worker currently owns a stage (`runId nodeId`); events from an earlier attempt are dropped. */
  private readonly owner = new Map<string, string>();
  /** Completed jobs seen by the previous reconcile whose node was still open. */
  private completedSeen = new Set<string>();
  /** Stream entries handled and the time spent on them (the bench reports whether the leader is the bottleneck). */
  readonly stats = { handled: 0, busyMs: 0 };
  /** Stage-ready → job-start latencies (ms), most recent last. */
  readonly startLatencies: number[] = [];

  constructor(
    private readonly db: Database,
    private readonly redis: Redis,
    private readonly sink: RunEventSink,
    private readonly onLead: () => void = () => {},
  ) {
    this.reader = redis.duplicate();
    this.reader.on('error', () => {});
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reader.disconnect();
    await this.loop?.catch(() => {});
    if (this.leading) await this.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`, 1, LEADER_KEY, this.replicaId).catch(() => {});
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  queueFor(requires: readonly string[]): Queue<StageJobData, StageJobResult> {
    const name = stageQueueName(requires);
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue<StageJobData, StageJobResult>(name, { connection: this.redis });
      this.queues.set(name, q);
    }
    return q;
  }

  private async run(): Promise<void> {
    let cursor = '0';
    while (!this.stopped) {
      try {
        if (!this.leading) {
          if ((await this.redis.set(LEADER_KEY, this.replicaId, 'PX', LEASE_MS, 'NX')) !== 'OK') {
            await sleep(1000);
            continue;
          }
          this.leading = true;
          this.onLead();
          this.lastRenew = Date.now();
          cursor = (await this.redis.get(EVENTS_CURSOR)) ?? '0';
          this.lastReconcile = 0;
        }
        if (Date.now() - this.lastRenew > LEASE_MS / 3) {
          if (!(await this.redis.eval(RENEW_LEASE, 1, LEADER_KEY, this.replicaId, String(LEASE_MS)))) {
            this.leading = false;
            continue;
          }
          this.lastRenew = Date.now();
        }
        if (Date.now() - this.lastReconcile > queueTimings().reconcileMs) {
          this.lastReconcile = Date.now();
          await this.reconcile();
        }
        const reply = (await this.reader.xread('COUNT', 200, 'BLOCK', 500, 'STREAMS', EVENTS_STREAM, cursor)) as [string, [string, string[]][]][] | null;
        for (const [id, fields] of reply?.[0]?.[1] ?? []) {
          // On shutdown the rest waits for the next leader (the cursor stays at the last handled entry).
          if (this.stopped) break;
          try {
            await this.handle(JSON.parse(fields[1]) as StreamMessage);
          } catch (err) {
            if (this.stopped) break;
            console.error(`queue: stream entry ${id} could not be handled:`, err);
          }
          cursor = id;
          await this.redis.set(EVENTS_CURSOR, id);
        }
      } catch (err) {
        if (this.stopped) break;
        console.error('queue coordinator:', (err as Error).message);
        await sleep(500);
      }
    }
  }

  /** One thing at a time: stream entries and reconcile passes never interleave. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.then(fn);
    this.lock = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Handles one stream entry. */
  handle(m: StreamMessage): Promise<void> {
    return this.exclusive(async () => {
      const started = performance.now();
      try {
        await this.handleNow(m);
      } finally {
        this.stats.handled++;
        this.stats.busyMs += performance.now() - started;
      }
    });
  }

  private async handleNow(m: StreamMessage): Promise<void> {
    switch (m.kind) {
      case 'submit':
        return this.advance(m.runId);
      case 'cancel':
        return this.cancelRun(m.runId);
      case 'stage-started': {
        const [run] = await this.db.select().from(runs).where(eq(runs.id, m.runId));
        const node = await this.node(m.runId, m.nodeId);
        if (!run || !node || FINAL_RUN.has(run.status) || !OPEN_NODE.has(node.status)) return;
        if (run.cancelRequestedAt) {
          await this.redis.publish(CANCEL_CHANNEL, m.runId);
          return;
        }
        this.owner.set(`${m.runId} ${m.nodeId}`, m.workerId);
        this.startLatencies.push(m.startedAt - m.readyAt);
        if (this.startLatencies.length > 1000) this.startLatencies.splice(0, this.startLatencies.length - 1000);
        await this.db.update(runNodes).set({ attempts: m.attempt, workerId: m.workerId, backend: m.backend, device: m.device, heartbeatAt: new Date() }).where(and(eq(runNodes.runId, m.runId), eq(runNodes.nodeId, m.nodeId)));
        if (run.status === 'queued') await this.sink(m.runId, { type: 'run-status', status: 'running', backend: m.backend, device: m.device });
        if (m.attempt > 1) {
          await this.sink(m.runId, { type: 'log', nodeId: m.nodeId, level: 'warn', message: `stage "${m.nodeId}" restarted on worker ${m.workerId} (attempt ${m.attempt} of ${queueTimings().attempts}); training continues from its last checkpoint` });
        }
        return;
      }
      case 'event': {
        if (!(await this.isOwner(m.runId, m.nodeId, m.workerId))) return;
        if (m.event.type === 'node-status') {
          const node = await this.node(m.runId, m.nodeId);
          // A node already closed (cancelled, failed by the reconciler) keeps its final word.
          if (!node || !OPEN_NODE.has(node.status)) return;
        }
        await this.sink(m.runId, m.event, m.emittedAt);
        return;
      }
      case 'stage-finished': {
        if (!(await this.isOwner(m.runId, m.nodeId, m.workerId))) return;
        const node = await this.node(m.runId, m.nodeId);
        if (node && OPEN_NODE.has(node.status)) await this.sink(m.runId, { type: 'node-status', nodeId: m.nodeId, status: m.outcome.status, error: m.outcome.error, cacheKey: node.cacheKey });
        this.owner.delete(`${m.runId} ${m.nodeId}`);
        return this.advance(m.runId);
      }
    }
  }

  private async isOwner(runId: string, nodeId: string, workerId: string): Promise<boolean> {
    let owner = this.owner.get(`${runId} ${nodeId}`);
    if (owner === undefined) {
      owner = (await this.node(runId, nodeId))?.workerId ?? undefined;
      if (owner) this.owner.set(`${runId} ${nodeId}`, owner);
    }
    return owner === workerId;
  }

  private async node(runId: string, nodeId: string): Promise<NodeRow | undefined> {
    const [row] = await this.db.select().from(runNodes).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, nodeId)));
    return row;
  }

  /** One step of a run's state machine: skip what a failure blocks, enqueue what is ready, end the run when nothing is open. */
  async advance(runId: string): Promise<void> {
    const [run] = await this.db.select().from(runs).where(eq(runs.id, runId));
    if (!run || FINAL_RUN.has(run.status)) return;
    const rows = await this.db.select().from(runNodes).where(eq(runNodes.runId, runId));
    const doc = run.document as GraphDocument;
    const byId = new Map(rows.map((r) => [r.nodeId, r]));
    const status = new Map(rows.map((r) => [r.nodeId, r.status as NodeStatus]));
    const order = planRun(doc).filter((id) => byId.has(id));
    const force = new Set((run.targets as { force?: string[] }).force ?? []);
    const keys = Object.fromEntries(rows.map((r) => [r.nodeId, r.cacheKey]));
    const fresh = run.status === 'queued' && rows.every((r) => r.status === 'queued' && !r.jobId);
    if (fresh) for (const id of order) await this.sink(runId, { type: 'node-status', nodeId: id, status: 'queued', cacheKey: keys[id] });

    for (const id of order) {
      const row = byId.get(id)!;
      if (status.get(id) !== 'queued') continue;
      if (run.cancelRequestedAt) {
        await this.closeNode(row, 'cancelled', 'cancelled');
        status.set(id, 'cancelled');
        continue;
      }
      const sources = doc.edges.filter((e) => e.target === id && byId.has(e.source)).map((e) => e.source);
      const blocked = sources.find((s) => ['failed', 'skipped', 'cancelled'].includes(status.get(s)!));
      if (blocked) {
        await this.closeNode(row, 'skipped', `upstream node "${blocked}" ${status.get(blocked)}`);
        status.set(id, 'skipped');
        continue;
      }
      if (row.jobId || !sources.every((s) => status.get(s) === 'done' || status.get(s) === 'cached')) continue;
      const jobId = stageJobId(runId, id);
      const data: StageJobData = { runId, nodeId: id, document: doc, keys, force: force.has(id), readyAt: Date.now(), requires: row.requires };
      const { attempts } = queueTimings();
      // The job id makes enqueueing idempotent: a second add of the same stage is ignored by BullMQ.
      await this.queueFor(row.requires).add('stage', data, { jobId, attempts, removeOnComplete: { age: 86_400, count: 10_000 }, removeOnFail: { age: 7 * 86_400 } });
      await this.db.update(runNodes).set({ jobId, enqueuedAt: new Date() }).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, id)));
    }

    if ([...status.values()].some((s) => OPEN_NODE.has(s))) return;
    const values = [...status.values()];
    const final = run.cancelRequestedAt || values.includes('cancelled') ? 'cancelled' : values.includes('failed') ? 'failed' : 'done';
    const failedNode = rows.find((r) => status.get(r.nodeId) === 'failed');
    await this.sink(runId, { type: 'run-status', status: final, ...(final === 'failed' && failedNode ? { error: `node "${failedNode.nodeId}" failed` } : {}) });
    await this.redis.del(cancelledKey(runId));
    for (const r of rows) this.owner.delete(`${runId} ${r.nodeId}`);
  }

  private async closeNode(row: NodeRow, status: NodeStatus, error: string | undefined): Promise<void> {
    await this.sink(row.runId, { type: 'node-status', nodeId: row.nodeId, status, error, cacheKey: row.cacheKey });
  }

  /** Stops a run: queued stages are withdrawn, workers running its stages are told to kill them. */
  async cancelRun(runId: string): Promise<void> {
    const [run] = await this.db.select().from(runs).where(eq(runs.id, runId));
    if (!run || FINAL_RUN.has(run.status)) return;
    if (!run.cancelRequestedAt) await this.db.update(runs).set({ cancelRequestedAt: new Date() }).where(eq(runs.id, runId));
    await this.redis.set(cancelledKey(runId), '1', 'EX', 86_400);
    await this.redis.publish(CANCEL_CHANNEL, runId);
    const rows = await this.db.select().from(runNodes).where(and(eq(runNodes.runId, runId), eq(runNodes.status, 'queued'), isNotNull(runNodes.jobId)));
    for (const row of rows) {
      const job = await Job.fromId(this.queueFor(row.requires), row.jobId!);
      // A job a worker already holds is locked; that worker hears the cancel and drops it.
      if (job && ['waiting', 'delayed', 'prioritized'].includes(await job.getState())) await job.remove().catch(() => {});
    }
    await this.advance(runId);
  }

  /** Repairs the database against the queue (see the file header); runs every reconcileMs on the leader. */
  reconcile(): Promise<void> {
    return this.exclusive(() => this.reconcileNow());
  }

  private async reconcileNow(): Promise<void> {
    await this.mirrorWorkers();
    const open = await this.db.select().from(runs).where(inArray(runs.status, ['queued', 'running']));
    const seen = new Set<string>();
    for (const run of open) {
      const rows = await this.db.select().from(runNodes).where(and(eq(runNodes.runId, run.id), inArray(runNodes.status, ['queued', 'running'])));
      for (const row of rows) {
        if (run.cancelRequestedAt && row.status === 'running' && Date.now() - run.cancelRequestedAt.getTime() > CANCEL_GRACE_MS) {
          await this.closeNode(row, 'cancelled', 'cancelled (its worker did not confirm; it was stopped or lost)');
          continue;
        }
        if (!row.jobId) continue;
        const job = await Job.fromId<StageJobData, StageJobResult>(this.queueFor(row.requires), row.jobId);
        if (!job) {
          await this.closeNode(row, 'failed', 'no queue job backs this stage (it was lost from Redis); run the graph again to redo it');
          continue;
        }
        const state = await job.getState();
        if (state === 'failed') {
          const tries = job.attemptsStarted || job.attemptsMade;
          await this.closeNode(row, 'failed', `stage failed after ${tries} attempt${tries === 1 ? '' : 's'}: ${job.failedReason ?? 'unknown reason'}`);
        } else if (state === 'completed' && job.returnvalue) {
          // Its own finish message should have closed it; if two passes later it has not, trust the job.
          const k = `${row.runId} ${row.nodeId}`;
          if (this.completedSeen.has(k)) await this.closeNode(row, job.returnvalue.status, job.returnvalue.error as string);
          else seen.add(k);
        } else if (state === 'unknown') {
          await this.closeNode(row, 'failed', 'no queue job backs this stage (it was lost from Redis); run the graph again to redo it');
        }
      }
      await this.advance(run.id);
    }
    this.completedSeen = seen;
  }

  /** Live workers from their heartbeats (expired keys are gone). */
  async liveWorkers(): Promise<WorkerInfo[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${WORKER_KEY_PREFIX}*`, 'COUNT', 200);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys);
    return values.filter((v): v is string => !!v).map((v) => JSON.parse(v) as WorkerInfo);
  }

  /** Keeps the workers table current, so the Workers page also shows hosts that went away. */
  private async mirrorWorkers(): Promise<void> {
    for (const w of await this.liveWorkers()) {
      const row = {
        hostname: w.hostname,
        labels: w.labels,
        concurrency: w.concurrency,
        backend: w.backend,
        device: w.device,
        memoryBytes: w.memoryBytes,
        freeMemoryBytes: w.freeMemoryBytes,
        gpuMemoryBytes: w.gpuMemoryBytes,
        currentJobs: w.currentJobs,
        startedAt: new Date(w.startedAt),
        lastSeenAt: new Date(w.lastSeenAt),
      };
      await this.db.insert(workers).values({ id: w.id, ...row }).onConflictDoUpdate({ target: workers.id, set: row });
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
