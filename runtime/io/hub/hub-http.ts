// HTTP to the Hub's `/{repo}/resolve/{revision}/{file}` URLs: file metadata from a HEAD (commit,
// ETag / X-Linked-Etag, size), GET with Range through the CDN redirect, and errors that say what to do.
import type { HubEnv } from './hub-env';

/** What the Hub says about one file of one revision. */
export interface HubFileMeta {
  /** Commit the revision resolved to (X-Repo-Commit). */
  commit: string;
  /** Blob id: sha256 for LFS files (X-Linked-Etag), the git blob sha1 otherwise (ETag). */
  etag: string;
  /** Bytes (X-Linked-Size or Content-Length). */
  size: number;
}

/** A Hub request that failed in a way the user must act on (or that says the file is absent). */
export class HubError extends Error {
  constructor(
    message: string,
    readonly code: 'not-found' | 'entry-not-found' | 'auth' | 'network' | 'http' | 'checksum' | 'offline',
  ) {
    super(message);
  }
}

export const resolveUrl = (env: HubEnv, repoId: string, revision: string, file: string) =>
  `${env.endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;

/** ETag without quotes or the weak prefix. */
const cleanEtag = (v: string | null) => (v ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');

/** Headers for a request to `url`: the token goes to the Hub endpoint only, never to a CDN host. */
function headersFor(env: HubEnv, url: string, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { 'user-agent': 'tunegraph; hf_hub-compatible', ...extra };
  if (env.token && new URL(url).origin === new URL(env.endpoint).origin) h.authorization = `Bearer ${env.token}`;
  return h;
}

/** The error for a non-2xx Hub answer, naming the repo, file and revision. */
function errorFor(status: number, headers: Headers, repoId: string, revision: string, file: string, env: HubEnv): HubError {
  const code = headers.get('x-error-code') ?? '';
  if (status === 401 || status === 403 || code === 'GatedRepo') {
    const page = `${env.endpoint}/${repoId}`;
    return new HubError(
      env.token
        ? `Hub: the token (HF_TOKEN) has no access to ${repoId} (HTTP ${status}${code ? `, ${code}` : ''}); accept the model's terms at ${page} or use a token with read access`
        : `Hub: ${repoId} is gated or private (HTTP ${status}${code ? `, ${code}` : ''}); set HF_TOKEN to a token with access (${env.endpoint}/settings/tokens) after accepting its terms at ${page}`,
      'auth',
    );
  }
  if (status === 404) {
    if (code === 'EntryNotFound') return new HubError(`Hub: ${repoId} has no file ${file} at revision ${revision}`, 'entry-not-found');
    if (code === 'RevisionNotFound') return new HubError(`Hub: ${repoId} has no revision "${revision}"`, 'not-found');
    return new HubError(`Hub: no model ${repoId} at ${env.endpoint} (or it is private: set HF_TOKEN)`, 'not-found');
  }
  return new HubError(`Hub: ${env.endpoint} answered HTTP ${status} for ${repoId}/${file} at ${revision}`, 'http');
}

async function request(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'manual' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new HubError(`Hub: cannot reach ${new URL(url).origin} for ${what} (${cause}); set HF_HUB_OFFLINE=1 to use the cache only`, 'network');
  }
}

/**
 * HEAD of a file: relative redirects (renamed repos) are followed, an absolute one (the LFS CDN)
 * is not, as huggingface_hub does, since the metadata headers sit on the Hub's own answer.
 */
export async function fileMetadata(env: HubEnv, repoId: string, revision: string, file: string, signal?: AbortSignal): Promise<HubFileMeta> {
  let url = resolveUrl(env, repoId, revision, file);
  for (let hop = 0; hop < 5; hop++) {
    const res = await request(url, { method: 'HEAD', headers: headersFor(env, url, { 'accept-encoding': 'identity' }), signal }, `${repoId}/${file}`);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location && location.startsWith('/')) {
      url = new URL(location, url).toString();
      continue;
    }
    if (res.status >= 400) throw errorFor(res.status, res.headers, repoId, revision, file, env);
    const commit = res.headers.get('x-repo-commit') ?? '';
    const etag = cleanEtag(res.headers.get('x-linked-etag') ?? res.headers.get('etag'));
    const size = Number(res.headers.get('x-linked-size') ?? res.headers.get('content-length') ?? NaN);
    if (!/^[0-9a-f]{40}$/.test(commit)) throw new HubError(`Hub: no commit (X-Repo-Commit) in the answer for ${repoId}/${file}; is HF_ENDPOINT (${env.endpoint}) a Hugging Face Hub?`, 'http');
    if (!/^[0-9a-zA-Z._-]{1,128}$/.test(etag)) throw new HubError(`Hub: no usable ETag for ${repoId}/${file}`, 'http');
    if (!Number.isSafeInteger(size) || size < 0) throw new HubError(`Hub: no size for ${repoId}/${file}`, 'http');
    return { commit, etag, size };
  }
  throw new HubError(`Hub: too many redirects for ${repoId}/${file}`, 'http');
}

/**
 * GET of a file from byte `start`, following redirects (the token stays with the Hub host).
 * Returns the body stream and where it starts (0 when the server ignored the Range).
 */
export async function openDownload(env: HubEnv, repoId: string, revision: string, file: string, start: number, signal?: AbortSignal): Promise<{ body: ReadableStream<Uint8Array>; from: number }> {
  let url = resolveUrl(env, repoId, revision, file);
  for (let hop = 0; hop < 8; hop++) {
    const extra: Record<string, string> = { 'accept-encoding': 'identity' };
    if (start > 0) extra.range = `bytes=${start}-`;
    const res = await request(url, { method: 'GET', headers: headersFor(env, url, extra), signal }, `${repoId}/${file}`);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url).toString();
      continue;
    }
    if (res.status === 416 && start > 0) {
      await res.body?.cancel();
      return openDownload(env, repoId, revision, file, 0, signal);
    }
    if (res.status >= 400 || !res.body) {
      await res.body?.cancel();
      throw errorFor(res.status, res.headers, repoId, revision, file, env);
    }
    const range = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
    return { body: res.body, from: res.status === 206 && range ? Number(range[1]) : 0 };
  }
  throw new HubError(`Hub: too many redirects for ${repoId}/${file}`, 'http');
}
