// The BERT WordPiece tokenizer: special-token matching, normalizer, pre-tokenizer, WordPiece,
// truncation, template post-processing and padding — ids identical to Hugging Face's fast tokenizer.
import { normalizeBert, preTokenizeBert, type NormalizerOptions } from './bert-normalizer';
import { wordPiece } from './wordpiece';

export interface SpecialTokens {
  pad: string;
  unk: string;
  cls: string;
  sep: string;
  mask: string;
}

export interface TokenizerOptions extends NormalizerOptions {
  special: SpecialTokens;
  maxInputCharsPerWord: number;
  modelMaxLength: number;
}

export const DEFAULT_SPECIAL: SpecialTokens = { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' };
export const DEFAULT_TOKENIZER_OPTIONS: TokenizerOptions = {
  cleanText: true,
  handleChineseChars: true,
  stripAccents: null,
  lowercase: true,
  special: DEFAULT_SPECIAL,
  maxInputCharsPerWord: 100,
  modelMaxLength: 512,
};

/** One encoded text (or pair). */
export interface Encoding {
  ids: number[];
  tokens: string[];
  attentionMask: number[];
  tokenTypeIds: number[];
}

/** A padded batch, row-major [batchSize, seqLength]. */
export interface EncodedBatch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
  batchSize: number;
  seqLength: number;
}

/** The post_processor of a tokenizer.json: TemplateProcessing or the older BertProcessing. */
interface PostProcessorJson {
  type?: string;
  cls?: [string, number];
  sep?: [string, number];
  single?: { SpecialToken?: { id?: string }; Sequence?: unknown }[];
}

/** [CLS]/[SEP] names a post-processor adds around a single sequence (none when it has another shape). */
function postProcessorNames(pp: PostProcessorJson | null | undefined): Partial<SpecialTokens> {
  if (!pp) return {};
  if (pp.type === 'BertProcessing' && Array.isArray(pp.cls) && Array.isArray(pp.sep)) return { cls: pp.cls[0], sep: pp.sep[0] };
  const single = pp.type === 'TemplateProcessing' && Array.isArray(pp.single) ? pp.single : [];
  const first = single[0]?.SpecialToken?.id;
  const last = single[single.length - 1]?.SpecialToken?.id;
  // Only the "[CLS] $A [SEP]" shape names both; anything else keeps the defaults.
  return single.length === 3 && typeof first === 'string' && typeof last === 'string' ? { cls: first, sep: last } : {};
}

/** Largest token id a tokenizer file may use (the config.json vocab_size bound). */
export const MAX_VOCAB_IDS = 1_000_000;

/** The placeholder for an id no token maps to. */
export const unusedIdName = (id: number) => `[unused-id-${id}]`;

export class WordPieceTokenizer {
  readonly vocab: Map<string, number>;
  readonly idToTokenList: string[];
  readonly options: TokenizerOptions;
  private readonly cache = new Map<string, string[]>();
  private readonly idCache = new Map<string, number[]>();
  private readonly specialMatcher: RegExp;

  constructor(tokens: string[], options: Partial<TokenizerOptions> = {}) {
    this.options = { ...DEFAULT_TOKENIZER_OPTIONS, ...options, special: { ...DEFAULT_SPECIAL, ...options.special } };
    this.idToTokenList = tokens;
    this.vocab = new Map();
    // A repeated token: the later line wins, as in both Hugging Face readers.
    tokens.forEach((t, i) => this.vocab.set(t, i));
    const s = this.options.special;
    for (const name of ['unk', 'cls', 'sep', 'pad', 'mask'] as const) {
      if (!this.vocab.has(s[name])) throw new Error(`vocabulary has no ${s[name]} token (the ${name} token)`);
    }
    const escaped = [...new Set(Object.values(s))].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.specialMatcher = new RegExp(`(${escaped.join('|')})`);
  }

  /** From vocab.txt text (one token per line, right-trimmed, id = line index). */
  static fromVocabTxt(text: string, options: Partial<TokenizerOptions> = {}): WordPieceTokenizer {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return new WordPieceTokenizer(lines.map((l) => l.replace(/\s+$/u, '')), options);
  }

