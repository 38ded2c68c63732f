// Source node: labelled examples a user uploaded (CSV or JSONL).
import { z } from 'zod';
import { defineNode } from './define-node';

export const datasetUpload = defineNode({
  type: 'dataset-upload',
  typeVersion: 1,
  title: 'Uploaded dataset',
  category: 'Sources',
  description: 'Your own labelled examples from a CSV or JSONL file: pick the text and label columns from the file; the label set is detected. Use a train file and a test file as two nodes (role train and role test) to score exactly your test file.',
  inputs: {},
  outputs: { dataset: { type: 'Dataset' } },
  params: z.object({
    fileId: z.string().max(200).default('').meta({ description: 'The uploaded file' }),
    format: z.enum(['csv', 'jsonl']).default('csv').meta({ description: 'File format' }),
    task: z.enum(['sequence', 'token']).default('sequence').meta({ description: 'One label per text, or one tag per token' }),
    textColumn: z.string().min(1).max(100).default('text').meta({ description: 'Column with the text (or the tokens, for token tasks)' }),
    labelColumn: z.string().min(1).max(100).default('label').meta({ description: 'Column with the label (or the tags, for token tasks)' }),
    delimiter: z.enum([',', ';', 'tab', '|']).default(',').meta({ description: 'CSV field delimiter' }),
    role: z.enum(['unsplit', 'train', 'test']).default('unsplit').meta({
      description: 'unsplit: split it with a Split node; train: every row is training data; test: every row is test data, so Eval scores exactly this file',
    }),
  }),
  cardParams: ['fileId', 'role', 'labelColumn'],
  // Not min(1) in the schema: the default '' must satisfy its own schema (forms, omitted = written).
  check: (p) => (p.fileId.trim() === '' ? [{ param: 'fileId', message: 'choose an uploaded file' }] : []),
});
