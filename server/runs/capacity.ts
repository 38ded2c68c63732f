// Before a run is queued: can a worker that may take each training stage hold it? Refuses a stage no
// connected worker has the memory for (naming node, need and the largest worker), warns when none
// has the labels it needs yet or when it comes close to a worker's memory.
import type { GraphDocument } from '../../graph-nodes';
import type { CompileIssue } from '../../runtime/compile/issues';
import type { RuntimeEnv } from '../../runtime/stages/define-stage';
import { estimateRun, formatBytes, formatSeconds, type StageEstimate } from './estimate';
import type { QueueOverview } from './run-queue';

type Worker = QueueOverview['workers'][number];

export interface CapacityVerdict {
  estimates: StageEstimate[];
  /** Stages no connected worker can hold: the run is refused. */
  issues: CompileIssue[];
  warnings: string[];
}

/** Memory a worker offers a stage: its GPU's when it trains on the GPU, else its RAM. */
export function capacityOf(w: Worker): number {
  return w.backend === 'tensorflow-gpu' && w.gpuMemoryBytes ? w.gpuMemoryBytes : w.memoryBytes;
}

export function judgeCapacity(doc: GraphDocument, order: string[], requiresOf: (nodeId: string) => string[], env: RuntimeEnv, overview: QueueOverview | null): CapacityVerdict {
  const verdict: CapacityVerdict = { estimates: [], issues: [], warnings: [] };
  const workers = overview?.workers ?? [];
  for (const nodeId of order) {
    const requires = requiresOf(nodeId);
    const eligible = workers.filter((w) => requires.every((l) => w.labels.includes(l)));
    // Estimate on the best backend a worker that may take it has (embedded: this machine's choice or wasm).
    const backend = eligible.find((w) => w.backend === 'tensorflow-gpu')?.backend ?? eligible.find((w) => w.backend)?.backend ?? process.env.TUNEGRAPH_BACKEND ?? 'wasm';
    const [estimate] = estimateRun(doc, [nodeId], env, backend);
    if (!estimate) continue;
    verdict.estimates.push(estimate);
    const need = `about ${formatBytes(estimate.memoryBytes)}${estimate.seconds !== null ? ` and ${formatSeconds(estimate.seconds)}` : ''} (${estimate.basis})`;
    const withLabels = requires.length ? ` with label${requires.length > 1 ? 's' : ''} ${requires.join(', ')}` : '';
    if (eligible.length === 0) {
      if (overview?.mode === 'queue') verdict.warnings.push(`${nodeId}: no connected worker${withLabels}; the stage waits until one connects (it needs ${need})`);
      continue;
    }
    const largest = eligible.reduce((a, b) => (capacityOf(b) > capacityOf(a) ? b : a));
    if (capacityOf(largest) < estimate.memoryBytes) {
      verdict.issues.push({ kind: 'bad-param', nodeId, param: 'batchSize', message: `needs ${need}; the largest connected worker${withLabels} (${largest.id}) has ${formatBytes(capacityOf(largest))}: lower batchSize or maxSeqLength, train fewer parameters (LoRA, freeze), or add a bigger worker` });
    } else if (estimate.memoryBytes > 0.8 * capacityOf(largest)) {
      verdict.warnings.push(`${nodeId}: needs ${need}, close to the ${formatBytes(capacityOf(largest))} of the largest worker${withLabels} (${largest.id})`);
    }
  }
  return verdict;
}