  /** From a Hugging Face tokenizer.json (WordPiece model with a BertNormalizer). */
  static fromTokenizerJson(json: unknown, overrides: Partial<TokenizerOptions> = {}): WordPieceTokenizer {
    const j = json as {
      model?: { type?: string; vocab?: Record<string, number>; unk_token?: string; max_input_chars_per_word?: number; continuing_subword_prefix?: string };
      normalizer?: { type?: string; clean_text?: boolean; handle_chinese_chars?: boolean; strip_accents?: boolean | null; lowercase?: boolean } | null;
      added_tokens?: { id: number; content: string }[];
      post_processor?: PostProcessorJson | null;
      padding?: { pad_token?: string } | null;
    };
    if (!j?.model?.vocab || typeof j.model.vocab !== 'object') throw new Error('tokenizer.json: no WordPiece model.vocab');
    if (j.model.type && j.model.type !== 'WordPiece') throw new Error(`tokenizer.json: model type "${j.model.type}" is not WordPiece`);
    if ((j.model.continuing_subword_prefix ?? '##') !== '##') throw new Error('tokenizer.json: only the "##" continuing-subword prefix is supported');
    const tokens: string[] = [];
    const entries = Object.entries(j.model.vocab);
    for (const [token, id] of entries) {
      // The bound keeps a stray huge id from allocating a giant array.
      if (!Number.isInteger(id) || id < 0 || id >= MAX_VOCAB_IDS) throw new Error(`tokenizer.json: token "${token}" has id ${id}, outside 0…${MAX_VOCAB_IDS - 1}`);
      tokens[id] = token;
    }
    // Ids no token maps to are legal (the Rust reader keeps a map, not a list): transformers writes
    // them when vocab.txt repeats a line, since the later line wins. Such an id is never produced;
    // it gets a name WordPiece can never emit ("[" is split off as punctuation) so ids stay put.
    for (let i = 0; i < tokens.length; i++) if (tokens[i] === undefined) tokens[i] = unusedIdName(i);
    // `"normalizer": null` is a pipeline without normalization (the Rust reader runs none), not BERT's defaults.
    const n = j.normalizer === null ? { clean_text: false, handle_chinese_chars: false, strip_accents: false, lowercase: false } : j.normalizer;
    return new WordPieceTokenizer(tokens, {
      cleanText: n?.clean_text ?? true,
      handleChineseChars: n?.handle_chinese_chars ?? true,
      stripAccents: n?.strip_accents ?? null,
      lowercase: n?.lowercase ?? true,
      maxInputCharsPerWord: j.model.max_input_chars_per_word ?? 100,
      ...overrides,
      // Names given by the caller (tokenizer_config.json) win one by one; otherwise the ones this file's
      // pipeline uses (model unk_token, post-processor [CLS]/[SEP], padding pad_token), then BERT's.
      special: {
        ...DEFAULT_SPECIAL,
        ...postProcessorNames(j.post_processor),
        ...(typeof j.padding?.pad_token === 'string' ? { pad: j.padding.pad_token } : {}),
        unk: j.model.unk_token ?? '[UNK]',
        ...overrides.special,
      },
    });
  }

  get vocabSize(): number {
    return this.idToTokenList.length;
  }
  get padId(): number {
    return this.vocab.get(this.options.special.pad)!;
  }
  get unkId(): number {
    return this.vocab.get(this.options.special.unk)!;
  }
  get clsId(): number {
    return this.vocab.get(this.options.special.cls)!;
  }
  get sepId(): number {
    return this.vocab.get(this.options.special.sep)!;
  }
  get maskId(): number {
    return this.vocab.get(this.options.special.mask)!;
  }
  /** Ids of the special tokens (never masked, never labelled). */
  get specialIds(): Set<number> {
    return new Set([this.padId, this.unkId, this.clsId, this.sepId, this.maskId]);
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenList[id];
  }
  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  /** WordPiece pieces of one already-normalized word (cached). */
  private piecesOf(word: string): string[] {
    let pieces = this.cache.get(word);
    if (!pieces) {
      pieces = wordPiece(word, this.vocab, this.options.special.unk, '##', this.options.maxInputCharsPerWord);
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(word, pieces);
    }
    return pieces;
  }

