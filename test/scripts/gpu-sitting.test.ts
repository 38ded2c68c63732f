// A GPU sitting of the bundled model's pretraining: the rows handed to the GPU host are exactly the
// training rows, the weights that come back load through Tunegraph's own HF loader, an unfinished
// sitting is refused unless asked for, and (where PyTorch is installed) gpu-sitting.py really trains
// the checkpoint's own tensors and passes the pooler through unchanged.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend';
import { saveModelFolder } from '../../runtime/io/model-folder';
import { BERT_CONFIG_DEFAULTS, type BertConfig } from '../../runtime/model/bert-config';
import { TaskModel } from '../../runtime/model/task-model';
import { WordPieceTokenizer } from '../../runtime/text/wordpiece-tokenizer';
import { tf } from '../../runtime/tf';
import { exportRowsForGpu, loadGpuSitting, type GpuSittingLog } from '../../scripts/pretrain/gpu-sitting';

const script = fileURLToPath(new URL('../../scripts/pretrain/gpu-sitting.py', import.meta.url));
const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', 'to', 'a', 'park'];
const SEQ = 8;
const config: BertConfig = { ...BERT_CONFIG_DEFAULTS, vocabSize: vocab.length, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 32, maxPositionEmbeddings: SEQ };
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;

const log = (over: Partial<GpuSittingLog> = {}): GpuSittingLog => ({
  tag: 't', recipe: { lr: 1e-3, mask: 0.2, batch: 16, dropout: 0.1, warmup: 10, seed: 7 }, device: 'test', torch: 'none',
  trainRows: 1, checkRows: 1, seqLength: SEQ, start: { checkAccuracy: 0, checkPerplexity: 1 }, curve: [], steps: 1, tokens: SEQ * 16, epochs: 1, seconds: 1, final: true, ...over,
});

/** A tiny saved model; a wide init spread makes every part of the network move the logits well above 1e-4. */
async function savedTinyModel(initializerRange = 0.02): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-sitting-model-'));
  await saveModelFolder(dir, { model: TaskModel.create({ ...config, initializerRange }, { seed: 3, mlmHead: true }), tokenizer: new WordPieceTokenizer(vocab), lineage: [] });
  return dir;
}

/** Rows shaped like the pretraining rows: [CLS], six words, [SEP]. */
function rows(n: number): number[][] {
  const sentences = [[5, 6, 7, 8, 5, 9], [5, 10, 11, 12, 13, 14]];
  return Array.from({ length: n }, (_, i) => [2, ...sentences[i % 2], 3]);
}

describe('GPU sitting of the bundled model', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('exports exactly the full-length training rows as 16-bit ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-rows-'));
    const message = exportRowsForGpu([...rows(3), [2, 5, 3]], SEQ, vocab.length, dir);
    expect(message).toContain('3 rows of 8 tokens (1 shorter row left out)');
    const bytes = readFileSync(join(dir, 'rows.u16'));
    const ids = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
    expect(Array.from(ids)).toEqual(rows(3).flat());
    expect(() => exportRowsForGpu(rows(1), SEQ, 70_000, dir)).toThrow(/70000 tokens does not fit/);
  });

  it('loads the weights a sitting wrote through the HF loader, and refuses an unfinished sitting unless asked', async () => {
    const modelDir = await savedTinyModel();
    const sittingDir = mkdtempSync(join(tmpdir(), 'gpu-sitting-out-'));
    await expect(loadGpuSitting(modelDir, sittingDir, 't')).rejects.toThrow(/t\.json is missing/);
    copyFileSync(join(modelDir, 'model.safetensors'), join(sittingDir, 't.safetensors'));
    writeFileSync(join(sittingDir, 't.json'), JSON.stringify(log({ final: false })));
    await expect(loadGpuSitting(modelDir, sittingDir, 't')).rejects.toThrow(/unfinished sitting \(final: false\).*--gpu-allow-partial/);
    const { model, log: read } = await loadGpuSitting(modelDir, sittingDir, 't', true);
    expect(read.final).toBe(false);
    expect(model.hasMlmHead).toBe(true);
    expect(model.config.hiddenSize).toBe(16);
    model.dispose();
  });

  it.skipIf(!hasTorch)('gpu-sitting.py computes the same masked-LM logits as the TypeScript engine (same tensors, same network)', async () => {
    const modelDir = await savedTinyModel(0.5);
    const out = mkdtempSync(join(tmpdir(), 'gpu-sitting-forward-'));
    exportRowsForGpu(rows(2), SEQ, vocab.length, out);
    const file = join(out, 'logits.json');
    execFileSync('/usr/bin/python3', [script, '--init', modelDir, '--rows', join(out, 'rows.u16'), '--out', out, '--minutes', '1', '--forward-check', file], { stdio: 'pipe' });
    const torchLogits = JSON.parse(readFileSync(file, 'utf8')) as { shape: number[]; logits: number[] };
    const { model } = await loadGpuSitting(modelDir, await sittingOf(modelDir), 'same');
    const ours = tf.tidy(() => model.forwardMlm({ inputIds: tf.tensor2d(rows(2), [2, SEQ], 'int32'), attentionMask: tf.ones([2, SEQ], 'int32') as tf.Tensor2D }, { training: false }).dataSync());
    expect(torchLogits.shape).toEqual([2 * SEQ, vocab.length]);
    const worst = Math.max(...torchLogits.logits.map((v, i) => Math.abs(v - ours[i]!)));
    expect(Math.max(...torchLogits.logits.map(Math.abs))).toBeGreaterThan(1);
    expect(worst).toBeLessThan(1e-4);
    model.dispose();
  });

  it.skipIf(!hasTorch)('gpu-sitting.py trains the checkpoint’s tensors (PyTorch on the CPU here) and passes the pooler through', async () => {
    const modelDir = await savedTinyModel();
    const out = mkdtempSync(join(tmpdir(), 'gpu-sitting-run-'));
    exportRowsForGpu(rows(400), SEQ, vocab.length, out);
    execFileSync('/usr/bin/python3', [script, '--init', modelDir, '--rows', join(out, 'rows.u16'), '--out', out, '--minutes', '0.15', '--batch', '16', '--lr', '3e-3', '--warmup', '5', '--dropout', '0', '--tag', 't'], { stdio: 'pipe', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    const { model, log: read } = await loadGpuSitting(modelDir, out, 't');
    const { model: before } = await loadGpuSitting(modelDir, await sittingOf(modelDir), 'same');
    expect(read.final).toBe(true);
    expect(read.steps).toBeGreaterThan(20);
    // Two sentences repeated: the held-back rows are easy once learnt.
    expect(read.curve.at(-1)!.checkAccuracy).toBeGreaterThan(read.start.checkAccuracy + 0.2);
    const diff = (name: string) => Math.max(...Array.from(model.p(name).dataSync()).map((v, i) => Math.abs(v - before.p(name).dataSync()[i]!)));
    expect(diff('bert.encoder.layer.0.attention.self.query.weight')).toBeGreaterThan(1e-3);
    expect(diff('cls.predictions.bias')).toBeGreaterThan(1e-4);
    expect(diff('bert.pooler.dense.weight')).toBeLessThan(1e-3); // F16 rounding only
    model.dispose();
    before.dispose();
  }, 60_000);
});

/** The model's own weights as a finished sitting "same" (the baseline the trained weights are compared with). */
async function sittingOf(modelDir: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-sitting-same-'));
  copyFileSync(join(modelDir, 'model.safetensors'), join(dir, 'same.safetensors'));
  writeFileSync(join(dir, 'same.json'), JSON.stringify(log({ tag: 'same' })));
  return dir;
}
