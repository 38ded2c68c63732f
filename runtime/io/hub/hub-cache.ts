// The Hugging Face cache layout: models--org--name/{blobs/<etag>, snapshots/<commit>/<file> → ../../blobs/<etag>,
// refs/<revision> (the commit), .no_exist/<commit>/<file>}, shared with Python's huggingface_hub.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Folder of one model repo in the cache. */
export function repoFolder(cacheDir: string, repoId: string): string {
  return join(cacheDir, `models--${repoId.replace(/\//g, '--')}`);
}

export const isCommitSha = (revision: string) => /^[0-9a-f]{40}$/.test(revision);

/** The commit a revision points at in the cache (a commit is itself), or null. */
export function cachedCommit(repoDir: string, revision: string): string | null {
  if (!revision || revision.includes('..') || revision.startsWith('/') || revision.includes('\0')) return null;
  if (isCommitSha(revision)) return existsSync(join(repoDir, 'snapshots', revision)) ? revision : null;
  const ref = join(repoDir, 'refs', revision);
  if (!existsSync(ref)) return null;
  const commit = readFileSync(ref, 'utf8').trim();
  return isCommitSha(commit) && existsSync(join(repoDir, 'snapshots', commit)) ? commit : null;
}

/** Records that `revision` points at `commit` (written atomically). */
export function writeRef(repoDir: string, revision: string, commit: string): void {
  if (revision === commit) return;
  const ref = join(repoDir, 'refs', revision);
  mkdirSync(dirname(ref), { recursive: true });
  const tmp = `${ref}.${process.pid}.tmp`;
  writeFileSync(tmp, commit);
  renameSync(tmp, ref);
}

export const blobPath = (repoDir: string, etag: string) => join(repoDir, 'blobs', etag);
export const snapshotDir = (repoDir: string, commit: string) => join(repoDir, 'snapshots', commit);

/** Points snapshots/<commit>/<file> at the blob with a relative link, as huggingface_hub does. */
export function linkSnapshotFile(repoDir: string, commit: string, file: string, etag: string): void {
  const pointer = join(snapshotDir(repoDir, commit), file);
  mkdirSync(dirname(pointer), { recursive: true });
  rmSync(pointer, { force: true });
  symlinkSync(relative(dirname(pointer), blobPath(repoDir, etag)), pointer);
}

/** Remembers that an optional file does not exist at this commit (huggingface_hub's .no_exist). */
export function markMissing(repoDir: string, commit: string, file: string): void {
  const marker = join(repoDir, '.no_exist', commit, file);
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(marker, '');
}

export const knownMissing = (repoDir: string, commit: string, file: string) => existsSync(join(repoDir, '.no_exist', commit, file));
