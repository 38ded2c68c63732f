// Compile bench: validate + plan (and cache keys) of a 1,000-node graph. Target: validate + plan < 50 ms.
import { cacheKeysFor } from '../../runtime/compile/cache-key';
import { planRun } from '../../runtime/compile/plan';
import { validateGraph } from '../../runtime/compile/validate';
import { addPipeline, graphBuilder } from '../helpers/graph-builder';
import { markdownTable, writeBenchResult } from './report';

/** 100 pipelines of 10 real stages each, sharing nothing: 1,000 nodes, 1,100 edges. */
function thousandNodeGraph() {
  const g = graphBuilder();
  for (let i = 0; i < 100; i++) addPipeline(g, { dapt: { seed: i }, lora: { rank: 1 + (i % 16) }, ft: { learningRate: 1e-5 * (1 + i) } });
  return g.build();
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => unknown, runs: number) {
  for (let i = 0; i < 3; i++) fn(); // warm-up: JIT and zod schema caches
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return { medianMs: +median(samples).toFixed(2), minMs: +Math.min(...samples).toFixed(2), maxMs: +Math.max(...samples).toFixed(2) };
}

const doc = thousandNodeGraph();
if (validateGraph(doc).length > 0) throw new Error('bench graph does not validate');
const validate = time(() => validateGraph(doc), 20);
const plan = time(() => planRun(doc), 20);
const validatePlan = time(() => planRun(doc, validateGraph(doc).length === 0 ? undefined : []), 20);
const keys = time(() => cacheKeysFor(doc), 10);
const targetMs = 50;
writeBenchResult(
  'compile',
  { nodes: doc.nodes.length, edges: doc.edges.length, validate, plan, validatePlan, cacheKeys: keys, targetMs, metTarget: validatePlan.medianMs < targetMs },
  markdownTable(
    ['step (1,000 nodes, 1,100 edges)', 'median ms', 'min ms', 'max ms'],
    [
      ['validate', validate.medianMs, validate.minMs, validate.maxMs],
      ['plan', plan.medianMs, plan.minMs, plan.maxMs],
      [`validate + plan (target < ${targetMs})`, validatePlan.medianMs, validatePlan.minMs, validatePlan.maxMs],
      ['cache keys (sha256, all nodes)', keys.medianMs, keys.minMs, keys.maxMs],
    ],
  ),
);
