// Tokenizer files of a Hugging Face model folder: tokenizer.json (preferred), vocab.txt,
// tokenizer_config.json and special_tokens_map.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WordPieceTokenizer, type TokenizerOptions } from '../text/wordpiece-tokenizer';
import { writeFileAtomic } from './atomic-write';

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** Reads the tokenizer of a model folder; tokenizer_config.json settings win over the normalizer, as in transformers. */
export function readTokenizerFolder(dir: string): WordPieceTokenizer {
  const configPath = join(dir, 'tokenizer_config.json');
  const config = existsSync(configPath) ? readJson(configPath) : {};
  const overrides: Partial<TokenizerOptions> = {};
  if (typeof config.do_lower_case === 'boolean') overrides.lowercase = config.do_lower_case;
  if (typeof config.strip_accents === 'boolean' || config.strip_accents === null) overrides.stripAccents = config.strip_accents as boolean | null;
  if (typeof config.tokenize_chinese_chars === 'boolean') overrides.handleChineseChars = config.tokenize_chinese_chars;
  if (typeof config.model_max_length === 'number' && config.model_max_length < 1e6) overrides.modelMaxLength = config.model_max_length;
  const jsonPath = join(dir, 'tokenizer.json');
  if (existsSync(jsonPath)) return WordPieceTokenizer.fromTokenizerJson(readJson(jsonPath), overrides);
  const vocabPath = join(dir, 'vocab.txt');
  if (existsSync(vocabPath)) return WordPieceTokenizer.fromVocabTxt(readFileSync(vocabPath, 'utf8'), overrides);
  throw new Error(`${dir}: no tokenizer.json or vocab.txt; a BERT model folder needs one of them`);
}

/** Writes vocab.txt, tokenizer.json, tokenizer_config.json and special_tokens_map.json. */
export function writeTokenizerFiles(dir: string, tokenizer: WordPieceTokenizer): void {
  const o = tokenizer.options;
  const s = o.special;
  writeFileAtomic(join(dir, 'vocab.txt'), tokenizer.toVocabTxt());
  writeFileAtomic(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.toTokenizerJson(), null, 2));
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
        model_max_length: o.modelMaxLength,
        clean_up_tokenization_spaces: true,
        added_tokens_decoder: addedTokensDecoder,
      },
      null,
      2,
    ),
  );
  writeFileAtomic(join(dir, 'special_tokens_map.json'), JSON.stringify({ unk_token: s.unk, sep_token: s.sep, pad_token: s.pad, cls_token: s.cls, mask_token: s.mask }, null, 2));
}
