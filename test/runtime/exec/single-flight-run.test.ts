// Two runs that start together and share their upstream stages (a sweep's grid points): each shared
// stage executes once, the other run waits and reuses it; a holder that fails lets the waiter compute.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend';
import { cacheKeysFor } from '../../../runtime/compile/cache-key';
import { planRun } from '../../../runtime/compile/plan';
import { validateGraph } from '../../../runtime/compile/validate';
import type { RunEvent } from '../../../runtime/exec/events';
import { executeRun } from '../../../runtime/exec/execute-run';
import { stages } from '../../../runtime/stages';
import type { Stage } from '../../../runtime/stages/define-stage';
import { StageError } from '../../../runtime/stages/stage-error';
import { stageVersions } from '../../../runtime/stages/versions';
import type { GraphDocument } from '../../../graph-nodes';
import { testRuntimeEnv } from '../../helpers/run-env';
import { tinyDaptGraph } from '../../helpers/tiny-dapt-graph';

/** The real stages, with DAPT's executions counted (and the first one made to fail when asked). */
function countingStages(opts: { failFirstDapt?: boolean; holdFirstDaptMs?: number } = {}) {
  const counter = { dapt: 0 };
  const real = stages.dapt as unknown as Stage;
  const dapt: Stage = {
    ...real,
    run: async (ctx) => {
      counter.dapt++;
      // The tiny DAPT takes a few ms: without a hold the second run can arrive after it finished and
      // simply find it cached, which proves nothing about waiting.
      if (opts.holdFirstDaptMs && counter.dapt === 1) await new Promise((r) => setTimeout(r, opts.holdFirstDaptMs));
      if (opts.failFirstDapt && counter.dapt === 1) {
        // Fail while the other run is already waiting on this key.
        await new Promise((r) => setTimeout(r, 300));
        throw new StageError('corpus went away mid-stage');
      }
      return real.run(ctx);
    },
  };
  return { stages: { ...(stages as unknown as Record<string, Stage>), dapt }, counter };
}

async function runTogether(docs: GraphDocument[], stageMap: Record<string, Stage>, env: ReturnType<typeof testRuntimeEnv>) {
  return Promise.all(
    docs.map(async (doc, i) => {
      expect(validateGraph(doc)).toEqual([]);
      const events: RunEvent[] = [];
      const status = await executeRun({ runId: `r_point${i}`, document: doc, order: planRun(doc), keys: cacheKeysFor(doc, { stageVersions }), env }, { stages: stageMap, emit: (e) => events.push(e), signal: new AbortController().signal });
      const final = Object.fromEntries(events.filter((e) => e.type === 'node-status').map((e) => [e.nodeId, e.status]));
      const errors = events.filter((e) => e.type === 'node-status' && e.status === 'failed').map((e) => (e.type === 'node-status' ? e.error : ''));
      const waited = events.some((e) => e.type === 'log' && e.nodeId === 'dapt' && /waiting for run r_point\d/.test(e.message));
      return { status, final, errors, waited };
    }),
  );
}

describe('single flight through the real executor', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('two runs started together execute their shared DAPT stage once and fine-tune once each', async () => {
    const env = testRuntimeEnv();
    const { stages: stageMap, counter } = countingStages({ holdFirstDaptMs: 2000 });
    const [a, b] = await runTogether([tinyDaptGraph({ seed: 3, learningRate: 1e-3 }), tinyDaptGraph({ seed: 3, learningRate: 5e-4 })], stageMap, env);
    expect([a.status, b.status]).toEqual(['done', 'done']);
    expect(counter.dapt).toBe(1);
    expect([a.final.dapt, b.final.dapt].sort()).toEqual(['cached', 'done']);
    expect([a.final.ft, b.final.ft]).toEqual(['done', 'done']);
    expect(a.waited || b.waited).toBe(true);
  });

  it('when the run computing DAPT fails, the waiting run computes it itself instead of hanging', async () => {
    const env = testRuntimeEnv();
    const { stages: stageMap, counter } = countingStages({ failFirstDapt: true });
    const results = await runTogether([tinyDaptGraph({ seed: 3, learningRate: 1e-3 }), tinyDaptGraph({ seed: 3, learningRate: 5e-4 })], stageMap, env);
    expect(counter.dapt).toBe(2);
    const failed = results.find((r) => r.status === 'failed')!;
    const done = results.find((r) => r.status === 'done')!;
    expect(failed.errors).toContain('corpus went away mid-stage');
    expect(failed.final.ft).toBe('skipped');
    expect(done.final).toMatchObject({ dapt: 'done', ft: 'done', eval: 'done' });
  });
});
