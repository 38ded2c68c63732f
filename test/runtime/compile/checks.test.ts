import { describe, expect, it } from 'vitest';
import type { FactSources, UploadFacts } from '../../../runtime/compile/graph-facts';
import { validateGraph } from '../../../runtime/compile/validate';
import { emptyGraph } from '../../../graph-nodes';
import { graphBuilder } from '../../helpers/graph-builder';

const uploadsOf = (files: Record<string, UploadFacts>): FactSources => ({ upload: (id) => files[id] ?? { error: `upload ${id} does not exist (deleted?)` } });
const reviews: UploadFacts = { filename: 'reviews.csv', kind: 'csv', columns: ['review', 'sentiment'], rows: 120, distinct: { sentiment: 3 } };
const notes: UploadFacts = { filename: 'notes.txt', kind: 'txt', columns: [], rows: 40 };

/** model → head(dataset) → fine-tune(dataset) → eval(dataset), all fed by `source`. */
function trainAndEval(g: ReturnType<typeof graphBuilder>, source: string, evalParams: Record<string, unknown> = {}) {
  const model = g.node('pretrained-load');
  const head = g.node('head');
  const ft = g.node('fine-tune');
  const ev = g.node('eval', evalParams);
  g.connect(model, 'model', head, 'model');
  g.connect(source, 'dataset', head, 'dataset');
  g.connect(head, 'model', ft, 'model');
  g.connect(source, 'dataset', ft, 'dataset');
  g.connect(ft, 'model', ev, 'model');
  g.connect(source, 'dataset', ev, 'dataset');
  return { model, head, ft, ev };
}

