// PEFT LoRA adapter folders (adapter_config.json + adapter_model.safetensors), as
// PeftModel.save_pretrained writes them and PeftModel.from_pretrained reads them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors';

export interface LoraAdapterConfig {
  r: number;
  loraAlpha: number;
  loraDropout: number;
  targetModules: string[];
  modulesToSave: string[] | null;
  taskType: 'SEQ_CLS' | 'TOKEN_CLS' | 'FEATURE_EXTRACTION' | null;
  baseModelNameOrPath: string | null;
}

/** adapter_config.json content (keys sorted, as PEFT writes). */
export function adapterConfigToJson(c: LoraAdapterConfig): Record<string, unknown> {
  const json: Record<string, unknown> = {
    alpha_pattern: {},
    base_model_name_or_path: c.baseModelNameOrPath,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: c.loraAlpha,
    lora_dropout: c.loraDropout,
    modules_to_save: c.modulesToSave,
    peft_type: 'LORA',
    r: c.r,
    rank_pattern: {},
    revision: null,
    target_modules: [...c.targetModules].sort(),
    task_type: c.taskType,
    use_dora: false,
    use_rslora: false,
  };
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Reads adapter_config.json; refuses what Tunegraph cannot reproduce exactly. */
export function parseAdapterConfig(json: Record<string, unknown>, source: string): LoraAdapterConfig {
  if (json.peft_type !== 'LORA') throw new Error(`${source}: peft_type is ${JSON.stringify(json.peft_type)}; only LORA adapters load`);
  if (!Number.isInteger(json.r) || (json.r as number) < 1) throw new Error(`${source}: r must be a positive integer`);
  for (const flag of ['use_dora', 'use_rslora', 'fan_in_fan_out'] as const) if (json[flag]) throw new Error(`${source}: ${flag} is not supported`);
  if (json.bias && json.bias !== 'none') throw new Error(`${source}: bias "${json.bias}" is not supported (none)`);
  const targets = json.target_modules;
  if (!Array.isArray(targets)) throw new Error(`${source}: target_modules must be a list`);
  return {
    r: json.r as number,
    loraAlpha: (json.lora_alpha as number) ?? 8,
    loraDropout: (json.lora_dropout as number) ?? 0,
    targetModules: targets as string[],
    modulesToSave: (json.modules_to_save as string[] | null) ?? null,
    taskType: (json.task_type as LoraAdapterConfig['taskType']) ?? null,
    baseModelNameOrPath: (json.base_model_name_or_path as string | null) ?? null,
  };
}

/** `bert.encoder.layer.0.attention.self.query` + A → `base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight`. */
export function peftTensorName(modulePath: string, which: 'A' | 'B'): string {
  return `base_model.model.${modulePath}.lora_${which}.weight`;
}

/** Inverse of peftTensorName, or null for a modules_to_save tensor. */
export function parsePeftTensorName(key: string): { module: string; which: 'A' | 'B' } | null {
  const m = /^base_model\.model\.(.+)\.lora_([AB])(?:\.default)?\.weight$/.exec(key);
  return m ? { module: m[1], which: m[2] as 'A' | 'B' } : null;
}

export interface AdapterTensors {
  /** lora tensors in PEFT layout: A [r, in], B [out, r], by module path. */
  lora: Map<string, { A?: { shape: number[]; data: Float32Array }; B?: { shape: number[]; data: Float32Array } }>;
  /** modules_to_save tensors by our name (e.g. `classifier.weight`, PyTorch layout). */
  saved: Map<string, { shape: number[]; data: Float32Array }>;
}

export function writePeftAdapter(dir: string, config: LoraAdapterConfig, tensors: Record<string, { shape: number[]; data: Float32Array }>): void {
  writeFileAtomic(join(dir, 'adapter_config.json'), JSON.stringify(adapterConfigToJson(config), null, 2));
  writeSafetensorsFile(join(dir, 'adapter_model.safetensors'), tensors);
}

export function readPeftAdapter(dir: string): { config: LoraAdapterConfig; tensors: AdapterTensors } {
  const configPath = join(dir, 'adapter_config.json');
  if (!existsSync(configPath)) throw new Error(`${dir}: no adapter_config.json`);
  const config = parseAdapterConfig(JSON.parse(readFileSync(configPath, 'utf8')), configPath);
  const file = readSafetensorsFile(join(dir, 'adapter_model.safetensors'));
  const lora: AdapterTensors['lora'] = new Map();
  const saved: AdapterTensors['saved'] = new Map();
  for (const [key, t] of file.tensors) {
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    const parsed = parsePeftTensorName(key);
    if (parsed) {
      const entry = lora.get(parsed.module) ?? {};
      entry[parsed.which] = { shape: t.shape, data };
      lora.set(parsed.module, entry);
      if (parsed.which === 'A' && t.shape[0] !== config.r) throw new Error(`${dir}: tensor "${key}": file has [${t.shape.join(', ')}], rank r=${config.r} expects [${config.r}, in]`);
      if (parsed.which === 'B' && t.shape[1] !== config.r) throw new Error(`${dir}: tensor "${key}": file has [${t.shape.join(', ')}], rank r=${config.r} expects [out, ${config.r}]`);
    } else if (key.startsWith('base_model.model.')) saved.set(key.slice('base_model.model.'.length), { shape: t.shape, data });
    else throw new Error(`${dir}: unexpected tensor "${key}" in adapter_model.safetensors`);
  }
  return { config, tensors: { lora, saved } };
}
