// Model node: which weights train, gradual unfreezing and layer-wise learning rates.
import { z } from 'zod';
import { defineNode } from './define-node';

export const freeze = defineNode({
  type: 'freeze',
  typeVersion: 1,
  title: 'Freeze / unfreeze',
  category: 'Model',
  description: 'Freezes encoder layers by range and module kind; optionally unfreezes one more layer from the top per epoch (ULMFiT gradual unfreezing) and gives lower layers smaller learning rates (discriminative fine-tuning).',
  inputs: { model: { type: 'Model' } },
  outputs: { model: { type: 'Model' } },
  params: z.object({
    freezeEmbeddings: z.boolean().default(true).meta({ description: 'Freeze the word, position and token-type embeddings' }),
    freezeFromLayer: z.int().min(0).max(48).default(0).meta({ description: 'First encoder layer to freeze (0 = the bottom)' }),
    freezeToLayer: z.int().min(-1).max(48).default(-1).meta({ description: 'Last encoder layer to freeze, inclusive (-1 = none)' }),
    modules: z.array(z.enum(['attention', 'ffn', 'layer-norm'])).min(1).default(['attention', 'ffn', 'layer-norm']).meta({ description: 'Module kinds frozen inside the chosen layers' }),
    gradualUnfreeze: z.boolean().default(false).meta({ description: 'Start with only the top layer trainable and unfreeze one more layer per epoch' }),
    unfreezePerEpoch: z.int().min(1).max(12).default(1).meta({ description: 'Layers unfrozen at each epoch boundary' }),
    layerwiseLrDecay: z.number().min(0.1).max(1).default(1).meta({ description: 'Learning-rate factor per layer below the top (1 = same rate everywhere; ULMFiT uses 1/2.6)' }),
  }),
  cardParams: ['freezeFromLayer', 'freezeToLayer', 'layerwiseLrDecay'],
  check: (p) => (p.freezeToLayer >= 0 && p.freezeToLayer < p.freezeFromLayer ? [{ param: 'freezeToLayer', message: `freezeToLayer (${p.freezeToLayer}) is below freezeFromLayer (${p.freezeFromLayer})` }] : []),
});
