// Progress of data work (rows parsed, rows tokenized, batches scored) as throttled `progress` events.
import type { StageContext } from '../define-stage';

/** Reports that `done` of `total` items are finished; cheap enough to call once per item. */
export type CountProgress = (done: number, total: number) => void;

/** At most this many events per second per phase: the event log keeps a handful per stage, not one per row. */
export const COUNT_PROGRESS_PER_SEC = 4;

/**
 * A reporter for one phase of data work ("parsing emails", rows). The first call and the last
 * (done = total) always go out, so a stage shows its phase at once and ends at 100%; calls between
 * them go out at most COUNT_PROGRESS_PER_SEC times a second. `unit` marks the event as data work
 * (the UI shows "parsing 2,000 / 6,046 rows" and keeps it out of the loss curves).
 */
export function countProgress(report: StageContext<unknown, unknown>['progress'], phase: string, unit: string, now: () => number = Date.now): CountProgress {
  const gap = 1000 / COUNT_PROGRESS_PER_SEC;
  let last = -Infinity;
  let finished = false;
  return (done, total) => {
    if (finished) return;
    const end = done >= total;
    const t = now();
    if (!end && t - last < gap) return;
    last = t;
    finished = end;
    report({ step: done, totalSteps: total, epoch: 0, phase, unit });
  };
}
