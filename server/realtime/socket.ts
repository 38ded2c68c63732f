// socket.io on the web server: clients join a run's room and receive its events there.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';

/** Room name of a run. */
export const runRoom = (runId: string) => `run:${runId}`;

/** Attaches socket.io (path /socket.io) to the HTTP server. */
export function attachRealtime(http: HttpServer): Server {
  const io = new Server(http, { path: '/socket.io', serveClient: false, maxHttpBufferSize: 1e6 });
  io.on('connection', (socket) => {
    socket.on('join', (runId: unknown, ack?: (reply: { ok: boolean; error?: string }) => void) => {
      if (typeof runId !== 'string' || !/^r_[A-Za-z0-9]{1,64}$/.test(runId)) return ack?.({ ok: false, error: 'join needs a run id like r_…' });
      void socket.join(runRoom(runId));
      ack?.({ ok: true });
    });
    socket.on('leave', (runId: unknown) => typeof runId === 'string' && void socket.leave(runRoom(runId)));
  });
  return io;
}
