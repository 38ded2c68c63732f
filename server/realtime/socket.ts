// socket.io on the web server: a browser joins a run's room (after a rights check) and gets the
// events it missed since the last seq it saw, a page at a time, then every new one live.
// Joins are bounded per socket and per run, so no client can turn one connection into megabytes
// of replay or thousands of database reads.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { NumberedRunEvent } from '../../runtime/exec/events';
import type { Auth } from '../auth/auth';
import { getSessionUser } from '../auth/session';
import { runWithRole } from '../auth/rights';
import type { Database } from '../db/client';
import type { RunService } from '../runs/run-service';
import { checkRequest, type OriginPolicy } from '../security/host-origin';
import { internalErrorMessage } from '../security/public-error';

/** Room name of a run. */
export const runRoom = (runId: string) => `run:${runId}`;

/** Events in one join reply; a client with more to catch up joins again from the last seq it got. */
export const REPLAY_PAGE_EVENTS = 500;
/** Runs one socket may watch at once. */
export const MAX_ROOMS_PER_SOCKET = 16;
/** Sockets that may watch one run. */
export const MAX_WATCHERS_PER_RUN = 256;
/** Join requests per socket: a burst of this many, then one per JOIN_REFILL_MS. */
export const JOIN_BURST = 30;
const JOIN_REFILL_MS = 1000;
/** Largest seq a client may name (the column is a 32-bit integer). */
const MAX_SEQ = 2_147_483_647;

type JoinReply = { ok: true; events: NumberedRunEvent[]; more: boolean } | { ok: false; error: string };

/** Attaches socket.io (path /socket.io) to the HTTP server. */
export function attachRealtime(http: HttpServer, deps: { db: Database; runService: RunService; auth: Auth; policy?: OriginPolicy }): Server {
  const io = new Server(http, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 1e5,
    // The handshake is where a foreign page would attach; the same Host/Origin policy as HTTP.
    allowRequest: (req, callback) => {
      const refusal = deps.policy ? checkRequest(deps.policy, req, { stateChanging: true }) : null;
      callback(refusal ? refusal.error : null, !refusal);
    },
  });
  // No session, no socket: the handshake carries the session cookie.
  io.use((socket, next) => {
    getSessionUser(socket.request as IncomingMessage, deps.auth).then(
      (user) => (user ? next() : next(new Error('sign in first'))),
      () => next(new Error('sign in first')),
    );
  });
  io.on('connection', (socket) => {
    const joins = { tokens: JOIN_BURST, at: Date.now() };
    // One join at a time per socket: replays are read and sent in order, never hundreds in parallel.
    let queue: Promise<void> = Promise.resolve();
    socket.on('join', (arg: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: JoinReply) => void) : () => {};
      if (!takeToken(joins)) return reply({ ok: false, error: `too many joins; at most ${JOIN_BURST} at once, then one per second` });
      queue = queue.then(() =>
        join(io, socket, deps, arg).then(reply, (err) => reply({ ok: false, error: internalErrorMessage(err, 'socket.io join') })),
      );
    });
    socket.on('leave', (runId: unknown) => typeof runId === 'string' && void socket.leave(runRoom(runId)));
  });
  return io;
}

async function join(io: Server, socket: Socket, deps: { db: Database; runService: RunService; auth: Auth }, arg: unknown): Promise<JoinReply> {
  const { runId, afterSeq = 0 } = typeof arg === 'string' ? { runId: arg } : ((arg ?? {}) as { runId?: unknown; afterSeq?: unknown });
  if (typeof runId !== 'string' || !/^r_[A-Za-z0-9]{1,64}$/.test(runId)) return { ok: false, error: 'join needs a run id like r_…' };
  if (typeof afterSeq !== 'number' || !Number.isInteger(afterSeq) || afterSeq < 0 || afterSeq > MAX_SEQ) {
    return { ok: false, error: `afterSeq must be an integer from 0 to ${MAX_SEQ}` };
  }
  const room = runRoom(runId);
  const already = socket.rooms.has(room);
  if (!already && socket.rooms.size - 1 >= MAX_ROOMS_PER_SOCKET) return { ok: false, error: `a connection may watch at most ${MAX_ROOMS_PER_SOCKET} runs; leave one first` };
  if (!already && (io.sockets.adapter.rooms.get(room)?.size ?? 0) >= MAX_WATCHERS_PER_RUN) return { ok: false, error: `run '${runId}' already has ${MAX_WATCHERS_PER_RUN} watchers` };
  // Checked again at each join: a session signed out since the handshake stops here.
  const user = await getSessionUser(socket.request as IncomingMessage, deps.auth);
  if (!user || !(await runWithRole(deps.db, user.id, runId))) return { ok: false, error: `no run '${runId}'` };
  // Join first, then read the backlog: an event in between arrives twice, and clients drop seqs they have.
  await socket.join(room);
  const events = await deps.runService.eventsAfter(runId, afterSeq, REPLAY_PAGE_EVENTS + 1);
  const more = events.length > REPLAY_PAGE_EVENTS;
  return { ok: true, events: more ? events.slice(0, REPLAY_PAGE_EVENTS) : events, more };
}

function takeToken(bucket: { tokens: number; at: number }): boolean {
  const now = Date.now();
  bucket.tokens = Math.min(JOIN_BURST, bucket.tokens + (now - bucket.at) / JOIN_REFILL_MS);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