  /** Tokens of a text without [CLS]/[SEP]; literal special tokens in the raw text stay whole. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    for (const segment of text.split(this.specialMatcher)) {
      if (segment === '') continue;
      if (this.vocab.has(segment) && Object.values(this.options.special).includes(segment)) {
        out.push(segment);
        continue;
      }
      for (const word of preTokenizeBert(normalizeBert(segment, this.options))) out.push(...this.piecesOf(word));
    }
    return out;
  }

  /** Ids of `tokenize(text)`, with each word's ids cached: the fast path for long texts (a DAPT corpus). */
  tokenizeToIds(text: string): number[] {
    const out: number[] = [];
    for (const segment of text.split(this.specialMatcher)) {
      if (segment === '') continue;
      if (this.vocab.has(segment) && Object.values(this.options.special).includes(segment)) {
        out.push(this.vocab.get(segment)!);
        continue;
      }
      for (const word of preTokenizeBert(normalizeBert(segment, this.options))) {
        let ids = this.idCache.get(word);
        if (!ids) {
          ids = this.piecesOf(word).map((p) => this.vocab.get(p)!);
          if (this.idCache.size > 200_000) this.idCache.clear();
          this.idCache.set(word, ids);
        }
        for (const id of ids) out.push(id);
      }
    }
    return out;
  }

  /** [CLS] A [SEP] (B [SEP]), truncated to maxLength (longest-first for pairs). */
  encode(text: string, opts: { maxLength?: number; pair?: string } = {}): Encoding {
    const maxLength = opts.maxLength ?? this.options.modelMaxLength;
    let a = this.tokenize(text);
    let b = opts.pair !== undefined ? this.tokenize(opts.pair) : null;
    if (!b) a = a.slice(0, Math.max(0, maxLength - 2));
    else {
      const budget = Math.max(0, maxLength - 3);
      if (a.length + b.length > budget) {
        const [short, long] = a.length <= b.length ? [a.length, b.length] : [b.length, a.length];
        let keepShort = short;
        let keepLong = Math.min(long, Math.max(short, budget - short));
        if (keepShort + keepLong > budget) {
          keepShort = Math.floor(budget / 2);
          keepLong = Math.floor(budget / 2) + (budget % 2);
        }
        if (a.length <= b.length) {
          a = a.slice(0, keepShort);
          b = b.slice(0, keepLong);
        } else {
          a = a.slice(0, keepLong);
          b = b.slice(0, keepShort);
        }
      }
    }
    const s = this.options.special;
    const tokens = [s.cls, ...a, s.sep, ...(b ? [...b, s.sep] : [])];
    const tokenTypeIds = tokens.map((_, i) => (b && i > a.length + 1 ? 1 : 0));
    return { tokens, ids: tokens.map((t) => this.vocab.get(t)!), attentionMask: tokens.map(() => 1), tokenTypeIds };
  }

  /** A padded batch: `longest` pads to the longest row, `max_length` to maxLength. */
  encodeBatch(texts: string[], opts: { maxLength: number; padding?: 'longest' | 'max_length' }): EncodedBatch {
    const encodings = texts.map((t) => this.encode(t, { maxLength: opts.maxLength }));
    // A loop, not Math.max(...rows): spreading ~150k+ rows overflows the call stack.
    const longest = encodings.reduce((m, e) => Math.max(m, e.ids.length), 1);
    return this.pad(encodings.map((e) => e.ids), opts.padding === 'max_length' ? opts.maxLength : longest);
  }

