// Writing files and folders so a crash leaves either the old content or the new, never half.
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes to a temp file beside `path`, fsyncs, then renames over it. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Fills a temp sibling folder, then renames it to `finalDir`; on failure nothing is left behind. */
export async function writeDirAtomic(finalDir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  mkdirSync(dirname(finalDir), { recursive: true });
  const tmp = mkdtempSync(join(dirname(finalDir), `.${basename(finalDir)}.tmp-`));
  try {
    await fill(tmp);
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(tmp, finalDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
