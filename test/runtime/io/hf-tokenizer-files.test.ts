// Reading and writing the tokenizer files of a Hugging Face model folder: which file wins, how
// tokenizer_config.json overrides the normalizer, errors, and write → read round trips.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readTokenizerFolder, writeTokenizerFiles } from '../../../runtime/io/hf-tokenizer-files';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/tokenizer/${name}/`, import.meta.url));
const UNCASED = fixture('bert-tiny-uncased');
const CASED = fixture('legacy-cased');

const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tok-files-'));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

// Strings whose ids exercise every normalizer step (ids listed in the fixtures' README).
const TRICKY = ["Don't pay $5.00!", 'Café RÉSUMÉ naïve', 'the中国 🙂', 'hel\u0000lo\u0085 world', '[MASK] and [mask]', 'x'.repeat(101), 'ΟΣ unaffable'];

describe('readTokenizerFolder', () => {
  it('falls back to vocab.txt and takes the normalizer flags from tokenizer_config.json', () => {
    const tok = readTokenizerFolder(UNCASED);
    expect(tok.vocabSize).toBe(149);
    expect([tok.unkId, tok.clsId, tok.sepId, tok.maskId]).toEqual([100, 101, 102, 103]);
    expect(tok.options.modelMaxLength).toBe(128);
    expect(tok.encode('Café').ids).toEqual([101, 120, 102]);
  });

  it('honours do_lower_case, strip_accents and tokenize_chinese_chars from tokenizer_config.json', () => {
    const dir = tempDir();
    copyFileSync(join(UNCASED, 'vocab.txt'), join(dir, 'vocab.txt'));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false, tokenize_chinese_chars: false }));
    const cased = readTokenizerFolder(dir);
    expect(cased.encode('Café cafe').ids).toEqual([101, 100, 120, 102]);
    expect(cased.encode('the中国').ids).toEqual([101, 100, 102]);
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, strip_accents: false }));
    expect(readTokenizerFolder(dir).encode('CAFE Café').ids).toEqual([101, 120, 100, 102]);
  });

  it('reads an older cased tokenizer.json (BertProcessing, model without type) and ignores the 1e30 length sentinel', () => {
    const tok = readTokenizerFolder(CASED);
    expect(tok.vocabSize).toBe(12);
    expect(tok.options.lowercase).toBe(false);
    expect(tok.options.modelMaxLength).toBe(512);
    // Cased, accents kept: Hello World ! → 5 7 8; hello Caf ##é → 6 9 10; HELLO has no piece → [UNK]
    expect(tok.encode('Hello World!').ids).toEqual([2, 5, 7, 8, 3]);
    expect(tok.encode('hello Café HELLO').ids).toEqual([2, 6, 9, 10, 1, 3]);
  });

  it('prefers tokenizer.json over vocab.txt', () => {
    const dir = tempDir();
    copyFileSync(join(CASED, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    copyFileSync(join(UNCASED, 'vocab.txt'), join(dir, 'vocab.txt'));
    const tok = readTokenizerFolder(dir);
    expect(tok.vocabSize).toBe(12);
    expect(tok.encode('Hello').ids).toEqual([2, 5, 3]);
  });

  it('lets tokenizer_config.json rebuild the tokenizer.json normalizer, as BertTokenizerFast does', () => {
    const dir = tempDir();
    copyFileSync(join(CASED, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true }));
    // Now lower-cased and (strip_accents null → follows lowercase) accent-stripped: hello [UNK](caf)
    expect(readTokenizerFolder(dir).encode('Hello Café').ids).toEqual([2, 6, 1, 3]);
  });

  it('treats "normalizer": null as no normalization', () => {
    const dir = tempDir();
    const json = readJson(join(CASED, 'tokenizer.json'));
    json.normalizer = null;
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    expect(readTokenizerFolder(dir).encode('Hello hello').ids).toEqual([2, 5, 6, 3]);
  });

  it('takes special-token names from tokenizer_config.json and special_tokens_map.json (the map wins)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'vocab.txt'), ['<pad>', '<unk>', '<s>', '</s>', '<mask>', 'hello'].join('\n') + '\n');
    // AddedToken objects and plain strings are both accepted; "[MASK]" here is overridden by the map.
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ cls_token: { __type: 'AddedToken', content: '<s>', lstrip: false }, unk_token: '<unk>', mask_token: '[MASK]' }));
    writeFileSync(join(dir, 'special_tokens_map.json'), JSON.stringify({ pad_token: '<pad>', sep_token: '</s>', mask_token: { content: '<mask>' } }));
    const tok = readTokenizerFolder(dir);
    expect([tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId]).toEqual([0, 1, 2, 3, 4]);
    // <mask> is matched on the raw text; "[MASK]" is now ordinary text: [ mask ] → three [UNK]s
    expect(tok.encode('hello <mask> [MASK]').ids).toEqual([2, 5, 4, 1, 1, 1, 3]);
    const out = tempDir();
    writeTokenizerFiles(out, tok);
    expect(readJson(join(out, 'special_tokens_map.json'))).toEqual({ unk_token: '<unk>', sep_token: '</s>', pad_token: '<pad>', cls_token: '<s>', mask_token: '<mask>' });
    const back = readTokenizerFolder(out);
    expect(back.encode('hello <mask> [MASK]').ids).toEqual([2, 5, 4, 1, 1, 1, 3]);
    rmSync(join(out, 'special_tokens_map.json'));
    rmSync(join(out, 'tokenizer_config.json'));
    // tokenizer.json alone names unk (model) and cls/sep (post-processor); pad and mask fall back to [PAD]/[MASK].
    expect(() => readTokenizerFolder(out)).toThrow('vocabulary has no [PAD] token');
  });

  it('takes [CLS]/[SEP] names from either post-processor shape and pad from the padding block', () => {
    const dir = tempDir();
    const vocab = { '<pad>': 0, '<unk>': 1, '<s>': 2, '</s>': 3, '[MASK]': 4, hello: 5 };
    const model = { unk_token: '<unk>', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab };
    const template = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
    };
    const padding = { strategy: 'BatchLongest', direction: 'Right', pad_id: 0, pad_type_id: 0, pad_token: '<pad>' };
    for (const post_processor of [template, { type: 'BertProcessing', cls: ['<s>', 2], sep: ['</s>', 3] }]) {
      writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ normalizer: null, padding, post_processor, model }));
      const tok = readTokenizerFolder(dir);
      expect([tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId]).toEqual([0, 1, 2, 3, 4]);
      expect(tok.encode('hello [MASK]').ids).toEqual([2, 5, 4, 3]);
    }
  });

  it('names the folder when it has neither tokenizer.json nor vocab.txt', () => {
    const dir = tempDir();
    expect(() => readTokenizerFolder(dir)).toThrow(`${dir}: no tokenizer.json or vocab.txt`);
  });

  it('names the file and the problem for broken tokenizer.json files', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
    expect(() => readTokenizerFolder(dir)).toThrow(join(dir, 'tokenizer.json'));
    const json = readJson(join(CASED, 'tokenizer.json'));
    json.model.vocab = { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 1e12 };
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    expect(() => readTokenizerFolder(dir)).toThrow('has id 1000000000000');
    json.model = { type: 'BPE', vocab: {}, merges: [] };
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    expect(() => readTokenizerFolder(dir)).toThrow('model type "BPE" is not WordPiece');
  });
});

