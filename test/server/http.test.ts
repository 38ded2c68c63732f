import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { startServer, type RunningServer } from '../../server/http';
import { signUp, type TestSession } from '../helpers/session';

describe('server process', () => {
  let server: RunningServer;
  let owner: TestSession;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-http-'));
  beforeAll(async () => {
    server = await startServer({ port: 0, dataDir, next: false });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers health with the database kind', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(await res.json()).toEqual({ ok: true, database: 'pglite', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('serves tRPC over HTTP only with a session; the owner finds the example graphs seeded on first start', async () => {
    expect((await fetch(`${server.url}/api/trpc/graphs.list`)).status).toBe(401);
    const res = await fetch(`${server.url}/api/trpc/graphs.list`, { headers: { cookie: owner.cookie } });
    const body = await res.json();
    const names = body.result.data.json.map((g: { name: string }) => g.name);
    expect(names).toEqual(expect.arrayContaining(['Spam filter with domain adaptation', 'Three ways to adapt', 'Part-of-speech tagging (Brown)', 'Transfer vs scratch']));
  });

  it('returns a named error for a graph that does not exist', async () => {
    const res = await fetch(`${server.url}/api/trpc/graphs.get?input=${encodeURIComponent(JSON.stringify({ json: { graphId: 'g_missing' } }))}`, { headers: { cookie: owner.cookie } });
    expect(res.status).toBe(404);
    expect((await res.json()).error.json.message).toBe("no graph 'g_missing'");
  });

  it('refuses socket.io connections without a session', async () => {
    const socket = connect(server.url, { path: '/socket.io', transports: ['websocket'], reconnection: false });
    const error = await new Promise<Error>((ok) => socket.on('connect_error', ok));
    socket.close();
    expect(error.message).toBe('sign in first');
  });

  it('refuses socket.io joins for runs that do not exist or malformed ids', async () => {
    const socket = connect(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: owner.cookie } });
    const missing = await new Promise((ok) => socket.emit('join', { runId: 'r_abc123' }, ok));
    const refused = await new Promise((ok) => socket.emit('join', '../etc', ok));
    socket.close();
    expect(missing).toEqual({ ok: false, error: "no run 'r_abc123'" });
    expect(refused).toMatchObject({ ok: false });
  });
});
