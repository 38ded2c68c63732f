// Two server replicas in queue mode (one PostgreSQL, one Redis): a cookie both have answered from
// their session caches stops on both the moment it is signed out on one of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCacheOf, sessionCookieValue } from '../../../server/auth/session';
import { startServer, type RunningServer } from '../../../server/http';
import { privatePostgres } from '../../bench/private-postgres';
import { startTestRedis, type TestRedis } from '../../helpers/redis';
import { signIn, signOut, signUp } from '../../helpers/session';

describe.skipIf(!process.env.TEST_DATABASE_URL)('session caches across replicas (postgres + redis)', () => {
  let redis: TestRedis;
  let pg: Awaited<ReturnType<typeof privatePostgres>>;
  const replicas: RunningServer[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-replicas-'));

  beforeAll(async () => {
    redis = await startTestRedis();
    pg = await privatePostgres(`tunegraph_replicas_${process.pid}`);
    for (let i = 0; i < 2; i++) replicas.push(await startServer({ port: 0, dataDir, next: false, redisUrl: redis.url, databaseUrl: pg.url }));
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await redis?.stop();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signing out on one replica stops the cookie on the other at once', async () => {
    const [a, b] = replicas;
    await signUp(a, { name: 'Olive Owner', email: 'olive@example.org' });
    const session = await signIn(a, 'olive@example.org');
    const list = (r: RunningServer) => fetch(`${r.url}/api/trpc/graphs.list`, { headers: { cookie: session.cookie } }).then((res) => res.status);
    expect([await list(a), await list(b)]).toEqual([200, 200]);
    expect(sessionCacheOf(b.auth)!.get(sessionCookieValue(session.cookie)!)).not.toBeNull();
    expect((await signOut(a, session)).status).toBe(200);
    // The broadcast is asynchronous (Redis pub/sub); it lands within milliseconds, long before the cache's TTL.
    for (let i = 0; i < 50 && sessionCacheOf(b.auth)!.get(sessionCookieValue(session.cookie)!); i++) await new Promise((r) => setTimeout(r, 20));
    expect([await list(a), await list(b)]).toEqual([401, 401]);
  });
});
