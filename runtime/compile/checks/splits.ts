// Nodes that read a split the dataset will not have: Eval on an unsplit dataset, a split whose
// ratio is 0, fine-tuning on a file marked as test data.
import type { DatasetFacts, GraphFacts } from '../graph-facts';
import type { CompileIssue } from '../issues';

type SplitName = 'train' | 'validation' | 'test';

/** Node types that score one split of their `dataset` input, and the param naming it. */
const SCORERS = new Set(['eval', 'baseline-tfidf']);
/** Node types that train on the train split of their `dataset` input. */
const TRAINERS = new Set(['fine-tune', 'distill', 'baseline-tfidf']);

function missingSplit(d: DatasetFacts, split: SplitName): string | null {
  if (!d.splits) {
    if (split === 'train') return null;
    return `${d.source} is not split, so it has no ${split} split: put a Split node before this one${split === 'test' ? ', or score a separate test file (Uploaded dataset with role "test")' : ''}`;
  }
  const n = d.splits[split];
  if (n === 0) return `the ${split} split of ${d.source} will be empty${split === 'train' ? ' (a file with role "test" holds only test rows)' : ' (its ratio is 0, or the file has another role)'}`;
  return null;
}

export function checkSplits(facts: GraphFacts): CompileIssue[] {
  const issues: CompileIssue[] = [];
  for (const [nodeId, p] of facts.params) {
    const type = facts.index.nodes.get(nodeId)!.type;
    if (!SCORERS.has(type) && !TRAINERS.has(type)) continue;
    const data = facts.input(nodeId, 'dataset') as DatasetFacts | undefined;
    if (TRAINERS.has(type) && data) {
      const problem = missingSplit(data, 'train');
      if (problem) issues.push({ kind: 'data-mismatch', nodeId, port: 'dataset', message: `Nothing to train on: ${problem}` });
    }
    if (SCORERS.has(type)) {
      const scored = type === 'baseline-tfidf' ? ((facts.input(nodeId, 'test') as DatasetFacts | undefined) ?? data) : data;
      const split = p.split as SplitName;
      const problem = scored && missingSplit(scored, split);
      if (problem) issues.push({ kind: 'data-mismatch', nodeId, param: 'split', port: type === 'baseline-tfidf' && facts.input(nodeId, 'test') ? 'test' : 'dataset', message: `Cannot score the ${split} split: ${problem}` });
    }
  }
  return issues;
}
