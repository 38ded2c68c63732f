// What the server and the worker hosts say to each other through Redis: queue names per label set,
// the event stream workers write, the cancel channel, worker heartbeats, and the tunable timings.
import type { RunEvent } from '../../runtime/exec/events';
import type { StageJob, StageOutcome } from '../../runtime/exec/execute-stage';

/** Stream every worker appends to and the leading server replica consumes, in order. */
export const EVENTS_STREAM = 'tunegraph:events';
/** Last stream entry the leader has fully handled (so a restart resumes exactly there). */
export const EVENTS_CURSOR = 'tunegraph:events:cursor';
/** Pub/sub channel: a run id to stop, heard by every worker host. */
export const CANCEL_CHANNEL = 'tunegraph:cancel';
/** Key held by the replica that orchestrates (one at a time; others take over when it lapses). */
export const LEADER_KEY = 'tunegraph:leader';
/** Prefix of worker heartbeat keys (they expire when a worker stops beating). */
export const WORKER_KEY_PREFIX = 'tunegraph:worker:';
/** Set while a run is being cancelled, so a worker that picks up one of its jobs drops it. */
export const cancelledKey = (runId: string) => `tunegraph:cancelled:${runId}`;

const QUEUE_PREFIX = 'tunegraph-stages';

/** BullMQ has no routing by label, so each label set gets its own queue: `tunegraph-stages` for
 * stages that run anywhere, `tunegraph-stages-gpu` for those that need a `gpu` worker. */
export function stageQueueName(requires: readonly string[]): string {
  const labels = [...new Set(requires)].sort();
  return labels.length === 0 ? QUEUE_PREFIX : `${QUEUE_PREFIX}-${labels.join('+')}`;
}

/** Every queue a worker with these labels serves: each subset of its labels (a GPU worker also takes plain stages). */
export function queuesForLabels(labels: readonly string[]): string[] {
  const sorted = [...new Set(labels)].sort().slice(0, 6);
  const names: string[] = [];
  for (let mask = 0; mask < 1 << sorted.length; mask++) names.push(stageQueueName(sorted.filter((_, i) => mask & (1 << i))));
  return names;
}

/** A BullMQ job id for a stage of a run (BullMQ forbids ':' in custom ids). */
export const stageJobId = (runId: string, nodeId: string) => `${runId}.${encodeURIComponent(nodeId).replace(/\./g, '%2E')}`;

/** The data of a stage job. */
export interface StageJobData extends StageJob {
  /** Server clock (ms) when the stage's inputs were done and it was enqueued. */
  readyAt: number;
  requires: string[];
}

/** What a worker returns when a job finishes (BullMQ keeps it as the job's return value). */
export type StageJobResult = StageOutcome & { workerId: string };

/** Entries of the events stream. */
export type StreamMessage =
  /** A run was started (or resumed) on some replica; the leader drives it. */
  | { kind: 'submit'; runId: string }
  /** A user asked to stop a run. */
  | { kind: 'cancel'; runId: string }
  /** A worker took a stage job. */
  | { kind: 'stage-started'; runId: string; nodeId: string; jobId: string; workerId: string; attempt: number; backend: string; device: string; readyAt: number; startedAt: number }
  /** An event of a running stage, in the order the stage emitted it. */
  | { kind: 'event'; runId: string; nodeId: string; workerId: string; event: RunEvent; emittedAt: number }
  /** The stage ended (the job completes right after). */
  | { kind: 'stage-finished'; runId: string; nodeId: string; workerId: string; outcome: StageOutcome };

/** A worker's heartbeat: what it is and what it is doing. */
export interface WorkerInfo {
  id: string;
  hostname: string;
  pid: number;
  labels: string[];
  concurrency: number;
  backend: string | null;
  device: string | null;
  memoryBytes: number;
  freeMemoryBytes: number;
  /** Total GPU memory from nvidia-smi, when there is a GPU. */
  gpuMemoryBytes: number | null;
  currentJobs: { runId: string; nodeId: string; startedAt: number }[];
  startedAt: number;
  lastSeenAt: number;
}

/** Timings, from the environment (tests shorten them). */
export const queueTimings = () => ({
  /** A job's lock; a worker that stops renewing it for this long is presumed dead (BullMQ default 30 s). */
  lockMs: Number(process.env.TUNEGRAPH_JOB_LOCK_MS || 30_000),
  /** How often workers beat. */
  heartbeatMs: Number(process.env.TUNEGRAPH_HEARTBEAT_MS || 5_000),
  /** How often the leader reconciles the database with the queue. */
  reconcileMs: Number(process.env.TUNEGRAPH_RECONCILE_MS || 10_000),
  /** Attempts per stage before its node fails (a worker dying counts as one). */
  attempts: Math.max(1, Number(process.env.TUNEGRAPH_STAGE_ATTEMPTS || 3)),
});
