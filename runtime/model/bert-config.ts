// The BERT architecture settings, in our camelCase; runtime/io/hf-config.ts maps them to and from config.json.

/** Architecture of a BERT-family encoder (the fields of Hugging Face's BertConfig that change the math). */
export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  /** Only GELU (erf form, as HF's "gelu") and its tanh approximation are supported. */
  hiddenAct: 'gelu' | 'gelu_new';
  padTokenId: number;
  initializerRange: number;
}

/** Hugging Face BertConfig defaults (bert-base-uncased), for fields a config.json leaves out. */
export const BERT_CONFIG_DEFAULTS: BertConfig = {
  vocabSize: 30522,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  hiddenAct: 'gelu',
  padTokenId: 0,
  initializerRange: 0.02,
};
