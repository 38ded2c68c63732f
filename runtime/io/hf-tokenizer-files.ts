// Tokenizer files of a Hugging Face model folder: tokenizer.json (preferred), vocab.txt,
// tokenizer_config.json and special_tokens_map.json.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unusedIdName, WordPieceTokenizer, type SpecialTokens, type TokenizerOptions } from '../text/wordpiece-tokenizer';
import { writeFileAtomic } from './atomic-write';
import { MAX_JSON_BYTES, modelFilePath, readFolderJsonObject, readJsonChecked } from './folder-file';

const SPECIAL_KEYS = { pad: 'pad_token', unk: 'unk_token', cls: 'cls_token', sep: 'sep_token', mask: 'mask_token' } as const;

/** Special-token names from tokenizer_config.json then special_tokens_map.json (which wins, as in
 * transformers); values are strings or AddedToken objects `{content, …}`. */
function specialNames(...sources: Record<string, unknown>[]): Partial<SpecialTokens> {
  const names: Partial<SpecialTokens> = {};
  for (const source of sources) {
    for (const [name, key] of Object.entries(SPECIAL_KEYS) as [keyof SpecialTokens, string][]) {
      const value = source[key];
      const content = typeof value === 'string' ? value : (value as { content?: unknown } | null)?.content;
      if (typeof content === 'string' && content !== '') names[name] = content;
    }
  }
  return names;
}

/** Reads the tokenizer of a model folder; tokenizer_config.json settings win over the normalizer, as in
 * transformers. Links are followed only inside `root` (default `dir`). */
export function readTokenizerFolder(dir: string, root = dir): WordPieceTokenizer {
  const config = readFolderJsonObject(dir, 'tokenizer_config.json', root) ?? {};
  const overrides: Partial<TokenizerOptions> = {};
  if (typeof config.do_lower_case === 'boolean') overrides.lowercase = config.do_lower_case;
  if (typeof config.strip_accents === 'boolean' || config.strip_accents === null) overrides.stripAccents = config.strip_accents as boolean | null;
  if (typeof config.tokenize_chinese_chars === 'boolean') overrides.handleChineseChars = config.tokenize_chinese_chars;
  if (typeof config.model_max_length === 'number' && config.model_max_length >= 1 && config.model_max_length < 1e6) overrides.modelMaxLength = Math.floor(config.model_max_length);
  const special = specialNames(config, readFolderJsonObject(dir, 'special_tokens_map.json', root) ?? {});
  // A partial set is fine: the tokenizer fills the names not given with BERT's defaults.
  if (Object.keys(special).length > 0) overrides.special = special as SpecialTokens;
  const jsonPath = modelFilePath(dir, 'tokenizer.json', root);
  if (jsonPath) {
    try {
      return WordPieceTokenizer.fromTokenizerJson(readJsonChecked(jsonPath), overrides);
    } catch (err) {
      throw new Error(`${jsonPath}: ${(err as Error).message.replace(/^tokenizer\.json: |^.*tokenizer\.json: /, '')}`);
    }
  }
  const vocabPath = modelFilePath(dir, 'vocab.txt', root);
  if (vocabPath) {
    if (statSync(vocabPath).size > MAX_JSON_BYTES) throw new Error(`${vocabPath}: larger than ${MAX_JSON_BYTES} bytes`);
    try {
      return WordPieceTokenizer.fromVocabTxt(readFileSync(vocabPath, 'utf8'), overrides);
    } catch (err) {
      throw new Error(`${vocabPath}: ${(err as Error).message}`);
    }
  }
  throw new Error(`${dir}: no tokenizer.json or vocab.txt; a BERT model folder needs one of them`);
}

/** tokenizer.json text with model.vocab in id order. A JS object would list integer-like keys
 * ("0", "5", …) first whatever their id, so the vocab object is written by hand. */
export function tokenizerJsonText(tokenizer: WordPieceTokenizer): string {
  const json = tokenizer.toTokenizerJson() as { model: Record<string, unknown> };
  const marker = '"__VOCAB_IN_ID_ORDER__"';
  json.model = { ...json.model, vocab: JSON.parse(marker) };
  const seen = new Set<string>();
  const entries: string[] = [];
  tokenizer.idToTokenList.forEach((token, id) => {
    // A repeated token keeps its last id (the one the tokenizer uses), listed once.
    // An id no token maps to stays a hole, as transformers writes it.
    if (tokenizer.tokenToId(token) !== id || seen.has(token) || token === unusedIdName(id)) return;
    seen.add(token);
    entries.push(`      ${JSON.stringify(token)}: ${id}`);
  });
  // model.vocab is the last value in the file, so the last marker is ours whatever the tokens are
  // (slicing, not String.replace, which would read "$&" or "$'" in a token as a pattern).
  const text = JSON.stringify(json, null, 2);
  const at = text.lastIndexOf(marker);
  return `${text.slice(0, at)}{\n${entries.join(',\n')}\n    }${text.slice(at + marker.length)}`;
}

/**
 * Writes vocab.txt, tokenizer.json, tokenizer_config.json and special_tokens_map.json.
 * `maxPositions` (the model's max_position_embeddings) caps model_max_length, so HF truncation
 * never lets through more tokens than the model has positions.
 */
export function writeTokenizerFiles(dir: string, tokenizer: WordPieceTokenizer, opts: { maxPositions?: number } = {}): void {
  const o = tokenizer.options;
  const modelMaxLength = Math.min(o.modelMaxLength, opts.maxPositions ?? Infinity);
  const s = o.special;
  writeFileAtomic(join(dir, 'vocab.txt'), tokenizer.toVocabTxt());
  writeFileAtomic(join(dir, 'tokenizer.json'), tokenizerJsonText(tokenizer));
  const addedTokensDecoder = Object.fromEntries(
    [s.pad, s.unk, s.cls, s.sep, s.mask].map((t) => [String(tokenizer.tokenToId(t)), { content: t, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }]),
  );
  writeFileAtomic(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify(
      {
        tokenizer_class: 'BertTokenizer',
        do_lower_case: o.lowercase,
        do_basic_tokenize: true,
        never_split: null,
        tokenize_chinese_chars: o.handleChineseChars,
        strip_accents: o.stripAccents,
        unk_token: s.unk,
        sep_token: s.sep,
        pad_token: s.pad,
        cls_token: s.cls,
        mask_token: s.mask,
        model_max_length: modelMaxLength,
        clean_up_tokenization_spaces: true,
        added_tokens_decoder: addedTokensDecoder,
      },
      null,
      2,
    ),
  );
  writeFileAtomic(join(dir, 'special_tokens_map.json'), JSON.stringify({ unk_token: s.unk, sep_token: s.sep, pad_token: s.pad, cls_token: s.cls, mask_token: s.mask }, null, 2));
}
