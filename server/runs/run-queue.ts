// The small interface between the API and whatever executes runs. The embedded default runs them
// in a child worker on this machine; with REDIS_URL a BullMQ queue on Redis feeds worker hosts.
import type { NumberedRunEvent, RunEvent } from '../../runtime/exec/events';
import type { RunJob } from '../../runtime/exec/execute-run';
import type { WorkerInfo } from '../queue/protocol';

export interface RunQueue {
  /** Accepts a run for execution (it starts when a worker is free). */
  enqueue(job: RunJob): void;
  /** Stops a queued or running run. */
  cancel(runId: string): Promise<void>;
  /** Stops everything (server shutdown). */
  close(): Promise<void>;
  /** Who computes and how much waits (the Workers page). */
  overview?(): Promise<QueueOverview>;
}

/** The compute side as the Workers page shows it. */
export interface QueueOverview {
  /** `embedded`: one worker process on this server; `queue`: BullMQ worker hosts through Redis. */
  mode: 'embedded' | 'queue';
  workers: (WorkerInfo & { connected: boolean })[];
  queues: { name: string; waiting: number; active: number; failed: number }[];
  /** Stage inputs done → job started on a worker, 95th percentile of recent stages (queue mode). */
  startLatencyP95Ms: number | null;
}

/** Where a queue reports what its workers say; the run service persists and broadcasts it. */
export interface RunEventSink {
  (runId: string, event: RunEvent, emittedAt?: number): Promise<NumberedRunEvent | null>;
}
