// `npm run worker -- [--concurrency N] [--labels gpu,…] [--id NAME]`: a compute host for queue mode.
// Needs REDIS_URL (the server's Redis) and the artifact store every host shares (TUNEGRAPH_DATA_DIR
// on a shared mount, or TUNEGRAPH_ARTIFACTS_DIR + TUNEGRAPH_UPLOADS_DIR); see README "Running on several machines".
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifactsRootFor } from '../runtime/exec/artifact-store';
import { RedisUnavailableError } from '../server/queue/redis';
import { WorkerHost } from '../server/queue/worker-host';
import { runtimeEnvFor } from '../server/runs/run-service';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
};

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  console.error('npm run worker needs REDIS_URL (the Redis the server uses), e.g. REDIS_URL=redis://10.0.0.5:6379');
  process.exit(2);
}
const concurrency = Number(flag('concurrency') ?? 1);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
  console.error(`--concurrency must be a whole number from 1 to 64, got "${flag('concurrency')}"`);
  process.exit(2);
}
const labels = (flag('labels') ?? '').split(',').map((l) => l.trim()).filter(Boolean);
const bad = labels.find((l) => !/^[a-z0-9][a-z0-9-]{0,31}$/.test(l));
if (bad) {
  console.error(`--labels: "${bad}" is not a label (lowercase letters, digits and dashes)`);
  process.exit(2);
}

const dataDir = resolve(process.env.TUNEGRAPH_DATA_DIR || './data');
const env = runtimeEnvFor(dataDir, process.env.TUNEGRAPH_BUNDLED_MODELS_DIR || join(root, 'public', 'models'));
if (process.env.TUNEGRAPH_UPLOADS_DIR) env.uploadsDir = resolve(process.env.TUNEGRAPH_UPLOADS_DIR);
let host: WorkerHost;
try {
  host = await WorkerHost.start({ redisUrl, concurrency, labels, env, artifactsRoot: resolve(artifactsRootFor(dataDir)), id: flag('id') });
} catch (err) {
  if (err instanceof RedisUnavailableError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const info = host.info();
console.log(`worker ${info.id}: ${info.backend} · ${info.device} · concurrency ${concurrency}${labels.length ? ` · labels ${labels.join(',')}` : ''}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // First signal: finish the stages in hand, take no more. Second: stop now (they are retried elsewhere).
    const force = stopping;
    stopping = true;
    if (!force) console.log(`worker ${info.id}: finishing running stages (${signal} again to stop at once)`);
    host.close(force).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
