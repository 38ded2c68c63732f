// `npx tsx scripts/pretrain/feature-similarity.ts <model folder>…`: how alike the model's mean-pooled
// final-layer features of 64 different emails are (mean pairwise cosine), for the model and for the
// same architecture at random init. A model whose features were all alike would give heads nothing
// to separate; this checks that explanation before anyone offers it.
import { initBackend } from '../../runtime/backend';
import { loadSpamAssassin } from '../../runtime/data/spam-assassin';
import { loadModelFolder } from '../../runtime/io/model-folder';
import { TaskModel } from '../../runtime/model/task-model';
import { tf } from '../../runtime/tf';

const EMAILS = 64;

function meanPairwiseCosine(model: TaskModel, inputIds: ArrayLike<number>, attentionMask: ArrayLike<number>, rows: number): number {
  return tf.tidy(() => {
    const shape: [number, number] = [rows, inputIds.length / rows];
    const mask = tf.tensor2d(Int32Array.from(attentionMask), shape, 'int32');
    const sequence = model.encode({ inputIds: tf.tensor2d(Int32Array.from(inputIds), shape, 'int32'), attentionMask: mask }, { training: false });
    const weights = tf.expandDims(tf.cast(mask, 'float32'), 2);
    const pooled = tf.div(tf.sum(tf.mul(sequence, weights), 1), tf.sum(weights, 1));
    const unit = tf.div(pooled, tf.norm(pooled, 2, 1, true));
    const total = tf.sum(tf.matMul(unit, unit, false, true)).dataSync()[0];
    return (total - rows) / (rows * (rows - 1)); // off-diagonal mean
  });
}

await initBackend();
const emails = loadSpamAssassin({ maxExamples: EMAILS, seed: 3 }).examples.map((e) => ('text' in e ? e.text : e.tokens.join(' ')));
for (const dir of process.argv.slice(2)) {
  const { model, tokenizer } = await loadModelFolder(dir);
  const random = TaskModel.create(model.config, { seed: 1 });
  const batch = tokenizer.encodeBatch(emails, { maxLength: model.config.maxPositionEmbeddings });
  for (const [label, m] of [['pretrained', model], ['random init', random]] as const) {
    console.log(`${dir}: ${label}: mean cosine between ${EMAILS} emails' mean-pooled features ${meanPairwiseCosine(m, batch.inputIds, batch.attentionMask, EMAILS).toFixed(3)}`);
  }
  model.dispose();
  random.dispose();
}
