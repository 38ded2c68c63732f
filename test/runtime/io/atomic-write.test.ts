// Atomic file and folder writes: content replaced whole, nothing left behind on failure.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDirAtomic, writeFileAtomic } from '../../../runtime/io/atomic-write';
import { readSafetensorsFile, writeSafetensorsFile } from '../../../runtime/io/safetensors';

const top = mkdtempSync(join(tmpdir(), 'tg-atomic-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));
const fresh = (name: string) => {
  const d = join(top, name);
  mkdirSync(d, { recursive: true });
  return d;
};

describe('writeFileAtomic', () => {
  it('creates parent folders, writes strings and bytes, replaces old content, leaves no temp files', () => {
    const dir = fresh('file');
    const path = join(dir, 'sub', 'config.json');
    writeFileAtomic(path, '{"a":1}');
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    const bytes = Uint8Array.from({ length: 3 * 1024 * 1024 }, (_, i) => i % 251);
    writeFileAtomic(path, bytes);
    expect(Buffer.compare(readFileSync(path), Buffer.from(bytes))).toBe(0);
    writeFileAtomic(path, new Uint8Array(bytes.buffer, 10, 5)); // a view: only its bytes are written
    expect(Array.from(readFileSync(path))).toEqual(Array.from(bytes.subarray(10, 15)));
    expect(readdirSync(join(dir, 'sub'))).toEqual(['config.json']);
  });

  it('on failure keeps the old file and removes the temp file', () => {
    const dir = fresh('file-fail');
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'inside'), 'x'); // rename over a non-empty folder fails
    expect(() => writeFileAtomic(join(dir, 'taken'), 'new')).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('backs writeSafetensorsFile, whose reader names the file in errors', () => {
    const dir = fresh('st');
    const path = join(dir, 'model.safetensors');
    writeSafetensorsFile(path, { w: { shape: [2], data: Float32Array.from([1, 2]) } }, { dtype: 'BF16' });
    expect(readSafetensorsFile(path).tensors.get('w')).toEqual({ dtype: 'BF16', shape: [2], data: Float32Array.from([1, 2]) });
    writeFileSync(path, readFileSync(path).subarray(0, 20));
    expect(() => readSafetensorsFile(path)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: header length \\d+ runs past the end`));
  });
});

describe('writeDirAtomic', () => {
  it('creates the folder whole, and replaces an existing one whole', async () => {
    const parent = fresh('dir');
    const final = join(parent, 'export');
    await writeDirAtomic(final, async (tmp) => {
      expect(existsSync(final)).toBe(false); // nothing visible while filling
      writeFileSync(join(tmp, 'a.txt'), 'one');
      writeFileSync(join(tmp, 'b.txt'), 'two');
    });
    expect(readdirSync(final).sort()).toEqual(['a.txt', 'b.txt']);
    await writeDirAtomic(final, async (tmp) => {
      expect(readdirSync(final).sort()).toEqual(['a.txt', 'b.txt']); // old content intact while filling
      writeFileSync(join(tmp, 'c.txt'), 'three');
    });
    expect(readdirSync(final)).toEqual(['c.txt']);
    expect(readdirSync(parent)).toEqual(['export']); // no temp or old folders left
  });

  it('on failure removes the temp folder and leaves no partial folder, or the previous one untouched', async () => {
    const parent = fresh('dir-fail');
    const final = join(parent, 'model');
    const boom = async (tmp: string) => {
      writeFileSync(join(tmp, 'half.bin'), 'partial');
      throw new Error('disk full');
    };
    await expect(writeDirAtomic(final, boom)).rejects.toThrow('disk full');
    expect(readdirSync(parent)).toEqual([]);
    await writeDirAtomic(final, async (tmp) => writeFileSync(join(tmp, 'good.bin'), 'ok'));
    await expect(writeDirAtomic(final, boom)).rejects.toThrow('disk full');
    expect(readdirSync(parent)).toEqual(['model']);
    expect(readdirSync(final)).toEqual(['good.bin']);
  });
});
