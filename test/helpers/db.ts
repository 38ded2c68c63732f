// Databases for tests: a fresh in-memory PGlite, and (when TEST_DATABASE_URL is set) a wiped real PostgreSQL.
import postgres from 'postgres';
import { openDatabase, type OpenDatabase } from '../../server/db/client';
import { seedDatabase } from '../../server/db/seed';

export type DbKind = 'pglite' | 'postgres';

/** The engines this run can test against. */
export const dbKinds: DbKind[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** A migrated, seeded (user + workspace, no examples) database of the given kind. */
export async function openTestDatabase(kind: DbKind, opts: { examples?: boolean } = {}): Promise<OpenDatabase> {
  let database: OpenDatabase;
  if (kind === 'postgres') {
    const url = process.env.TEST_DATABASE_URL!;
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql.unsafe('DROP SCHEMA IF EXISTS public CASCADE; DROP SCHEMA IF EXISTS drizzle CASCADE; CREATE SCHEMA public;');
    await sql.end();
    database = await openDatabase({ databaseUrl: url });
  } else {
    database = await openDatabase({ dataDir: null });
  }
  await seedDatabase(database.db, { examples: opts.examples ?? false });
  return database;
}
