// The fine-tuning graph many tests run: bundled spam data → split; the fixture model → head →
// fine-tune → eval, with fixed node ids (data, split, load, head, ft, eval). Each test passes the
// params that matter to it (`ev: false` leaves Eval out); `fineTuneGraphBuilder` lets a test add nodes
// (an export) before building.
import type { GraphDocument } from '../../graph-nodes';
import { graphBuilder, type GraphBuilder } from './graph-builder';
import { FIXTURE_MODEL_ID } from './run-env';

export interface FineTuneGraphParams {
  data: Record<string, unknown>;
  split?: Record<string, unknown>;
  ft?: Record<string, unknown>;
  /** Eval's params, or false for a graph that ends at fine-tune. */
  ev?: Record<string, unknown> | false;
  /** Eval's node id (default "eval"). */
  evalId?: string;
}

/** The wired builder, for tests that add nodes before `build()`. */
export function fineTuneGraphBuilder(p: FineTuneGraphParams): GraphBuilder {
  const g = graphBuilder('');
  g.node('dataset-bundled', { dataset: 'spam-assassin', ...p.data }, { id: 'data' });
  g.node('split', p.split ?? {}, { id: 'split' });
  g.node('pretrained-load', { modelId: FIXTURE_MODEL_ID }, { id: 'load' });
  g.node('head', {}, { id: 'head' });
  g.node('fine-tune', p.ft ?? {}, { id: 'ft' });
  const evalId = p.evalId ?? 'eval';
  if (p.ev !== false) g.node('eval', p.ev ?? {}, { id: evalId });
  g.connect('data', 'dataset', 'split', 'dataset');
  g.connect('load', 'model', 'head', 'model');
  g.connect('split', 'dataset', 'head', 'dataset');
  g.connect('head', 'model', 'ft', 'model');
  g.connect('split', 'dataset', 'ft', 'dataset');
  if (p.ev !== false) {
    g.connect('ft', 'model', evalId, 'model');
    g.connect('split', 'dataset', evalId, 'dataset');
  }
  return g;
}

export const fineTuneGraph = (p: FineTuneGraphParams): GraphDocument => fineTuneGraphBuilder(p).build();
