// A bundled or local-folder model's files are cache-key material: retrained weights under the same id
// (or replaced files in the same folder) recompute the node and everything after it; notes about the
// model (training.json) and a folder outside the models directory do not count.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../../graph-nodes';
import { cacheKeysFor } from '../../../runtime/compile/cache-key';
import { modelFolderHashes } from '../../../runtime/io/model-folder-hashes';

function dirs() {
  const root = mkdtempSync(join(tmpdir(), 'model-hashes-'));
  const bundledModelsDir = join(root, 'bundled');
  const modelsDir = join(root, 'models');
  for (const [base, name] of [[bundledModelsDir, 'tunegraph-bert-small'], [bundledModelsDir, 'other'], [modelsDir, 'mine']]) {
    mkdirSync(join(base, name), { recursive: true });
    writeFileSync(join(base, name, 'config.json'), '{"model_type":"bert"}');
    writeFileSync(join(base, name, 'model.safetensors'), `weights of ${name}`);
  }
  return { bundledModelsDir, modelsDir };
}

const doc = (params: Record<string, unknown>): Pick<GraphDocument, 'nodes' | 'edges'> => ({
  nodes: [
    { id: 'load', type: 'pretrained-load', typeVersion: 1, position: { x: 0, y: 0 }, params },
    { id: 'freeze', type: 'freeze', typeVersion: 1, position: { x: 0, y: 0 }, params: {} },
  ] as GraphDocument['nodes'],
  edges: [{ id: 'e', source: 'load', sourcePort: 'model', target: 'freeze', targetPort: 'model' }] as GraphDocument['edges'],
});

describe('modelFolderHashes', () => {
  it('fingerprints the default bundled model and changes when its weights do, not when its notes do', () => {
    const d = dirs();
    const first = modelFolderHashes(doc({}), d).load;
    expect(first).toMatch(/^folder:[0-9a-f]{64}$/);
    writeFileSync(join(d.bundledModelsDir, 'tunegraph-bert-small', 'training.json'), '{"step": 2}');
    expect(modelFolderHashes(doc({}), d).load).toBe(first);
    expect(modelFolderHashes(doc({ modelId: 'other' }), d).load).not.toBe(first);
    writeFileSync(join(d.bundledModelsDir, 'tunegraph-bert-small', 'model.safetensors'), 'retrained weights');
    expect(modelFolderHashes(doc({}), d).load).not.toBe(first);
  });

  it('fingerprints a local folder under the models directory, and nothing outside it or missing', () => {
    const d = dirs();
    expect(modelFolderHashes(doc({ source: 'local-folder', folderPath: 'mine' }), d).load).toMatch(/^folder:/);
    expect(modelFolderHashes(doc({ source: 'local-folder', folderPath: '../bundled/other' }), d).load).toBeUndefined();
    expect(modelFolderHashes(doc({ source: 'local-folder', folderPath: 'absent' }), d).load).toBeUndefined();
    expect(modelFolderHashes(doc({ source: 'hub', hubId: 'org/name' }), d).load).toBeUndefined();
  });

  it('as key material, a retrained model changes the keys of the node and what follows it', () => {
    const d = dirs();
    const keys = () => cacheKeysFor(doc({}), { dataHashes: modelFolderHashes(doc({}), d) });
    const before = keys();
    expect(keys()).toEqual(before);
    writeFileSync(join(d.bundledModelsDir, 'tunegraph-bert-small', 'model.safetensors'), 'retrained weights');
    const after = keys();
    expect(after.load).not.toBe(before.load);
    expect(after.freeze).not.toBe(before.freeze);
  });
});
