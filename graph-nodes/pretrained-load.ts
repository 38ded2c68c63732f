// Model node: the starting point of every pipeline, a bundled model, a local Hugging Face folder or a Hub id.
import { z } from 'zod';
import { defineNode } from './define-node';

export const pretrainedLoad = defineNode({
  type: 'pretrained-load',
  typeVersion: 1,
  title: 'Pretrained model',
  category: 'Model',
  description: 'Loads a BERT-family encoder with its WordPiece tokenizer: the model bundled with Tunegraph, a Hugging Face folder (config.json, model.safetensors, vocab.txt) inside the models directory, or a model from the Hugging Face Hub by id and revision (downloaded once into the standard HF cache, HF_HOME; HF_ENDPOINT, HF_HUB_OFFLINE and HF_TOKEN apply). Or starts from random weights of the same shape.',
  inputs: {},
  outputs: { model: { type: 'Model' } },
  params: z.object({
    source: z.enum(['bundled', 'local-folder', 'hub']).default('bundled').meta({ description: 'Where the weights come from' }),
    modelId: z.string().max(100).default('tunegraph-bert-small').meta({ description: 'Bundled model id' }),
    folderPath: z.string().max(500).default('').meta({ description: 'Folder under the models directory (source local-folder)' }),
    hubId: z.string().max(200).default('').meta({ description: 'Hugging Face Hub model id, e.g. google/bert_uncased_L-4_H-256_A-4 (source hub)' }),
    revision: z.string().max(200).default('main').meta({ description: 'Branch, tag or commit of the Hub model (source hub); the run records the commit it resolved to' }),
    randomInit: z.boolean().default(false).meta({ description: 'Keep the architecture and tokenizer but start from random weights (a from-scratch baseline)' }),
    seed: z.int().min(0).max(2 ** 31 - 1).default(42).meta({ description: 'Seed for random initialisation' }),
  }),
  cardParams: ['source', 'modelId', 'hubId'],
  check: (p) => {
    if (p.source === 'local-folder' && p.folderPath.trim() === '') return [{ param: 'folderPath', message: 'folderPath is required when source is local-folder' }];
    if (p.source === 'hub' && !/^(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/.test(p.hubId)) return [{ param: 'hubId', message: p.hubId ? `"${p.hubId}" is not a Hub model id (org/name)` : 'hubId is required when source is hub (e.g. google/bert_uncased_L-4_H-256_A-4)' }];
    if (p.source === 'hub' && (p.revision.trim() === '' || p.revision.includes('..'))) return [{ param: 'revision', message: 'revision must be a branch, tag or commit' }];
    return [];
  },
});
