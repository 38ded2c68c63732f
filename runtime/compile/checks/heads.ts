// Heads and tasks: a head needs a label count, training needs a head, and the head's task must
// match the dataset's labels (one label per text, or one tag per token).
import type { DatasetFacts, GraphFacts, ModelFacts } from '../graph-facts';
import type { CompileIssue } from '../issues';

const HEAD_TASK = { sequence: 'sequence-classification', token: 'token-classification' } as const;
const TASK_WORDS = { sequence: 'one label per text', token: 'one tag per token' } as const;

export function checkHeads(facts: GraphFacts): CompileIssue[] {
  const issues: CompileIssue[] = [];
  for (const [nodeId, p] of facts.params) {
    const type = facts.index.nodes.get(nodeId)!.type;
    const data = facts.input(nodeId, 'dataset') as DatasetFacts | undefined;
    if (type === 'head') {
      const connected = facts.index.incoming.get(nodeId)!.some((e) => e.targetPort === 'dataset');
      if ((p.numLabels as number) === 0 && !connected) {
        issues.push({ kind: 'data-mismatch', nodeId, param: 'numLabels', port: 'dataset', message: 'The head does not know how many labels to predict: connect the dataset to its "dataset" input, or set Number of labels' });
      }
      if (data?.task && HEAD_TASK[data.task] !== p.task) {
        issues.push({ kind: 'data-mismatch', nodeId, param: 'task', message: `The head is ${p.task} but ${data.source} has ${TASK_WORDS[data.task]}; choose ${HEAD_TASK[data.task]}` });
      }
      continue;
    }
    const modelPort = type === 'distill' ? 'teacher' : type === 'fine-tune' || type === 'eval' ? 'model' : null;
    if (!modelPort || !data) continue;
    const model = facts.input(nodeId, modelPort) as ModelFacts | undefined;
    if (!model) continue;
    if (!model.head) {
      issues.push({ kind: 'data-mismatch', nodeId, port: modelPort, message: `The ${modelPort} has no task head: put a Task head node between the model and this node` });
    } else if (data.task && model.head.task !== HEAD_TASK[data.task]) {
      issues.push({ kind: 'data-mismatch', nodeId, port: 'dataset', message: `The ${modelPort} has a ${model.head.task} head but ${data.source} has ${TASK_WORDS[data.task]}` });
    }
  }
  return issues;
}
