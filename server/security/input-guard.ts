// The one text and shape check at the API boundary: strings with NUL or unpaired surrogates (which
// PostgreSQL refuses in text and jsonb), BigInt and non-JSON objects, non-finite numbers, and nesting
// deep enough to overflow a recursive serialiser are refused with the field named. Events, which
// come from our own worker, are cleaned instead so none is lost.
import { runSteps, runStepsInSlices, type Steps } from '../../runtime/compile/slices';

/** Deepest nesting accepted in any API input (a graph document needs about 6). */
export const MAX_INPUT_DEPTH = 64;

/** A problem in an input value, with the dotted path of the field. */
export interface InputProblem {
  path: string;
  message: string;
}

/** Keys superjson refuses to serialise (prototype pollution guard): stored, they could never be served back. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_ALL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Why a string cannot be stored, or null. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return null;
}

/** The string with NUL and unpaired surrogates replaced by U+FFFD, so it can be stored. */
export function cleanText(s: string): string {
  return s.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE_ALL, '\uFFFD');
}

/**
 * The first problem in a JSON-like value, walking it without recursion (a hostile value can be
 * nested deeper than the call stack). `maxDepth` bounds nesting; `plainOnly` refuses anything
 * but JSON values (and Dates, which superjson carries).
 */
export function findInputProblem(value: unknown, opts: { maxDepth?: number; root?: string } = {}): InputProblem | null {
  return runSteps(inputProblemSteps(value, opts));
}

/** findInputProblem in slices, for the request path: a 5 MB document never holds the event loop. */
export function findInputProblemInSlices(value: unknown): Promise<InputProblem | null> {
  return runStepsInSlices(inputProblemSteps(value, {}));
}

function* inputProblemSteps(value: unknown, opts: { maxDepth?: number; root?: string }): Steps<InputProblem | null> {
  let work = 0;
  const maxDepth = opts.maxDepth ?? MAX_INPUT_DEPTH;
  // Paths are linked (key + parent) and spelled out only for the problem found: building a string
  // per value made this walk the slowest step of a large save.
  type Frame = { v: unknown; key: string; parent: Frame | null; depth: number };
  const pathOf = (f: Frame | null): string => {
    const keys: string[] = [];
    for (let at = f; at; at = at.parent) if (at.key !== '') keys.push(at.key);
    return keys.reverse().join('.') || 'input';
  };
  const stack: Frame[] = [{ v: value, key: opts.root ?? '', parent: null, depth: 0 }];
  while (stack.length > 0) {
    if (++work % 2048 === 0) yield;
    const frame = stack.pop()!;
    const v = frame.v;
    switch (typeof v) {
      case 'string': {
        const problem = textProblem(v);
        if (problem) return { path: pathOf(frame), message: problem };
        continue;
      }
      case 'number':
        if (!Number.isFinite(v)) return { path: pathOf(frame), message: `${v} is not a finite number` };
        continue;
      case 'bigint':
        return { path: pathOf(frame), message: 'BigInt values are not accepted; send a number' };
      case 'symbol':
      case 'function':
        return { path: pathOf(frame), message: `a ${typeof v} is not a JSON value` };
      case 'boolean':
      case 'undefined':
        continue;
    }
    if (v === null) continue;
    if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) return { path: pathOf(frame), message: 'is an invalid date' };
      continue;
    }
    if (frame.depth >= maxDepth) return { path: pathOf(frame), message: `is nested more than ${maxDepth} levels deep` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], key: String(i), parent: frame, depth: frame.depth + 1 });
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return { path: pathOf(frame), message: `a ${(v as object).constructor?.name ?? 'non-JSON'} object is not accepted; send plain JSON` };
    const keys = Object.keys(v as object);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const keyProblem = textProblem(key);
      if (keyProblem) return { path: pathOf(frame), message: `a key ${keyProblem}` };
      if (FORBIDDEN_KEYS.has(key)) return { path: pathOf(frame), message: `a key named "${key}" is not accepted` };
      stack.push({ v: (v as Record<string, unknown>)[key], key, parent: frame, depth: frame.depth + 1 });
    }
  }
  return null;
}

/** A copy of a value with every string (and key) cleaned by cleanText; used for run events. */
export function cleanStrings<T>(value: T): T {
  const clean = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return textProblem(v) ? cleanText(v) : v;
    if (v === null || typeof v !== 'object' || depth > MAX_INPUT_DEPTH) return v;
    if (Array.isArray(v)) return v.map((x) => clean(x, depth + 1));
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a key named __proto__ stays a plain key.
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, textProblem(k) ? cleanText(k) : k, { value: clean(x, depth + 1), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return clean(value, 0) as T;
}


/** Whether a value nests deeper than `max` (arrays and objects), checked without recursion. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === 'object') stack.push([x, depth + 1]);
  }
  return false;
}
