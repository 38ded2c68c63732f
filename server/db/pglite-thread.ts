// The embedded database on a thread of its own. PGlite runs each query synchronously (WebAssembly)
// on the thread that calls it; profiled under the 50 watcher + 20 client load it was half of the
// server's main-thread time, and live events waited behind it. Here the main thread only posts
// queries and awaits answers; pglite-thread-worker.mjs runs PGlite. This class offers what Drizzle's
// PGlite driver calls (query, exec, transaction) with the same results, errors and locking.
import { Worker } from 'node:worker_threads';

type Row = Record<string, unknown> | unknown[];
export interface ThreadResult {
  rows: Row[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}
interface QueryOptions {
  rowMode?: 'array' | 'object';
}
/** The handle a transaction's callback gets (the subset of PGlite's Transaction that Drizzle uses). */
export interface ThreadTransaction {
  query(sql: string, params?: unknown[], opts?: QueryOptions): Promise<ThreadResult>;
  exec(sql: string): Promise<ThreadResult[]>;
}

type Message = { op: 'query'; sql: string; params: unknown[]; rowMode: 'array' | 'object'; tx?: string } | { op: 'exec'; sql: string; tx?: string } | { op: 'begin' | 'end'; tx: string; how?: 'commit' | 'rollback' } | { op: 'close' };

export class PGliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  private nextId = 1;
  private nextTx = 1;
  private failure: Error | null = null;
  /** Resolves once PGlite has opened (and, for a new folder, initialised) the database. */
  readonly ready: Promise<void>;

  /** `dataDir: null` is an in-memory database. */
  constructor(dataDir: string | null) {
    this.worker = new Worker(new URL('./pglite-thread-worker.mjs', import.meta.url), { workerData: { dataDir } });
    // Idle, the thread does not keep the process alive; a query in flight does (see call()).
    this.worker.unref();
    this.ready = new Promise((ok, fail) => {
      this.worker.once('message', (m: { ready?: boolean }) => (m.ready ? ok() : fail(new Error('database thread did not start'))));
      this.worker.once('error', fail);
    });
    this.ready.catch(() => {}); // reported to whoever awaits it or calls query
    this.worker.on('message', (m: { id?: number; ok?: boolean; result?: unknown; error?: Record<string, unknown> }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.ok) p.ok(m.result);
      else p.fail(Object.assign(new Error(String(m.error?.message)), m.error));
    });
    const fatal = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.fail(err);
      this.pending.clear();
    };
    this.worker.on('error', fatal);
    this.worker.on('exit', (code) => fatal(new Error(`the database thread exited (code ${code})`)));
  }

  private async call<T>(message: Message): Promise<T> {
    await this.ready;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise<T>((ok, fail) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { ok: ok as (v: unknown) => void, fail });
      this.worker.postMessage({ id, ...message });
    });
  }

  get waitReady(): Promise<void> {
    return this.ready;
  }

  query(sql: string, params: unknown[] = [], opts: QueryOptions = {}): Promise<ThreadResult> {
    return this.call({ op: 'query', sql, params, rowMode: opts.rowMode ?? 'object' });
  }

  exec(sql: string): Promise<ThreadResult[]> {
    return this.call({ op: 'exec', sql });
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Other
   * queries wait until it ends (PGlite's own lock, held on the database thread). */
  async transaction<T>(fn: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    const tx = `t${this.nextTx++}`;
    await this.call({ op: 'begin', tx });
    const handle: ThreadTransaction = {
      query: (sql, params = [], opts = {}) => this.call({ op: 'query', tx, sql, params, rowMode: opts.rowMode ?? 'object' }),
      exec: (sql) => this.call({ op: 'exec', tx, sql }),
    };
    let result: T;
    try {
      result = await fn(handle);
    } catch (err) {
      await this.call({ op: 'end', tx, how: 'rollback' }).catch(() => {});
      throw err;
    }
    await this.call({ op: 'end', tx, how: 'commit' });
    return result;
  }

  async close(): Promise<void> {
    if (!this.failure) await this.call({ op: 'close' }).catch(() => {});
    await this.worker.terminate();
  }
}
