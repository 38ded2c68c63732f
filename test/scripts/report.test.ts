// The report's quick mode, on a slice of the data, end to end (CI runs it; the full report is committed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run report -- --quick', () => {
  it('runs every comparison pipeline and writes RESULTS.md and results.json with all answers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-report-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/report.ts'), '--quick', '--model=tiny-bert', `--out=${dir}`], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TUNEGRAPH_BUNDLED_MODELS_DIR: join(root, 'test/fixtures'), TUNEGRAPH_DATA_DIR: join(dir, 'data') },
      timeout: 600_000,
    });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(existsSync(join(dir, 'RESULTS.md'))).toBe(true);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(Object.keys(results.answers).sort()).toEqual(['baseline', 'dapt', 'distillation', 'featureExtractionVsFull', 'lora', 'pos', 'pretrainingVsScratch']);
    expect(results.answers.lora.trainableShare).toBeLessThan(0.2);
    expect(results.answers.distillation.studentParams).toBeLessThan(results.answers.distillation.teacherParams);
    expect(results.baseline.macroF1).toBeGreaterThan(0.8);
    expect(results.targets).toHaveLength(4);
  }, 600_000);
});
