// Source node: unlabelled text that ships with Tunegraph, for masked-LM pretraining (DAPT).
import { z } from 'zod';
import { defineNode } from './define-node';

export const corpusBundled = defineNode({
  type: 'corpus-bundled',
  typeVersion: 1,
  title: 'Bundled corpus',
  category: 'Sources',
  description: 'Unlabelled text that ships with Tunegraph: the Brown Corpus (500 texts, 15 genres) or the SpamAssassin email bodies.',
  inputs: {},
  outputs: { corpus: { type: 'Corpus' } },
  params: z.object({
    corpus: z.enum(['brown', 'spam-assassin-emails']).default('spam-assassin-emails').meta({ description: 'Which bundled corpus to read' }),
    genres: z.array(z.string().max(40)).max(15).default([]).meta({ description: 'Brown genres to keep (empty = all); ignored for emails' }),
    maxDocuments: z.int().min(0).max(100_000).default(0).meta({ description: 'Read at most this many documents (0 = all)' }),
  }),
  cardParams: ['corpus', 'maxDocuments'],
});
