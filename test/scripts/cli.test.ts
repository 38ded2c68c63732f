// The headless CLI runs a graph through the same executor and writes metrics JSON.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'cli.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, TUNEGRAPH_BUNDLED_MODELS_DIR: join(root, 'test', 'fixtures'), ...env } });

describe('tunegraph CLI', () => {
  it('runs a graph headless and writes its metrics', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const out = join(dir, 'metrics.json');
    const r = cli(['run', join(root, 'test/fixtures/graphs/e2e-run.json'), '--data-dir', dir, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/done\s+fine-tune/);
    const metrics = JSON.parse(readFileSync(out, 'utf8'));
    expect(metrics.status).toBe('done');
    expect(metrics.metrics.eval.values.accuracy).toBeGreaterThan(0);
  });

  it('refuses a graph with problems, naming the node and port', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const doc = JSON.parse(readFileSync(join(root, 'test/fixtures/graphs/e2e-run.json'), 'utf8'));
    doc.edges = doc.edges.filter((e: { target: string; targetPort: string }) => !(e.target === 'eval' && e.targetPort === 'model'));
    writeFileSync(join(dir, 'g.json'), JSON.stringify(doc));
    const r = cli(['run', join(dir, 'g.json'), '--data-dir', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('eval [model]: input "model" (Model) is not connected');
  });

  it('runs an example file ({ name, document }) and prints the values "auto" params will take', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const doc = JSON.parse(readFileSync(join(root, 'test/fixtures/graphs/e2e-run.json'), 'utf8'));
    const ft = doc.nodes.find((n: { id: string }) => n.id === 'fine-tune');
    ft.typeVersion = 2;
    ft.params = { batchSize: 8, maxSeqLength: 32 };
    writeFileSync(join(dir, 'example.json'), JSON.stringify({ name: 'Example', document: doc }));
    const r = cli(['run', join(dir, 'example.json'), '--data-dir', dir, '--to', 'split', '--out', join(dir, 'm.json')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/fine-tune\.learningRate = 0\.001 \(auto: 1e-3 for a \d+-layer H\d+ pretrained model, full fine-tuning\)/);
    expect(r.stdout).toMatch(/fine-tune\.epochs = \d+ \(auto: \d+ epochs? \(\d+ steps\) for \d+ training examples at batch 8\)/);
    expect(r.stdout).toMatch(/done\s+split/);
  });
});
