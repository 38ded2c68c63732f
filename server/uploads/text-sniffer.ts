// Checks an upload's bytes as they stream in: data files must be UTF-8 text. Binary files (NUL
// bytes), UTF-16 and Latin-1/Windows-1252 files are refused with the file and the byte offset
// named, and what to do about it.

/** Why the bytes are not UTF-8 text, or null while they still are. */
export type SniffProblem = string | null;

/** A streaming UTF-8 validator: feed chunks in order, then call end(). */
export class TextSniffer {
  private offset = 0;
  /** Continuation bytes still expected for the current character, and the bounds of the next one. */
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;
  private charStart = 0;
  private lead = 0;

  constructor(private readonly filename: string) {}

  /** The first problem in this chunk, or null. */
  push(chunk: Uint8Array): SniffProblem {
    if (this.offset === 0 && chunk.length >= 2) {
      const [a, b] = chunk;
      if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) {
        return `${this.filename} is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8 and upload it again`;
      }
    }
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      const at = this.offset + i;
      if (this.need === 0) {
        if (byte === 0) return `${this.filename}: byte ${at} is a NUL byte; this looks like a binary file, not CSV, JSONL or text`;
        if (byte < 0x80) continue;
        this.charStart = at;
        this.lead = byte;
        if (byte >= 0xc2 && byte <= 0xdf) this.need = 1;
        else if (byte >= 0xe0 && byte <= 0xef) {
          this.need = 2;
          if (byte === 0xe0) this.lower = 0xa0;
          if (byte === 0xed) this.upper = 0x9f; // no UTF-16 surrogates
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          this.need = 3;
          if (byte === 0xf0) this.lower = 0x90;
          if (byte === 0xf4) this.upper = 0x8f;
        } else return this.invalid(at, byte);
        continue;
      }
      if (byte < this.lower || byte > this.upper) return this.invalid(this.charStart, this.lead);
      this.lower = 0x80;
      this.upper = 0xbf;
      this.need--;
    }
    this.offset += chunk.length;
    return null;
  }

  /** A problem with how the file ended (a character cut off), or null. */
  end(): SniffProblem {
    return this.need > 0 ? `${this.filename}: the file ends in the middle of a UTF-8 character (byte ${this.charStart})` : null;
  }

  private invalid(at: number, byte: number): string {
    return `${this.filename}: byte ${at} (0x${byte.toString(16).padStart(2, '0')}) is not valid UTF-8; the file looks like Latin-1 or Windows-1252. Save it as UTF-8 and upload it again`;
  }
}
