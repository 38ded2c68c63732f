// A private PostgreSQL database for one bench part, created beside TEST_DATABASE_URL (or DATABASE_URL) and dropped after.
import postgres from 'postgres';

export async function privatePostgres(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (!base) throw new Error('--db=postgres needs TEST_DATABASE_URL or DATABASE_URL (postgres://user:pass@host:port/db)');
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
