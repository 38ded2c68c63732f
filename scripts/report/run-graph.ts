// Runs a report graph through the app's executor and collects each node's metrics and compute time.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GraphDocument } from '../../graph-nodes';
import { cacheKeysFor } from '../../runtime/compile/cache-key';
import { planRun } from '../../runtime/compile/plan';
import { validateGraph } from '../../runtime/compile/validate';
import type { RunEvent } from '../../runtime/exec/events';
import { cachedModelSourceHashes } from '../../runtime/io/model-source-hashes';
import { executeRun } from '../../runtime/exec/execute-run';
import type { RuntimeEnv } from '../../runtime/stages/define-stage';
import { stages } from '../../runtime/stages';
import { stageVersions } from '../../runtime/stages/versions';

export interface GraphResult {
  /** Every metric each node reported (eval metrics, fine-tune's best validation epoch, DAPT perplexity …). */
  metrics: Record<string, Record<string, unknown>>;
  /** Seconds each node took when it was computed; remembered by cache key, so a cached node keeps its time. */
  seconds: Record<string, number>;
  keys: Record<string, string>;
}

/** Compute times by cache key, kept beside the artifacts (a cached stage reports the time it took to make). */
function timingsFile(env: RuntimeEnv): string {
  return join(env.dataDir, 'report-timings.json');
}

export async function runGraph(label: string, doc: GraphDocument, env: RuntimeEnv): Promise<GraphResult> {
  const issues = validateGraph(doc);
  if (issues.length > 0) throw new Error(`report graph "${label}" is invalid: ${JSON.stringify(issues)}`);
  const order = planRun(doc);
  // The model's files are key material: a retrained bundled model recomputes everything after it.
  const keys = cacheKeysFor(doc, { stageVersions, dataHashes: cachedModelSourceHashes(doc, env) });
  const file = timingsFile(env);
  const timings: Record<string, number> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const metrics: GraphResult['metrics'] = {};
  const startedAt = new Map<string, number>();
  console.log(`${label}: ${order.length} nodes`);
  const status = await executeRun(
    { runId: `r_report_${label}`, document: doc, order, keys, env },
    {
      stages,
      signal: new AbortController().signal,
      emit: (e: RunEvent) => {
        if (e.type === 'metrics') metrics[e.nodeId] = { ...metrics[e.nodeId], ...e.metrics };
        if (e.type !== 'node-status' || e.status === 'queued') return;
        if (e.status === 'running') startedAt.set(e.nodeId, Date.now());
        if (e.status === 'done' && startedAt.has(e.nodeId)) timings[keys[e.nodeId]] = (Date.now() - startedAt.get(e.nodeId)!) / 1000;
        const took = e.status === 'done' ? ` (${timings[keys[e.nodeId]].toFixed(1)} s)` : '';
        console.log(`${e.status.padEnd(8)} ${e.nodeId}${took}${e.error ? `: ${e.error}` : ''}`);
      },
    },
  );
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(timings));
  if (status !== 'done') throw new Error(`report graph "${label}" ${status}`);
  const seconds = Object.fromEntries(order.filter((id) => timings[keys[id]] !== undefined).map((id) => [id, timings[keys[id]]]));
  return { metrics, seconds, keys };
}
