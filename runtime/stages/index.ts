// Every stage by node type; `satisfies` makes a node type without a stage a type error.
import type { NodeType } from '../../graph-nodes';
import { baselineTfidfStage } from './baseline-stage';
import type { Stage } from './define-stage';
import { compareStage, evalStage, exportStage } from './eval-stages';
import { freezeStage, headStage, loraStage, pretrainedLoadStage } from './model-stages';
import { corpusBundledStage, corpusUploadStage, datasetBundledStage, datasetUploadStage, splitStage } from './sources';
import { daptStage, distillStage, fineTuneStage } from './train-stages';

export const stages = {
  'corpus-bundled': corpusBundledStage,
  'dataset-bundled': datasetBundledStage,
  'corpus-upload': corpusUploadStage,
  'dataset-upload': datasetUploadStage,
  split: splitStage,
  'pretrained-load': pretrainedLoadStage,
  freeze: freezeStage,
  lora: loraStage,
  head: headStage,
  dapt: daptStage,
  'fine-tune': fineTuneStage,
  distill: distillStage,
  eval: evalStage,
  'baseline-tfidf': baselineTfidfStage,
  compare: compareStage,
  export: exportStage,
} satisfies Record<NodeType, { type: string; codeVersion: string }> as unknown as Record<NodeType, Stage>;
