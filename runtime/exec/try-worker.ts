// The "Try it" worker process: loads model folders once (a few kept warm) and answers predictions
// over IPC, so a prediction never blocks the web server's event loop.
import { initBackend } from '../backend';
import { loadModelFolder } from '../io/model-folder';
import type { ModelValue } from './port-values';
import { predictText, type TryResult } from './try-model';

/** Parent → worker. */
export interface TryRequest {
  id: number;
  /** A model folder (an artifact's Model port). */
  dir: string;
  text: string;
}
/** Worker → parent. */
export type TryReply = { id: number; ok: true; result: TryResult } | { id: number; ok: false; error: string };

/** Models kept loaded; the least recently used one is dropped past this. */
const KEEP = 3;
const loaded = new Map<string, Promise<ModelValue>>();

async function modelAt(dir: string): Promise<ModelValue> {
  let value = loaded.get(dir);
  if (value) {
    loaded.delete(dir);
    loaded.set(dir, value);
    return value;
  }
  value = loadModelFolder(dir);
  loaded.set(dir, value);
  value.catch(() => loaded.delete(dir));
  while (loaded.size > KEEP) {
    const [oldest, evicted] = loaded.entries().next().value as [string, Promise<ModelValue>];
    loaded.delete(oldest);
    void evicted.then((m) => m.model.dispose(), () => {});
  }
  return value;
}

const ready = initBackend();

process.on('message', async (req: TryRequest) => {
  let reply: TryReply;
  try {
    await ready;
    reply = { id: req.id, ok: true, result: predictText(await modelAt(req.dir), req.text) };
  } catch (err) {
    reply = { id: req.id, ok: false, error: (err as Error).message ?? String(err) };
  }
  process.send?.(reply);
});