describe('checks that catch what would fail at run time', () => {
  it('an empty graph is not valid', () => {
    expect(validateGraph(emptyGraph())).toEqual([{ kind: 'empty-graph', message: expect.stringContaining('The graph is empty') }]);
  });

  it('eval on a dataset with no Split: the test split will not exist', () => {
    const g = graphBuilder();
    const data = g.node('dataset-bundled');
    const { ev } = trainAndEval(g, data);
    expect(validateGraph(g.build())).toEqual([
      { kind: 'data-mismatch', nodeId: ev, param: 'split', port: 'dataset', message: expect.stringMatching(/^Cannot score the test split: bundled spam-assassin is not split, so it has no test split: put a Split node before this one/) },
    ]);
  });

  it('eval on a split whose ratio is 0', () => {
    const g = graphBuilder();
    const data = g.node('dataset-bundled');
    const split = g.node('split', { trainRatio: 0.9, validationRatio: 0.1, testRatio: 0 });
    g.connect(data, 'dataset', split, 'dataset');
    const { ev } = trainAndEval(g, split);
    expect(validateGraph(g.build())).toEqual([expect.objectContaining({ kind: 'data-mismatch', nodeId: ev, param: 'split', message: expect.stringContaining('the test split of bundled spam-assassin will be empty') })]);
  });

  it('train on one uploaded file and score exactly another: roles train and test', () => {
    const test: UploadFacts = { ...reviews, filename: 'test.csv', rows: 30 };
    const g = graphBuilder();
    const trainData = g.node('dataset-upload', { fileId: 'f_train1', textColumn: 'review', labelColumn: 'sentiment', role: 'train' });
    const testData = g.node('dataset-upload', { fileId: 'f_test1', textColumn: 'review', labelColumn: 'sentiment', role: 'test' });
    const { ft, ev } = trainAndEval(g, trainData);
    const doc = g.build();
    // Eval reads the test file instead of the training file.
    doc.edges = doc.edges.map((e) => (e.target === ev && e.targetPort === 'dataset' ? { ...e, source: testData } : e));
    const sources = uploadsOf({ f_train1: reviews, f_test1: test });
    expect(validateGraph(doc, sources)).toEqual([]);
    // Fine-tuning on the test file is caught: it holds no training rows.
    doc.edges = doc.edges.map((e) => (e.target === ft && e.targetPort === 'dataset' ? { ...e, source: testData } : e));
    expect(validateGraph(doc, sources)).toContainEqual(expect.objectContaining({ kind: 'data-mismatch', nodeId: ft, port: 'dataset', message: expect.stringContaining('Nothing to train on') }));
  });

  it('a head with no label count and no dataset', () => {
    const g = graphBuilder();
    const model = g.node('pretrained-load');
    const head = g.node('head');
    g.connect(model, 'model', head, 'model');
    expect(validateGraph(g.build())).toEqual([
      { kind: 'data-mismatch', nodeId: head, param: 'numLabels', port: 'dataset', message: 'The head does not know how many labels to predict: connect the dataset to its "dataset" input, or set Number of labels' },
    ]);
    g.node('head', { numLabels: 3 });
    expect(validateGraph(g.build()).filter((i) => i.param === 'numLabels')).toHaveLength(1);
  });

  it('a head whose task does not match the dataset, and fine-tuning a model without a head', () => {
    const g = graphBuilder();
    const data = g.node('dataset-bundled', { dataset: 'brown-pos' });
    const model = g.node('pretrained-load');
    const head = g.node('head', { task: 'sequence-classification' });
    const ft = g.node('fine-tune');
    g.connect(model, 'model', head, 'model');
    g.connect(data, 'dataset', head, 'dataset');
    g.connect(model, 'model', ft, 'model');
    g.connect(data, 'dataset', ft, 'dataset');
    const issues = validateGraph(g.build());
    expect(issues).toContainEqual(expect.objectContaining({ nodeId: head, param: 'task', message: expect.stringContaining('has one tag per token; choose token-classification') }));
    expect(issues).toContainEqual(expect.objectContaining({ nodeId: ft, port: 'model', message: expect.stringContaining('has no task head') }));
  });

  it('upload columns that are not in the file, named with the columns it has', () => {
    const g = graphBuilder();
    const data = g.node('dataset-upload', { fileId: 'f_reviews', role: 'train', textColumn: 'text', labelColumn: 'sentiment' });
    trainAndEval(g, data, { split: 'train' });
    expect(validateGraph(g.build(), uploadsOf({ f_reviews: reviews }))).toEqual([
      { kind: 'bad-upload', nodeId: data, param: 'textColumn', message: 'reviews.csv has no column "text"; its columns are "review", "sentiment"' },
    ]);
  });

  it('a label column with one value, a missing file, and a text file as a dataset', () => {
    const g = graphBuilder();
    const one = g.node('dataset-upload', { fileId: 'f_one', role: 'train', textColumn: 'review', labelColumn: 'sentiment' });
    const gone = g.node('dataset-upload', { fileId: 'f_gone', role: 'train' });
    const txt = g.node('dataset-upload', { fileId: 'f_notes', role: 'train' });
    const issues = validateGraph(g.build(), uploadsOf({ f_one: { ...reviews, distinct: { sentiment: 1 } }, f_notes: notes }));
    expect(issues).toContainEqual(expect.objectContaining({ nodeId: one, param: 'labelColumn', message: expect.stringContaining('has only one label') }));
    expect(issues).toContainEqual(expect.objectContaining({ nodeId: gone, param: 'fileId', message: 'The uploaded file cannot be read: upload f_gone does not exist (deleted?)' }));
    expect(issues).toContainEqual(expect.objectContaining({ nodeId: txt, param: 'fileId', message: expect.stringContaining('notes.txt is plain text; a labelled dataset needs CSV or JSONL') }));
  });

  it('a corpus fed a CSV file', () => {
    const g = graphBuilder();
    const corpus = g.node('corpus-upload', { fileId: 'f_reviews' });
    expect(validateGraph(g.build(), uploadsOf({ f_reviews: reviews }))).toEqual([
      { kind: 'bad-upload', nodeId: corpus, param: 'fileId', message: 'reviews.csv is a CSV file with columns "review", "sentiment"; a corpus reads plain text (TXT) or JSONL. For labelled rows use an Uploaded dataset node' },
    ]);
    const ok = graphBuilder();
    ok.node('corpus-upload', { fileId: 'f_notes' });
    expect(validateGraph(ok.build(), uploadsOf({ f_notes: notes }))).toEqual([]);
  });
});

