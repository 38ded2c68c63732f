// Model stages: load a pretrained model, freeze, add LoRA, add a task head.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freeze } from '../../graph-nodes/freeze';
import { head } from '../../graph-nodes/head';
import { lora } from '../../graph-nodes/lora';
import { pretrainedLoad } from '../../graph-nodes/pretrained-load';
import { HubError } from '../io/hub/hub-http';
import { hubEnvFrom } from '../io/hub/hub-env';
import { snapshotFromHub } from '../io/hub/hub-snapshot';
import { loadModelFolder } from '../io/model-folder';
import { resolveInside } from '../io/safe-path';
import { applyFreeze, applyLayerwiseLrDecay, freezeAllBut } from '../model/trainability';
import { TaskModel } from '../model/task-model';
import { defineStage } from './define-stage';
import { StageError } from './stage-error';
import { stageVersions } from './versions';

export const pretrainedLoadStage = defineStage(pretrainedLoad, stageVersions['pretrained-load'], async ({ params, env, log, progress, signal }) => {
  let dir: string;
  let root: string | undefined;
  let lineage: string;
  if (params.source === 'bundled') {
    dir = join(env.bundledModelsDir, params.modelId);
    lineage = params.modelId;
    if (!/^[A-Za-z0-9._-]+$/.test(params.modelId) || !existsSync(join(dir, 'config.json'))) {
      const available = existsSync(env.bundledModelsDir) ? readdirSync(env.bundledModelsDir).filter((d) => existsSync(join(env.bundledModelsDir, d, 'config.json'))) : [];
      throw new StageError(`no bundled model "${params.modelId}"; available: ${available.join(', ') || 'none'}`);
    }
  } else if (params.source === 'hub') {
    const snap = await snapshotFromHub(hubEnvFrom(), params.hubId, params.revision, {
      signal,
      onProgress: (p) => progress({ step: p.bytes, totalSteps: p.totalBytes, epoch: 0, phase: `download ${p.file} (${p.fileIndex + 1}/${p.files})`, unit: 'bytes' }),
    }).catch((err: Error) => {
      throw err instanceof HubError ? new StageError(err.message) : err;
    });
    if (snap.fromCacheBecause) log(`using the cached ${params.hubId} at ${snap.commit}: ${snap.fromCacheBecause}`, 'warn');
    log(`${params.hubId}@${params.revision} is commit ${snap.commit}${snap.downloaded.length > 0 ? `; downloaded ${snap.downloaded.join(', ')}` : ' (from the cache)'}`);
    dir = snap.dir;
    root = snap.root;
    lineage = `${params.hubId}@${snap.commit.slice(0, 12)}`;
  } else {
    try {
      dir = resolveInside(env.modelsDir, params.folderPath);
    } catch (err) {
      throw new StageError(`folderPath: ${(err as Error).message}`);
    }
    // Links inside the folder may lead anywhere under the models directory, nowhere else.
    root = env.modelsDir;
    lineage = params.folderPath;
    if (!existsSync(join(dir, 'config.json')) && !existsSync(join(dir, 'adapter_config.json'))) throw new StageError(`folderPath: ${params.folderPath} has no config.json (models must live under ${env.modelsDir})`);
  }
  let value;
  try {
    value = await loadModelFolder(dir, { lineage: [lineage], root, onWarning: (m) => log(m, 'warn') });
  } catch (err) {
    throw new StageError((err as Error).message);
  }
  if (params.randomInit) {
    const fresh = TaskModel.create({ ...value.model.config }, { seed: params.seed, mlmHead: value.model.hasMlmHead });
    value.model.dispose();
    value = { ...value, model: fresh, lineage: [`${value.lineage[0]} (random init)`] };
  }
  // A loaded checkpoint's head belongs to its old task; downstream head nodes add the new one.
  const { total } = value.model.countParams();
  log(`loaded ${value.lineage[0]}: ${value.model.config.numHiddenLayers} layers, hidden ${value.model.config.hiddenSize}, ${(total / 1e6).toFixed(2)}M parameters`);
  return { model: value };
});

