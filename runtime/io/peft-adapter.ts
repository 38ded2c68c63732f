// PEFT LoRA adapter folders (adapter_config.json + adapter_model.safetensors), as
// PeftModel.save_pretrained writes them and PeftModel.from_pretrained reads them.
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { modelFilePath, readJsonChecked } from './folder-file';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors';

/** The LoraConfig fields Tunegraph produces and consumes (bias "none", no DoRA/rsLoRA). */
export interface LoraAdapterConfig {
  /** Default rank; modules matched by a rank_pattern key use that key's rank. */
  r: number;
  loraAlpha: number;
  /** PEFT's per-module overrides: regex key (matched at the end of the module path, after a dot) → rank / alpha. */
  rankPattern?: Record<string, number>;
  alphaPattern?: Record<string, number>;
  loraDropout: number;
  targetModules: string[];
  modulesToSave: string[] | null;
  taskType: 'SEQ_CLS' | 'TOKEN_CLS' | 'FEATURE_EXTRACTION' | null;
  baseModelNameOrPath: string | null;
  /** transformers class of the base, for auto_mapping when taskType is null. */
  baseClass?: string;
}

/**
 * PEFT's pattern lookup (`get_pattern_key`): the first key whose regex matches the end of the
 * module path, whole or after a dot; its value, else the default.
 */
export function patternValue(pattern: Record<string, number> | undefined, modulePath: string, fallback: number): number {
  for (const [key, value] of Object.entries(pattern ?? {})) {
    let re: RegExp;
    try {
      re = new RegExp(`^(.*\\.)?(${key})$`);
    } catch {
      continue;
    }
    if (re.test(modulePath)) return value;
  }
  return fallback;
}

/** Rank and alpha PEFT gives `modulePath` under this config. */
export function loraSettingsFor(c: Pick<LoraAdapterConfig, 'r' | 'loraAlpha' | 'rankPattern' | 'alphaPattern'>, modulePath: string): { r: number; alpha: number } {
  return { r: patternValue(c.rankPattern, modulePath, c.r), alpha: patternValue(c.alphaPattern, modulePath, c.loraAlpha) };
}

