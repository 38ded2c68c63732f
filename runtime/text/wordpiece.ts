// Greedy longest-match-first WordPiece over one pre-token.

/** Pieces of `word` from `vocab`, or `[unk]` when any part cannot be matched or the word is too long. */
export function wordPiece(word: string, vocab: Map<string, number>, unk: string, prefix = '##', maxChars = 100): string[] {
  const chars = Array.from(word);
  if (chars.length > maxChars) return [unk];
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found: string | null = null;
    while (end > start) {
      const candidate = (start > 0 ? prefix : '') + chars.slice(start, end).join('');
      if (vocab.has(candidate)) {
        found = candidate;
        break;
      }
      end--;
    }
    // One unmatched part makes the whole word unknown (pieces found so far are dropped).
    if (found === null) return [unk];
    pieces.push(found);
    start = end;
  }
  return pieces;
}
