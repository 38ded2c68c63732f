// Switches a server into queue mode: the BullMQ run queue, and the socket.io Redis adapter so an
// event the leader pushes reaches browsers connected to any replica.
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server as SocketServer } from 'socket.io';
import type { Database } from '../db/client';
import type { RunService } from '../runs/run-service';
import { BullmqRunQueue } from './bullmq-queue';
import { connectRedis } from './redis';

/** Opens the queue and the adapter; throws RedisUnavailableError (one line) when Redis is not there. */
export async function openQueueMode(redisUrl: string, deps: { db: Database; runService: RunService; io: SocketServer }): Promise<{ queue: BullmqRunQueue; close(): Promise<void> }> {
  const pub = await connectRedis(redisUrl, 'tunegraph-socket-pub');
  const sub = pub.duplicate();
  deps.io.adapter(createAdapter(pub, sub));
  const queue = await BullmqRunQueue.open(redisUrl, deps.db, deps.runService.record, () => deps.runService.resetSequences());
  return {
    queue,
    async close() {
      await queue.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
