// Training stages: domain-adaptive pretraining, fine-tuning, distillation.
import { dapt } from '../../graph-nodes/dapt';
import { distill } from '../../graph-nodes/distill';
import { fineTune } from '../../graph-nodes/fine-tune';
import { crossEntropy, distillationLoss, IGNORE_INDEX, tokenCrossEntropy } from '../model/losses';
import type { Rng } from '../model/rng';
import type { TaskModel } from '../model/task-model';
import { freezeAllBut, isTrainableUnderSchedule, unfrozenLayersAtEpoch } from '../model/trainability';
import { tf } from '../tf';
import { countProgress } from './common/count-progress';
import { defineStage } from './define-stage';
import { corpusRows, datasetBatch, labelIndex, splitIndices, toTensors, type HostBatch } from './common/encode';
import { classificationMetrics, predictionFlags } from './common/metrics';
import { mlmEvaluate, mlmLoss } from './common/mlm';
import { predictLabels } from './common/predict';
import { runTrainingLoop, type Validation } from './common/train-loop';
import { StageError } from './stage-error';
import { stageVersions } from './versions';

/** maxSeqLength capped at the model's position embeddings (with a warning naming both). */
function fitSeqLength(requested: number, model: TaskModel, log: (m: string, level?: 'info' | 'warn' | 'error') => void): number {
  const limit = model.config.maxPositionEmbeddings;
  if (requested <= limit) return requested;
  log(`maxSeqLength ${requested} exceeds the model's ${limit} positions; using ${limit}`, 'warn');
  return limit;
}

function taskLoss(model: TaskModel, host: HostBatch, rng: Rng): tf.Scalar {
  const { batch, labels } = toTensors(host);
  if (model.head!.task === 'sequence-classification') return crossEntropy(model.forwardSequence(batch, { training: true, rng }), labels);
  return tokenCrossEntropy(model.forwardTokens(batch, { training: true, rng }), labels);
}

export const daptStage = defineStage(dapt, stageVersions.dapt, async (ctx) => {
  const { params, inputs, log } = ctx;
  const { model, tokenizer } = inputs.model;
  const maxLen = fitSeqLength(params.maxSeqLength, model, log);
  if (!model.hasMlmHead) {
    model.addMlmHead(params.seed);
    log('the model had no masked-LM head; a fresh one was added', 'warn');
  }
  for (const name of model.params.keys()) if (name.startsWith('cls.')) model.p(name).trainable = true;
  if (params.maskTokenRatio !== 0.8 || params.randomTokenRatio !== 0.1) log('custom mask/random ratios are recorded; masking uses BERT’s 80/10/10', 'warn');
  const rows = corpusRows(tokenizer, inputs.corpus.documents, maxLen, 200_000, countProgress(ctx.progress, 'tokenizing corpus', 'documents'));
  if (rows.length < 4) throw new StageError(`the corpus yields only ${rows.length} sequences of ${maxLen} tokens; it needs more text`);
  // Hold out up to 10% (at most 64 rows) to measure perplexity before and after.
  const heldOut = rows.splice(0, Math.min(64, Math.max(1, Math.floor(rows.length / 10))));
  const settings = { probability: params.mlmProbability };
  const before = mlmEvaluate(model, tokenizer, heldOut, settings, undefined, countProgress(ctx.progress, 'perplexity before', 'batches'));
  log(`held-out perplexity before: ${before.perplexity.toFixed(2)} (${heldOut.length} sequences)`);
  const result = await runTrainingLoop({
    ctx: ctx as never,
    model,
    examples: rows.length,
    makeBatch: (idx) => ({ inputIds: new Int32Array(), attentionMask: new Int32Array(), labels: new Int32Array(), batchSize: idx.length, seqLength: 0, tokens: idx.reduce((n, i) => n + rows[i].length, 0), rows: idx.map((i) => rows[i]) }) as HostBatch,
    loss: (batch, rng) => mlmLoss(model, tokenizer, (batch as HostBatch & { rows: number[][] }).rows, rng, settings, true),
    epochs: params.epochs,
    batchSize: params.batchSize,
    learningRate: params.learningRate,
    warmupRatio: params.warmupRatio,
    schedule: 'linear',
    weightDecay: params.weightDecay,
    maxGradNorm: 1,
    maxSteps: params.maxSteps || undefined,
    seed: params.seed,
    chanceLoss: Math.log(tokenizer.vocabSize),
    phase: 'dapt',
  });
  const after = mlmEvaluate(model, tokenizer, heldOut, settings, undefined, countProgress(ctx.progress, 'perplexity after', 'batches'));
  log(`held-out perplexity after ${result.steps} steps: ${after.perplexity.toFixed(2)}`);
  ctx.metrics({ perplexityBefore: before.perplexity, perplexityAfter: after.perplexity, mlmAccuracyBefore: before.mlmAccuracy, mlmAccuracyAfter: after.mlmAccuracy, steps: result.steps });
  return { model: { ...inputs.model, lineage: [...inputs.model.lineage, 'dapt'] } };
});

