// The shared artifact store: only complete artifacts are visible, two hosts committing the same key
// leave one intact artifact, and temp folders are swept only when old enough (others may be writing).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArtifactStore, artifactsRootFor } from '../../../runtime/exec/artifact-store';

const key = 'a'.repeat(64);
const roots: string[] = [];
const store = () => {
  const root = mkdtempSync(join(tmpdir(), 'tunegraph-store-'));
  roots.push(root);
  return new ArtifactStore(root);
};
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  delete process.env.TUNEGRAPH_ARTIFACTS_DIR;
});

describe('artifact store', () => {
  it('an artifact being written is invisible until committed, then complete', () => {
    const s = store();
    const tmp = s.begin(key);
    writeFileSync(join(tmp, 'model.safetensors'), 'weights');
    expect(s.get(key)).toBeNull();
    const dir = s.commit(key, tmp);
    expect(s.get(key)).toBe(dir);
    expect(readFileSync(join(dir, 'model.safetensors'), 'utf8')).toBe('weights');
    expect(readdirSync(join(s.root, '.tmp'))).toEqual([]);
  });

  it('when two hosts finish the same key, the first artifact stays and the second folder is dropped', () => {
    const s = store();
    const first = s.begin(key);
    const second = s.begin(key);
    writeFileSync(join(first, 'x'), 'first');
    writeFileSync(join(second, 'x'), 'second');
    s.commit(key, first);
    const dir = s.commit(key, second);
    expect(readFileSync(join(dir, 'x'), 'utf8')).toBe('first');
    expect(existsSync(second)).toBe(false);
  });

  it('sweeps only temp folders older than asked, so a shared store never loses another host’s write in progress', () => {
    const s = store();
    const old = s.begin(key);
    const fresh = s.begin(key);
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(old, hourAgo, hourAgo);
    expect(s.sweepTemp(600_000)).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  it('keeps checkpoints beside the artifacts and refuses keys that are not digests', () => {
    const s = store();
    expect(s.checkpointDir(key)).toBe(join(s.root, '.checkpoints', key));
    expect(() => s.checkpointDir('../etc')).toThrow(/not a sha256 hex digest/);
  });

  it('TUNEGRAPH_ARTIFACTS_DIR moves the store to a shared folder', () => {
    expect(artifactsRootFor('/data')).toBe(join('/data', 'artifacts'));
    process.env.TUNEGRAPH_ARTIFACTS_DIR = '/mnt/shared/artifacts';
    expect(artifactsRootFor('/data')).toBe('/mnt/shared/artifacts');
  });
});
