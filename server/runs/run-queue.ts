// The small interface between the API and whatever executes runs. The embedded default runs them
// in a child worker on this machine; a BullMQ queue on Redis can stand in its place for many hosts.
import type { NumberedRunEvent, RunEvent } from '../../runtime/exec/events';
import type { RunJob } from '../../runtime/exec/execute-run';

export interface RunQueue {
  /** Accepts a run for execution (it starts when a worker is free). */
  enqueue(job: RunJob): void;
  /** Stops a queued or running run. */
  cancel(runId: string): Promise<void>;
  /** Stops everything (server shutdown). */
  close(): Promise<void>;
}

/** Where a queue reports what its workers say; the run service persists and broadcasts it. */
export interface RunEventSink {
  (runId: string, event: RunEvent, emittedAt?: number): Promise<NumberedRunEvent | null>;
}