export const fineTuneStage = defineStage(fineTune, stageVersions['fine-tune'], async (ctx) => {
  const { params, inputs, log } = ctx;
  const { model, tokenizer } = inputs.model;
  const data = inputs.dataset;
  const maxLen = fitSeqLength(params.maxSeqLength, model, log);
  if (!model.head) throw new StageError('the model has no task head; put a Task head node before fine-tune');
  const wantTask = model.head.task === 'sequence-classification' ? 'sequence' : 'token';
  if (data.task !== wantTask) throw new StageError(`the model has a ${model.head.task} head but the dataset has ${data.task} labels`);
  const labels = labelIndex(model.head.labels, data.labels);
  const train = splitIndices(data, 'train');
  const validation = data.splits?.validation ?? [];
  const batchOf = (idx: number[]) => datasetBatch(tokenizer, data, idx, labels, maxLen);
  const schedule = model.gradualUnfreeze;
  const initiallyTrainable = new Set(model.allWeights().filter(([, v]) => v.trainable).map(([n]) => n));
  const L = model.config.numHiddenLayers;
  const counts = model.countParams();
  log(`training ${counts.trainable} of ${counts.total} parameters on ${train.length} examples`);
  const byLoss = params.selectBestBy === 'loss';
  // Validation loss is scored negated, so "higher is better" holds for both choices.
  const validate = (): Validation => {
    const { gold, pred, loss } = predictLabels(model, tokenizer, data, validation, { batchSize: 64, maxLength: maxLen, withLoss: true, onProgress: countProgress(ctx.progress, 'validation', 'batches') });
    const macroF1 = classificationMetrics(gold, pred, model.head!.labels).values.macroF1;
    // Say so while training when the model predicts one class or guesses: the lead-in to a bad eval.
    const flags = predictionFlags(gold, pred, model.head!.labels, macroF1).map((f) => `; ${f.code}: ${f.message}`).join('');
    return { score: byLoss ? -loss! : macroF1, summary: `macro-F1 ${macroF1.toFixed(4)}, loss ${loss!.toFixed(4)} on ${validation.length} examples${flags}` };
  };
  if (validation.length === 0) log('the dataset has no validation split: keeping the last epoch’s weights and no early stopping (give Split a validationRatio to keep the best epoch)', 'warn');
  const result = await runTrainingLoop({
    ctx: ctx as never,
    model,
    examples: train.length,
    makeBatch: (idx) => batchOf(idx.map((i) => train[i])),
    loss: (batch, rng) => taskLoss(model, batch, rng),
    epochs: params.epochs,
    batchSize: params.batchSize,
    learningRate: params.learningRate,
    warmupRatio: params.warmupRatio,
    schedule: params.schedule,
    weightDecay: params.weightDecay,
    maxGradNorm: params.maxGradNorm,
    accumulation: params.gradientAccumulationSteps,
    seed: params.seed,
    phase: 'fine-tune',
    validate: validation.length > 0 ? validate : undefined,
    patience: params.earlyStoppingPatience || undefined,
    chanceLoss: Math.log(Math.max(2, model.head.labels.length)),
    onEpochStart: schedule
      ? (epoch) => {
          const k = unfrozenLayersAtEpoch(epoch, schedule.perEpoch, L);
          freezeAllBut(model, (name) => initiallyTrainable.has(name) && isTrainableUnderSchedule(name, k, L));
          log(`epoch ${epoch + 1}: top ${k} of ${L} layers unfrozen`);
          return true;
        }
      : undefined,
  });
  if (schedule) freezeAllBut(model, (name) => initiallyTrainable.has(name));
  model.gradualUnfreeze = null;
  if (model.mergeLoraAfterTraining && model.lora.size > 0) {
    model.mergeLoraAfterTraining = false;
    model.mergeLora();
    log('LoRA adapters merged into the base weights');
  }
  const last = result.lossHistory.slice(-10);
  const best = result.best
    ? { bestEpoch: result.best.epoch, bestStep: result.best.step, [byLoss ? 'bestValidationLoss' : 'bestValidationMacroF1']: byLoss ? -result.best.score : result.best.score, selectedBy: byLoss ? 'validation loss' : 'validation macro-F1' }
    : { selectedBy: 'last epoch (no validation split)' };
  ctx.metrics({ trainLoss: last.reduce((a, b) => a + b, 0) / Math.max(1, last.length), steps: result.steps, epochs: result.epochs, stoppedEarly: result.stoppedEarly, ...best });
  model.head = { ...model.head, maxSeqLength: maxLen };
  return { model: { ...inputs.model, lineage: [...inputs.model.lineage, 'fine-tune'] } };
});

