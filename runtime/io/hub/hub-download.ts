// One file from the Hub into the cache: resumable (blobs/<etag>.incomplete + HTTP Range), checked
// against the Hub's checksum (sha256 of LFS files, git blob sha1 of the others), then linked
// from the snapshot.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { blobPath, linkSnapshotFile } from './hub-cache';
import type { HubEnv } from './hub-env';
import { HubError, openDownload, type HubFileMeta } from './hub-http';

/** Bytes of one file so far. */
export interface DownloadProgress {
  file: string;
  bytes: number;
  totalBytes: number;
}

/** How many times a dropped connection is resumed within one download. */
const RESUME_ATTEMPTS = 5;

/** sha256 of a file, or the git blob sha1 ("blob <size>\0" + content) when `kind` is git. */
async function fileDigest(path: string, kind: 'sha256' | 'git-sha1'): Promise<string> {
  const hash = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-sha1') hash.update(`blob ${statSync(path).size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Which checksum an ETag is: 64 hex = sha256 (LFS), 40 hex = git blob sha1; anything else is only size-checked. */
const digestKind = (etag: string) => (/^[0-9a-f]{64}$/.test(etag) ? 'sha256' : /^[0-9a-f]{40}$/.test(etag) ? 'git-sha1' : null);

/**
 * Makes sure blobs/<etag> holds the file and snapshots/<commit>/<file> points at it. A partial
 * download left by an earlier attempt is resumed; a dropped connection is resumed up to
 * RESUME_ATTEMPTS times; a file whose checksum differs from the Hub's is deleted and refused.
 */
export async function downloadToCache(
  env: HubEnv,
  repoDir: string,
  repoId: string,
  file: string,
  meta: HubFileMeta,
  opts: { onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {},
): Promise<{ downloaded: boolean }> {
  const blob = blobPath(repoDir, meta.etag);
  if (existsSync(blob) && statSync(blob).size === meta.size) {
    linkSnapshotFile(repoDir, meta.commit, file, meta.etag);
    return { downloaded: false };
  }
  mkdirSync(dirname(blob), { recursive: true });
  const partial = `${blob}.incomplete`;
  let lastError: Error | null = null;
  for (let attempt = 0; attempt <= RESUME_ATTEMPTS; attempt++) {
    let have = existsSync(partial) ? statSync(partial).size : 0;
    if (have > meta.size) {
      rmSync(partial);
      have = 0;
    }
    if (have < meta.size || meta.size === 0) {
      try {
        await fetchInto(env, repoId, meta.commit, file, partial, have, meta.size, opts);
      } catch (err) {
        if (err instanceof HubError && err.code !== 'network') throw err;
        if (opts.signal?.aborted) throw err;
        lastError = err as Error;
        continue;
      }
    }
    const size = statSync(partial).size;
    if (size !== meta.size) {
      lastError = new HubError(`Hub: ${repoId}/${file}: got ${size} of ${meta.size} bytes`, 'network');
      continue;
    }
    const kind = digestKind(meta.etag);
    if (kind) {
      const digest = await fileDigest(partial, kind);
      if (digest !== meta.etag) {
        rmSync(partial, { force: true });
        throw new HubError(`Hub: ${repoId}/${file} failed its checksum (${kind} ${digest}, the Hub says ${meta.etag}); the download was deleted, run again`, 'checksum');
      }
    }
    renameSync(partial, blob);
    linkSnapshotFile(repoDir, meta.commit, file, meta.etag);
    return { downloaded: true };
  }
  throw new HubError(`Hub: download of ${repoId}/${file} kept failing (${lastError?.message ?? 'unknown'}); what arrived is kept and the next run resumes it`, 'network');
}

/** Appends the bytes from `have` on to `partial` (restarting when the server ignores the Range). */
async function fetchInto(env: HubEnv, repoId: string, commit: string, file: string, partial: string, have: number, total: number, opts: { onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal }): Promise<void> {
  const { body, from } = await openDownload(env, repoId, commit, file, have, opts.signal);
  const fd = openSync(partial, existsSync(partial) ? 'r+' : 'w');
  let position = from;
  try {
    ftruncateSync(fd, from);
    let lastReport = 0;
    const reader = body.getReader();
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw new HubError(`Hub: connection dropped while downloading ${repoId}/${file} after ${position} of ${total} bytes (${(err as Error).message})`, 'network');
      }
      if (chunk.done) break;
      writeSync(fd, chunk.value, 0, chunk.value.length, position);
      position += chunk.value.length;
      if (position > total) throw new HubError(`Hub: ${repoId}/${file} is longer than the ${total} bytes the Hub announced`, 'checksum');
      const now = Date.now();
      if (opts.onProgress && (now - lastReport > 250 || position === total)) {
        lastReport = now;
        opts.onProgress({ file, bytes: position, totalBytes: total });
      }
    }
  } finally {
    closeSync(fd);
  }
}
