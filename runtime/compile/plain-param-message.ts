// zod's own messages ("Invalid input: expected int, received number") in plain words for the editor:
// "must be a whole number (got 2.5)". A schema's custom message is kept as written.
import type { z } from 'zod';

const fmt = (v: unknown) => (typeof v === 'string' ? `"${v}"` : typeof v === 'number' || typeof v === 'boolean' ? String(v) : Array.isArray(v) ? 'a list' : v === null ? 'nothing' : typeof v);

/** The issue in plain words; `input` is the value that was given, when known. */
export function plainParamMessage(issue: z.core.$ZodIssue, input?: unknown): string {
  const got = input === undefined ? '' : ` (got ${fmt(input)})`;
  // A message the schema wrote itself is already plain.
  if (!/^(Invalid|Too (small|big))/.test(issue.message)) return issue.message;
  const i = issue as z.core.$ZodIssue & { expected?: string; values?: unknown[]; origin?: string; minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean };
  switch (i.code) {
    case 'invalid_type':
      if (i.expected === 'int') return `must be a whole number${got}`;
      if (i.expected === 'number') return `must be a number${got}`;
      if (i.expected === 'string') return `must be text${got}`;
      if (i.expected === 'boolean') return `must be on or off${got}`;
      if (i.expected === 'array') return `must be a list${got}`;
      return `must be ${i.expected ?? 'something else'}${got}`;
    case 'invalid_value':
      return `must be one of ${(i.values ?? []).map((v) => String(v)).join(', ')}${got}`;
    case 'too_small':
      if (i.origin === 'string') return Number(i.minimum) <= 1 ? 'cannot be empty' : `needs at least ${i.minimum} characters`;
      if (i.origin === 'array') return `choose at least ${i.minimum}`;
      return `must be ${i.inclusive ? 'at least' : 'more than'} ${i.minimum}${got}`;
    case 'too_big':
      if (i.origin === 'string') return `can be at most ${i.maximum} characters`;
      if (i.origin === 'array') return `choose at most ${i.maximum}`;
      return `must be ${i.inclusive ? 'at most' : 'less than'} ${i.maximum}${got}`;
    default:
      return issue.message;
  }
}
