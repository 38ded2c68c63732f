// zipDirectory checked by unzipping: every file back with its relative path and bytes, links left out.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { zipDirectory } from '../../../runtime/io/zip';

const top = mkdtempSync(join(tmpdir(), 'tg-zip-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));

describe('zipDirectory', () => {
  it('zips nested files that unzip to the same bytes; weights stored, text deflated', async () => {
    const dir = join(top, 'export');
    mkdirSync(join(dir, 'adapter', 'deep'), { recursive: true });
    const weights = new Uint8Array(Float32Array.from({ length: 50_000 }, (_, i) => Math.sin(i)).buffer);
    const config = JSON.stringify({ hidden_size: 768, labels: Array.from({ length: 200 }, (_, i) => `LABEL_${i}`) }, null, 2);
    writeFileSync(join(dir, 'model.safetensors'), weights);
    writeFileSync(join(dir, 'config.json'), config);
    writeFileSync(join(dir, 'adapter', 'adapter_config.json'), '{"r": 8}');
    writeFileSync(join(dir, 'adapter', 'deep', 'empty.txt'), '');
    writeFileSync(join(top, 'secret.txt'), 'do not ship');
    symlinkSync(join(top, 'secret.txt'), join(dir, 'link.txt'));

    const zip = await zipDirectory(dir);
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(['adapter/adapter_config.json', 'adapter/deep/empty.txt', 'config.json', 'model.safetensors']);
    expect(Buffer.compare(Buffer.from(files['model.safetensors']), Buffer.from(weights))).toBe(0);
    expect(Buffer.from(files['config.json']).toString()).toBe(config);
    expect(files['adapter/deep/empty.txt'].length).toBe(0);
    // Stored weights + deflated JSON: the zip is about the weights' size, far below weights + config.
    expect(zip.length).toBeGreaterThan(weights.length);
    expect(zip.length).toBeLessThan(weights.length + config.length / 2);
  });

  it('says which folder is missing', async () => {
    await expect(zipDirectory(join(top, 'nope'))).rejects.toThrow(/cannot zip .*nope: not a folder/);
  });
});
