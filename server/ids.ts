// Ids users see in URLs: a kind prefix and a random part (`g_V1StGXR8Z5jdHi6B`).
import { customAlphabet } from 'nanoid';

const random = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 14);

/** A new id with a kind prefix: g graph, r run, u user, w workspace, f upload. */
export function newId(prefix: string): string {
  return `${prefix}_${random()}`;
}
