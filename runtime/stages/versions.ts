// Code version of every stage: part of each cache key, so changing a stage's math invalidates
// exactly the artifacts it made. Kept apart from the stages so the server can read it without tfjs.
import type { NodeType } from '../../graph-nodes';

export const stageVersions = {
  'corpus-bundled': '1',
  'dataset-bundled': '1',
  'corpus-upload': '1',
  'dataset-upload': '1',
  split: '1',
  'pretrained-load': '2',
  freeze: '1',
  lora: '1',
  head: '2',
  dapt: '2',
  // 3: the head records its training length; Eval scores at it (was always 128).
  'fine-tune': '3',
  distill: '3',
  eval: '3',
  'baseline-tfidf': '2',
  compare: '2',
  export: '2',
} satisfies Record<NodeType, string>;
