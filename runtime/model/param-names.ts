// Hugging Face tensor names of a BERT model, the one naming scheme used inside Tunegraph's weights.
import type { BertConfig } from './bert-config';

/** Linear layers LoRA and freezing address, by kind, as module paths relative to a layer. */
export const LINEAR_MODULE_PATHS = {
  query: 'attention.self.query',
  key: 'attention.self.key',
  value: 'attention.self.value',
  'attention-output': 'attention.output.dense',
  intermediate: 'intermediate.dense',
  output: 'output.dense',
} as const;
export type LinearModuleKind = keyof typeof LINEAR_MODULE_PATHS;

export const layerPrefix = (i: number) => `bert.encoder.layer.${i}`;

/** Shape (internal layout: Linear kernels are [in, out]) of every encoder weight, by HF name. */
export function encoderParamShapes(c: BertConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const shapes = new Map<string, number[]>([
    ['bert.embeddings.word_embeddings.weight', [c.vocabSize, H]],
    ['bert.embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, H]],
    ['bert.embeddings.token_type_embeddings.weight', [c.typeVocabSize, H]],
    ['bert.embeddings.LayerNorm.weight', [H]],
    ['bert.embeddings.LayerNorm.bias', [H]],
  ]);
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const p = layerPrefix(i);
    for (const m of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      shapes.set(`${p}.${m}.weight`, [H, H]);
      shapes.set(`${p}.${m}.bias`, [H]);
    }
    shapes.set(`${p}.attention.output.LayerNorm.weight`, [H]);
    shapes.set(`${p}.attention.output.LayerNorm.bias`, [H]);
    shapes.set(`${p}.intermediate.dense.weight`, [H, I]);
    shapes.set(`${p}.intermediate.dense.bias`, [I]);
    shapes.set(`${p}.output.dense.weight`, [I, H]);
    shapes.set(`${p}.output.dense.bias`, [H]);
    shapes.set(`${p}.output.LayerNorm.weight`, [H]);
    shapes.set(`${p}.output.LayerNorm.bias`, [H]);
  }
  shapes.set('bert.pooler.dense.weight', [H, H]);
  shapes.set('bert.pooler.dense.bias', [H]);
  return shapes;
}

/** Weights of the masked-LM head (its decoder is tied to the word embeddings). */
export function mlmParamShapes(c: BertConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  return new Map([
    ['cls.predictions.transform.dense.weight', [H, H]],
    ['cls.predictions.transform.dense.bias', [H]],
    ['cls.predictions.transform.LayerNorm.weight', [H]],
    ['cls.predictions.transform.LayerNorm.bias', [H]],
    ['cls.predictions.bias', [c.vocabSize]],
  ]);
}

/** A Linear weight (stored [out, in] by PyTorch, [in, out] here). Embeddings and LayerNorms are not. */
export function isLinearWeight(name: string): boolean {
  return name.endsWith('.weight') && !name.includes('LayerNorm') && !name.includes('embeddings');
}

/** Biases and LayerNorm parameters get no weight decay. */
export function isNoDecay(name: string): boolean {
  return name.endsWith('.bias') || name.includes('LayerNorm');
}

/** Encoder layer index of a parameter name, or null for embeddings, pooler and heads. */
export function layerIndexOf(name: string): number | null {
  const m = /^bert\.encoder\.layer\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}
