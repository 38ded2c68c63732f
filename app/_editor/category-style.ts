// Colours of node categories in the palette and on cards.
import type { NodeCategory } from '../../graph-nodes';

export const CATEGORY_COLOR: Record<NodeCategory, string> = {
  Sources: '#0e7490',
  Data: '#15803d',
  Model: '#6d28d9',
  Adapt: '#a21caf',
  Train: '#c2410c',
  Evaluate: '#b45309',
  Export: '#334155',
};
