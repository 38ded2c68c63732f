// Model node: the starting point of every pipeline, a bundled model or a local Hugging Face folder.
import { z } from 'zod';
import { defineNode } from './define-node';

export const pretrainedLoad = defineNode({
  type: 'pretrained-load',
  typeVersion: 1,
  title: 'Pretrained model',
  category: 'Model',
  description: 'Loads a BERT-family encoder with its WordPiece tokenizer: the model bundled with Tunegraph, or a Hugging Face folder (config.json, model.safetensors, vocab.txt) inside the models directory. Or starts from random weights of the same shape.',
  inputs: {},
  outputs: { model: { type: 'Model' } },
  params: z.object({
    source: z.enum(['bundled', 'local-folder']).default('bundled').meta({ description: 'Where the weights come from' }),
    modelId: z.string().max(100).default('tunegraph-bert-mini').meta({ description: 'Bundled model id' }),
    folderPath: z.string().max(500).default('').meta({ description: 'Folder under the models directory (source local-folder)' }),
    randomInit: z.boolean().default(false).meta({ description: 'Keep the architecture and tokenizer but start from random weights (a from-scratch baseline)' }),
    seed: z.int().min(0).max(2 ** 31 - 1).default(42).meta({ description: 'Seed for random initialisation' }),
  }),
  cardParams: ['source', 'modelId'],
  check: (p) => (p.source === 'local-folder' && p.folderPath.trim() === '' ? [{ param: 'folderPath', message: 'folderPath is required when source is local-folder' }] : []),
});
