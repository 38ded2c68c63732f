// A loopback Hugging Face Hub: `/{repo}/resolve/{revision}/{file}` with the headers the Hub sends
// (X-Repo-Commit, ETag = git blob sha1, and for LFS files a 302 to a CDN path with X-Linked-Etag =
// sha256 and X-Linked-Size), Range on the CDN, gated repos, and faults on demand.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MirrorRepo {
  /** file name → content */
  files: Record<string, Uint8Array>;
  commit: string;
  /** Extra revision names (branches) pointing at the commit. */
  branches?: string[];
  /** Token the repo needs (gated); absent = public. */
  token?: string;
}

export interface MirrorFaults {
  /** file → number of GETs to cut off half-way before serving whole. */
  cutOff?: Record<string, number>;
  /** files served with one byte flipped (a corrupt CDN copy). */
  corrupt?: Set<string>;
}

/** What the mirror saw: every request line with its Range and whether it carried a token. */
export interface MirrorRequest {
  method: string;
  path: string;
  range: string | null;
  authorization: string | null;
}

const isLfs = (file: string) => file.endsWith('.safetensors') || file.endsWith('.bin');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Uint8Array) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

export async function startHubMirror(repos: Record<string, MirrorRepo>, faults: MirrorFaults = {}): Promise<{ url: string; requests: MirrorRequest[]; faults: MirrorFaults; close(): Promise<void> }> {
  const requests: MirrorRequest[] = [];
  const cdn = new Map<string, Uint8Array>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? '', path: url.pathname, range: (req.headers.range as string) ?? null, authorization: (req.headers.authorization as string) ?? null });
    const cdnMatch = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (cdnMatch) return serveCdn(req, res, cdnMatch[1]);
    const m = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!m) return fail(res, 404, 'RepoNotFound');
    const [, repoId, revision, file] = [m[0], m[1], decodeURIComponent(m[2]), decodeURIComponent(m[3])];
    const repo = repos[repoId];
    if (!repo) return fail(res, 401, 'RepoNotFound');
    if (repo.token && req.headers.authorization !== `Bearer ${repo.token}`) return fail(res, req.headers.authorization ? 403 : 401, 'GatedRepo');
    if (revision !== repo.commit && !(repo.branches ?? ['main']).includes(revision)) return fail(res, 404, 'RevisionNotFound');
    const content = repo.files[file];
    if (!content) return fail(res, 404, 'EntryNotFound', repo.commit);
    const common = { 'x-repo-commit': repo.commit, 'access-control-expose-headers': 'X-Repo-Commit' };
    if (isLfs(file)) {
      const digest = sha256(content);
      const served = faults.corrupt?.has(file) ? flipOne(content) : content;
      cdn.set(digest, served);
      res.writeHead(302, { ...common, location: `http://127.0.0.1:${(cdnServer.address() as AddressInfo).port}/cdn/${digest}`, etag: `"${gitSha1(new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${digest}\nsize ${content.length}\n`))}"`, 'x-linked-etag': `"${digest}"`, 'x-linked-size': String(content.length), 'content-length': '0' });
      return res.end();
    }
    res.writeHead(200, { ...common, etag: `"${gitSha1(content)}"`, 'content-length': String(content.length), 'content-type': 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(content));
  };
  // The CDN is another origin (its own port), as on the real Hub: the token must not follow the redirect.
  const server: Server = createServer(handler);
  const cdnServer: Server = createServer(handler);

  function serveCdn(req: IncomingMessage, res: ServerResponse, digest: string): void {
    const content = cdn.get(digest);
    if (!content) return fail(res, 404, 'EntryNotFound');
    const fileName = Object.values(repos).flatMap((r) => Object.entries(r.files)).find(([, c]) => sha256(c) === digest)?.[0] ?? '';
    const range = /^bytes=(\d+)-$/.exec((req.headers.range as string) ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= content.length && content.length > 0) {
      res.writeHead(416, { 'content-range': `bytes */${content.length}` });
      res.end();
      return;
    }
    const body = content.subarray(start);
    res.writeHead(range ? 206 : 200, { 'content-length': String(body.length), etag: `"${digest}"`, ...(range ? { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` } : {}), 'accept-ranges': 'bytes' });
    const cuts = faults.cutOff?.[fileName] ?? 0;
    if (cuts > 0 && req.method === 'GET') {
      faults.cutOff![fileName] = cuts - 1;
      // Half the body, then the connection drops.
      res.write(Buffer.from(body.subarray(0, Math.floor(body.length / 2))), () => res.destroy());
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(body));
  }

  function fail(res: ServerResponse, status: number, code: string, commit?: string): void {
    res.writeHead(status, { 'x-error-code': code, ...(commit ? { 'x-repo-commit': commit } : {}), 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: code }));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => cdnServer.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, faults, close: async () => {
      for (const s of [server, cdnServer]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    } };
}

function flipOne(content: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(content);
  copy[Math.floor(copy.length / 2)] ^= 0xff;
  return copy;
}
