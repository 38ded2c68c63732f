// Plain HTTP routes for bytes: uploading data files (streamed and checked by uploads/receive-upload.ts)
// and downloading export zips (rights-checked).
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { artifactsRootFor } from '../runtime/exec/artifact-store';
import type { RuntimeEnv } from '../runtime/stages/define-stage';
import type { Auth } from './auth/auth';
import { getSessionUser } from './auth/session';
import { currentWorkspaceOf, roleAllows, roleOnGraph } from './auth/rights';
import type { Database } from './db/client';
import { runNodes, runs } from './db/schema';
import { receiveUpload, uploadLimitsFromEnv, type ReceiveDeps } from './uploads/receive-upload';

/** Largest upload accepted. */
export const MAX_UPLOAD_BYTES = uploadLimitsFromEnv().maxBytes;

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function handleFileRoutes(
  req: IncomingMessage,
  res: ServerResponse,
  deps: { db: Database; env: RuntimeEnv; auth: Auth; openFile?: ReceiveDeps['openFile'] },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const user = await getSessionUser(req, deps.auth);
  if (!user) return reply(res, 401, { error: 'sign in first' });

  // POST /api/files/uploads?filename=reviews.csv  (body: the file's bytes)
  if (req.method === 'POST' && url.pathname === '/api/files/uploads') {
    const membership = await currentWorkspaceOf(deps.db, user.id);
    if (!membership || !roleAllows(membership.role, 'write')) return reply(res, 403, { error: 'you cannot upload to this workspace' });
    const answer = await receiveUpload(
      req,
      { db: deps.db, uploadsDir: deps.env.uploadsDir, limits: uploadLimitsFromEnv(), openFile: deps.openFile },
      { workspaceId: membership.workspaceId, userId: user.id, rawFilename: url.searchParams.get('filename') ?? '' },
    );
    // Refused before the body ended: answer, then close rather than read megabytes nobody will keep.
    if (answer.abandoned && !req.complete) {
      res.setHeader('connection', 'close');
      res.once('finish', () => req.destroy());
    }
    return reply(res, answer.status, answer.body);
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
    // A read error mid-download ends this response; unhandled, it would take the server down.
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
    return;
  }
  return reply(res, 404, { error: 'not found' });
}
