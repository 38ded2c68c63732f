// Content-addressed artifacts: one folder per cache key under <dataDir>/artifacts/<key>/ (or
// TUNEGRAPH_ARTIFACTS_DIR, a directory every compute host mounts). A stage writes into a temp
// folder that is renamed into place only when complete, so a killed worker never leaves a partial
// artifact behind, on this host or any other.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COMPLETE = '.complete';

/**
 * What executors need from an artifact store. Stages read and write local folders, so a store
 * hands out folder paths: the shared-directory store below gives its own; an object store (S3 …)
 * would download into a local cache in `get` and upload in `commit`, with the same guarantees —
 * `get` returns only complete artifacts, and `commit` publishes all of a folder or none of it.
 */
export interface ArtifactStorage {
  /** Folder of a complete artifact, or null. */
  get(key: string): string | null;
  has(key: string): boolean;
  /** A fresh local folder to write an artifact into. */
  begin(key: string): string;
  /** Publishes the folder atomically; returns the artifact's folder. */
  commit(key: string, tmpDir: string): string;
  /** Drops an unfinished folder. */
  abort(tmpDir: string): void;
  /** Folder where the stage with this key keeps resumable checkpoints (shared, so a retry on another host resumes). */
  checkpointDir(key: string): string;
}

/** The artifact root a compute host uses: TUNEGRAPH_ARTIFACTS_DIR, else `<dataDir>/artifacts`. */
export function artifactsRootFor(dataDir: string): string {
  return process.env.TUNEGRAPH_ARTIFACTS_DIR || join(dataDir, 'artifacts');
}

/** A store in a directory (local, or a network mount shared by every host). */
export class ArtifactStore implements ArtifactStorage {
  readonly root: string;
  private readonly tmpRoot: string;

  constructor(root: string) {
    this.root = root;
    this.tmpRoot = join(root, '.tmp');
    mkdirSync(this.tmpRoot, { recursive: true });
  }

  /** Removes temp folders left by workers that died mid-write. On a shared store other hosts may be
   * writing right now, so there only folders older than `olderThanMs` are removed. */
  sweepTemp(olderThanMs = 0): number {
    let removed = 0;
    const now = Date.now();
    for (const entry of readdirSync(this.tmpRoot)) {
      const path = join(this.tmpRoot, entry);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat || (olderThanMs > 0 && now - stat.mtimeMs < olderThanMs)) continue;
      rmSync(path, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  /** Checkpoints live beside the artifacts (`.checkpoints/<key>`), on the same shared volume. */
  checkpointDir(key: string): string {
    this.check(key);
    return join(this.root, '.checkpoints', key);
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
    try {
      renameSync(tmpDir, dir);
    } catch (err) {
      // Lost a race with another host committing the same key between the check and the rename.
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      rmSync(tmpDir, { recursive: true, force: true });
    }
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
