// Issue 13 upload probes: binary, Latin-1 and UTF-16 files refused with the file and byte named, a
// full disk answered with 507 and no partial file, the per-workspace quota, and deletion.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleFileRoutes } from '../../../server/files';
import { startServer, type RunningServer } from '../../../server/http';
import { appRouter } from '../../../server/routers/_app';
import { createContextInner } from '../../../server/trpc';
import { signUp, type TestSession } from '../../helpers/session';

describe('hostile uploads', () => {
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-hostile-uploads-'));
  const uploadsDir = join(dataDir, 'uploads');
  let owner: TestSession;
  const api = async () => appRouter.createCaller(await createContextInner({ db: server.database.db, user: owner.user, runService: server.runService }));
  const upload = (filename: string, body: Buffer | string, base = server.url) =>
    fetch(`${base}/api/files/uploads?filename=${encodeURIComponent(filename)}`, { method: 'POST', headers: { cookie: owner.cookie }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const leftovers = () => readdirSync(uploadsDir).filter((f) => f.includes('.part-'));
  const rejections: unknown[] = [];
  const onRejection = (r: unknown) => rejections.push(r);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    server = await startServer({ port: 0, dataDir, next: false });
    owner = await signUp(server, { name: 'Olive Owner', email: 'olive@example.org' });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    delete process.env.TUNEGRAPH_UPLOAD_QUOTA_MB;
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a binary file, naming the file and the byte', async () => {
    const res = await upload('model.csv', Buffer.from([0x74, 0x65, 0x78, 0x74, 0x00, 0x01, 0x02]));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('model.csv: byte 4 is a NUL byte; this looks like a binary file, not CSV, JSONL or text');
  });

  it('refuses Latin-1 with the byte offset and what to do', async () => {
    const res = await upload('reviews.csv', Buffer.concat([Buffer.from('text,label\ncaf'), Buffer.from([0xe9]), Buffer.from(' au lait,ham\n')]));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('reviews.csv: byte 14 (0xe9) is not valid UTF-8; the file looks like Latin-1 or Windows-1252. Save it as UTF-8 and upload it again');
  });

  it('names UTF-16 files instead of losing the message', async () => {
    const res = await upload('notes.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello\n', 'utf16le')]));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('notes.txt is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8 and upload it again');
  });

  it('refuses a filename with a NUL character, naming the field', async () => {
    const res = await upload('a\u0000.csv', 'text,label\na,b\n');
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('filename: contains a NUL character');
  });

  it('answers a full disk with 507, keeps no partial file and raises no unhandled rejection', async () => {
    // The same route, with the temporary file opened on /dev/full (every write fails with ENOSPC).
    const http = createServer((req, res) =>
      void handleFileRoutes(req, res, { db: server.database.db, env: server.runService.env, auth: server.auth, openFile: () => open('/dev/full', 'w') }),
    );
    await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const before = (await (await api()).uploads.list()).length;
    const res = await upload('full.csv', 'text,label\n' + 'a,b\n'.repeat(50_000), base);
    await new Promise<void>((ok) => http.close(() => ok()));
    expect(res.status).toBe(507);
    expect((await res.json()).error).toBe("full.csv: the server's disk is full; nothing was stored");
    expect(leftovers()).toEqual([]);
    expect((await (await api()).uploads.list())).toHaveLength(before);
    expect(rejections).toEqual([]);
  });

  it('keeps each workspace within its quota, and deleting an upload makes room', async () => {
    for (const f of (await (await api()).uploads.list())) await (await api()).uploads.delete({ id: f.id });
    process.env.TUNEGRAPH_UPLOAD_QUOTA_MB = '1';
    const part = 'text,label\n' + 'some words here,ham\n'.repeat(30_000); // ~600 KB
    const first = await upload('first.csv', part);
    expect(first.status).toBe(201);
    const { id } = await first.json();
    const second = await upload('second.csv', part);
    expect(second.status).toBe(413);
    expect((await second.json()).error).toMatch(/^second\.csv \(0\.6 MB\) does not fit in this workspace's upload quota of 1 MB \(0\.6 MB used\); delete uploads to make room$/);
    expect(leftovers()).toEqual([]);
    await (await api()).uploads.delete({ id });
    expect(readdirSync(uploadsDir).filter((f) => f.startsWith(id))).toEqual([]);
    expect((await upload('second.csv', part)).status).toBe(201);
    await expect((await api()).uploads.delete({ id })).rejects.toThrow(`no upload '${id}'`);
    delete process.env.TUNEGRAPH_UPLOAD_QUOTA_MB;
  });
});
