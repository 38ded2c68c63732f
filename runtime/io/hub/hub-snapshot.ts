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
  // Safetensors first; PyTorch .bin (read without running pickle) only when the repo has none.
  let weights: { single: string; index: string } | null = null;
  let single = null;
  let index = null;
  for (const candidate of [{ single: 'model.safetensors', index: 'model.safetensors.index.json' }, { single: 'pytorch_model.bin', index: 'pytorch_model.bin.index.json' }]) {
    single = await optionalMetadata(env, root, repoId, commit, candidate.single, opts.signal);
    index = single ? null : await optionalMetadata(env, root, repoId, commit, candidate.index, opts.signal);
    if (single || index) {
      weights = candidate;
      break;
    }
  }
  if (!weights) throw new HubError(`Hub: ${repoId} at ${commit.slice(0, 12)} has no weights (model.safetensors, model.safetensors.index.json, pytorch_model.bin or its index)`, 'entry-not-found');
  if (single) plan.push({ file: weights.single, meta: single });
  else {
    // The index comes first: it names the shards.
    await downloadToCache(env, root, repoId, weights.index, index!, { signal: opts.signal }).then((r) => r.downloaded && downloaded.push(weights.index));
    const indexPath = join(snapshotDir(root, commit), weights.index);
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