describe('exports checked against the model that reaches them', () => {
  /** bundled model → [lora] → head → fine-tune → export(formats), on a split spam dataset. */
  function exportGraph(formats: string[], opts: { lora?: Record<string, unknown>; head?: Record<string, unknown> } = {}) {
    const g = graphBuilder();
    const data = g.node('dataset-bundled');
    const split = g.node('split');
    g.connect(data, 'dataset', split, 'dataset');
    const model = g.node('pretrained-load');
    let top = model;
    if (opts.lora) {
      top = g.node('lora', opts.lora);
      g.connect(model, 'model', top, 'model');
    }
    const head = g.node('head', opts.head ?? {});
    g.connect(top, 'model', head, 'model');
    g.connect(split, 'dataset', head, 'dataset');
    const ft = g.node('fine-tune');
    g.connect(head, 'model', ft, 'model');
    g.connect(split, 'dataset', ft, 'dataset');
    const exp = g.node('export', { formats });
    g.connect(ft, 'model', exp, 'model');
    return { doc: g.build(), exp };
  }

  it('a PEFT adapter export with no LoRA node upstream is reported on the Export, in plain words', () => {
    const { doc, exp } = exportGraph(['peft-adapter']);
    expect(validateGraph(doc)).toEqual([
      { kind: 'data-mismatch', nodeId: exp, param: 'formats', message: 'A PEFT adapter export saves LoRA adapters, but no LoRA node comes before this Export, so the model has none: add a LoRA node before fine-tuning, or export hf-safetensors' },
    ]);
    expect(validateGraph(exportGraph(['hf-safetensors']).doc)).toEqual([]);
  });

  it('LoRA merged after training leaves no adapter to export; unmerged LoRA with a pooler head is fine', () => {
    const merged = exportGraph(['hf-safetensors', 'peft-adapter'], { lora: { merge: true } });
    expect(validateGraph(merged.doc)).toEqual([expect.objectContaining({ nodeId: merged.exp, param: 'formats', message: expect.stringContaining('merges them into the weights after training') })]);
    expect(validateGraph(exportGraph(['peft-adapter'], { lora: {} }).doc)).toEqual([]);
  });

  it('a mean-pooling head has no PEFT task class', () => {
    const mean = exportGraph(['peft-adapter'], { lora: {}, head: { pooling: 'mean' } });
    expect(validateGraph(mean.doc)).toEqual([expect.objectContaining({ nodeId: mean.exp, param: 'formats', message: expect.stringContaining('uses mean pooling') })]);
  });

  it('a model from a local folder may carry its own adapter, so it is not reported', () => {
    const g = graphBuilder();
    const model = g.node('pretrained-load', { source: 'local-folder', folderPath: 'my-lora-model' });
    const exp = g.node('export', { formats: ['peft-adapter'] });
    g.connect(model, 'model', exp, 'model');
    expect(validateGraph(g.build()).filter((i) => i.nodeId === exp)).toEqual([]);
  });
});

describe('param errors in plain words', () => {
  const messagesFor = (type: string, params: Record<string, unknown>) => {
    const g = graphBuilder();
    g.node(type, params);
    return validateGraph(g.build()).filter((i) => i.kind === 'bad-param').map((i) => [i.param, i.message]);
  };

  it('a fractional whole number, a number out of range, a bad choice, text for a number', () => {
    expect(messagesFor('fine-tune', { batchSize: 2.5 })).toContainEqual(['batchSize', 'Batch size must be a whole number, got 2.5']);
    expect(messagesFor('fine-tune', { epochs: 200 })).toContainEqual(['epochs', 'Epochs must be at most 100, got 200']);
    expect(messagesFor('fine-tune', { learningRate: 'fast' })).toContainEqual(['learningRate', 'Learning rate must be "auto" or a number, got "fast"']);
    expect(messagesFor('fine-tune', { schedule: 'steps' })).toContainEqual(['schedule', 'Schedule must be one of "linear", "cosine", "constant", got "steps"']);
    expect(messagesFor('fine-tune', { maxSeqLength: 4 })).toContainEqual(['maxSeqLength', 'Max seq length must be at least 8, got 4']);
    expect(messagesFor('lora', { targetModules: ['query', 'nope'] })).toContainEqual(['targetModules.1', 'Target modules (item 2) must be one of "query", "key", "value", "attention-output", "intermediate", "output", got "nope"']);
    expect(messagesFor('head', { featureExtraction: 'yes' })).toContainEqual(['featureExtraction', 'Feature extraction must be on or off (true/false), got "yes"']);
  });

  it('never echoes long text back', () => {
    const [[, message]] = messagesFor('eval', { name: 'x'.repeat(500) });
    expect(message).toBe('Name must be at most 80 characters');
  });
});
