// The node catalog: every node type, by id. Browser and server import this one file.
import type { NodeDefinition } from './define-node';
import { baselineTfidf } from './baseline-tfidf';
import { compare } from './compare';
import { corpusBundled } from './corpus-bundled';
import { corpusUpload } from './corpus-upload';
import { dapt } from './dapt';
import { datasetBundled } from './dataset-bundled';
import { datasetUpload } from './dataset-upload';
import { distill } from './distill';
import { evalNode } from './eval';
import { exportNode } from './export';
import { fineTune } from './fine-tune';
import { freeze } from './freeze';
import { head } from './head';
import { lora } from './lora';
import { pretrainedLoad } from './pretrained-load';
import { split } from './split';

export * from './define-node';
export * from './port-types';
export * from './graph-document';

/** Every node type, keyed by its id. */
export const nodeCatalog = {
  'corpus-bundled': corpusBundled,
  'dataset-bundled': datasetBundled,
  'corpus-upload': corpusUpload,
  'dataset-upload': datasetUpload,
  split,
  'pretrained-load': pretrainedLoad,
  freeze,
  lora,
  head,
  dapt,
  'fine-tune': fineTune,
  distill,
  eval: evalNode,
  'baseline-tfidf': baselineTfidf,
  compare,
  export: exportNode,
} as const;

/** A node type id. */
export type NodeType = keyof typeof nodeCatalog;

/** All definitions, in catalog order. */
export const nodeDefinitions: NodeDefinition[] = Object.values(nodeCatalog) as unknown as NodeDefinition[];

/** The definition of a type id, or undefined for an unknown type. */
export function getNodeDefinition(type: string): NodeDefinition | undefined {
  return Object.hasOwn(nodeCatalog, type) ? (nodeCatalog[type as NodeType] as unknown as NodeDefinition) : undefined;
}
