// Single flight per cache key: one claimant computes, the others wait and reuse; a failed or dead
// holder never leaves waiters hanging.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StageFlights } from '../../../runtime/exec/single-flight';

const KEY = 'a'.repeat(64);
const who = (runId: string) => ({ runId, nodeId: 'dapt' });
const fast = { pollMs: 10, heartbeatMs: 20, staleMs: 200 };
const never = new AbortController().signal;

function fresh() {
  const root = mkdtempSync(join(tmpdir(), 'tunegraph-flight-'));
  return { root, flights: new StageFlights(root, fast) };
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('single flight per cache key', () => {
  it('the second claimant waits for the first and then reuses its artifact instead of computing', async () => {
    const { flights } = fresh();
    let artifact = false;
    const first = await flights.claim(KEY, who('r_1'), { signal: never, ready: () => artifact });
    expect(first.kind).toBe('claimed');
    const waitedFor: (string | undefined)[] = [];
    const second = flights.claim(KEY, who('r_2'), { signal: never, ready: () => artifact, onWait: (h) => waitedFor.push(h?.runId) });
    await new Promise((r) => setTimeout(r, 60));
    expect(waitedFor).toEqual(['r_1']);
    artifact = true;
    if (first.kind === 'claimed') first.release();
    expect((await second).kind).toBe('ready');
  });

  it('when the holder fails (releases without an artifact) a waiter claims the key and computes it', async () => {
    const { flights } = fresh();
    const first = await flights.claim(KEY, who('r_1'), { signal: never, ready: () => false });
    const second = flights.claim(KEY, who('r_2'), { signal: never, ready: () => false });
    await new Promise((r) => setTimeout(r, 40));
    if (first.kind === 'claimed') first.release();
    const outcome = await second;
    expect(outcome.kind).toBe('claimed');
    if (outcome.kind === 'claimed') outcome.release();
  });

  it('a claim whose process died on this host is taken over at once', async () => {
    const { root, flights } = fresh();
    const path = join(root, '.flights', KEY);
    mkdirSync(path);
    writeFileSync(join(path, 'holder.json'), JSON.stringify({ runId: 'r_dead', nodeId: 'dapt', host: os.hostname(), pid: deadPid(), since: new Date().toISOString() }));
    const outcome = await flights.claim(KEY, who('r_2'), { signal: never, ready: () => false });
    expect(outcome.kind).toBe('claimed');
  });

  it("another host's claim is waited for while its heartbeat is fresh and taken over once it is stale", async () => {
    const { root, flights } = fresh();
    const path = join(root, '.flights', KEY);
    mkdirSync(path);
    writeFileSync(join(path, 'holder.json'), JSON.stringify({ runId: 'r_far', nodeId: 'dapt', host: 'elsewhere.invalid', pid: 1, since: new Date().toISOString() }));
    let waited = false;
    const outcome = await flights.claim(KEY, who('r_2'), { signal: never, ready: () => false, onWait: () => (waited = true) });
    expect(waited).toBe(true);
    expect(outcome.kind).toBe('claimed');
    // A claim refreshed just now is not stale.
    if (outcome.kind === 'claimed') outcome.release();
    mkdirSync(path);
    writeFileSync(join(path, 'holder.json'), JSON.stringify({ runId: 'r_far', nodeId: 'dapt', host: 'elsewhere.invalid', pid: 1, since: new Date().toISOString() }));
    const now = new Date();
    utimesSync(path, now, now);
    const controller = new AbortController();
    const pending = flights.claim(KEY, who('r_3'), { signal: controller.signal, ready: () => false });
    await new Promise((r) => setTimeout(r, 80));
    controller.abort();
    expect((await pending).kind).toBe('cancelled');
  });

  it('a holder keeps its claim fresh while it works', async () => {
    const { root, flights } = fresh();
    const outcome = await flights.claim(KEY, who('r_1'), { signal: never, ready: () => false });
    const path = join(root, '.flights', KEY);
    const old = new Date(Date.now() - 10_000);
    utimesSync(path, old, old);
    await new Promise((r) => setTimeout(r, 60));
    const { mtimeMs } = statSync(path);
    expect(Date.now() - mtimeMs).toBeLessThan(1_000);
    if (outcome.kind === 'claimed') outcome.release();
  });
});
