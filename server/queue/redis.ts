// Redis connections for queue mode, and the one clear error when Redis is not there.
import { Redis } from 'ioredis';

/** Redis could not be reached; the message is one line saying where and what to do. */
export class RedisUnavailableError extends Error {
  constructor(url: string, cause: string) {
    super(`Redis at ${redactUrl(url)} is unreachable (${cause}); start redis-server there, or unset REDIS_URL to run stages in this process`);
    this.name = 'RedisUnavailableError';
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'REDIS_URL (not a valid URL)';
  }
}

/**
 * Opens a connection and checks it answers within `timeoutMs`. Afterwards it reconnects on its own
 * (BullMQ needs `maxRetriesPerRequest: null`: a blocking call must wait out a Redis restart).
 */
export async function connectRedis(url: string, name: string, timeoutMs = 3000): Promise<Redis> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUnavailableError(url, 'not a redis:// URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new RedisUnavailableError(url, 'not a redis:// URL');
  let lastError = 'no answer';
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, connectionName: name, retryStrategy: (times) => Math.min(times * 200, 2000) });
  const onError = (err: Error & { code?: string }) => {
    lastError = err.code ?? err.message;
  };
  client.on('error', onError);
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, fail) => setTimeout(() => fail(new Error('timeout')), timeoutMs).unref()),
    ]);
  } catch (err) {
    client.disconnect();
    throw new RedisUnavailableError(url, lastError !== 'no answer' ? lastError : (err as Error).message);
  }
  return client;
}

/** Throws RedisUnavailableError unless Redis answers at `url`. */
export async function assertRedisReachable(url: string): Promise<void> {
  (await connectRedis(url, 'tunegraph-check')).disconnect();
}
