// Content-addressed artifacts: one folder per cache key under <dataDir>/artifacts/<key>/.
// A stage writes into a temp folder that is renamed into place only when complete, so a killed
// worker never leaves a partial artifact behind.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COMPLETE = '.complete';

export class ArtifactStore {
  readonly root: string;
  private readonly tmpRoot: string;

  constructor(root: string) {
    this.root = root;
    this.tmpRoot = join(root, '.tmp');
    mkdirSync(this.tmpRoot, { recursive: true });
  }

  /** Removes temp folders left by workers that died mid-write. */
  sweepTemp(): number {
    let removed = 0;
    for (const entry of readdirSync(this.tmpRoot)) {
      rmSync(join(this.tmpRoot, entry), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  private check(key: string): void {
    if (!/^[a-f0-9]{64}$/.test(key)) throw new Error(`artifact key "${key}" is not a sha256 hex digest`);
  }

  /** Folder of a complete artifact, or null. */
  get(key: string): string | null {
    this.check(key);
    const dir = join(this.root, key);
    return existsSync(join(dir, COMPLETE)) ? dir : null;
  }

  has(key: string): boolean {
    return this.get(key) !== null;
  }

  /** A fresh temp folder to write an artifact into. */
  begin(key: string): string {
    this.check(key);
    return mkdtempSync(join(this.tmpRoot, `${key.slice(0, 12)}-`));
  }

  /** Marks the temp folder complete and moves it into place atomically; returns the final folder. */
  commit(key: string, tmpDir: string): string {
    this.check(key);
    writeFileSync(join(tmpDir, COMPLETE), new Date().toISOString());
    const dir = join(this.root, key);
    if (existsSync(dir)) {
      // Another worker finished the same key first; identical inputs give an equivalent artifact.
      rmSync(tmpDir, { recursive: true, force: true });
      return dir;
    }
    renameSync(tmpDir, dir);
    return dir;
  }

  abort(tmpDir: string): void {
    rmSync(tmpDir, { recursive: true, force: true });
  }

  /** Total bytes of an artifact folder. */
  sizeOf(key: string): number {
    const dir = this.get(key);
    if (!dir) return 0;
    const walk = (d: string): number =>
      readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? walk(join(d, e.name)) : statSync(join(d, e.name)).size), 0);
    return walk(dir);
  }
}
