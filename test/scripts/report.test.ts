// The report's quick mode, on a slice of the data, end to end (CI runs it; the full report is committed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Row {
  id: string;
  name: string;
  macroF1: number;
  seconds?: number;
  validationMacroF1?: number;
  learningRate?: { value: number; reason: string };
}

describe('npm run report -- --plan', () => {
  it('prints the values "auto" resolves to for every training node and runs nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-report-plan-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/report.ts'), '--plan', '--quick', '--model=tiny-bert', `--out=${dir}`], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TUNEGRAPH_BUNDLED_MODELS_DIR: join(root, 'test/fixtures'), TUNEGRAPH_DATA_DIR: join(dir, 'data') },
      timeout: 120_000,
    });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    // Head-only training gets the higher head-only rate, the student's rule sees its single layer.
    expect(r.stdout).toMatch(/ft-features: learningRate = [\d.e-]+ \(auto: .*head only/);
    expect(r.stdout).toMatch(/distill: .*1-layer/);
    expect(r.stdout).toMatch(/ft-full-n50: .*50 training examples/);
    expect(existsSync(join(dir, 'results.json'))).toBe(false);
  }, 120_000);
});

describe('npm run report -- --quick', () => {
  it('runs every comparison pipeline and the label-efficiency curve, and writes RESULTS.md and results.json with all answers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-report-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/report.ts'), '--quick', '--model=tiny-bert', `--out=${dir}`], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TUNEGRAPH_BUNDLED_MODELS_DIR: join(root, 'test/fixtures'), TUNEGRAPH_DATA_DIR: join(dir, 'data') },
      timeout: 900_000,
    });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const md = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    // The curve is drawn next to the report, one line per series, and RESULTS.md shows it.
    expect(readFileSync(join(dir, 'label-efficiency.svg'), 'utf8').match(/<polyline/g)).toHaveLength(2);
    expect(md).toContain('](label-efficiency.svg)');
    expect(Object.keys(results.answers).sort()).toEqual(['bestVsBaseline', 'dapt', 'distillation', 'featureExtractionVsFull', 'labelEfficiency', 'lora', 'pos', 'pretrainingVsScratch']);

    // The best pipeline is the one with the best validation score, never picked on test.
    const table = results.table as Row[];
    const neural = table.filter((row) => row.id !== 'student');
    const bestOnValidation = Math.max(...neural.map((row) => row.validationMacroF1 ?? -1));
    const best = table.find((row) => row.id === results.bestPipeline)!;
    expect(best.validationMacroF1).toBe(bestOnValidation);
    expect(results.answers.bestVsBaseline.macroF1).toBe(best.macroF1);
    expect(results.answers.bestVsBaseline.baselineMacroF1).toBe(results.baseline.macroF1);

    // Every training run used the "auto" rule's values, and every pipeline has its wall time.
    for (const row of table) {
      expect(row.learningRate?.reason, row.name).toMatch(/^auto: /);
      expect(row.seconds, row.name).toBeGreaterThan(0);
    }
    expect(table.find((row) => row.id === 'features')!.learningRate!.value).toBeGreaterThan(table.find((row) => row.id === 'full')!.learningRate!.value);

    // The curve: the best pipeline and TF-IDF at the same label counts (50, 100, 200, then the whole pool of 420).
    const curve = results.labelEfficiency as { name: string; points: { labels: number; macroF1: number }[] }[];
    expect(curve.map((s) => s.name)).toEqual([best.name, results.baseline.name]);
    for (const series of curve) expect(series.points.map((p) => p.labels)).toEqual([50, 100, 200, results.splits.trainingPool]);
    expect(curve[0].points[2].macroF1).toBe(best.macroF1);
    expect(curve[1].points[2].macroF1).toBe(results.baseline.macroF1);
    expect(results.splits.trainingPool).toBe(420);

    expect(results.answers.lora.trainableShare).toBeLessThan(0.2);
    expect(results.answers.distillation.studentParams).toBeLessThan(results.answers.distillation.teacherParams);
    expect(results.answers.distillation.studentLayers).toBe(1);
    expect(results.answers.distillation.studentExamplesPerSec).toBeGreaterThan(0);
    expect(results.baseline.macroF1).toBeGreaterThan(0.8);
    expect(results.computeMinutes).toBeGreaterThan(0);
    expect(results.targets).toHaveLength(6);
    // Where the method loses, the answer says why in words.
    if (results.answers.bestVsBaseline.macroF1 < results.baseline.macroF1) expect(results.answers.bestVsBaseline.why).toMatch(/TF-IDF wins/);
    expect(md).toContain('## Label efficiency');
    expect(md).toContain(results.answers.bestVsBaseline.pipeline);
    expect(existsSync(join(dir, 'data', 'report-quick', 'report-timings.json'))).toBe(true);
  }, 900_000);
});
