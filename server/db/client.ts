// Opens the database: embedded PGlite under the data directory by default, PostgreSQL when a URL is given.
// Both get the same schema and the same migrations, applied before anything else runs.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { PGlite } from '@electric-sql/pglite';
import { PGliteThread } from './pglite-thread';
import * as schema from './schema';

/** The Drizzle handle every router and service uses, whichever engine is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface OpenDatabase {
  db: Database;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Opens and migrates. `dataDir: null` gives an in-memory PGlite (tests). */
export async function openDatabase(opts: { databaseUrl?: string; dataDir?: string | null } = {}): Promise<OpenDatabase> {
  if (opts.databaseUrl) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const sql = postgres(opts.databaseUrl, { max: 10, onnotice: () => {} });
    const db = drizzle(sql, { schema });
    await migrate(db, { migrationsFolder });
    return { db: db as unknown as Database, kind: 'postgres', close: () => sql.end() };
  }
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  let dir: string | null = null;
  if (opts.dataDir !== null) {
    dir = resolve(opts.dataDir ?? defaultDataDir(), 'db');
    mkdirSync(dir, { recursive: true });
  }
  // PGlite on its own thread (pglite-thread.ts says why); TUNEGRAPH_PGLITE_THREAD=0 keeps it on the main thread.
  let client: { close(): Promise<void> };
  if (process.env.TUNEGRAPH_PGLITE_THREAD === '0') {
    const { PGlite } = await import('@electric-sql/pglite');
    client = dir === null ? new PGlite() : new PGlite(dir);
  } else {
    const thread = new PGliteThread(dir);
    await thread.ready;
    client = thread;
  }
  const db = drizzle({ client: client as unknown as PGlite, schema });
  await migrate(db, { migrationsFolder });
  return { db: db as unknown as Database, kind: 'pglite', close: () => client.close() };
}

/** `TUNEGRAPH_DATA_DIR` or `./data`. */
export function defaultDataDir(): string {
  return resolve(process.env.TUNEGRAPH_DATA_DIR || './data');
}
