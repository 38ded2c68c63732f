// A BERT model from the Hugging Face Hub into the standard cache: config.json, tokenizer files and
// safetensors weights (single or sharded) of one commit, reusing whatever the cache already holds
// (a user's ~/.cache/huggingface/hub included); HF_HUB_OFFLINE reads the cache only.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonChecked } from '../folder-file';
import { cachedCommit, isCommitSha, knownMissing, markMissing, repoFolder, snapshotDir, writeRef } from './hub-cache';
import { downloadToCache, type DownloadProgress } from './hub-download';
import { checkRepoId, checkRevision, type HubEnv } from './hub-env';
import { fileMetadata, HubError } from './hub-http';

/** A model snapshot on disk. */
export interface HubSnapshot {
  /** snapshots/<commit>: a model folder whose files link into `root`/blobs. */
  dir: string;
  /** The repo's cache folder (links inside the snapshot may lead anywhere in it, nowhere else). */
  root: string;
  commit: string;
  /** Files fetched over the network this time (empty when all came from the cache). */
  downloaded: string[];
  /** Set when the Hub could not be reached and the cached snapshot was used. */
  fromCacheBecause?: string;
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];

/** Progress over the whole snapshot: the file being fetched and bytes of all files so far. */
export interface SnapshotProgress extends DownloadProgress {
  fileIndex: number;
  files: number;
}

/**
 * Fetches (or finds in the cache) `repoId` at `revision` and returns the snapshot folder.
 * The revision is resolved to a commit once (from config.json's X-Repo-Commit) and every other
 * file is fetched at that commit, so a branch moving mid-download cannot mix two versions.
 */
export async function snapshotFromHub(env: HubEnv, repoId: string, revision = 'main', opts: { onProgress?: (p: SnapshotProgress) => void; signal?: AbortSignal } = {}): Promise<HubSnapshot> {
  const bad = checkRepoId(repoId) ?? checkRevision(revision);
  if (bad) throw new HubError(`Hub: ${bad}`, 'not-found');
  const root = repoFolder(env.cacheDir, repoId);
  if (env.offline) return fromCache(root, repoId, revision, 'HF_HUB_OFFLINE is set');
  let configMeta;
  try {
    configMeta = await fileMetadata(env, repoId, revision, 'config.json', opts.signal);
  } catch (err) {
    // Like huggingface_hub: no network, but the revision is cached → use the cache.
    if (err instanceof HubError && err.code === 'network' && cachedCommit(root, revision)) return fromCache(root, repoId, revision, err.message);
    throw err;
  }
  const commit = configMeta.commit;
  const downloaded: string[] = [];
  const plan: { file: string; meta: Awaited<ReturnType<typeof fileMetadata>> }[] = [{ file: 'config.json', meta: configMeta }];
  for (const file of TOKENIZER_FILES) {
    const meta = await optionalMetadata(env, root, repoId, commit, file, opts.signal);
    if (meta) plan.push({ file, meta });
  }
  if (!plan.some((p) => p.file === 'tokenizer.json' || p.file === 'vocab.txt')) throw new HubError(`Hub: ${repoId} at ${commit.slice(0, 12)} has neither tokenizer.json nor vocab.txt; Tunegraph needs a WordPiece tokenizer`, 'entry-not-found');
  const single = await optionalMetadata(env, root, repoId, commit, 'model.safetensors', opts.signal);
  if (single) plan.push({ file: 'model.safetensors', meta: single });
  else {
    const index = await optionalMetadata(env, root, repoId, commit, 'model.safetensors.index.json', opts.signal);
    if (!index) {
      throw new HubError(`Hub: ${repoId} at ${commit.slice(0, 12)} has no safetensors weights (model.safetensors or model.safetensors.index.json); Tunegraph does not read PyTorch .bin files`, 'entry-not-found');
    }
    // The index comes first: it names the shards.
    await downloadToCache(env, root, repoId, 'model.safetensors.index.json', index, { signal: opts.signal }).then((r) => r.downloaded && downloaded.push('model.safetensors.index.json'));
    const indexPath = join(snapshotDir(root, commit), 'model.safetensors.index.json');
    const map = (readJsonChecked(indexPath) as { weight_map?: Record<string, unknown> } | null)?.weight_map;
    if (!map || typeof map !== 'object') throw new HubError(`${indexPath}: weight_map must be an object of tensor name → shard file`, 'http');
    for (const shard of new Set(Object.values(map))) {
      if (typeof shard !== 'string' || !/^[A-Za-z0-9._-]+$/.test(shard)) throw new HubError(`${indexPath}: shard ${JSON.stringify(shard)} is not a plain file name`, 'http');
      plan.push({ file: shard, meta: await fileMetadata(env, repoId, commit, shard, opts.signal) });
    }
  }
  for (const [i, { file, meta }] of plan.entries()) {
    if (meta.commit !== commit) throw new HubError(`Hub: ${repoId}/${file} answered for commit ${meta.commit}, expected ${commit}`, 'http');
    const r = await downloadToCache(env, root, repoId, file, meta, { signal: opts.signal, onProgress: (p) => opts.onProgress?.({ ...p, fileIndex: i, files: plan.length }) });
    if (r.downloaded) downloaded.push(file);
  }
  writeRef(root, revision, commit);
  return { dir: snapshotDir(root, commit), root, commit, downloaded };
}

/** Metadata of a file that may be absent (null then, remembered in .no_exist as huggingface_hub does). */
async function optionalMetadata(env: HubEnv, root: string, repoId: string, commit: string, file: string, signal?: AbortSignal) {
  if (knownMissing(root, commit, file)) return null;
  try {
    return await fileMetadata(env, repoId, commit, file, signal);
  } catch (err) {
    if (err instanceof HubError && err.code === 'entry-not-found') {
      markMissing(root, commit, file);
      return null;
    }
    throw err;
  }
}

/** The cached snapshot of `revision`, or an error saying it is not there. */
function fromCache(root: string, repoId: string, revision: string, because: string): HubSnapshot {
  const commit = cachedCommit(root, revision);
  if (!commit || !existsSync(join(snapshotDir(root, commit), 'config.json'))) {
    throw new HubError(`Hub: ${because}, and ${repoId}@${revision} is not in the cache (${root}); download it once with network access${isCommitSha(revision) ? '' : ' or name a cached commit'}`, 'offline');
  }
  return { dir: snapshotDir(root, commit), root, commit, downloaded: [], fromCacheBecause: because };
}
