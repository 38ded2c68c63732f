// Confining user-given paths to a folder: no "..", no absolute escapes, no symlinks pointing out.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** Whether `p` is `base` or lies below it (both absolute, normalised). */
function isInside(p: string, base: string): boolean {
  const rel = relative(base, p);
  // `..foo` is a legal name inside; only a whole `..` segment leaves the folder.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Real path of `p`, or of its deepest existing ancestor joined with the rest (for files not yet created). */
function realpathOfExisting(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) return p;
    rest.unshift(relative(parent, existing));
    existing = parent;
  }
  return resolve(realpathSync(existing), ...rest);
}

/**
 * `userPath` resolved inside `root`; throws naming the path when it is empty, holds a NUL byte,
 * or would escape (through `..`, an absolute path elsewhere, or a symbolic link anywhere on the
 * way, including a linked parent folder of a file that does not exist yet).
 */
export function resolveInside(root: string, userPath: string): string {
  if (typeof userPath !== 'string' || !userPath.trim()) throw new Error(`path is empty (expected a path inside ${resolve(root)})`);
  if (userPath.includes('\0')) throw new Error(`path ${JSON.stringify(userPath)} contains a NUL byte`);
  const base = resolve(root);
  const target = resolve(base, userPath);
  if (!isInside(target, base)) throw new Error(`path "${userPath}" is outside ${base}`);
  if (!isInside(realpathOfExisting(target), realpathOfExisting(base))) throw new Error(`path "${userPath}" leads outside ${base} through a symbolic link`);
  return target;
}
