// A throwaway runtime environment whose bundled models folder holds the tiny-bert test fixture.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeEnv } from '../../runtime/stages/define-stage';

export const FIXTURE_MODELS_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
/** Model id of the fixture inside FIXTURE_MODELS_DIR. */
export const FIXTURE_MODEL_ID = 'tiny-bert';

export function testRuntimeEnv(): RuntimeEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-run-'));
  return { dataDir, modelsDir: join(dataDir, 'models'), uploadsDir: join(dataDir, 'uploads'), bundledModelsDir: FIXTURE_MODELS_DIR };
}