/** adapter_config.json content (keys sorted, as PEFT writes; inference_mode true as on save). */
export function adapterConfigToJson(c: LoraAdapterConfig): Record<string, unknown> {
  const json: Record<string, unknown> = {
    alpha_pattern: c.alphaPattern ?? {},
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
    rank_pattern: c.rankPattern ?? {},
    revision: null,
    target_modules: [...c.targetModules].sort(),
    task_type: c.taskType,
    use_dora: false,
    use_rslora: false,
  };
  // AutoPeftModel needs the base class when task_type is null (PEFT writes this mapping then).
  if (c.taskType === null) json.auto_mapping = { base_model_class: c.baseClass ?? 'BertModel', parent_library: 'transformers.models.bert.modeling_bert' };
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Reads adapter_config.json; refuses what Tunegraph cannot reproduce exactly (naming the field). Unknown keys are ignored, as PEFT does. */
export function parseAdapterConfig(json: Record<string, unknown>, source: string): LoraAdapterConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${source}: expected a JSON object`);
  if (json.peft_type !== 'LORA') throw new Error(`${source}: peft_type is ${JSON.stringify(json.peft_type)}; only LORA adapters load`);
  if (!Number.isInteger(json.r) || (json.r as number) < 1) throw new Error(`${source}: r must be a positive integer, got ${JSON.stringify(json.r)}`);
  const alpha = json.lora_alpha ?? 8;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new Error(`${source}: lora_alpha must be a number, got ${JSON.stringify(alpha)}`);
  const dropout = json.lora_dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new Error(`${source}: lora_dropout must be a number in [0, 1), got ${JSON.stringify(dropout)}`);
  for (const flag of ['use_dora', 'use_rslora', 'fan_in_fan_out', 'lora_bias'] as const) if (json[flag]) throw new Error(`${source}: ${flag} is not supported`);
  if (json.bias && json.bias !== 'none') throw new Error(`${source}: bias "${json.bias}" is not supported (none)`);
  const patterns: Record<string, Record<string, number>> = {};
  for (const key of ['rank_pattern', 'alpha_pattern'] as const) {
    const v = json[key] ?? {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${source}: ${key} must be an object of module pattern → number`);
    for (const [k, n] of Object.entries(v)) {
      const ok = typeof n === 'number' && Number.isFinite(n) && (key === 'alpha_pattern' || (Number.isInteger(n) && n >= 1));
      if (!ok) throw new Error(`${source}: ${key} entry ${JSON.stringify(k)} must be ${key === 'rank_pattern' ? 'a positive integer' : 'a number'}, got ${JSON.stringify(n)}`);
      try {
        new RegExp(k);
      } catch {
        throw new Error(`${source}: ${key} key ${JSON.stringify(k)} is not a valid pattern`);
      }
    }
    patterns[key] = v as Record<string, number>;
  }
  const targets = json.target_modules;
  if (typeof targets === 'string') throw new Error(`${source}: target_modules is the pattern ${JSON.stringify(targets)}; Tunegraph needs a list of module names`);
  if (!isStringList(targets)) throw new Error(`${source}: target_modules must be a list of module names, got ${JSON.stringify(targets)}`);
  const modules = json.modules_to_save ?? null;
  if (modules !== null && !isStringList(modules)) throw new Error(`${source}: modules_to_save must be a list of module names or null, got ${JSON.stringify(modules)}`);
  const task = json.task_type ?? null;
  if (task !== null && task !== 'SEQ_CLS' && task !== 'TOKEN_CLS' && task !== 'FEATURE_EXTRACTION') throw new Error(`${source}: task_type ${JSON.stringify(task)} is not supported (SEQ_CLS, TOKEN_CLS, FEATURE_EXTRACTION or null)`);
  const base = json.base_model_name_or_path ?? null;
  return {
    r: json.r as number,
    loraAlpha: alpha,
    rankPattern: patterns.rank_pattern,
    alphaPattern: patterns.alpha_pattern,
    loraDropout: dropout,
    targetModules: targets,
    modulesToSave: modules,
    taskType: task,
    baseModelNameOrPath: typeof base === 'string' ? base : null,
  };
}

/**
 * modules_to_save as PEFT applies it: the listed names, plus "classifier" and "score" for
 * SEQ_CLS / TOKEN_CLS (PEFT appends them itself, spec 4.5).
 */
export function effectiveModulesToSave(c: Pick<LoraAdapterConfig, 'modulesToSave' | 'taskType'>): string[] {
  const out = [...(c.modulesToSave ?? [])];
  if (c.taskType === 'SEQ_CLS' || c.taskType === 'TOKEN_CLS') for (const m of ['classifier', 'score']) if (!out.includes(m)) out.push(m);
  return out;
}

/** PEFT's modules_to_save rule: the module's full name ends with an entry (a raw suffix, so "classifier" also catches "pre_classifier"). */
export function isModuleToSave(modulePath: string, modulesToSave: string[]): boolean {
  return modulesToSave.some((m) => modulePath.endsWith(m));
}

/** PEFT's target_modules list rule: the module's name equals an entry or ends with "." + entry. */
export function isLoraTarget(modulePath: string, targetModules: string[]): boolean {
  return targetModules.some((t) => modulePath === t || modulePath.endsWith(`.${t}`));
}

