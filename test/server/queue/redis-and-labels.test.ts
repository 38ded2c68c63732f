// Queue mode's small parts: the one-line error when Redis is not there (server and worker exit with
// it), label routing to queues, and job ids BullMQ accepts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { queuesForLabels, stageJobId, stageQueueName } from '../../../server/queue/protocol';
import { connectRedis, RedisUnavailableError } from '../../../server/queue/redis';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

describe('Redis unreachable', () => {
  it('connecting gives one line naming the address and what to do', async () => {
    const port = await closedPort();
    const err = await connectRedis(`redis://:secret@127.0.0.1:${port}`, 'test').catch((e) => e);
    expect(err).toBeInstanceOf(RedisUnavailableError);
    expect(err.message).toMatch(new RegExp(`^Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} is unreachable \\(ECONNREFUSED\\); start redis-server there, or unset REDIS_URL`));
    expect(err.message).not.toContain('secret');
    expect(err.message).not.toContain('\n');
  });

  it('a URL that is not redis:// is named as such', async () => {
    await expect(connectRedis('http://localhost:6379', 'test')).rejects.toThrow(/is unreachable \(not a redis:\/\/ URL\)/);
  });

  it('the server and a worker exit with that line, not a stack trace', async () => {
    const port = await closedPort();
    const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-noredis-'));
    try {
      for (const script of ['server/main.ts', 'scripts/worker.ts']) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${port}`, TUNEGRAPH_DATA_DIR: dataDir, PORT: '0' }, encoding: 'utf8', timeout: 60_000 });
        expect(r.status, script).toBe(1);
        expect(r.stderr.trim().split('\n'), script).toEqual([`Redis at redis://127.0.0.1:${port} is unreachable (ECONNREFUSED); start redis-server there, or unset REDIS_URL to run stages in this process`]);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('labels and queues', () => {
  it('a stage that needs labels goes to the queue of exactly that label set', () => {
    expect(stageQueueName([])).toBe('tunegraph-stages');
    expect(stageQueueName(['gpu'])).toBe('tunegraph-stages-gpu');
    expect(stageQueueName(['gpu', 'bigmem', 'gpu'])).toBe('tunegraph-stages-bigmem+gpu');
  });

  it('a worker serves every subset of its labels, so a GPU worker also takes plain stages', () => {
    expect(queuesForLabels([])).toEqual(['tunegraph-stages']);
    expect(new Set(queuesForLabels(['gpu', 'bigmem']))).toEqual(new Set(['tunegraph-stages', 'tunegraph-stages-gpu', 'tunegraph-stages-bigmem', 'tunegraph-stages-bigmem+gpu']));
  });

  it('job ids never contain the colon BullMQ refuses, and differ per node', () => {
    expect(stageJobId('r_1', 'a:b')).not.toContain(':');
    expect(stageJobId('r_1', 'a.b')).not.toBe(stageJobId('r_1', 'a_b'));
    expect(stageJobId('r_1', 'x')).not.toBe(stageJobId('r_2', 'x'));
  });
});
