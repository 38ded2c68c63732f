// Model node: low-rank adapters on chosen linear layers; base weights stay frozen.
import { z } from 'zod';
import { defineNode } from './define-node';
import { LINEAR_MODULES } from './shared-params';

export const lora = defineNode({
  type: 'lora',
  typeVersion: 2,
  title: 'LoRA',
  category: 'Adapt',
  description: 'Adds trainable low-rank adapters (W + (alpha/r)·BA) to the chosen linear layers and freezes the rest of the encoder. Exports as a PEFT adapter; can be merged into the weights.',
  inputs: { model: { type: 'Model' } },
  outputs: { model: { type: 'Model' } },
  params: z.object({
    rank: z.int().min(1).max(256).default(8).meta({ description: 'Adapter rank r' }),
    alpha: z.number().min(0.1).max(1024).default(16).meta({ description: 'Scaling numerator: updates are scaled by alpha / r' }),
    dropout: z.number().min(0).max(0.9).default(0.1).meta({ description: 'Dropout on the adapter input' }),
    targetModules: z.array(z.enum(LINEAR_MODULES)).min(1).default(['query', 'value']).meta({ description: 'Linear layers that get adapters (the LoRA paper adapts query and value)' }),
    trainHead: z.boolean().default(true).meta({ description: 'Also train the task head (PEFT modules_to_save)' }),
    merge: z.boolean().default(false).meta({ description: 'Merge adapters into the base weights after training' }),
  }),
  cardParams: ['rank', 'alpha', 'targetModules'],
  migrate: {
    // v1 chose targets with one shorthand; v2 lists modules explicitly.
    1: ({ targets, ...rest }) => ({
      ...rest,
      targetModules:
        targets === 'qkv' ? ['query', 'key', 'value'] : targets === 'all' ? [...LINEAR_MODULES] : ['query', 'value'],
    }),
  },
});
