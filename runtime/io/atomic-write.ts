// Writing files and folders so a crash leaves either the old content or the new, never half.
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Flushes a folder's entry list so a rename inside it survives a power cut (best effort: not every OS allows it). */
function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open folders for fsync; the rename itself is still atomic there.
  }
}

/** A name beside `path` that no other writer (process or call) will pick. */
function tempSibling(path: string, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.${tag}`);
}

/** Writes to a temp file beside `path`, fsyncs, then renames over it; on failure the temp file is removed. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path, 'tmp');
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = openSync(tmp, 'w');
    try {
      // writeSync may write less than asked (large buffers, full pipes): loop until all is out.
      for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}

/**
 * Fills a temp sibling folder, then swaps it in as `finalDir`. On failure the temp folder is
 * removed and `finalDir` is left as it was (absent, or the previous content).
 */
export async function writeDirAtomic(finalDir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  mkdirSync(dirname(finalDir), { recursive: true });
  const tmp = mkdtempSync(join(dirname(finalDir), `.${basename(finalDir)}.tmp-`));
  try {
    await fill(tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  // rename cannot replace a non-empty folder: move the old one aside first, so at every instant
  // either the old or the new folder is complete under some name.
  const old = existsSync(finalDir) ? tempSibling(finalDir, 'old') : null;
  try {
    if (old) renameSync(finalDir, old);
    renameSync(tmp, finalDir);
  } catch (err) {
    if (old && !existsSync(finalDir)) renameSync(old, finalDir);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  fsyncDir(dirname(finalDir));
  if (old) rmSync(old, { recursive: true, force: true });
}
