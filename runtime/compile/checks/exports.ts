// Exports checked against the model that reaches them: a PEFT adapter needs unmerged LoRA adapters,
// and PEFT has no task class for a mean- or [CLS]-pooling sequence head.
import type { GraphFacts, ModelFacts } from '../graph-facts';
import type { CompileIssue } from '../issues';

export function checkExports(facts: GraphFacts): CompileIssue[] {
  const issues: CompileIssue[] = [];
  for (const [nodeId, p] of facts.params) {
    if (facts.index.nodes.get(nodeId)!.type !== 'export') continue;
    if (!(p.formats as string[]).includes('peft-adapter')) continue;
    const model = facts.input(nodeId, 'model') as ModelFacts | undefined;
    if (!model) continue;
    const push = (message: string) => issues.push({ kind: 'data-mismatch', nodeId, param: 'formats', message });
    if (model.lora === 'none') {
      push('A PEFT adapter export saves LoRA adapters, but no LoRA node comes before this Export, so the model has none: add a LoRA node before fine-tuning, or export hf-safetensors');
    } else if (model.lora === 'merged') {
      push('A PEFT adapter export saves LoRA adapters, but the LoRA node before this Export merges them into the weights after training, so none are left: turn off "merge" on the LoRA node, or export hf-safetensors');
    } else if (model.head?.task === 'sequence-classification' && model.head.pooling && model.head.pooling !== 'pooler') {
      push(`A PEFT adapter export loads as BertForSequenceClassification, which classifies the pooler output; this model's head uses ${model.head.pooling} pooling: set the Task head's pooling to "pooler", or export hf-safetensors`);
    }
  }
  return issues;
}
