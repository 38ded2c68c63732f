// Source and data stages: bundled corpora and datasets, uploads, split.
import { readFileSync, existsSync } from 'node:fs';
import { corpusBundled } from '../../graph-nodes/corpus-bundled';
import { corpusUpload } from '../../graph-nodes/corpus-upload';
import { datasetBundled } from '../../graph-nodes/dataset-bundled';
import { datasetUpload } from '../../graph-nodes/dataset-upload';
import { split } from '../../graph-nodes/split';
import { loadBrownCorpus, loadBrownGenre, loadBrownPos } from '../data/brown';
import { parseCorpusFile, parseDatasetFile, UploadParseError } from '../data/parse-upload';
import { loadEmailCorpus, loadSpamAssassin } from '../data/spam-assassin';
import { contentHash } from '../data/content-hash';
import { splitDataset, subsampleDataset } from '../data/split';
import type { Dataset } from '../data/types';
import { resolveInside } from '../io/safe-path';
import { countProgress } from './common/count-progress';
import { defineStage } from './define-stage';
import { StageError } from './stage-error';
import { stageVersions } from './versions';

/** An upload's bytes as text; the id must name a file inside the uploads folder. */
function readUpload(uploadsDir: string, fileId: string): { name: string; text: string } {
  if (!fileId) throw new StageError('choose an uploaded file (param fileId)');
  if (!/^f_[A-Za-z0-9]{4,40}$/.test(fileId)) throw new StageError(`"${fileId}" is not an upload id`);
  const path = resolveInside(uploadsDir, fileId);
  if (!existsSync(path)) throw new StageError(`upload ${fileId} does not exist (deleted?)`);
  const metaPath = `${path}.json`;
  const name = existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')).filename as string) : fileId;
  return { name, text: readFileSync(path, 'utf8') };
}

function asStageError(err: unknown): never {
  if (err instanceof UploadParseError) throw new StageError(err.message);
  throw err;
}

export const corpusBundledStage = defineStage(corpusBundled, stageVersions['corpus-bundled'], async ({ params, progress }) => {
  const maxDocuments = params.maxDocuments || undefined;
  const corpus = params.corpus === 'brown'
    ? loadBrownCorpus({ genres: params.genres, maxDocuments, onProgress: countProgress(progress, 'parsing Brown files', 'files') })
    : loadEmailCorpus({ maxDocuments, onProgress: countProgress(progress, 'parsing emails', 'emails') });
  if (corpus.documents.length === 0) throw new StageError(`no documents match genres ${params.genres.join(', ')}`);
  return { corpus };
});

export const datasetBundledStage = defineStage(datasetBundled, stageVersions['dataset-bundled'], async ({ params, log, progress }) => {
  const brown = { onProgress: countProgress(progress, 'parsing Brown files', 'files') };
  let dataset = params.dataset === 'spam-assassin' ? loadSpamAssassin({ onProgress: countProgress(progress, 'parsing emails', 'emails') }) : params.dataset === 'brown-genre' ? loadBrownGenre(brown) : loadBrownPos(brown);
  if (params.maxExamples > 0) dataset = subsampleDataset(dataset, params.maxExamples, params.seed);
  log(`${dataset.examples.length} examples, labels: ${dataset.labels.join(', ')}`);
  return { dataset };
});

/** Lines in a file's text, the total an upload's parse progress counts against. */
function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export const corpusUploadStage = defineStage(corpusUpload, stageVersions['corpus-upload'], async ({ params, env, progress }) => {
  const { name, text } = readUpload(env.uploadsDir, params.fileId);
  // The parse itself is one quick pass; its start and end say which file is being read.
  const report = countProgress(progress, `parsing ${name}`, 'lines');
  const lines = lineCount(text);
  report(0, lines);
  try {
    const corpus = parseCorpusFile(name, text, { format: params.format, textField: params.textField });
    report(lines, lines);
    return { corpus };
  } catch (err) {
    asStageError(err);
  }
});

/** A dataset whose every row belongs to one split (an upload used whole as train or test data). */
function wholeAs(dataset: Dataset, role: 'train' | 'test'): Dataset {
  const all = dataset.examples.map((_, i) => i);
  const splits = { train: role === 'train' ? all : [], validation: [], test: role === 'test' ? all : [] };
  return { ...dataset, splits, contentHash: contentHash({ examples: dataset.contentHash, role }) } as Dataset;
}

export const datasetUploadStage = defineStage(datasetUpload, stageVersions['dataset-upload'], async ({ params, env, log, progress }) => {
  const { name, text } = readUpload(env.uploadsDir, params.fileId);
  const report = countProgress(progress, `parsing ${name}`, 'lines');
  const lines = lineCount(text);
  report(0, lines);
  let dataset: Dataset;
  try {
    dataset = parseDatasetFile(name, text, { format: params.format, task: params.task, textColumn: params.textColumn, labelColumn: params.labelColumn, delimiter: params.delimiter });
  } catch (err) {
    asStageError(err);
  }
  report(lines, lines);
  if (params.role !== 'unsplit') dataset = wholeAs(dataset, params.role);
  log(`${name}: ${dataset.examples.length} examples${params.role === 'unsplit' ? '' : `, all ${params.role}`}, labels: ${dataset.labels.slice(0, 20).join(', ')}`);
  return { dataset };
});

export const splitStage = defineStage(split, stageVersions.split, async ({ params, inputs, log }) => {
  const dataset = splitDataset(inputs.dataset, {
    train: params.trainRatio,
    validation: params.validationRatio,
    test: params.testRatio,
    stratify: params.stratify,
    seed: params.seed,
    maxTrain: params.maxTrainExamples || undefined,
  });
  const s = dataset.splits!;
  log(`train ${s.train.length}, validation ${s.validation.length}, test ${s.test.length}`);
  return { dataset };
});

