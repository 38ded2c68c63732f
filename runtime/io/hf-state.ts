// Our weights ↔ Hugging Face tensors: names (with legacy fixes and the `bert.` prefix), the
// Linear-weight transpose, tied decoder rules, and shape checks that name the tensor and both shapes.
import { tf } from '../tf';
import type { BertConfig } from '../model/bert-config';
import { encoderParamShapes, isLinearWeight, mlmParamShapes } from '../model/param-names';
import { assignValue, type TaskModel } from '../model/task-model';

/** A host tensor in PyTorch layout. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Transposes a row-major [rows, cols] matrix. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** Key fixes transformers applies on load: gamma/beta → weight/bias, bare BertModel keys get `bert.`. */
export function normaliseHfKey(key: string): string {
  let k = key.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  if (/^(embeddings|encoder|pooler)\./.test(k)) k = `bert.${k}`;
  return k;
}

const IGNORED = [/\.position_ids$/, /embeddings\.token_type_ids$/, /^cls\.seq_relationship\./, /^cls\.predictions\.decoder\.weight$/];

/** Our internal tensors in HF layout (Linear weights transposed to [out, in]). */
export function modelToHfTensors(model: TaskModel, opts: { includePooler?: boolean; includeMlm?: boolean } = {}): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, v] of model.params) {
    if (name.startsWith('bert.pooler.') && opts.includePooler === false) continue;
    if (name.startsWith('cls.') && opts.includeMlm === false) continue;
    const data = v.dataSync() as Float32Array;
    if (isLinearWeight(name) && v.shape.length === 2) {
      const [inDim, outDim] = v.shape;
      out[name] = { shape: [outDim, inDim], data: transpose2d(data, inDim, outDim) };
    } else out[name] = { shape: [...v.shape], data: Float32Array.from(data) };
  }
  return out;
}

/** Loads HF tensors into a model built for `config`; reports what is missing, mis-shaped or unexpected. */
export function loadHfTensors(
  model: TaskModel,
  tensors: Map<string, HostTensor>,
  source: string,
): { missing: string[]; unexpected: string[] } {
  const byName = new Map<string, HostTensor>();
  for (const [key, t] of tensors) {
    if (IGNORED.some((re) => re.test(key))) continue;
    const k = normaliseHfKey(key === 'cls.predictions.decoder.bias' ? 'cls.predictions.bias' : key);
    if (!byName.has(k)) byName.set(k, t);
  }
  const missing: string[] = [];
  for (const [name, v] of model.params) {
    const t = byName.get(name);
    if (!t) {
      missing.push(name);
      continue;
    }
    byName.delete(name);
    const expected = isLinearWeight(name) && v.shape.length === 2 ? [v.shape[1], v.shape[0]] : v.shape;
    if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
      throw new Error(`${source}: tensor "${name}": file has [${t.shape.join(', ')}], config expects [${expected.join(', ')}]`);
    }
    const data = isLinearWeight(name) && v.shape.length === 2 ? transpose2d(t.data, expected[0], expected[1]) : t.data;
    assignValue(v, () => tf.tensor(data, v.shape));
  }
  return { missing, unexpected: [...byName.keys()] };
}

/** Which of our weights a HF checkpoint must provide for a given architecture. */
export function requiredWeights(config: BertConfig, opts: { mlm: boolean; classifier: boolean }): string[] {
  const names = [...encoderParamShapes(config).keys()].filter((n) => !n.startsWith('bert.pooler.'));
  if (opts.mlm) names.push(...mlmParamShapes(config).keys());
  if (opts.classifier) names.push('classifier.weight', 'classifier.bias');
  return names;
}
