// Which weights train, and how fast: freezing by layer range and module kind, ULMFiT gradual
// unfreezing, and discriminative (layer-wise decayed) learning rates. A weight's variable
// `trainable` flag is the truth the optimizer reads.
import { layerIndexOf } from './param-names';
import type { TaskModel } from './task-model';

export type FreezableModule = 'attention' | 'ffn' | 'layer-norm';

/**
 * The module kind of a weight inside an encoder layer, from its name relative to the layer
 * (`attention.self.query.weight`, `intermediate.dense.bias`, `output.LayerNorm.weight`, …).
 * LayerNorms count as 'layer-norm' even inside the attention block; `attention.output.dense` is
 * attention, the layer's own `output.dense` is the FFN. LoRA adapters are never a freezable kind.
 */
export function moduleKindOf(relativeName: string): FreezableModule | null {
  if (relativeName.includes('.lora_')) return null;
  if (relativeName.includes('LayerNorm')) return 'layer-norm';
  if (relativeName.startsWith('attention.')) return 'attention';
  if (relativeName.startsWith('intermediate.') || relativeName.startsWith('output.dense.')) return 'ffn';
  return null;
}

export interface FreezeSpec {
  freezeEmbeddings: boolean;
  /** Inclusive layer range; `to` = -1 freezes no layer. */
  fromLayer: number;
  toLayer: number;
  modules: readonly FreezableModule[];
}

/** Freezes embeddings and/or the chosen module kinds in a layer range (LoRA adapters are untouched). */
export function applyFreeze(model: TaskModel, spec: FreezeSpec): { frozen: number } {
  let frozen = 0;
  for (const [name, v] of model.params) {
    let freeze = false;
    if (name.startsWith('bert.embeddings.')) freeze = spec.freezeEmbeddings;
    const layer = layerIndexOf(name);
    if (layer !== null && spec.toLayer >= 0 && layer >= spec.fromLayer && layer <= spec.toLayer) {
      const kind = moduleKindOf(name.slice(`bert.encoder.layer.${layer}.`.length));
      freeze = kind !== null && spec.modules.includes(kind);
    }
    if (freeze && v.trainable) {
      v.trainable = false;
      frozen += v.size;
    }
  }
  return { frozen };
}

/** Freezes every base weight (LoRA and feature extraction); `except` names stay trainable. */
export function freezeAllBut(model: TaskModel, keepTrainable: (name: string) => boolean): void {
  for (const [name, v] of model.allWeights()) v.trainable = keepTrainable(name);
}

/** Layer-wise LR decay: weights of layer i get decay^(L − 1 − i); embeddings decay^L; heads 1 (ULMFiT/BERT practice). */
export function applyLayerwiseLrDecay(model: TaskModel, decay: number): void {
  const L = model.config.numHiddenLayers;
  for (const [name] of model.allWeights()) {
    const layer = layerIndexOf(name);
    if (layer !== null) model.lrScales.set(name, decay ** (L - 1 - layer));
    else if (name.startsWith('bert.embeddings.')) model.lrScales.set(name, decay ** L);
    else model.lrScales.delete(name);
  }
}

/** Gradual unfreezing: how many encoder layers (from the top) train in epoch `epoch` (0-based). */
export function unfrozenLayersAtEpoch(epoch: number, perEpoch: number, totalLayers: number): number {
  return Math.min(totalLayers, (epoch + 1) * perEpoch);
}

/** The weights that may train in an epoch of gradual unfreezing: top `k` layers, head, pooler, adapters; embeddings only once every layer trains. */
export function isTrainableUnderSchedule(name: string, k: number, totalLayers: number): boolean {
  const layer = layerIndexOf(name);
  if (layer !== null) return layer >= totalLayers - k;
  if (name.startsWith('bert.embeddings.')) return k >= totalLayers;
  return true;
}
