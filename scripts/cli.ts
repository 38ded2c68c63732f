// `npm run tunegraph -- run graph.json [--out metrics.json] [--data-dir ./data] [--to NODE]`:
// runs a graph headless through the same compiler, executor and stages as the server, with a
// terminal progress bar, and writes every node's metrics as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheKeysFor } from '../runtime/compile/cache-key';
import { diskFactSources } from '../runtime/compile/disk-facts';
import { graphFacts } from '../runtime/compile/graph-facts';
import { planRun } from '../runtime/compile/plan';
import { checkGraphDocument, readGraphDocument } from '../runtime/compile/read-graph';
import { resolveAutoParams } from '../runtime/compile/resolve-defaults';
import { validateGraph } from '../runtime/compile/validate';
import { initBackend } from '../runtime/backend';
import { resolveModelSourceHashes } from '../runtime/io/model-source-hashes';
import type { RunEvent } from '../runtime/exec/events';
import { executeRun } from '../runtime/exec/execute-run';
import { stages } from '../runtime/stages';
import { stageVersions } from '../runtime/stages/versions';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const [command, file] = args;
if (command !== 'run' || !file) {
  console.error('usage: npm run tunegraph -- run graph.json [--out metrics.json] [--data-dir DIR] [--to NODE_ID]');
  process.exit(2);
}

/** The document inside an example file ({ name, document }), or undefined for a bare document or bad JSON. */
function exampleDocument(text: string): unknown {
  try {
    const json = JSON.parse(text) as Record<string, unknown> | null;
    return json && typeof json === 'object' && !('schemaVersion' in json) && 'document' in json ? json.document : undefined;
  } catch {
    return undefined;
  }
}

let doc;
try {
  const text = readFileSync(file, 'utf8');
  // An example file (server/examples/*.json) wraps the document as { name, document }.
  const wrapped = exampleDocument(text);
  doc = wrapped !== undefined ? checkGraphDocument(wrapped, file).document : readGraphDocument(text, file).document;
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const dataDir = resolve(flag('data-dir') ?? process.env.TUNEGRAPH_DATA_DIR ?? './data');
const env = {
  dataDir,
  modelsDir: process.env.TUNEGRAPH_MODELS_DIR || join(dataDir, 'models'),
  uploadsDir: join(dataDir, 'uploads'),
  bundledModelsDir: process.env.TUNEGRAPH_BUNDLED_MODELS_DIR || join(root, 'public', 'models'),
};
// The same checks and "auto" values as the server's graphs.check: model configs and uploaded files are read.
const sources = diskFactSources(env);
const issues = validateGraph(doc, sources);
if (issues.length > 0) {
  for (const i of issues) console.error(`${i.nodeId ?? 'graph'}${i.port ? ` [${i.port}]` : ''}${i.param ? ` (${i.param})` : ''}: ${i.message}`);
  process.exit(1);
}
for (const [nodeId, params] of Object.entries(resolveAutoParams(graphFacts(doc, sources)))) {
  for (const [param, r] of Object.entries(params)) console.log(`${nodeId}.${param} = ${r.value} (${r.reason})`);
}
const to = flag('to');
const order = planRun(doc, to ? [to] : undefined);
// As the server does: a Hub model's key names its commit, a bundled or local one its files' contents.
const keys = cacheKeysFor(doc, { stageVersions, dataHashes: await resolveModelSourceHashes(doc, env) });
const info = await initBackend();
console.log(`Tunegraph: ${order.length} nodes on ${info.device}`);

const metrics: Record<string, Record<string, unknown>> = {};
const tty = process.stdout.isTTY;
let lastLine = '';
const bar = (done: number, total: number, width = 28) => `[${'#'.repeat(Math.round((width * done) / Math.max(1, total))).padEnd(width, '.')}]`;
function emit(e: RunEvent) {
  if (e.type === 'progress') {
    const line = e.unit
      ? `  ${e.nodeId} ${bar(e.step, e.totalSteps)} ${e.phase ?? ''} ${e.step}/${e.totalSteps} ${e.unit}`
      : `  ${e.nodeId} ${bar(e.step, e.totalSteps)} ${e.step}/${e.totalSteps} loss ${e.loss?.toFixed(4) ?? '-'}${e.tokensPerSec ? ` ${Math.round(e.tokensPerSec)} tok/s` : ''}${e.etaSec !== undefined ? ` ETA ${Math.round(e.etaSec)}s` : ''}`;
    if (tty) process.stdout.write(`\r${line.padEnd(lastLine.length)}`);
    else if (e.step === e.totalSteps || (!e.unit && e.step % 50 === 0)) console.log(line);
    lastLine = line;
  } else if (e.type === 'node-status' && e.status !== 'queued') {
    if (tty && lastLine) process.stdout.write('\n');
    lastLine = '';
    console.log(`${e.status.padEnd(8)} ${e.nodeId}${e.error ? `: ${e.error}` : ''}`);
  } else if (e.type === 'metrics') metrics[e.nodeId] = { ...metrics[e.nodeId], ...e.metrics };
  else if (e.type === 'log' && e.level !== 'info') console.log(`${e.level}: ${e.nodeId ? `[${e.nodeId}] ` : ''}${e.message.split('\n')[0]}`);
}

const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
const status = await executeRun(
  {
    runId: 'r_cli',
    document: doc,
    order,
    keys: Object.fromEntries(order.map((id) => [id, keys[id]])),
    env,
  },
  { stages, emit, signal: controller.signal },
);
const out = flag('out') ?? 'metrics.json';
writeFileSync(out, JSON.stringify({ status, backend: info, metrics }, null, 2) + '\n');
console.log(`run ${status}; metrics written to ${out}`);
process.exit(status === 'done' ? 0 : 1);