  /** Right-pads id rows with [PAD] (mask 0, type 0) into one row-major batch. */
  pad(rows: number[][], seqLength: number): EncodedBatch {
    const B = rows.length;
    const inputIds = new Int32Array(B * seqLength).fill(this.padId);
    const attentionMask = new Int32Array(B * seqLength);
    rows.forEach((ids, r) => {
      const n = Math.min(ids.length, seqLength);
      for (let i = 0; i < n; i++) {
        inputIds[r * seqLength + i] = ids[i];
        attentionMask[r * seqLength + i] = 1;
      }
    });
    return { inputIds, attentionMask, tokenTypeIds: new Int32Array(B * seqLength), batchSize: B, seqLength };
  }

  /** Encodes pre-split words for token classification; `wordIds` maps each position to its word (null for specials). */
  encodeWords(words: string[], opts: { maxLength: number }): { ids: number[]; attentionMask: number[]; wordIds: (number | null)[] } {
    const ids = [this.clsId];
    const wordIds: (number | null)[] = [null];
    for (let w = 0; w < words.length; w++) {
      const pieces = this.tokenize(words[w]);
      const use = pieces.length > 0 ? pieces : [this.options.special.unk];
      for (const p of use) {
        if (ids.length >= opts.maxLength - 1) break;
        ids.push(this.vocab.get(p)!);
        wordIds.push(w);
      }
    }
    ids.push(this.sepId);
    wordIds.push(null);
    return { ids, attentionMask: ids.map(() => 1), wordIds };
  }

  /** Text from ids (WordPiece decoder with cleanup); specials dropped unless asked to keep. */
  decode(ids: number[], opts: { keepSpecial?: boolean } = {}): string {
    const special = this.specialIds;
    let out = '';
    for (const id of ids) {
      if (!opts.keepSpecial && special.has(id) && id !== this.unkId) continue;
      const t = this.idToTokenList[id] ?? this.options.special.unk;
      if (t.startsWith('##') && out) out += t.slice(2);
      else out += (out ? ' ' : '') + t;
    }
    return out
      .replace(/ ([.?!,])/g, '$1')
      .replace(/ ' /g, "'")
      .replace(/ n't/g, "n't")
      .replace(/ 'm/g, "'m")
      .replace(/ 's/g, "'s")
      .replace(/ 've/g, "'ve")
      .replace(/ 're/g, "'re");
  }

  /** vocab.txt content. */
  toVocabTxt(): string {
    return this.idToTokenList.map((t) => `${t}\n`).join('');
  }

  /** A Hugging Face fast-tokenizer tokenizer.json. */
  toTokenizerJson(): Record<string, unknown> {
    const s = this.options.special;
    const specials = [s.pad, s.unk, s.cls, s.sep, s.mask];
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: specials
        .map((t) => ({ id: this.vocab.get(t)!, content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
        .sort((a, b) => a.id - b.id),
      normalizer: { type: 'BertNormalizer', clean_text: this.options.cleanText, handle_chinese_chars: this.options.handleChineseChars, strip_accents: this.options.stripAccents, lowercase: this.options.lowercase },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: s.cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: s.sep, type_id: 0 } }],
        pair: [
          { SpecialToken: { id: s.cls, type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: s.sep, type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: s.sep, type_id: 1 } },
        ],
        special_tokens: {
          [s.cls]: { id: s.cls, ids: [this.clsId], tokens: [s.cls] },
          [s.sep]: { id: s.sep, ids: [this.sepId], tokens: [s.sep] },
        },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: s.unk,
        continuing_subword_prefix: '##',
        max_input_chars_per_word: this.options.maxInputCharsPerWord,
        vocab: Object.fromEntries(this.idToTokenList.map((t, i) => [t, i])),
      },
    };
  }
}

/** Token-classification labels per position: the word's label on its first piece, `ignore` elsewhere. */
export function alignWordLabels(wordIds: (number | null)[], wordLabels: number[], ignoreIndex = -100): number[] {
  let previous: number | null = null;
  return wordIds.map((w) => {
    const label = w === null || w === previous ? ignoreIndex : wordLabels[w];
    previous = w;
    return label;
  });
}
