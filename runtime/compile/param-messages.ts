// Param errors in plain words: "Epochs must be a whole number, got 2.5" instead of zod's
// "expected int, received number". Browser-safe; used for every zod issue on a node's params.
import type { z } from 'zod';

/** learningRate → "Learning rate", targetModules.1 → "Target modules (item 2)". */
export function paramLabel(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  if (!head) return 'Params';
  const words = head.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const label = words.charAt(0).toUpperCase() + words.slice(1);
  const index = rest.find((r) => /^\d+$/.test(r));
  return index !== undefined ? `${label} (item ${Number(index) + 1})` : label;
}

/** What a received value is, briefly and without echoing long text. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 40 ? `text of ${value.length} characters` : `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return 'an object';
}

const KIND_WORDS: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'on or off (true/false)',
  array: 'a list',
  object: 'an object',
};

/** Value at a path inside params, for "got …". */
function valueAt(params: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = params;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

const fmt = (n: number | bigint) => (typeof n === 'number' && Math.abs(n) > 0 && Math.abs(n) < 1e-3 ? n.toExponential() : String(n));

/** One zod issue on `params` as a sentence naming the param, what it must be and what it got. */
export function plainParamMessage(issue: z.core.$ZodIssue, params: unknown): string {
  const label = paramLabel(issue.path);
  const got = shown(valueAt(params, issue.path));
  switch (issue.code) {
    case 'invalid_type':
      return `${label} must be ${KIND_WORDS[issue.expected] ?? issue.expected}, got ${got}`;
    case 'too_small': {
      if (issue.origin === 'array' || issue.origin === 'set') return `${label} needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? `${label} must not be empty` : `${label} needs at least ${issue.minimum} characters`;
      return `${label} must be ${issue.inclusive ? 'at least' : 'more than'} ${fmt(issue.minimum)}, got ${got}`;
    }
    case 'too_big': {
      if (issue.origin === 'array' || issue.origin === 'set') return `${label} takes at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `${label} must be at most ${issue.maximum} characters`;
      return `${label} must be ${issue.inclusive ? 'at most' : 'less than'} ${fmt(issue.maximum)}, got ${got}`;
    }
    case 'invalid_value':
      return `${label} must be one of ${issue.values.map((v) => `"${String(v)}"`).join(', ')}, got ${got}`;
    case 'invalid_union': {
      // Our unions are "auto" or a bounded number: say both, with the number's bounds when one branch gives them.
      const branches = (issue.errors ?? []).flat();
      const literal = branches.find((b) => b.code === 'invalid_value') as { values?: unknown[] } | undefined;
      const options = [...(literal?.values ?? []).map((v) => `"${String(v)}"`), ...branches.filter((b) => b.code === 'invalid_type').map((b) => KIND_WORDS[(b as { expected: string }).expected] ?? 'another value')];
      return options.length > 0 ? `${label} must be ${options.join(' or ')}, got ${got}` : `${label} has an invalid value (${got})`;
    }
    case 'invalid_format':
      return `${label}: ${issue.message.startsWith('Invalid') ? `not in the expected format (${issue.format})` : issue.message}, got ${got}`;
    case 'not_multiple_of':
      return `${label} must be a multiple of ${issue.divisor}, got ${got}`;
    case 'unrecognized_keys':
      return `${label} has unknown keys: ${issue.keys.join(', ')}`;
    default:
      return `${label}: ${issue.message}`;
  }
}
