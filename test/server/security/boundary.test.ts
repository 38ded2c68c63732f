// Issue 13 probes at the HTTP boundary, replayed against a real server on loopback: Host/Origin
// policy (DNS rebinding, cross-origin posts, socket.io handshakes), the text sanitiser (NUL, lone
// surrogates), nesting and BigInt, batch size, and errors that never echo SQL or documents.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import superjson from 'superjson';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/http';
import { signUp, type TestSession } from '../../helpers/session';

/** A raw HTTP request (fetch refuses to set Host and Origin). */
function raw(url: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    req.end(opts.body);
  });
}

const json = (value: unknown) => JSON.stringify(superjson.serialize(value));

describe('the HTTP boundary under hostile input', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-boundary-'));
  let host: string;
  let owner: TestSession;
  const listNames = async () => {
    const res = await fetch(`${server.url}/api/trpc/graphs.list`, { headers: { cookie: owner.cookie } });
    return ((await res.json()).result.data.json as { name: string }[]).map((g) => g.name);
  };
  const create = (input: unknown, headers: Record<string, string> = {}) =>
    raw(server.url, { method: 'POST', path: '/api/trpc/graphs.create', headers: { host, cookie: owner.cookie, 'content-type': 'application/json', ...headers }, body: json(input) });

  beforeAll(async () => {
    server = await startServer({ port: 0, dataDir, next: false });
    host = new URL(server.url).host;
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a request whose Host is a rebinding name, before any handler runs', async () => {
    const res = await create({ name: 'rebound' }, { host: 'rebind.evil.example' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error).toContain('host "rebind.evil.example" is not allowed');
    const health = await raw(server.url, { path: '/api/health', headers: { host: `rebind.evil.example:${server.port}` } });
    expect(health.status).toBe(403);
    expect(await listNames()).not.toContain('rebound');
  });

  it('accepts loopback names and the same origin; refuses a foreign or null Origin', async () => {
    expect((await create({ name: 'same origin' }, { origin: server.url })).status).toBe(200);
    expect((await create({ name: 'by localhost' }, { host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` })).status).toBe(200);
    const foreign = await create({ name: 'cross origin' }, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error).toContain('origin "http://evil.example" is not allowed');
    expect((await create({ name: 'null origin' }, { origin: 'null' })).status).toBe(403);
    // Same host name, other port: another origin.
    expect((await create({ name: 'other port' }, { origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await create({ name: 'cross site' }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const names = await listNames();
    expect(names).toEqual(expect.arrayContaining(['same origin', 'by localhost']));
    expect(names).not.toEqual(expect.arrayContaining(['cross origin']));
  });

  it('refuses a cross-origin text/plain upload and tRPC bodies that are not JSON', async () => {
    const upload = await raw(server.url, { method: 'POST', path: '/api/files/uploads?filename=x.csv', headers: { host, origin: 'http://evil.example', 'content-type': 'text/plain' }, body: 'text,label\na,b\n' });
    expect(upload.status).toBe(403);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await raw(server.url, { method: 'POST', path: '/api/trpc/graphs.create', headers: { host, cookie: owner.cookie, 'content-type': type }, body: json({ name: 'form' }) });
      expect(res.status).toBe(415);
    }
  });

  it('refuses socket.io handshakes from a foreign Origin and accepts its own', async () => {
    const attempt = (origin: string) =>
      new Promise<string>((ok) => {
        const socket = connect(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { origin, cookie: owner.cookie }, reconnection: false });
        socket.on('connect', () => (socket.close(), ok('connected')));
        socket.on('connect_error', () => (socket.close(), ok('refused')));
      });
    expect(await attempt('http://evil.example')).toBe('refused');
    expect(await attempt(server.url)).toBe('connected');
  });

  it('answers NUL and lone surrogates with a 400 naming the field, and stores nothing', async () => {
    const nul = await create({ name: 'n\u0000' });
    expect(nul.status).toBe(400);
    expect(JSON.parse(nul.body).error.json.message).toBe('name: contains a NUL character');
    const lone = await create({ name: 'bad \ud800 name' });
    expect(lone.status).toBe(400);
    expect(JSON.parse(lone.body).error.json.message).toMatch(/^name: contains an unpaired UTF-16 surrogate/);
    const doc = { schemaVersion: 1, nodes: [{ id: 'a', type: 'split', typeVersion: 1, params: { note: 'x\u0000y' }, position: { x: 0, y: 0 } }], edges: [] };
    const inDoc = await create({ name: 'doc with nul', document: doc });
    expect(inDoc.status).toBe(400);
    const message: string = JSON.parse(inDoc.body).error.json.message;
    expect(message).toBe('document.nodes.0.params.note: contains a NUL character');
    expect(await listNames()).not.toEqual(expect.arrayContaining(['doc with nul']));
  });

  it('answers deeply nested JSON and BigInt with clean 400s', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const res = await raw(server.url, { method: 'POST', path: '/api/trpc/graphs.create', headers: { host, cookie: owner.cookie, 'content-type': 'application/json' }, body: `{"json":{"name":"deep","document":${deep}}}` });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.json.message).toMatch(/nested more than \d+ levels deep/);
    const big = await create({ name: 'big', document: { schemaVersion: 1, nodes: [], edges: [], extra: 10n } });
    expect(big.status).toBe(400);
    expect(JSON.parse(big.body).error.json.message).toBe('document.extra: BigInt values are not accepted; send a number');
    const invalidJson = await raw(server.url, { method: 'POST', path: '/api/trpc/graphs.create', headers: { host, cookie: owner.cookie, 'content-type': 'application/json' }, body: '{"json":{"name":"secret-body-text' });
    expect(invalidJson.status).toBe(400);
    expect(invalidJson.body).not.toContain('secret-body-text');
  });

  it('limits batch size: 200 batched graphs.list calls are one 400, not megabytes', async () => {
    const paths = Array.from({ length: 200 }, () => 'graphs.list').join(',');
    const res = await raw(server.url, { path: `/api/trpc/${paths}?batch=1&input=${encodeURIComponent('{}')}`, headers: { host, cookie: owner.cookie } });
    expect(res.status).toBe(400);
    expect(res.body.length).toBeLessThan(100_000);
    const ok = await raw(server.url, { path: `/api/trpc/graphs.list,graphs.list?batch=1&input=${encodeURIComponent('{}')}`, headers: { host, cookie: owner.cookie } });
    expect(ok.status).toBe(200);
  });

  it('answers absurd afterSeq values on socket.io join at once', async () => {
    const socket = connect(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: owner.cookie } });
    const replies = [];
    for (const afterSeq of [1e308, -1, 1.5, Number.MAX_SAFE_INTEGER, 'x']) replies.push(await new Promise((ok) => socket.emit('join', { runId: 'r_abc123', afterSeq }, ok)));
    socket.close();
    for (const r of replies) expect(r).toEqual({ ok: false, error: 'afterSeq must be an integer from 0 to 2147483647' });
  });
});