/** Key of a modules_to_save tensor: `classifier.weight` → `base_model.model.classifier.weight`. */
export function peftSavedTensorName(paramPath: string): string {
  return `base_model.model.${paramPath}`;
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

/** An adapter's tensors split into LoRA pairs and modules_to_save weights. */
export interface AdapterTensors {
  /** lora tensors in PEFT layout: A [r, in], B [out, r], by module path. */
  lora: Map<string, { A?: { shape: number[]; data: Float32Array }; B?: { shape: number[]; data: Float32Array } }>;
  /** modules_to_save tensors by our name (e.g. `classifier.weight`, PyTorch layout). */
  saved: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Checks one LoRA tensor against rank r: lora_A [r, in], lora_B [out, r]; the error names the key and both shapes. */
function checkLoraShape(where: string, key: string, which: 'A' | 'B', shape: number[], r: number): void {
  const ok = shape.length === 2 && (which === 'A' ? shape[0] === r : shape[1] === r);
  if (!ok) throw new Error(`${where}: tensor "${key}" has shape [${shape.join(', ')}], rank r=${r} expects ${which === 'A' ? `[${r}, in]` : `[out, ${r}]`}`);
}

/** Writes adapter_config.json and adapter_model.safetensors (F32, format pt) as PEFT's save_pretrained does; names and shapes are checked first. */
export function writePeftAdapter(dir: string, config: LoraAdapterConfig, tensors: Record<string, { shape: number[]; data: Float32Array }>): void {
  const keep = effectiveModulesToSave(config);
  for (const [key, t] of Object.entries(tensors)) {
    const lora = parsePeftTensorName(key);
    if (lora) checkLoraShape(`PEFT adapter for ${dir}`, key, lora.which, t.shape, loraSettingsFor(config, lora.module).r);
    else if (!key.startsWith('base_model.model.') || !isModuleToSave(moduleOfParam(key.slice('base_model.model.'.length)), keep)) {
      throw new Error(`PEFT adapter for ${dir}: tensor "${key}" is neither base_model.model.<module>.lora_A/B.weight nor under modules_to_save ${JSON.stringify(keep)}`);
    }
  }
  writeFileAtomic(join(dir, 'adapter_config.json'), JSON.stringify(adapterConfigToJson(config), null, 2));
  writeSafetensorsFile(join(dir, 'adapter_model.safetensors'), tensors);
}

/** `classifier.weight` → `classifier`: the module that owns a parameter. */
function moduleOfParam(paramPath: string): string {
  const dot = paramPath.lastIndexOf('.');
  return dot < 0 ? '' : paramPath.slice(0, dot);
}

/** Reads a PEFT LoRA adapter folder, validating every key and shape against adapter_config.json. */
export function readPeftAdapter(dir: string, root = dir): { config: LoraAdapterConfig; tensors: AdapterTensors } {
  const configPath = modelFilePath(dir, 'adapter_config.json', root);
  if (!configPath) throw new Error(`${dir}: no adapter_config.json`);
  const json = readJsonChecked(configPath) as Record<string, unknown>;
  const config = parseAdapterConfig(json, configPath);
  const weightsPath = modelFilePath(dir, 'adapter_model.safetensors', root);
  if (!weightsPath) {
    throw new Error(modelFilePath(dir, 'adapter_model.bin', root) ? `${dir}: only adapter_model.bin (pickle) is present; save the adapter with safe_serialization=True` : `${dir}: no adapter_model.safetensors`);
  }
  const keep = effectiveModulesToSave(config);
  const file = readSafetensorsFile(weightsPath);
  const lora: AdapterTensors['lora'] = new Map();
  const saved: AdapterTensors['saved'] = new Map();
  for (const [key, t] of file.tensors) {
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    const parsed = parsePeftTensorName(key);
    if (parsed) {
      const entry = lora.get(parsed.module) ?? {};
      entry[parsed.which] = { shape: t.shape, data };
      lora.set(parsed.module, entry);
      checkLoraShape(weightsPath, key, parsed.which, t.shape, loraSettingsFor(config, parsed.module).r);
    } else if (key.startsWith('base_model.model.') && isModuleToSave(moduleOfParam(key.slice('base_model.model.'.length)), keep)) {
      saved.set(key.slice('base_model.model.'.length), { shape: t.shape, data });
    } else {
      throw new Error(`${weightsPath}: unexpected tensor "${key}" (not a lora_A/lora_B weight, nor under modules_to_save ${JSON.stringify(keep)})`);
    }
  }
  for (const [module, { A, B }] of lora) {
    if (!A || !B) throw new Error(`${weightsPath}: module "${module}" has ${A ? 'lora_A' : 'lora_B'} but no ${A ? 'lora_B' : 'lora_A'}`);
  }
  return { config, tensors: { lora, saved } };
}
