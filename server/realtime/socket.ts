// socket.io on the web server: a browser joins a run's room (after a rights check) and gets the
// events it missed since the last seq it saw, then every new one live.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { eq } from 'drizzle-orm';
import { Server } from 'socket.io';
import type { NumberedRunEvent } from '../../runtime/exec/events';
import { getSessionUser } from '../auth/session';
import { roleIn } from '../auth/rights';
import type { Database } from '../db/client';
import { runs } from '../db/schema';
import type { RunService } from '../runs/run-service';

/** Room name of a run. */
export const runRoom = (runId: string) => `run:${runId}`;

type JoinReply = { ok: true; events: NumberedRunEvent[] } | { ok: false; error: string };

/** Attaches socket.io (path /socket.io) to the HTTP server. */
export function attachRealtime(http: HttpServer, deps: { db: Database; runService: RunService }): Server {
  const io = new Server(http, { path: '/socket.io', serveClient: false, maxHttpBufferSize: 1e6 });
  io.on('connection', (socket) => {
    socket.on('join', async (arg: unknown, ack?: (reply: JoinReply) => void) => {
      const { runId, afterSeq } = typeof arg === 'string' ? { runId: arg, afterSeq: 0 } : ((arg ?? {}) as { runId?: unknown; afterSeq?: unknown });
      if (typeof runId !== 'string' || !/^r_[A-Za-z0-9]{1,64}$/.test(runId)) return ack?.({ ok: false, error: 'join needs a run id like r_…' });
      const user = await getSessionUser(socket.request as IncomingMessage);
      const [run] = await deps.db.select({ workspaceId: runs.workspaceId }).from(runs).where(eq(runs.id, runId));
      if (!user || !run || !(await roleIn(deps.db, user.id, run.workspaceId))) return ack?.({ ok: false, error: `no run '${runId}'` });
      // Join first, then read the backlog: an event in between arrives twice, and clients drop seqs they have.
      await socket.join(runRoom(runId));
      ack?.({ ok: true, events: await deps.runService.eventsAfter(runId, typeof afterSeq === 'number' ? afterSeq : 0) });
    });
    socket.on('leave', (runId: unknown) => typeof runId === 'string' && void socket.leave(runRoom(runId)));
  });
  return io;
}
