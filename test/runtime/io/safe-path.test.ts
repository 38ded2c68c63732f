// resolveInside against escape attempts: "..", absolute paths, symbolic links (also via a parent), NUL, empty.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInside } from '../../../runtime/io/safe-path';

const top = mkdtempSync(join(tmpdir(), 'tg-safepath-'));
const root = join(top, 'root');
const outside = join(top, 'outside');
mkdirSync(join(root, 'models', 'bert'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(outside, 'secret.txt'), 'x');
writeFileSync(join(root, 'models', 'bert', 'config.json'), '{}');
symlinkSync(outside, join(root, 'escape')); // folder link pointing out
symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link')); // file link pointing out
symlinkSync(join(root, 'models'), join(root, 'models-link')); // link that stays inside
afterAll(() => rmSync(top, { recursive: true, force: true }));

describe('resolveInside', () => {
  it('resolves paths inside the root, existing or not', () => {
    expect(resolveInside(root, 'models/bert')).toBe(join(root, 'models', 'bert'));
    expect(resolveInside(root, './models/../models/bert/config.json')).toBe(join(root, 'models', 'bert', 'config.json'));
    expect(resolveInside(root, 'new/folder/file.bin')).toBe(join(root, 'new', 'folder', 'file.bin'));
    expect(resolveInside(root, join(root, 'models'))).toBe(join(root, 'models')); // absolute but inside
    expect(resolveInside(root, '..hidden')).toBe(join(root, '..hidden')); // a name starting with dots is not ".."
    expect(resolveInside(root, 'models-link/bert')).toBe(join(root, 'models-link', 'bert')); // link that stays inside
    expect(resolveInside(root, '.')).toBe(root);
  });

  it.each([
    ['..', /path "\.\." is outside/],
    ['../outside/secret.txt', /path "\.\.\/outside\/secret\.txt" is outside/],
    ['models/../../outside', /is outside/],
    ['/etc/passwd', /path "\/etc\/passwd" is outside/],
    ['escape/secret.txt', /leads outside .* through a symbolic link/],
    ['escape', /through a symbolic link/],
    ['secret-link', /through a symbolic link/],
    ['escape/not-yet-written.bin', /through a symbolic link/], // the parent is a link out, the file does not exist
    ['', /path is empty/],
    ['   ', /path is empty/],
    ['models/\0/x', /contains a NUL byte/],
  ])('refuses %j', (userPath, error) => {
    expect(() => resolveInside(root, userPath)).toThrow(error);
  });

  it('works when the root itself does not exist yet', () => {
    const fresh = join(top, 'not-created');
    expect(resolveInside(fresh, 'a/b')).toBe(join(fresh, 'a', 'b'));
    expect(() => resolveInside(fresh, '../outside')).toThrow(/is outside/);
  });
});
