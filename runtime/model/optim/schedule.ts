// Learning-rate schedules with linear warmup: the exact formulas of Hugging Face transformers' schedulers.

/** Which decay follows the warmup. */
export type ScheduleKind = 'linear' | 'cosine' | 'constant';

/** A schedule: learning rate for optimizer step `step` (0-based: the first update uses lrAt(0)). */
export interface LrSchedule {
  lrAt(step: number): number;
}

/** Settings of a warmup + decay schedule. */
export interface ScheduleOptions {
  kind: ScheduleKind;
  /** Peak learning rate. */
  lr: number;
  warmupSteps: number;
  /** Total optimizer steps (needed by linear and cosine). */
  totalSteps: number;
  /** Cosine only: number of half-waves (HF default 0.5 → decays to 0 once). */
  numCycles?: number;
}

/**
 * lr · λ(step) where λ is HF's lambda:
 *  warmup (step < W): step / max(1, W)
 *  linear:   max(0, (T − step) / max(1, T − W))                      (get_linear_schedule_with_warmup)
 *  cosine:   max(0, 0.5·(1 + cos(π·c·2·(step − W)/max(1, T − W))))   (get_cosine_schedule_with_warmup)
 *  constant: 1                                                       (get_constant_schedule_with_warmup)
 */
export function createSchedule(options: ScheduleOptions): LrSchedule {
  const { kind, lr, warmupSteps: w, totalSteps: total, numCycles = 0.5 } = options;
  if (!(lr >= 0)) throw new Error(`schedule: lr must be ≥ 0, got ${lr}`);
  if (!(w >= 0) || !Number.isInteger(w)) throw new Error(`schedule: warmupSteps must be a non-negative integer, got ${w}`);
  if (kind !== 'constant' && (!(total >= 1) || !Number.isInteger(total))) {
    throw new Error(`schedule: totalSteps must be a positive integer for "${kind}", got ${total}`);
  }
  const lambda = (step: number): number => {
    if (step < w) return step / Math.max(1, w);
    if (kind === 'constant') return 1;
    if (kind === 'linear') return Math.max(0, (total - step) / Math.max(1, total - w));
    const progress = (step - w) / Math.max(1, total - w);
    return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
  };
  return { lrAt: (step: number) => lr * lambda(step) };
}
