// Receiving one uploaded data file: streamed to a temporary file while its size, the workspace's
// quota and its encoding are checked, then renamed into place and recorded. Every path ends in an
// HTTP answer, and a refused or failed upload leaves no file behind.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { eq, sql } from 'drizzle-orm';
import { resolveInside } from '../../runtime/io/safe-path';
import type { Database } from '../db/client';
import { uploads } from '../db/schema';
import { newId } from '../ids';
import { textProblem } from '../security/input-guard';
import { TextSniffer } from './text-sniffer';

const MB = 1024 * 1024;

/** Limits an upload is checked against. */
export interface UploadLimits {
  /** Largest single file, in bytes. */
  maxBytes: number;
  /** Most bytes one workspace may keep in uploads. */
  quotaBytes: number;
}

/** The limits from the environment (TUNEGRAPH_MAX_UPLOAD_MB, TUNEGRAPH_UPLOAD_QUOTA_MB). */
export function uploadLimitsFromEnv(env: Record<string, string | undefined> = process.env): UploadLimits {
  return { maxBytes: Number(env.TUNEGRAPH_MAX_UPLOAD_MB || 50) * MB, quotaBytes: Number(env.TUNEGRAPH_UPLOAD_QUOTA_MB || 1024) * MB };
}

/** An HTTP answer for an upload. */
export interface UploadAnswer {
  status: number;
  body: Record<string, unknown>;
  /** The request body was not read to its end; the connection must close after the answer. */
  abandoned?: boolean;
}

export interface ReceiveDeps {
  db: Database;
  uploadsDir: string;
  limits: UploadLimits;
  /** Opens the temporary file (tests point it at /dev/full to see a full disk). */
  openFile?: (path: string) => Promise<FileHandle>;
}

/** Bytes being received right now per workspace, so parallel uploads cannot overrun the quota together. */
const inFlight = new Map<string, number>();

/** Bytes a workspace's uploads take, counting uploads in progress. */
export async function workspaceUploadBytes(db: Database, workspaceId: string): Promise<number> {
  const [row] = await db.select({ total: sql<number>`coalesce(sum(${uploads.bytes}), 0)`.mapWith(Number) }).from(uploads).where(eq(uploads.workspaceId, workspaceId));
  return (row?.total ?? 0) + (inFlight.get(workspaceId) ?? 0);
}

/** Streams, checks and records an upload; never throws for anything the client sent or the disk did. */
export async function receiveUpload(req: IncomingMessage, deps: ReceiveDeps, who: { workspaceId: string; userId: string; rawFilename: string }): Promise<UploadAnswer> {
  const { limits } = deps;
  const nameProblem = textProblem(who.rawFilename);
  if (nameProblem) return { status: 400, body: { error: `filename: ${nameProblem}` } };
  const filename = who.rawFilename.replace(/[^\w.\- ]+/g, '_').slice(0, 200);
  if (!filename) return { status: 400, body: { error: 'filename query parameter is required' } };
  if (!/\.(csv|jsonl|txt|tsv)$/i.test(filename)) return { status: 400, body: { error: `${filename}: only .csv, .tsv, .jsonl and .txt files are accepted` } };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes) return { status: 413, body: { error: `${filename} is ${(declared / MB).toFixed(1)} MB; the limit is ${(limits.maxBytes / MB).toFixed(0)} MB` }, abandoned: true };
  const used = await workspaceUploadBytes(deps.db, who.workspaceId);
  const quotaError = (size: number) => `${filename} (${(size / MB).toFixed(1)} MB) does not fit in this workspace's upload quota of ${(limits.quotaBytes / MB).toFixed(0)} MB (${(used / MB).toFixed(1)} MB used); delete uploads to make room`;
  if (used + declared > limits.quotaBytes) return { status: 413, body: { error: quotaError(declared) }, abandoned: true };

  mkdirSync(deps.uploadsDir, { recursive: true });
  const id = newId('f');
  const finalPath = resolveInside(deps.uploadsDir, id);
  const tmpPath = `${finalPath}.part-${randomBytes(4).toString('hex')}`;
  const sniffer = new TextSniffer(filename);
  const hash = createHash('sha256');
  let size = 0;
  let file: FileHandle | null = null;
  let stored = false;
  inFlight.set(who.workspaceId, (inFlight.get(who.workspaceId) ?? 0) + declared);
  try {
    file = await (deps.openFile ?? ((p) => open(p, 'wx')))(tmpPath);
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limits.maxBytes) return { status: 413, body: { error: `${filename} is larger than the ${(limits.maxBytes / MB).toFixed(0)} MB limit` }, abandoned: true };
      if (used + size > limits.quotaBytes) return { status: 413, body: { error: quotaError(size) }, abandoned: true };
      const problem = sniffer.push(chunk);
      if (problem) return { status: 400, body: { error: problem }, abandoned: true };
      hash.update(chunk);
      await file.write(chunk);
    }
    const ending = sniffer.end();
    if (ending) return { status: 400, body: { error: ending } };
    await file.sync();
    await file.close();
    file = null;
    await rename(tmpPath, finalPath);
    const contentHash = hash.digest('hex');
    await writeFile(`${finalPath}.json`, JSON.stringify({ filename, workspaceId: who.workspaceId }));
    await deps.db.insert(uploads).values({ id, workspaceId: who.workspaceId, filename, path: id, bytes: size, contentHash, createdBy: who.userId });
    stored = true;
    return { status: 201, body: { id, filename, bytes: size, contentHash } };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return { status: 507, body: { error: `${filename}: the server's disk is full; nothing was stored` } };
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || req.destroyed) return { status: 400, body: { error: `${filename}: the upload was cut off; nothing was stored` } };
    throw err; // the route logs it under an id and answers 500
  } finally {
    inFlight.set(who.workspaceId, (inFlight.get(who.workspaceId) ?? declared) - declared);
    if (!inFlight.get(who.workspaceId)) inFlight.delete(who.workspaceId);
    await file?.close().catch(() => {});
    if (!stored) await Promise.all([rm(tmpPath, { force: true }), rm(finalPath, { force: true }), rm(`${finalPath}.json`, { force: true })]).catch(() => {});
  }
}