export const freezeStage = defineStage(freeze, stageVersions.freeze, async ({ params, inputs, log }) => {
  const { model } = inputs.model;
  const L = model.config.numHiddenLayers;
  if (params.freezeToLayer >= L) throw new StageError(`freezeToLayer is ${params.freezeToLayer} but the model has layers 0–${L - 1}`);
  const { frozen } = applyFreeze(model, { freezeEmbeddings: params.freezeEmbeddings, fromLayer: params.freezeFromLayer, toLayer: params.freezeToLayer, modules: params.modules });
  if (params.layerwiseLrDecay < 1) applyLayerwiseLrDecay(model, params.layerwiseLrDecay);
  model.gradualUnfreeze = params.gradualUnfreeze ? { perEpoch: params.unfreezePerEpoch } : null;
  const counts = model.countParams();
  log(`froze ${frozen} parameters; ${counts.trainable} of ${counts.total} train`);
  return { model: { ...inputs.model, lineage: [...inputs.model.lineage, 'freeze'] } };
});

export const loraStage = defineStage(lora, stageVersions.lora, async ({ params, inputs, log, cacheKey }) => {
  const { model } = inputs.model;
  model.addLora({ rank: params.rank, alpha: params.alpha, dropout: params.dropout, targetModules: params.targetModules, seed: parseInt(cacheKey.slice(0, 8), 16) });
  // Only adapters (and, later, the head) train; every base weight is frozen.
  freezeAllBut(model, (name) => name.includes('.lora_') || (params.trainHead && name.startsWith('classifier.')));
  model.mergeLoraAfterTraining = params.merge;
  const counts = model.countParams();
  log(`LoRA r=${params.rank} on ${params.targetModules.join(', ')}: ${counts.trainable} trainable of ${counts.total} (${((100 * counts.trainable) / counts.total).toFixed(2)}%)`);
  return { model: { ...inputs.model, lineage: [...inputs.model.lineage, `lora r${params.rank}`] } };
});

export const headStage = defineStage(head, stageVersions.head, async ({ params, inputs, log, cacheKey }) => {
  const { model } = inputs.model;
  const dataset = inputs.dataset;
  const wantTask = params.task === 'sequence-classification' ? 'sequence' : 'token';
  if (dataset && dataset.task !== wantTask) throw new StageError(`a ${params.task} head needs a ${wantTask}-labelled dataset; the connected one has ${dataset.task} labels`);
  let labels: string[];
  if (params.numLabels > 0 && dataset && dataset.labels.length !== params.numLabels) {
    throw new StageError(`numLabels is ${params.numLabels} but the dataset has ${dataset.labels.length} labels (${dataset.labels.join(', ')}); set 0 to take them from the dataset`);
  }
  if (dataset) labels = dataset.labels;
  else if (params.numLabels > 0) labels = Array.from({ length: params.numLabels }, (_, i) => `LABEL_${i}`);
  else throw new StageError('numLabels is 0 and no dataset is connected; connect the dataset or set numLabels');
  model.setClassifier({ task: params.task, labels, pooling: params.pooling, dropout: params.classifierDropout }, parseInt(cacheKey.slice(0, 8), 16));
  if (params.featureExtraction) freezeAllBut(model, (name) => name.startsWith('classifier.'));
  // A sequence head that reads the BERT pooler trains the pooler with it: checkpoints pretrained
  // with masked LM only (like the bundled model) carry a pooler that was never trained, and
  // keeping it frozen under LoRA or feature extraction would feed the classifier random features.
  if (params.task === 'sequence-classification' && params.pooling === 'pooler') {
    for (const name of ['bert.pooler.dense.weight', 'bert.pooler.dense.bias']) model.p(name).trainable = true;
  }
  const counts = model.countParams();
  log(`${params.task} head with ${labels.length} labels; ${counts.trainable} of ${counts.total} parameters train`);
  return { model: { ...inputs.model, lineage: [...inputs.model.lineage, `${params.task} head`] } };
});
