// Browser test of sweeps: open a tiny graph with a DAPT stage, sweep fine-tune over a 2×2 grid (a bad
// value is refused in plain words first), see the plan's run count and shared stages, start it, and
// watch the results table fill with every point's metrics and the best per metric marked.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, expect, test } from './harness';
import { importGraph } from './steps';

/** data → split; tiny model → DAPT (on a small corpus) → head → fine-tune → eval, all tiny. */
function sweepGraph() {
  const node = (id: string, type: string, params: Record<string, unknown>, x: number, y: number) => ({ id, type, typeVersion: type === 'fine-tune' || type === 'dapt' ? 2 : 1, params, position: { x, y } });
  const edge = (source: string, sourcePort: string, target: string, targetPort: string) => ({ id: `e-${source}-${target}-${targetPort}`, source, sourcePort, target, targetPort });
  return {
    schemaVersion: 1,
    nodes: [
      node('emails', 'dataset-bundled', { dataset: 'spam-assassin', maxExamples: 240, seed: 1 }, 0, 0),
      node('split', 'split', {}, 280, 0),
      node('corpus', 'corpus-bundled', { corpus: 'spam-assassin-emails', maxDocuments: 16 }, 0, 220),
      node('pretrained', 'pretrained-load', { modelId: 'tiny-bert' }, 0, 420),
      node('dapt', 'dapt', { maxSteps: 2, batchSize: 4, maxSeqLength: 32, learningRate: 0.001 }, 280, 320),
      node('head', 'head', {}, 560, 220),
      node('fine-tune', 'fine-tune', { epochs: 8, batchSize: 16, maxSeqLength: 48, learningRate: 0.01 }, 840, 160),
      node('eval', 'eval', {}, 1120, 160),
    ],
    edges: [
      edge('emails', 'dataset', 'split', 'dataset'),
      edge('pretrained', 'model', 'dapt', 'model'),
      edge('corpus', 'corpus', 'dapt', 'corpus'),
      edge('dapt', 'model', 'head', 'model'),
      edge('split', 'dataset', 'head', 'dataset'),
      edge('head', 'model', 'fine-tune', 'model'),
      edge('split', 'dataset', 'fine-tune', 'dataset'),
      edge('fine-tune', 'model', 'eval', 'model'),
      edge('split', 'dataset', 'eval', 'dataset'),
    ],
  };
}

export function registerSweepSpec({ page, baseUrl, root, screenshotDir }: { page: Page; baseUrl: string; root: string; screenshotDir: string }) {
  let graphId = '';

  test('a sweep of fine-tune shows its plan (4 runs, DAPT shared) and refuses a bad value in plain words', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    graphId = await importGraph(page, baseUrl, sweepGraph(), 'e2e-sweep');
    await page.locator('.react-flow__node[data-id="fine-tune"]').click();
    await page.click('[data-testid="sweep-open"]');
    await page.locator('[data-testid="sweep-dialog"]').waitFor();
    await page.selectOption('[data-testid="sweep-param-0"]', 'learningRate');
    await page.fill('[data-testid="sweep-values-0"]', '0.01, 7');
    await eventually(async () => (await page.locator('[data-testid="sweep-value-problem"]').textContent())?.includes('Learning rate must be at most 1, got 7'), 'a bad value is named in plain words');
    expect(await page.locator('[data-testid="sweep-start"]').isDisabled(), 'cannot start with a bad value');
    await page.fill('[data-testid="sweep-values-0"]', '0.01, 0.003');
    await page.click('[data-testid="sweep-add-param"]');
    await page.selectOption('[data-testid="sweep-param-1"]', 'batchSize');
    await page.fill('[data-testid="sweep-values-1"]', '8, 16');
    const summary = await eventually(async () => {
      const text = await page.locator('[data-testid="sweep-plan-summary"]').textContent({ timeout: 500 });
      return text?.startsWith('4 runs;') ? text : null;
    }, 'the plan counts 4 runs', 20_000);
    expect(/runs once and shared: .*Domain-adaptive pretraining.*; runs per point: Fine-tune, Evaluate$/.test(summary ?? ''), `DAPT shared, fine-tune and eval per point (got "${summary}")`);
    expect((await page.locator('[data-testid="sweep-start"]').textContent()) === 'Start 4 runs', 'the start button names the run count');
    await page.screenshot({ path: join(screenshotDir, 'sweep-plan.png') });
  });

  test('starting the sweep opens its results table, which fills with every point’s metrics and marks the best', async () => {
    await page.click('[data-testid="sweep-start"]');
    await page.waitForURL(/\/sweeps\/s_/);
    await eventually(async () => (await page.locator('[data-testid="sweep-row"]').count()) === 4, 'one row per point', 20_000);
    await eventually(async () => (await page.locator('[data-testid="sweep-row"][data-status="done"]').count()) === 4, 'every run done', 300_000);
    await eventually(async () => (await page.locator('[data-testid="sweep-best"]').count()) >= 1, 'best per metric marked');
    const header = (await page.locator('[data-testid="sweep-table"] thead').textContent()) ?? '';
    expect(header.includes('learningRate') && header.includes('batchSize') && header.includes('accuracy'), `params and metrics as columns (got "${header}")`);
    const firstRow = (await page.locator('[data-testid="sweep-row"]').first().textContent()) ?? '';
    expect(/0\.01/.test(firstRow) && firstRow.includes('8'), `the first point's values shown (got "${firstRow}")`);
    expect((await page.locator('[data-testid="sweep-progress"]').textContent()) === '4 of 4 runs finished', 'progress says all finished');
    const stages = (await page.locator('[data-testid="sweep-stages"]').textContent()) ?? '';
    expect(stages.includes('Domain-adaptive pretraining computed 1×, reused 3×') && stages.includes('Fine-tune computed 4×'), `DAPT computed once, fine-tune per point (got "${stages}")`);
    const compare = await page.locator('[data-testid="sweep-compare"]').getAttribute('href');
    expect(compare === `/graphs/${graphId}/compare?sweep=${new URL(page.url()).pathname.split('/')[4]}`, `links to the comparison of the sweep (got ${compare})`);
    await page.waitForTimeout(200);
    const shot = join(screenshotDir, 'sweep.png');
    await page.screenshot({ path: shot });
    copyFileSync(shot, join(root, 'docs', 'screenshots', 'sweep.png'));
    // The comparison of the sweep shows its four runs side by side.
    await page.click('[data-testid="sweep-compare"]');
    await page.waitForURL(/\/compare\?sweep=s_/);
    await page.locator('[data-testid="compare-page"]').waitFor();
    await eventually(async () => (await page.locator('[data-testid="compare-run"]').count()) === 4, 'the comparison shows the 4 runs of the sweep', 20_000);
  });

  test('the run panel of a sweep run links back to its results table', async () => {
    await page.goto(`${baseUrl}/graphs/${graphId}`);
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await page.click('[data-testid="toggle-run-panel"]');
    await page.click('[data-testid="run-sweep-link"]');
    await page.waitForURL(/\/sweeps\/s_/);
    await page.locator('[data-testid="sweep-table"]').waitFor();
  });
}
