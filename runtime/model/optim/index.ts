// Optimizer pieces for fine-tuning: AdamW, learning-rate schedules, clipping, gradient accumulation.
export { AdamW, type AdamWOptions } from './adamw';
export { createSchedule, type LrSchedule, type ScheduleKind, type ScheduleOptions } from './schedule';
export { clipByGlobalNorm, globalNorm } from './clip';
export { GradAccumulator } from './accumulate';
