// BertNormalizer and BertPreTokenizer exactly as Hugging Face's fast (Rust) tokenizer applies them.

export interface NormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  /** null: follow `lowercase`. */
  stripAccents: boolean | null;
  lowercase: boolean;
}

// The Rust normalizer's is_control is Cc, Cf and Co only: an unassigned code point (Cn) is kept and,
// being in no vocabulary, turns its word into [UNK]. A lone surrogate (impossible in Rust's UTF-8
// text, possible in a JS string) is dropped.
const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
const WHITESPACE = /\p{White_Space}/u;
const MARK_NONSPACING = /\p{Mn}/gu;
const PUNCT = /\p{P}/u;
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** CJK Unified Ideograph ranges of the Rust implementation. */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** ASCII punctuation and symbols (33–47, 58–64, 91–96, 123–126) or Unicode category P*. */
export function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || (cp >= 128 && PUNCT.test(ch));
}

/** clean → Chinese spacing → strip accents → lowercase (per code point, no final-sigma rule). */
export function normalizeBert(text: string, o: NormalizerOptions): string {
  let out = '';
  // ASCII needs no Unicode tables: most text is ASCII, and the regex tests per character were the cost.
  let ascii = true;
  if (o.cleanText || o.handleChineseChars) {
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp < 128) {
        if (o.cleanText) {
          if (cp === 9 || cp === 10 || cp === 13 || cp === 32) {
            out += ' ';
            continue;
          }
          // NUL and the other C0 controls (VT and FF included, as CONTROL says) and DEL go.
          if (cp < 32 || cp === 127) continue;
        }
        out += ch;
        continue;
      }
      ascii = false;
      if (o.cleanText) {
        if (cp === 0xfffd) continue;
        if (CONTROL.test(ch)) continue;
        if (WHITESPACE.test(ch)) {
          out += ' ';
          continue;
        }
      }
      out += o.handleChineseChars && isChineseChar(cp) ? ` ${ch} ` : ch;
    }
  } else {
    out = text;
    ascii = ASCII_ONLY.test(out);
  }
  if (ascii) return o.lowercase ? out.toLowerCase() : out;
  if (o.stripAccents ?? o.lowercase) out = out.normalize('NFD').replace(MARK_NONSPACING, '');
  if (o.lowercase) {
    let lowered = '';
    for (const ch of out) lowered += ch.toLowerCase();
    out = lowered;
  }
  return out;
}

/** Splits on Unicode whitespace, then isolates every punctuation character. */
export function preTokenizeBert(text: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const space = cp < 128 ? cp === 32 || (cp >= 9 && cp <= 13) : WHITESPACE.test(ch);
    if (space) {
      if (current) pieces.push(current);
      current = '';
    } else if (isPunctuation(ch)) {
      if (current) pieces.push(current);
      pieces.push(ch);
      current = '';
    } else current += ch;
  }
  if (current) pieces.push(current);
  return pieces;
}
