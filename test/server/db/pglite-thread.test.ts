// The embedded database on its own thread: results as Drizzle's PGlite driver expects them (rows as
// objects or arrays, timestamps as text), PostgreSQL's error fields, transactions that commit,
// roll back and hold others off until they end, and a main thread that keeps running meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGliteThread } from '../../../server/db/pglite-thread';

describe('PGliteThread', () => {
  let db: PGliteThread;
  beforeAll(async () => {
    db = new PGliteThread(null);
    await db.ready;
    await db.exec("create table t (id int primary key, at timestamptz default '2026-01-02T03:04:05Z', doc jsonb)");
  });
  afterAll(() => db.close());

  it('answers queries in object and array row modes, with timestamps left as text and jsonb parsed', async () => {
    await db.query('insert into t (id, doc) values ($1, $2)', [1, JSON.stringify({ a: [1, 2] })]);
    const objects = await db.query('select id, at, doc from t where id = $1', [1]);
    expect(objects.rows).toEqual([{ id: 1, at: '2026-01-02 03:04:05+00', doc: { a: [1, 2] } }]);
    expect(objects.fields.map((f) => f.name)).toEqual(['id', 'at', 'doc']);
    const arrays = await db.query('select id, doc from t where id = $1', [1], { rowMode: 'array' });
    expect(arrays.rows).toEqual([[1, { a: [1, 2] }]]);
  });

  it('passes PostgreSQL errors on with their code and message', async () => {
    const err = await db.query('insert into t (id) values (1)').catch((e: unknown) => e as Error & { code?: string; constraint?: string });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: '23505', constraint: 't_pkey' });
    expect((err as Error).message).toMatch(/duplicate key/);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query('insert into t (id) values (10)');
      await tx.query('insert into t (id) values (11)');
      return 'kept';
    });
    expect(result).toBe('kept');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into t (id) values (12)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await expect(db.transaction((tx) => tx.query('insert into t (id) values (10)'))).rejects.toMatchObject({ code: '23505' });
    const ids = (await db.query('select id from t where id >= 10 order by id')).rows.map((r) => (r as { id: number }).id);
    expect(ids).toEqual([10, 11]);
  });

  it('holds other queries until a transaction ends, so they never see half of it', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((ok) => (release = ok));
    const inTx = db.transaction(async (tx) => {
      await tx.query('insert into t (id) values (20)');
      await gate;
      await tx.query('insert into t (id) values (21)');
    });
    await new Promise((r) => setTimeout(r, 20));
    const outside = db.query('select count(*)::int as n from t where id in (20, 21)');
    release();
    await inTx;
    expect((await outside).rows).toEqual([{ n: 2 }]);
  });

  it('keeps the main thread running while a long query works', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const res = await db.query('select count(*)::int as n from generate_series(1, 3000000) g where g % 7 = 0');
    clearInterval(timer);
    expect(res.rows).toEqual([{ n: 428571 }]);
    // In the main thread's own PGlite the query would run in one synchronous WebAssembly call: no tick at all.
    expect(ticks).toBeGreaterThan(2);
  });
});
