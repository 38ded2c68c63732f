// Content hashes of data, so cache keys change exactly when the data does.
import { createHash } from 'node:crypto';

/** sha256 over the JSON of a value (arrays and plain objects of strings and numbers). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
