// Reading model folders: sharded checkpoints, a checkpoint's trained pooler kept, and hostile
// folders (links out, absurd sizes, broken JSON) refused with the file named and nothing echoed.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { loadModelFolder, saveModelFolder } from '../../../runtime/io/model-folder';
import { readSafetensorsFile, writeSafetensorsFile } from '../../../runtime/io/safetensors';
import { zipDirectory } from '../../../runtime/io/zip';

const fixture = fileURLToPath(new URL('../../fixtures/tiny-bert/', import.meta.url));
const binFixture = fileURLToPath(new URL('../../fixtures/tiny-bert-bin/', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'tg-folder-'));
const copyFixture = () => {
  const dir = join(tmp(), 'm');
  cpSync(fixture, dir, { recursive: true });
  return dir;
};
const editConfig = (dir: string, change: Record<string, unknown>) => {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, ...change }));
};
const values = (v: { dataSync(): ArrayLike<number> }) => Array.from(v.dataSync());

describe('model folders', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('loads a sharded checkpoint (model.safetensors.index.json) exactly like the single file', async () => {
    const dir = copyFixture();
    const file = readSafetensorsFile(join(dir, 'model.safetensors'));
    const names = [...file.tensors.keys()];
    const half = Math.ceil(names.length / 2);
    const shards = [names.slice(0, half), names.slice(half)];
    const weightMap: Record<string, string> = {};
    shards.forEach((group, i) => {
      const shard = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensorsFile(join(dir, shard), Object.fromEntries(group.map((n) => [n, { shape: file.tensors.get(n)!.shape, data: file.tensors.get(n)!.data as Float32Array }])));
      for (const n of group) weightMap[n] = shard;
    });
    rmSync(join(dir, 'model.safetensors'));
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
    const single = await loadModelFolder(fixture);
    const sharded = await loadModelFolder(dir);
    for (const [name, v] of single.model.params) expect(values(sharded.model.p(name)), name).toEqual(values(v));
    rmSync(join(dir, 'model-00002-of-00002.safetensors'));
    await expect(loadModelFolder(dir)).rejects.toThrow(`${join(dir, 'model.safetensors.index.json')}: shard "model-00002-of-00002.safetensors" is missing`);
    [single, sharded].forEach((v) => v.model.dispose());
  });

  it('reads pytorch_model.bin (torch.save zip) without running pickle, equal to the safetensors file', async () => {
    const single = await loadModelFolder(fixture);
    const fromBin = await loadModelFolder(binFixture);
    for (const [name, v] of single.model.params) {
      // cls.predictions.bias was saved as float16 in the .bin fixture.
      if (name === 'cls.predictions.bias') values(fromBin.model.p(name)).forEach((x, i) => expect(Math.abs(x - values(v)[i])).toBeLessThan(1e-3));
      else expect(values(fromBin.model.p(name)), name).toEqual(values(v));
    }
    [single, fromBin].forEach((v) => v.model.dispose());
  });

  it('refuses a .bin that is not a zip, or whose pickle calls anything but the state-dict rebuilders', async () => {
    const dir = copyFixture();
    rmSync(join(dir, 'model.safetensors'));
    await expect(loadModelFolder(dir)).rejects.toThrow(/no model\.safetensors, model\.safetensors\.index\.json or pytorch_model\.bin$/);
    writeFileSync(join(dir, 'pytorch_model.bin'), 'x');
    await expect(loadModelFolder(dir)).rejects.toThrow(/pytorch_model\.bin: not a zip archive/);
    // pickle protocol 2: os.system("id") via GLOBAL + REDUCE.
    const evil = join(tmp(), 'evil');
    mkdirSync(join(evil, 'archive'), { recursive: true });
    writeFileSync(join(evil, 'archive', 'data.pkl'), Buffer.from('\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1'));
    writeFileSync(join(dir, 'pytorch_model.bin'), await zipDirectory(evil));
    await expect(loadModelFolder(dir)).rejects.toThrow(/data\.pkl refers to os\.system, which a state dict never does; refusing to read it/);
  });

  it('keeps a checkpoint’s trained pooler through the load step’s artifact and under a new head', async () => {
    const dir = copyFixture();
    editConfig(dir, { architectures: ['BertForPreTraining'], id2label: undefined, label2id: undefined });
    const loaded = await loadModelFolder(dir, { hfRules: true });
    expect(loaded.model.hasMlmHead).toBe(true);
    expect(loaded.model.head).toBeNull();
    const original = values(loaded.model.p('bert.pooler.dense.weight'));
    const artifact = tmp();
    await saveModelFolder(artifact, loaded);
    const back = await loadModelFolder(artifact);
    expect(values(back.model.p('bert.pooler.dense.weight'))).toEqual(original);
    back.model.setClassifier({ task: 'sequence-classification', labels: ['x', 'y'], pooling: 'pooler', dropout: 0.1 }, 1);
    expect(values(back.model.p('bert.pooler.dense.weight'))).toEqual(original);
    [loaded, back].forEach((v) => v.model.dispose());
  });

  it('names config.json when it is not valid JSON, without quoting it', async () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'config.json'), 'secret-value: {');
    const err = await loadModelFolder(dir).catch((e: Error) => e);
    expect(String(err)).toContain(`${join(dir, 'config.json')}: not valid JSON`);
    expect(String(err)).not.toContain('secret');
  });

  it('refuses a config.json linked to a file outside the folder, showing none of its contents', async () => {
    const dir = copyFixture();
    rmSync(join(dir, 'config.json'));
    symlinkSync('/etc/passwd', join(dir, 'config.json'));
    const err = await loadModelFolder(dir).catch((e: Error) => e);
    expect(String(err)).toContain(`${join(dir, 'config.json')}: is a symbolic link to a file outside the model folder`);
    expect(String(err)).not.toMatch(/root|daemon|\/bin\//);
  });

  it('follows links only inside the folder (weights, tokenizer, shards)', async () => {
    const outside = copyFixture();
    const dir = copyFixture();
    rmSync(join(dir, 'model.safetensors'));
    symlinkSync(join(outside, 'model.safetensors'), join(dir, 'model.safetensors'));
    await expect(loadModelFolder(dir)).rejects.toThrow(/model\.safetensors: is a symbolic link to a file outside the model folder/);
    rmSync(join(dir, 'model.safetensors'));
    copyFileSync(join(outside, 'model.safetensors'), join(dir, 'weights.bin'));
    symlinkSync('weights.bin', join(dir, 'model.safetensors'));
    rmSync(join(dir, 'vocab.txt'));
    symlinkSync(join(outside, 'vocab.txt'), join(dir, 'vocab.txt'));
    await expect(loadModelFolder(dir)).rejects.toThrow(/vocab\.txt: is a symbolic link to a file outside the model folder/);
    rmSync(join(dir, 'vocab.txt'));
    copyFileSync(join(outside, 'vocab.txt'), join(dir, 'vocab.txt'));
    const ok = await loadModelFolder(dir);
    ok.model.dispose();
  });

  it.each([
    [{ num_hidden_layers: 2000 }, 'num_hidden_layers is 2000; Tunegraph loads at most 96 layers'],
    [{ hidden_size: 65536, num_attention_heads: 4 }, 'hidden_size is 65536; Tunegraph loads at most 8,192 hidden units'],
    [{ num_attention_heads: 512, hidden_size: 512 }, 'num_attention_heads is 512; Tunegraph loads at most 128 attention heads'],
    [{ vocab_size: 5e7 }, 'vocab_size is 50000000; Tunegraph loads at most 1,000,000 tokens'],
    [{ max_position_embeddings: 1e6 }, 'max_position_embeddings is 1000000; Tunegraph loads at most 65,536 positions'],
    [{ intermediate_size: 1e6 }, 'intermediate_size is 1000000; Tunegraph loads at most 32,768 intermediate units'],
    [{ num_hidden_layers: 96, hidden_size: 8192, num_attention_heads: 64, intermediate_size: 32768 }, 'billion parameters; Tunegraph loads at most 1 billion'],
  ])('refuses %j before allocating anything', async (change, message) => {
    const dir = copyFixture();
    editConfig(dir, change);
    await expect(loadModelFolder(dir)).rejects.toThrow(`${join(dir, 'config.json')}: `);
    await expect(loadModelFolder(dir)).rejects.toThrow(message);
  });
});
