// Plain HTTP routes for bytes: uploading data files (size-limited, workspace-scoped) and
// downloading export zips (rights-checked).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { artifactsRootFor } from '../runtime/exec/artifact-store';
import { resolveInside } from '../runtime/io/safe-path';
import type { RuntimeEnv } from '../runtime/stages/define-stage';
import type { Auth } from './auth/auth';
import { getSessionUser } from './auth/session';
import { currentWorkspaceOf, roleAllows, roleOnGraph } from './auth/rights';
import type { Database } from './db/client';
import { runNodes, runs, uploads } from './db/schema';
import { newId } from './ids';

/** Largest upload accepted. */
export const MAX_UPLOAD_BYTES = Number(process.env.TUNEGRAPH_MAX_UPLOAD_MB || 50) * 1024 * 1024;

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function handleFileRoutes(req: IncomingMessage, res: ServerResponse, deps: { db: Database; env: RuntimeEnv; auth: Auth }): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const user = await getSessionUser(req, deps.auth);
  if (!user) return reply(res, 401, { error: 'sign in first' });

  // POST /api/files/uploads?filename=reviews.csv  (body: the file's bytes)
  if (req.method === 'POST' && url.pathname === '/api/files/uploads') {
    const membership = await currentWorkspaceOf(deps.db, user.id);
    if (!membership || !roleAllows(membership.role, 'write')) return reply(res, 403, { error: 'you cannot upload to this workspace' });
    const filename = (url.searchParams.get('filename') ?? '').replace(/[^\w.\- ]+/g, '_').slice(0, 200);
    if (!filename) return reply(res, 400, { error: 'filename query parameter is required' });
    if (!/\.(csv|jsonl|txt|tsv)$/i.test(filename)) return reply(res, 400, { error: `${filename}: only .csv, .tsv, .jsonl and .txt files are accepted` });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_UPLOAD_BYTES) return reply(res, 413, { error: `${filename} is ${(declared / 1e6).toFixed(1)} MB; the limit is ${(MAX_UPLOAD_BYTES / 1e6).toFixed(0)} MB` });
    const body = await readBody(req, MAX_UPLOAD_BYTES);
    if (!body) return reply(res, 413, { error: `${filename} is larger than the ${(MAX_UPLOAD_BYTES / 1e6).toFixed(0)} MB limit` });
    const id = newId('f');
    mkdirSync(deps.env.uploadsDir, { recursive: true });
    const path = resolveInside(deps.env.uploadsDir, id);
    writeFileSync(path, body);
    writeFileSync(`${path}.json`, JSON.stringify({ filename, workspaceId: membership.workspaceId }));
    const contentHash = createHash('sha256').update(body).digest('hex');
    await deps.db.insert(uploads).values({ id, workspaceId: membership.workspaceId, filename, path: id, bytes: body.length, contentHash, createdBy: user.id });
    return reply(res, 201, { id, filename, bytes: body.length, contentHash });
  }

  // GET /api/files/runs/:runId/nodes/:nodeId/export.zip
  const m = /^\/api\/files\/runs\/(r_[A-Za-z0-9]+)\/nodes\/([\w.-]+)\/export\.zip$/.exec(url.pathname);
  if (req.method === 'GET' && m) {
    const [runId, nodeId] = [m[1], m[2]];
    const [run] = await deps.db.select().from(runs).where(eq(runs.id, runId));
    if (!run || !(await roleOnGraph(deps.db, user.id, { id: run.graphId, workspaceId: run.workspaceId }))) return reply(res, 404, { error: `no run '${runId}'` });
    const [node] = await deps.db.select().from(runNodes).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, nodeId)));
    if (!node) return reply(res, 404, { error: `run '${runId}' has no node '${nodeId}'` });
    const name = ((run.document as { nodes: { id: string; params: { name?: string } }[] }).nodes.find((n) => n.id === nodeId)?.params.name ?? 'model').replace(/[^\w.-]/g, '_');
    const file = join(artifactsRootFor(deps.env.dataDir), node.cacheKey, 'export', `${name}.zip`);
    if (!existsSync(file)) return reply(res, 404, { error: `node '${nodeId}' has no export (did it run?)` });
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': statSync(file).size, 'content-disposition': `attachment; filename="${name}.zip"` });
    createReadStream(file).pipe(res);
    return;
  }
  return reply(res, 404, { error: 'not found' });
}