export const distillStage = defineStage(distill, stageVersions.distill, async (ctx) => {
  const { params, inputs, log } = ctx;
  const { model: teacher, tokenizer } = inputs.teacher;
  const data = inputs.dataset;
  const maxLen = fitSeqLength(params.maxSeqLength, teacher, log);
  if (!teacher.head) throw new StageError('the teacher has no task head; distil a fine-tuned classifier');
  const L = teacher.config.numHiddenLayers;
  if (params.studentLayers > L) throw new StageError(`studentLayers is ${params.studentLayers} but the teacher has only ${L} layers`);
  teacher.mergeLora();
  // Evenly spaced teacher layers, always including the top one (DistilBERT takes every other layer).
  const keep = Array.from({ length: params.studentLayers }, (_, i) => Math.round(((i + 1) * L) / params.studentLayers) - 1);
  const student = teacher.withLayers(keep);
  student.lrScales.clear();
  log(`student keeps teacher layers ${keep.join(', ')} (${student.countParams().total} of ${teacher.countParams().total} parameters)`);
  const labels = labelIndex(teacher.head.labels, data.labels);
  const train = splitIndices(data, 'train');
  const batchOf = (idx: number[]) => datasetBatch(tokenizer, data, idx, labels, maxLen);
  const flat = (t: tf.Tensor) => tf.reshape(t, [-1, t.shape[t.shape.length - 1]]);
  try {
    await runTrainingLoop({
      ctx: ctx as never,
      model: student,
      examples: train.length,
      makeBatch: (idx) => batchOf(idx.map((i) => train[i])),
      loss: (batch, rng) => {
        const { batch: inputs2 } = toTensors(batch);
        const seq = teacher.head!.task === 'sequence-classification';
        // The teacher's logits are constants here: its weights are not in the trained set.
        const teacherLogits = seq ? teacher.forwardSequence(inputs2, { training: false }) : flat(teacher.forwardTokens(inputs2, { training: false }));
        const studentLogits = seq ? student.forwardSequence(inputs2, { training: true, rng }) : flat(student.forwardTokens(inputs2, { training: true, rng }));
        const labelsT = tf.tensor1d(batch.labels, 'int32');
        const rowMask = seq ? undefined : tf.cast(tf.notEqual(labelsT, IGNORE_INDEX), 'float32');
        return distillationLoss(studentLogits, teacherLogits, { temperature: params.temperature, alpha: params.alpha, labels: labelsT, rowMask });
      },
      epochs: params.epochs,
      batchSize: params.batchSize,
      learningRate: params.learningRate,
      warmupRatio: 0.1,
      schedule: 'linear',
      weightDecay: 0.01,
      maxGradNorm: 1,
      seed: params.seed,
      // A student that guesses uniformly scores at most α·T²·ln C (soft part) + (1 − α)·ln C (hard part).
      chanceLoss: (params.alpha * params.temperature ** 2 + (1 - params.alpha)) * Math.log(Math.max(2, teacher.head.labels.length)),
      phase: 'distill',
    });
  } catch (err) {
    student.dispose();
    throw err;
  }
  student.head = { ...student.head!, maxSeqLength: maxLen };
  return { model: { model: student, tokenizer, lineage: [...inputs.teacher.lineage, `distilled to ${params.studentLayers} layer${params.studentLayers > 1 ? 's' : ''}`] } };
});