describe('writeTokenizerFiles', () => {
  it('writes the four Hugging Face files in the documented shapes', () => {
    const dir = tempDir();
    writeTokenizerFiles(dir, readTokenizerFolder(UNCASED));
    // vocab.txt is byte-identical to the one read (tokens in id order, each followed by \n).
    expect(readFileSync(join(dir, 'vocab.txt'), 'utf8')).toBe(readFileSync(join(UNCASED, 'vocab.txt'), 'utf8'));
    const json = readJson(join(dir, 'tokenizer.json'));
    expect(Object.keys(json)).toEqual(['version', 'truncation', 'padding', 'added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'model']);
    expect(json.added_tokens.map((t: { id: number; content: string }) => [t.id, t.content])).toEqual([
      [0, '[PAD]'],
      [100, '[UNK]'],
      [101, '[CLS]'],
      [102, '[SEP]'],
      [103, '[MASK]'],
    ]);
    expect(json.normalizer).toEqual({ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true });
    expect(json.pre_tokenizer).toEqual({ type: 'BertPreTokenizer' });
    expect(json.post_processor.special_tokens['[CLS]'].ids).toEqual([101]);
    expect(json.post_processor.pair.at(-1)).toEqual({ SpecialToken: { id: '[SEP]', type_id: 1 } });
    expect(json.decoder).toEqual({ type: 'WordPiece', prefix: '##', cleanup: true });
    expect(json.model).toMatchObject({ type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100 });
    expect(json.model.vocab['##𝒳']).toBe(146);
    // Written in id order, integer-like tokens ("0", "5", "00") included: the ids in the file text ascend.
    const vocabText = readFileSync(join(dir, 'tokenizer.json'), 'utf8').split('"vocab": {')[1];
    const fileIds = [...vocabText.matchAll(/": (\d+)/g)].map((m) => Number(m[1]));
    expect(fileIds).toEqual(Array.from({ length: 149 }, (_, i) => i));
    expect(Object.keys(json.model.vocab)).toHaveLength(149);
    const config = readJson(join(dir, 'tokenizer_config.json'));
    expect(config).toMatchObject({ tokenizer_class: 'BertTokenizer', do_lower_case: true, strip_accents: null, tokenize_chinese_chars: true, model_max_length: 128, unk_token: '[UNK]', mask_token: '[MASK]' });
    expect(Object.keys(config.added_tokens_decoder)).toEqual(['0', '100', '101', '102', '103']);
    expect(readJson(join(dir, 'special_tokens_map.json'))).toEqual(readJson(join(UNCASED, 'special_tokens_map.json')));
  });

  it('round-trips through tokenizer.json and through vocab.txt alone with the same ids', () => {
    const original = readTokenizerFolder(UNCASED);
    const dir = tempDir();
    writeTokenizerFiles(dir, original);
    const viaJson = readTokenizerFolder(dir);
    rmSync(join(dir, 'tokenizer.json'));
    const viaVocab = readTokenizerFolder(dir);
    for (const text of TRICKY) {
      expect(viaJson.encode(text).ids, text).toEqual(original.encode(text).ids);
      expect(viaVocab.encode(text).ids, text).toEqual(original.encode(text).ids);
    }
    expect(viaJson.encode('hello world', { pair: 'x x' }).tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });

  it('writes tokens that look like JSON or replacement patterns verbatim', () => {
    const odd = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', "$'", '$&', '$$', '"', '\\', '0', '__VOCAB_IN_ID_ORDER__', '{'];
    const dir = tempDir();
    writeFileSync(join(dir, 'vocab.txt'), odd.map((t) => `${t}\n`).join(''));
    writeTokenizerFiles(dir, readTokenizerFolder(dir));
    rmSync(join(dir, 'vocab.txt'));
    expect(readTokenizerFolder(dir).idToTokenList).toEqual(odd);
  });

  it('keeps a cased tokenizer cased after a round trip', () => {
    const dir = tempDir();
    writeTokenizerFiles(dir, readTokenizerFolder(CASED));
    const back = readTokenizerFolder(dir);
    expect(back.options.lowercase).toBe(false);
    expect(readJson(join(dir, 'tokenizer_config.json')).do_lower_case).toBe(false);
    expect(back.encode('Hello hello Café').ids).toEqual([2, 5, 6, 9, 10, 3]);
  });
});

describe('HF fast-tokenizer rules the rewrite keeps', () => {
  it('a vocab.txt with a repeated line: the later id wins, and the rewritten tokenizer.json (with its hole) loads with the same ids', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'vocab.txt'), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'world', 'hello', '##s'].map((t) => `${t}\n`).join(''));
    const fromVocab = readTokenizerFolder(dir);
    expect(fromVocab.encode('hello worlds').ids).toEqual([2, 7, 6, 8, 3]);
    writeTokenizerFiles(dir, fromVocab);
    const vocab = readJson(join(dir, 'tokenizer.json')).model.vocab;
    expect(vocab.hello).toBe(7);
    expect(Object.values(vocab)).not.toContain(5);
    const fromJson = readTokenizerFolder(dir);
    expect(fromJson.vocabSize).toBe(9);
    expect(fromJson.encode('hello worlds').ids).toEqual([2, 7, 6, 8, 3]);
    // Written again from the tokenizer.json reading, every id stays where it was.
    writeTokenizerFiles(dir, fromJson);
    rmSync(join(dir, 'tokenizer.json'));
    expect(readTokenizerFolder(dir).encode('hello worlds').ids).toEqual([2, 7, 6, 8, 3]);
  });

  it('keeps an unassigned code point (its word becomes [UNK]) and deletes format characters, as the Rust normalizer does', () => {
    const tok = readTokenizerFolder(UNCASED);
    // U+0378 is unassigned (Cn): HF's is_control is Cc/Cf/Co only.
    expect(tok.tokenize('hello \u0378x world')).toEqual(['hello', '[UNK]', 'world']);
    // U+200B ZERO WIDTH SPACE is Cf: deleted, so the word stays whole.
    expect(tok.tokenize('hel\u200Blo')).toEqual(['hello']);
  });
});
