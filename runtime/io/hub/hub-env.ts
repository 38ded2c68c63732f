// The Hugging Face environment as huggingface_hub reads it: HF_HOME, HF_HUB_CACHE, HF_ENDPOINT,
// HF_HUB_OFFLINE and the token (HF_TOKEN, else the file `huggingface-cli login` writes).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where and how Hub models are fetched and cached. */
export interface HubEnv {
  /** The hub cache: `models--org--name/{blobs,snapshots,refs}` folders live here. */
  cacheDir: string;
  /** Base URL of the Hub (no trailing slash). */
  endpoint: string;
  /** Never touch the network; read the cache only. */
  offline: boolean;
  /** Bearer token for gated or private repos, or null. */
  token: string | null;
}

const TRUE = new Set(['1', 'on', 'yes', 'true']);

/** The environment huggingface_hub would use, from `vars` (default process.env). */
export function hubEnvFrom(vars: Record<string, string | undefined> = process.env): HubEnv {
  const home = vars.HF_HOME || join(vars.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
  const cacheDir = vars.HF_HUB_CACHE || vars.HUGGINGFACE_HUB_CACHE || join(home, 'hub');
  const endpoint = (vars.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
  const offline = TRUE.has((vars.HF_HUB_OFFLINE ?? '').toLowerCase()) || TRUE.has((vars.TRANSFORMERS_OFFLINE ?? '').toLowerCase());
  let token = vars.HF_TOKEN || vars.HUGGING_FACE_HUB_TOKEN || null;
  const tokenFile = vars.HF_TOKEN_PATH || join(home, 'token');
  if (!token && existsSync(tokenFile)) token = readFileSync(tokenFile, 'utf8').trim() || null;
  return { cacheDir, endpoint, offline, token };
}

/** A repo id as the Hub accepts it: `name` or `org/name`, letters, digits, `-`, `_`, `.`. */
export function checkRepoId(repoId: string): string | null {
  if (!/^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/.test(repoId) || repoId.includes('..') || repoId.includes('--')) {
    return `"${repoId}" is not a Hub model id (expected org/name, e.g. google/bert_uncased_L-4_H-256_A-4)`;
  }
  return null;
}

/** A revision: a branch, tag or commit (no "..", no leading slash, no control characters). */
export function checkRevision(revision: string): string | null {
  if (!revision || revision.length > 200 || revision.includes('..') || revision.startsWith('/') || /[\s\\~^:?*[\]\x00-\x1f]/.test(revision)) return `"${revision}" is not a valid revision (a branch, tag or commit)`;
  return null;
}
