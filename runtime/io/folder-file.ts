// Reading files of a model folder safely: links may not lead outside the folder, sizes are
// bounded, and errors name the file but never echo its contents.
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Largest JSON file read from a model folder (tokenizer.json of a 250k vocabulary is ~20 MB). */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

function isInside(p: string, base: string): boolean {
  const rel = relative(base, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The path of `name` inside `dir`, checked: a symbolic link is followed only when its target lies
 * inside `root` (default `dir`; the Hugging Face cache passes its repo folder, whose snapshots link
 * into `blobs/`). Returns null when the file does not exist.
 */
export function modelFilePath(dir: string, name: string, root = dir): string | null {
  const path = join(dir, name);
  try {
    lstatSync(path);
  } catch {
    return null;
  }
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    throw new Error(`${path}: is a broken symbolic link`);
  }
  if (!isInside(target, realpathSafe(root))) throw new Error(`${path}: is a symbolic link to a file outside the model folder; copy the file into the folder instead`);
  if (!statSync(target).isFile()) throw new Error(`${path}: is not a regular file`);
  return path;
}

function realpathSafe(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** `modelFilePath` that must exist; `missing` says what to do about it. */
export function requireModelFile(dir: string, name: string, missing: string, root = dir): string {
  const path = modelFilePath(dir, name, root);
  if (!path) throw new Error(`${join(dir, name)}: ${missing}`);
  return path;
}

/**
 * Parses JSON text; the error names `source` and the position, never the text itself (V8's
 * message quotes the start of the input, which would leak whatever file a link pointed at).
 */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message);
    if (!pos) throw new Error(`${source}: not valid JSON`);
    const at = Number(pos[1]);
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new Error(`${source}: not valid JSON (line ${line}, column ${column})`);
  }
}

/** Reads and parses a JSON file checked by `modelFilePath` (or any path), bounded in size. */
export function readJsonChecked(path: string, maxBytes = MAX_JSON_BYTES): unknown {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new Error(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size > maxBytes) throw new Error(`${path}: ${size} bytes, more than the ${maxBytes}-byte limit for this file`);
  return parseJsonText(readFileSync(path, 'utf8'), path);
}

/** A JSON object from a model folder (null when absent); `what` names the file's role in errors. */
export function readFolderJsonObject(dir: string, name: string, root = dir): Record<string, unknown> | null {
  const path = modelFilePath(dir, name, root);
  if (!path) return null;
  const json = readJsonChecked(path);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${path}: expected a JSON object, got ${Array.isArray(json) ? 'a list' : typeof json}`);
  return json as Record<string, unknown>;
}
