// How each port type's value is written into an artifact folder and read back, so any worker,
// now or after a restart, can continue from a cached result.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PortType } from '../../graph-nodes';
import { loadModelFolder, saveModelFolder } from '../io/model-folder';
import type { PortValues } from './port-values';

export interface PortCodec<T> {
  save(value: T, dir: string): Promise<void>;
  load(dir: string): Promise<T>;
  /** Frees what the value holds (tensors); called once no stage needs it. */
  dispose?(value: T): void;
}

function jsonCodec<T>(file: string): PortCodec<T> {
  return {
    async save(value, dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), JSON.stringify(value));
    },
    async load(dir) {
      return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
    },
  };
}

export const portCodecs: { [K in PortType]: PortCodec<PortValues[K]> } = {
  Dataset: jsonCodec('dataset.json'),
  Corpus: jsonCodec('corpus.json'),
  Metrics: jsonCodec('metrics.json'),
  Model: {
    save: (value, dir) => saveModelFolder(dir, value),
    load: (dir) => loadModelFolder(dir),
    dispose: (value) => value.model.dispose(),
  },
};
