// Param fields several training nodes share, so their bounds and help text stay identical.
import { z } from 'zod';

export const seedParam = () => z.int().min(0).max(2 ** 31 - 1).default(42).meta({ description: 'Random seed (initialisation, shuffling, dropout, masking)' });
export const batchSizeParam = (def: number) => z.int().min(1).max(1024).default(def).meta({ description: 'Examples per optimizer step' });
export const maxSeqLengthParam = (def: number) => z.int().min(8).max(512).default(def).meta({ description: 'Longer texts are truncated to this many tokens' });
export const epochsParam = (def: number) => z.number().min(0.01).max(100).default(def).meta({ description: 'Passes over the training data' });
export const warmupRatioParam = () => z.number().min(0).max(0.5).default(0.1).meta({ description: 'Share of steps with linear learning-rate warmup' });
export const weightDecayParam = () => z.number().min(0).max(1).default(0.01).meta({ description: 'AdamW decoupled weight decay (never on bias or LayerNorm)' });
export const learningRateParam = (def: number) => z.number().min(1e-7).max(1).default(def).meta({ description: 'Peak learning rate' });

/** Linear layers LoRA and freezing can address, by Hugging Face module kind. */
export const LINEAR_MODULES = ['query', 'key', 'value', 'attention-output', 'intermediate', 'output'] as const;

/** The value of a param left to Tunegraph: the compiler derives it from the model and the data
 * (runtime/compile/resolve-defaults.ts) and shows what it chose. */
export const AUTO = 'auto' as const;

/** A number or "auto"; JSON Schema meta `auto: true` tells forms to offer the choice. */
const autoOr = (num: z.ZodNumber, description: string) => z.union([z.literal(AUTO), num]).default(AUTO).meta({ description, auto: true });

export const autoLearningRateParam = () => autoOr(z.number().min(1e-7).max(1), 'Peak learning rate; auto picks it from the model size and what trains (full, LoRA, head only)');
export const autoEpochsParam = () => autoOr(z.number().min(0.01).max(100), 'Passes over the training data; auto picks them from the dataset size');
export const autoWarmupRatioParam = () => autoOr(z.number().min(0).max(0.5), 'Share of steps with linear learning-rate warmup; auto uses 10%');
