// Single flight per cache key: when several runs (a sweep's grid points, two teammates) need the same
// stage at once, the first claims its key and computes it; the others wait for its artifact and reuse
// it. The claim is a folder beside the artifacts (`<root>/.flights/<key>/`), made with an atomic mkdir,
// so it holds across worker processes and across hosts that share the artifact directory.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** Who is computing a key (written into the claim, shown to waiters). */
export interface FlightHolder {
  runId: string;
  nodeId: string;
  host: string;
  pid: number;
  since: string;
}

export type FlightOutcome =
  /** The artifact is complete: reuse it. */
  | { kind: 'ready' }
  /** The caller computes the key now and must call `release` when it stops, whatever the result. */
  | { kind: 'claimed'; release: () => void }
  /** The signal fired while waiting. */
  | { kind: 'cancelled' };

export interface ClaimOptions {
  signal: AbortSignal;
  /** Whether the key's artifact is complete now (asked before claiming and after every wait). */
  ready: () => boolean;
  /** Told once, when another run is found computing the key. */
  onWait?: (holder: FlightHolder | null) => void;
}

export interface FlightTimings {
  /** How often a waiter looks again. */
  pollMs: number;
  /** How often a holder touches its claim. */
  heartbeatMs: number;
  /** A claim of another host untouched this long is abandoned (its host died or lost the mount). */
  staleMs: number;
}

const DEFAULT_TIMINGS: FlightTimings = { pollMs: 250, heartbeatMs: 5_000, staleMs: 120_000 };

/** Claims on cache keys in one artifact root. */
export class StageFlights {
  private readonly dir: string;
  private readonly timings: FlightTimings;

  constructor(artifactsRoot: string, timings: Partial<FlightTimings> = {}) {
    this.dir = join(artifactsRoot, '.flights');
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
    mkdirSync(this.dir, { recursive: true });
  }

  /** Waits until nobody else computes `key`; then either its artifact is there or the caller holds the claim.
   * A holder that fails releases its claim, so a waiter then claims and computes itself: nobody waits forever. */
  async claim(key: string, who: { runId: string; nodeId: string }, opts: ClaimOptions): Promise<FlightOutcome> {
    if (!/^[a-f0-9]{64}$/.test(key)) throw new Error(`flight key "${key}" is not a sha256 hex digest`);
    const path = join(this.dir, key);
    let told = false;
    for (;;) {
      if (opts.signal.aborted) return { kind: 'cancelled' };
      if (opts.ready()) return { kind: 'ready' };
      if (this.tryClaim(path, who)) {
        // The holder before us may have committed and released between our two looks.
        if (opts.ready()) {
          rmSync(path, { recursive: true, force: true });
          return { kind: 'ready' };
        }
        return { kind: 'claimed', release: this.holdUntilReleased(path) };
      }
      const holder = readHolder(path);
      if (this.isAbandoned(path, holder)) {
        // Renaming first means only one waiter removes an abandoned claim; the others see it gone.
        const grave = `${path}.abandoned-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
        try {
          renameSync(path, grave);
          rmSync(grave, { recursive: true, force: true });
        } catch {
          // Another waiter took it away first.
        }
        continue;
      }
      if (!told) {
        told = true;
        opts.onWait?.(holder);
      }
      await sleep(this.timings.pollMs, opts.signal);
    }
  }

  private tryClaim(path: string, who: { runId: string; nodeId: string }): boolean {
    try {
      mkdirSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    const holder: FlightHolder = { ...who, host: os.hostname(), pid: process.pid, since: new Date().toISOString() };
    writeFileSync(join(path, 'holder.json'), JSON.stringify(holder));
    return true;
  }

  /** Touches the claim while the holder works; the returned function ends it (idempotent). */
  private holdUntilReleased(path: string): () => void {
    const beat = setInterval(() => {
      const now = new Date();
      try {
        utimesSync(path, now, now);
      } catch {
        // Gone: released, or removed by a waiter that judged it abandoned.
      }
    }, this.timings.heartbeatMs);
    beat.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(beat);
      rmSync(path, { recursive: true, force: true });
    };
  }

  /** On this host a claim is abandoned when its process is gone; another host's when its heartbeat stopped. */
  private isAbandoned(path: string, holder: FlightHolder | null): boolean {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return false;
    if (holder && holder.host === os.hostname()) return !processAlive(holder.pid);
    return Date.now() - stat.mtimeMs > this.timings.staleMs;
  }
}

function readHolder(path: string): FlightHolder | null {
  const file = join(path, 'holder.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FlightHolder;
  } catch {
    // Written a moment ago and not complete yet.
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
