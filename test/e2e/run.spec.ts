// Browser tests of running: Run a graph, watch badges and the loss chart, rerun after an edit and see cached badges.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, expect, test } from './harness';

export function registerRunSpec({ page, baseUrl, root, screenshotDir }: { page: Page; baseUrl: string; root: string; screenshotDir: string }) {
  const status = (id: string) => page.locator(`[data-testid="node-status-${id}"]`).getAttribute('data-status').catch(() => null);

  test('running a graph shows badges reaching done and the loss chart drawing', async () => {
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(`${baseUrl}/graphs`);
    await page.waitForSelector('[data-testid="graph-row"]');
    const before = await page.locator('[data-testid="graph-row"]').count();
    await page.setInputFiles('[data-testid="import-graph-file"]', join(root, 'test', 'fixtures', 'graphs', 'e2e-run.json'));
    await eventually(async () => (await page.locator('[data-testid="graph-row"]').count()) === before + 1, 'graph imported');
    await page.getByText('e2e-run', { exact: true }).click();
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await page.click('[data-testid="run"]');
    await page.locator('[data-testid="run-panel"]').waitFor();
    await eventually(async () => (await status('fine-tune')) === 'running' || (await status('fine-tune')) === 'done', 'fine-tune starts', 60_000);
    await eventually(async () => (await status('eval')) === 'done', 'eval done', 120_000);
    for (const id of ['emails', 'split', 'head', 'fine-tune', 'eval']) expect((await status(id)) === 'done', `${id} done, got ${await status(id)}`);
    // The bundled model's key has no seed: a spec that ran before may have loaded it already.
    expect(['done', 'cached'].includes((await status('pretrained')) ?? ''), `pretrained done or cached, got ${await status('pretrained')}`);
    await eventually(async () => Number(await page.locator('[data-testid="loss-chart"]').getAttribute('data-points')) > 0, 'loss chart has points');
    expect((await page.locator('[data-testid="loss-chart"] canvas').count()) > 0, 'chart drawn on a canvas');
    await page.locator('[data-testid="confusion-matrix"]').waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(screenshotDir, '08-run-done.png') });
  });

  test('after editing fine-tune, a rerun shows cached badges above it', async () => {
    await page.locator('.react-flow__node[data-id="fine-tune"]').click();
    await page.fill('[data-testid="param-learningRate"]', '0.004');
    await eventually(async () => (await page.locator('[data-testid="node-stale-fine-tune"]').count()) === 1, 'fine-tune marked stale', 15_000);
    expect((await page.locator('[data-testid="node-stale-head"]').count()) === 0, 'head not stale');
    await page.click('[data-testid="run"]');
    await eventually(async () => (await status('eval')) === 'done' && (await status('fine-tune')) === 'done', 'rerun done', 120_000);
    for (const id of ['emails', 'split', 'pretrained', 'head']) expect((await status(id)) === 'cached', `${id} cached, got ${await status(id)}`);
    await page.screenshot({ path: join(screenshotDir, '09-rerun-cached.png') });
    // A reload replays the run: badges come back without rerunning anything.
    await page.reload();
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await eventually(async () => (await status('head')) === 'cached', 'badges restored after reload', 20_000);
  });
}
