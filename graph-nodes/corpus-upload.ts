// Source node: unlabelled text a user uploaded (TXT or JSONL).
import { z } from 'zod';
import { defineNode } from './define-node';

export const corpusUpload = defineNode({
  type: 'corpus-upload',
  typeVersion: 1,
  title: 'Uploaded corpus',
  category: 'Sources',
  description: 'Your own unlabelled domain text: a TXT file (one document per blank-line-separated block) or JSONL with a text field.',
  inputs: {},
  outputs: { corpus: { type: 'Corpus' } },
  params: z.object({
    fileId: z.string().max(200).default('').meta({ description: 'The uploaded file' }),
    format: z.enum(['txt', 'jsonl']).default('txt').meta({ description: 'File format' }),
    textField: z.string().max(100).default('text').meta({ description: 'JSONL field that holds the text' }),
  }),
  cardParams: ['fileId', 'format'],
  // Not min(1) in the schema: the default '' must satisfy its own schema (forms, omitted = written).
  check: (p) => (p.fileId.trim() === '' ? [{ param: 'fileId', message: 'choose an uploaded file' }] : []),
});
