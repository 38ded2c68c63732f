// The data values that flow along Dataset and Corpus edges.

/** One labelled text (sequence classification). */
export interface TextExample {
  text: string;
  label: string;
}

/** One sentence with a tag per token (token classification). */
export interface TokenExample {
  tokens: string[];
  tags: string[];
}

/** Example indices of each split. */
export interface Splits {
  train: number[];
  validation: number[];
  test: number[];
}

/** Labelled examples, their label set, optional splits, and a content hash for cache keys. */
export type Dataset =
  | { task: 'sequence'; labels: string[]; examples: TextExample[]; splits?: Splits; source: string; contentHash: string }
  | { task: 'token'; labels: string[]; examples: TokenExample[]; splits?: Splits; source: string; contentHash: string };

/** Unlabelled documents for masked-LM training. */
export interface Corpus {
  documents: string[];
  source: string;
  contentHash: string;
}
