// Entry point of the Tunegraph server process (`npm start` builds first; `npm run dev` hot-reloads).
import { startServer } from './http';
import { RedisUnavailableError } from './queue/redis';

const dev = process.argv.includes('--dev');
const server = await startServer({
  port: Number(process.env.PORT || 3000),
  host: process.env.HOST || '127.0.0.1',
  dataDir: process.env.TUNEGRAPH_DATA_DIR || undefined,
  databaseUrl: process.env.DATABASE_URL || undefined,
  dev,
}).catch((err) => {
  // Queue mode without its Redis: one clear line, not a stack trace.
  if (err instanceof RedisUnavailableError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
});
console.log(`Tunegraph is running at ${server.url} (database: ${server.database.kind}${dev ? ', dev mode' : ''})`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) process.exit(1);
    closing = true;
    server.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
