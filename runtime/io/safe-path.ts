// Confining user-given paths to a folder: no "..", no absolute escapes, no symlinks pointing out.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** `userPath` resolved inside `root`; throws naming the path when it would escape. */
export function resolveInside(root: string, userPath: string): string {
  if (!userPath || !userPath.trim()) throw new Error('path is empty');
  if (userPath.includes('\0')) throw new Error('path contains a NUL byte');
  const base = resolve(root);
  const target = resolve(base, userPath);
  const inside = (p: string, b: string) => {
    const rel = relative(b, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
  };
  if (!inside(target, base)) throw new Error(`path "${userPath}" is outside ${base}`);
  if (existsSync(target)) {
    const realBase = existsSync(base) ? realpathSync(base) : base;
    if (!inside(realpathSync(target), realBase)) throw new Error(`path "${userPath}" leads outside ${base} through a symbolic link`);
  }
  return target;
}
