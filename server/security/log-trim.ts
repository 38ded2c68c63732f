// Child-process output into the server log, a line at a time with long lines cut: a crashing
// worker can print a whole minified wasm glue file as "the source line", ~30 KB of noise per crash.
import type { Readable, Writable } from 'node:stream';

/** Longest line copied from a child's output. */
export const MAX_LOG_LINE = 400;
/** Most bytes copied from one child; the rest is counted, not logged. */
export const MAX_LOG_BYTES = 64 * 1024;

/** Copies `from` into `to` line by line, each cut to MAX_LOG_LINE characters, at most MAX_LOG_BYTES in all. */
export function pipeTrimmed(from: Readable, to: Writable, prefix = ''): void {
  let pending = '';
  let written = 0;
  let dropped = 0;
  const writeLine = (line: string) => {
    const cut = line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE)}… (${line.length - MAX_LOG_LINE} more characters)` : line;
    if (written + cut.length > MAX_LOG_BYTES) {
      dropped += line.length;
      return;
    }
    written += cut.length + 1;
    to.write(`${prefix}${cut}\n`);
  };
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      writeLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
    // A line without an end yet is held, but never more than one line's worth plus the cut note.
    if (pending.length > MAX_LOG_LINE * 4) {
      writeLine(pending);
      pending = '';
    }
  });
  from.on('end', () => {
    if (pending) writeLine(pending);
    if (dropped > 0) to.write(`${prefix}(${dropped} more characters of output not logged)\n`);
  });
}
