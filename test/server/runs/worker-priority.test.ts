// The embedded queue's run worker trains at a lower priority than the web server (10 steps of
// niceness below it by default, TUNEGRAPH_WORKER_NICE), on every thread, so pages, the API and live
// events stay quick.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../runtime/exec/events';
import { InProcessQueue } from '../../../server/runs/in-process-queue';
import { workerNiceness } from '../../../server/runs/worker-priority';
import { testRuntimeEnv } from '../../helpers/run-env';

/** Niceness of each thread of a process (Linux /proc). */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
}

describe.skipIf(process.platform !== 'linux')('run worker priority', () => {
  let queue: InProcessQueue | null = null;
  afterEach(async () => {
    await queue?.close();
    delete process.env.TUNEGRAPH_WORKER_NICE;
  });

  it('reads TUNEGRAPH_WORKER_NICE, bounded to 0–19', () => {
    expect(workerNiceness()).toBe(10);
    process.env.TUNEGRAPH_WORKER_NICE = '0';
    expect(workerNiceness()).toBe(0);
    process.env.TUNEGRAPH_WORKER_NICE = '40';
    expect(workerNiceness()).toBe(19);
    process.env.TUNEGRAPH_WORKER_NICE = 'high';
    expect(workerNiceness()).toBe(10);
  });

  it('every thread of the worker runs 10 steps nicer than the server once it reports', async () => {
    let firstEvent: () => void = () => {};
    const reported = new Promise<void>((ok) => (firstEvent = ok));
    queue = new InProcessQueue(async (_runId: string, _event: RunEvent) => {
      firstEvent();
      return null;
    });
    queue.enqueue({ runId: 'r_priority', document: { schemaVersion: 1, nodes: [], edges: [] }, order: [], keys: {}, env: testRuntimeEnv() });
    const worker = queue.activeWorker()!;
    const pid = worker.pid!;
    await reported;
    const own = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[16]);
    const nice = threadNiceness(pid);
    expect(nice.length).toBeGreaterThan(1);
    expect(nice).toEqual(nice.map(() => Math.min(19, own + 10)));
  });
});
