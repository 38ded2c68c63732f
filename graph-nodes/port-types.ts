// The kinds of value that flow along edges; an edge is legal only between equal port types.

/** Every port type a node may declare. */
export const PORT_TYPES = ['Model', 'Corpus', 'Dataset', 'Metrics'] as const;

/** A port's value kind: `Model` (encoder + tokenizer + heads + adapters + trainability),
 * `Corpus` (unlabelled text), `Dataset` (labelled, with splits), `Metrics` (evaluation results). */
export type PortType = (typeof PORT_TYPES)[number];

/** Short help for each port type, shown on handles and in refusal messages. */
export const PORT_TYPE_HELP: Record<PortType, string> = {
  Model: 'encoder, tokenizer, heads, adapters and which weights train',
  Corpus: 'unlabelled text for masked-LM pretraining',
  Dataset: 'labelled examples (sequence or token labels) with train/validation/test splits',
  Metrics: 'evaluation results',
};

/** Colour of a port type's handles and edges in the editor. */
export const PORT_TYPE_COLOR: Record<PortType, string> = {
  Model: '#7c3aed',
  Corpus: '#0891b2',
  Dataset: '#16a34a',
  Metrics: '#ea580c',
};
