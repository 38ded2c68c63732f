// The RunQueue of queue mode (REDIS_URL): starting or cancelling a run is a message on the events
// stream, so whichever replica leads handles it in order with everything the workers report.
import type { Redis } from 'ioredis';
import type { RunJob } from '../../runtime/exec/execute-run';
import type { Database } from '../db/client';
import type { QueueOverview, RunEventSink, RunQueue } from '../runs/run-queue';
import { QueueCoordinator } from './coordinator';
import { EVENTS_STREAM, queuesForLabels, stageQueueName, type StreamMessage } from './protocol';
import { connectRedis } from './redis';

export class BullmqRunQueue implements RunQueue {
  readonly coordinator: QueueCoordinator;

  private constructor(
    private readonly redis: Redis,
    db: Database,
    sink: RunEventSink,
    onLead?: () => void,
  ) {
    this.coordinator = new QueueCoordinator(db, redis, sink, onLead);
  }

  /** Connects to Redis (a one-line RedisUnavailableError when it is not there) and starts coordinating. */
  static async open(redisUrl: string, db: Database, sink: RunEventSink, onLead?: () => void): Promise<BullmqRunQueue> {
    const redis = await connectRedis(redisUrl, 'tunegraph-server');
    const queue = new BullmqRunQueue(redis, db, sink, onLead);
    queue.coordinator.start();
    return queue;
  }

  private send(message: StreamMessage): Promise<unknown> {
    return this.redis.xadd(EVENTS_STREAM, 'MAXLEN', '~', '200000', '*', 'm', JSON.stringify(message));
  }

  enqueue(job: RunJob): void {
    this.send({ kind: 'submit', runId: job.runId }).catch((err) => console.error(`run ${job.runId} could not be queued: ${(err as Error).message}`));
  }

  async cancel(runId: string): Promise<void> {
    await this.send({ kind: 'cancel', runId });
  }

  async overview(): Promise<QueueOverview> {
    const live = await this.coordinator.liveWorkers();
    const names = new Set([stageQueueName([]), ...live.flatMap((w) => queuesForLabels(w.labels))]);
    const queues = [];
    for (const name of names) {
      const counts = await this.coordinator.queueFor(name === stageQueueName([]) ? [] : name.slice(stageQueueName([]).length + 1).split('+')).getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
      queues.push({ name, waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0), active: counts.active ?? 0, failed: counts.failed ?? 0 });
    }
    const sorted = [...this.coordinator.startLatencies].sort((a, b) => a - b);
    return {
      mode: 'queue',
      workers: live.map((w) => ({ ...w, connected: true })),
      queues,
      startLatencyP95Ms: sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] : null,
    };
  }

  async close(): Promise<void> {
    await this.coordinator.stop();
    this.redis.disconnect();
  }
}
