// The embedded database's own thread: PGlite (PostgreSQL compiled to WebAssembly) runs every query
// synchronously on the thread that calls it, so on the server's main thread each query stalled
// HTTP, socket.io and live events. pglite-thread.ts is the other end; this file is plain JavaScript
// so it runs in a worker thread under any loader (tsx, vitest, plain node).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';

// What Drizzle's PGlite driver passes on every query: dates, times and intervals stay text (it parses them itself).
const identity = (value) => value;
const parsers = Object.fromEntries([types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map((t) => [t, identity]));

const pg = workerData.dataDir ? new PGlite(workerData.dataDir) : new PGlite();
/** Open transactions by id: their PGlite handle and how to end them. */
const transactions = new Map();

/** An error as plain data (message, name and PostgreSQL's fields such as code and detail). */
function plainError(err) {
  const out = { message: err?.message ?? String(err), name: err?.name ?? 'Error' };
  for (const k of ['code', 'detail', 'hint', 'severity', 'position', 'schema', 'table', 'column', 'constraint', 'where', 'routine']) if (err && err[k] !== undefined) out[k] = err[k];
  return out;
}

function reply(id, result) {
  parentPort.postMessage({ id, ok: true, result });
}

async function handle(m) {
  switch (m.op) {
    case 'query': {
      const target = m.tx ? transactions.get(m.tx)?.handle : pg;
      if (!target) throw new Error(`transaction ${m.tx} is closed`);
      const r = await target.query(m.sql, m.params, { rowMode: m.rowMode, parsers });
      return { rows: r.rows, fields: r.fields, affectedRows: r.affectedRows };
    }
    case 'exec': {
      const target = m.tx ? transactions.get(m.tx)?.handle : pg;
      if (!target) throw new Error(`transaction ${m.tx} is closed`);
      const results = await target.exec(m.sql);
      return results.map((r) => ({ rows: r.rows, fields: r.fields, affectedRows: r.affectedRows }));
    }
    case 'begin': {
      // PGlite's transaction() holds its lock until its callback ends; the callback ends when the main thread says how.
      const entry = { handle: null, end: null, done: null };
      transactions.set(m.tx, entry);
      let began;
      const started = new Promise((ok) => (began = ok));
      entry.done = pg
        .transaction(async (handle) => {
          entry.handle = handle;
          const how = await new Promise((ok) => {
            entry.end = ok;
            began();
          });
          if (how === 'rollback') await handle.rollback();
        })
        .finally(() => transactions.delete(m.tx));
      await Promise.race([started, entry.done]);
      return null;
    }
    case 'end': {
      const t = transactions.get(m.tx);
      if (!t?.end) throw new Error(`transaction ${m.tx} is closed`);
      t.end(m.how);
      await t.done;
      return null;
    }
    case 'close':
      await pg.close();
      return null;
    default:
      throw new Error(`unknown database operation ${m.op}`);
  }
}

await pg.waitReady;
parentPort.on('message', (m) => {
  handle(m).then(
    (result) => reply(m.id, result),
    (err) => parentPort.postMessage({ id: m.id, ok: false, error: plainError(err) }),
  );
});
parentPort.postMessage({ ready: true });
