// Runs one node of a plan on its own, for queue mode: its inputs come from the artifact store (an
// upstream node ran earlier, maybe on another host), its output is committed there atomically. A node
// whose artifact already exists is reported `cached` and not run again, so a redelivered job is harmless.
import type { GraphDocument } from '../../graph-nodes';
import { diskFactSources } from '../compile/disk-facts';
import { graphFacts } from '../compile/graph-facts';
import { resolveAutoParams } from '../compile/resolve-defaults';
import { runStageIntoArtifact, type StageOutcome, type StageRunOptions } from './run-stage';

export type { StageOutcome } from './run-stage';

/** One stage of a run, as a queue job carries it. */
export interface StageJob {
  runId: string;
  nodeId: string;
  /** The run's compiled document (the node, its params and its incoming edges are read from it). */
  document: GraphDocument;
  /** Cache keys of this node and of its upstream nodes. */
  keys: Record<string, string>;
  /** Run even if the artifact exists ("rerun from here"). */
  force: boolean;
}

export type ExecuteStageOptions = StageRunOptions;

/** Executes one node; emits its status, progress, metrics and logs like the whole-run executor does. */
export async function executeStage(job: StageJob, opts: ExecuteStageOptions): Promise<StageOutcome> {
  const node = job.document.nodes.find((n) => n.id === job.nodeId);
  if (!node) throw new Error(`node "${job.nodeId}" is not in run ${job.runId}'s document`);
  return runStageIntoArtifact(
    {
      runId: job.runId,
      node,
      incoming: job.document.edges.filter((e) => e.target === job.nodeId),
      keys: job.keys,
      force: job.force,
      // The same rule and facts as graphs.check and the whole-run executor.
      autoParams: () => resolveAutoParams(graphFacts(job.document, diskFactSources(opts.env)))[job.nodeId],
      // On the shared store, so a retry on another host resumes from the checkpoint.
      checkpointDir: opts.store.checkpointDir(job.keys[job.nodeId]),
    },
    opts,
  );
}
