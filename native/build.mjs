// Builds the optional native kernels (native/build/Release/tunegraph_native.node) with node-gyp
// against the system OpenBLAS. `--optional` (the install hook) never fails: without a compiler,
// OpenBLAS headers or node-addon-api it prints one line and Tunegraph runs on wasm.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const optional = process.argv.includes('--optional');
const require = createRequire(import.meta.url);

function giveUp(reason) {
  const line = `tunegraph: native kernels not built (${reason}); training will use wasm. Retry with \`npm run build:native\`.`;
  if (optional) {
    console.log(line);
    process.exit(0);
  }
  console.error(line);
  process.exit(1);
}

if (process.env.TUNEGRAPH_SKIP_NATIVE_BUILD) giveUp('TUNEGRAPH_SKIP_NATIVE_BUILD is set');
try {
  require.resolve('node-addon-api');
} catch {
  giveUp('node-addon-api is not installed');
}
if (!['/usr/include/cblas.h', '/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h', '/usr/include/openblas/cblas.h'].some(existsSync)) {
  giveUp('no OpenBLAS headers: apt-get install libopenblas-dev');
}

// node-gyp: the copy npm passes to install scripts, a local one, or the one bundled with npm.
const candidates = [
  process.env.npm_config_node_gyp,
  (() => {
    try {
      return require.resolve('node-gyp/bin/node-gyp.js');
    } catch {
      return undefined;
    }
  })(),
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter(Boolean);
const gyp = candidates.find((c) => existsSync(c));
if (!gyp) giveUp('node-gyp not found');

// Headers of the running Node: use the installed ones when present so the build needs no download.
const prefix = resolve(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? ['--nodedir', prefix] : [];
const result = spawnSync(process.execPath, [gyp, 'rebuild', '--directory', here, ...nodedir], {
  stdio: optional ? ['ignore', 'ignore', 'pipe'] : 'inherit',
  encoding: 'utf8',
  timeout: 300_000,
});
if (result.status !== 0) {
  const last = (result.stderr ?? '').trim().split('\n').filter((l) => /error/i.test(l)).pop();
  giveUp(`node-gyp failed${last ? `: ${last.trim().slice(0, 160)}` : ''}`);
}
console.log(`tunegraph: native kernels built (${join(here, 'build', 'Release', 'tunegraph_native.node')})`);
