// `npm run bench`: runs every bench part in its own process (so one part's memory and threads
// don't colour another's), or only the parts named on the command line: `npm run bench -- train`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const allParts = ['compile', 'train', 'exec', 'first-progress', 'scale', 'load', 'attack'];
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const parts = requested.length > 0 ? requested : allParts;

let failed = 0;
for (const part of parts) {
  const file = join(here, `${part}.ts`);
  if (!existsSync(file)) {
    console.log(`(bench part "${part}" is not built yet: no ${file})`);
    continue;
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', file, ...process.argv.slice(2).filter((a) => a.startsWith('-'))], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`bench part "${part}" failed with exit code ${result.status}`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
