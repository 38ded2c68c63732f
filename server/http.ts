// The one HTTP server: /api/trpc, /api/health, socket.io, and Next.js for everything else.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { toNodeHandler } from 'better-auth/node';
import { createAuth, type Auth } from './auth/auth';
import { sessionCacheOf } from './auth/session';
import type { Revocation } from './auth/session-cache';
import { refuseWithoutSession } from './auth/page-gate';
import { defaultDataDir, openDatabase, type OpenDatabase } from './db/client';
import { seedDatabase } from './db/seed';
import { attachRealtime } from './realtime/socket';
import { InProcessQueue } from './runs/in-process-queue';
import { openQueueMode } from './queue/queue-mode';
import { assertRedisReachable } from './queue/redis';
import type { RunQueue } from './runs/run-queue';
import { RunService, runtimeEnvFor } from './runs/run-service';
import { handleFileRoutes } from './files';
import { appRouter } from './routers/_app';
import { createContext } from './trpc';
import { checkRequest, originPolicyFromEnv } from './security/host-origin';
import { internalErrorMessage } from './security/public-error';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The app version reported by /api/health, so a deployment can be identified. */
const appVersion: string = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).version;

export interface ServerOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  /** Serve the Next.js UI (off in API tests). */
  next?: boolean;
  /** Next dev mode (hot reload) instead of the production build. */
  dev?: boolean;
  /** Queue mode: stages run on `npm run worker` hosts through BullMQ on this Redis (default env REDIS_URL). */
  redisUrl?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  database: OpenDatabase;
  auth: Auth;
  runService: RunService;
  /** The embedded queue, or the BullMQ queue in queue mode. */
  queue: RunQueue;
  close(): Promise<void>;
}

/** Server-to-server socket.io event (queue mode) naming a session or user whose sessions ended. */
const SESSION_REVOKED = 'tunegraph:session-revoked';

/** Most calls one batched tRPC request may carry. */
export const MAX_TRPC_BATCH = 32;

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Opens and migrates the database, seeds it on first start, and listens. */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const redisUrl = opts.redisUrl ?? (process.env.REDIS_URL || undefined);
  if (redisUrl) await assertRedisReachable(redisUrl); // fail fast, before the database and the UI build
  const dataDir = opts.dataDir ?? defaultDataDir();
  const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir });
  await seedDatabase(database.db);
  const env = runtimeEnvFor(dataDir, process.env.TUNEGRAPH_BUNDLED_MODELS_DIR || join(projectRoot, 'public', 'models'));
  const runService = new RunService(database.db, env);

  const policy = originPolicyFromEnv(opts.host ?? '127.0.0.1');
  const auth = createAuth({ db: database.db, dataDir, policy, signup: process.env.TUNEGRAPH_SIGNUP === 'invite' ? 'invite' : 'open', publicUrl: process.env.TUNEGRAPH_PUBLIC_URL || undefined });
  const authHandler = toNodeHandler(auth);
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    maxBodySize: 8 * 1024 * 1024,
    // A batch answers each call in full; 200 calls in one GET amplified one request into megabytes.
    maxBatchSize: MAX_TRPC_BATCH,
    // Queries carrying a graph document (runs.nodeState …) go as POST: a GET URL overflows at ~29 nodes (HTTP 431).
    allowMethodOverride: true,
    createContext: ({ req }) => createContext({ req, db: database.db, auth, runService }),
  });

  let nextHandler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null = null;
  let nextApp: { close?: () => Promise<void> } | null = null;
  if (opts.next !== false) {
    const { default: next } = await import('next');
    const app = next({ dev: !!opts.dev, dir: projectRoot, quiet: !opts.dev });
    await app.prepare();
    nextHandler = app.getRequestHandler();
    nextApp = app as unknown as { close?: () => Promise<void> };
  }

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    // Before any route (tRPC, files, auth, pages): Host and Origin decide whether to answer at all.
    const refusal = checkRequest(policy, req);
    if (refusal) return sendJson(res, refusal.status, { error: refusal.error });
    if (url.startsWith('/api/auth/')) return void authHandler(req, res);
    if (url.startsWith('/api/trpc/')) {
      // JSON only: tRPC also parses form and octet-stream bodies, which a foreign page can send without a preflight.
      if (req.method === 'POST' && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
        return sendJson(res, 415, { error: 'tRPC requests must be sent as application/json' });
      }
      return trpc(req, res);
    }
    if (url.startsWith('/api/files/')) {
      return void handleFileRoutes(req, res, { db: database.db, env, auth }).catch((err) => {
        const message = internalErrorMessage(err, `${req.method} ${url.split('?')[0]}`);
        if (!res.headersSent) sendJson(res, 500, { error: message });
        else res.destroy();
      });
    }
    if (url === '/api/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, database: database.kind, version: appVersion }));
      return;
    }
    // Pages need a session (the login page and share links excepted).
    void refuseWithoutSession(req, res, auth).then((refused) => {
      if (refused) return;
      if (nextHandler) return void nextHandler(req, res);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    });
  });
  const io = attachRealtime(server, { db: database.db, runService, auth, policy });
  let queue: RunQueue;
  let closeQueue: () => Promise<void>;
  if (redisUrl) {
    // Queue mode: the leading replica's reconcile loop picks up runs a restart interrupted.
    const mode = await openQueueMode(redisUrl, { db: database.db, runService, io }).catch(async (err) => {
      await database.close();
      throw err;
    });
    queue = mode.queue;
    closeQueue = mode.close;
    // A session ended on one replica must stop at once on every other: the revocation travels over
    // the socket.io Redis adapter to the other replicas' session caches.
    const sessions = sessionCacheOf(auth);
    if (sessions) {
      sessions.onRevoke((r) => io.serverSideEmit(SESSION_REVOKED, r));
      io.on(SESSION_REVOKED, (r: Revocation) => sessions.forget(r));
    }
    runService.attach(queue, io, { pushAfterStore: true });
  } else {
    const embedded = new InProcessQueue(runService.record);
    queue = embedded;
    closeQueue = () => embedded.close();
    runService.attach(queue, io);
    const recovered = await runService.recover();
    if (recovered.resumed.length + recovered.queued.length > 0) console.log(`recovered runs: ${recovered.resumed.length} resumed, ${recovered.queued.length} queued`);
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 3000, opts.host ?? '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    database,
    auth,
    runService,
    queue,
    async close() {
      // In queue mode socket.io closes first: its Redis adapter unsubscribes while the queue's connections are open.
      if (!redisUrl) await closeQueue();
      await new Promise<void>((ok) => io.close(() => ok()));
      await new Promise<void>((ok) => server.close(() => ok()));
      if (redisUrl) await closeQueue();
      await nextApp?.close?.();
      await database.close();
    },
  };
}
