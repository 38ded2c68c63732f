// Export node: writes the trained model in formats other tools load.
import { z } from 'zod';
import { defineNode } from './define-node';

export const exportNode = defineNode({
  type: 'export',
  typeVersion: 1,
  title: 'Export',
  category: 'Export',
  description: 'Writes the model as a Hugging Face folder (config.json, model.safetensors, tokenizer), a PEFT LoRA adapter, and/or TensorFlow.js weights, downloadable as a zip.',
  inputs: { model: { type: 'Model' } },
  outputs: {},
  params: z.object({
    formats: z.array(z.enum(['hf-safetensors', 'peft-adapter', 'tfjs'])).min(1).default(['hf-safetensors']).meta({ description: 'Formats to write' }),
    dtype: z.enum(['F32', 'F16']).default('F32').meta({ description: 'Precision of the written weights' }),
    name: z.string().max(100).regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only').default('model').meta({ description: 'Folder name of the export' }),
  }),
  cardParams: ['formats', 'dtype'],
});
