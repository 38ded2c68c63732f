// Rerun with changes and compare runs in the browser: run a tiny graph, rerun it from the run panel
// with a lower learning rate (the dialog says what is cached), compare the two runs (differences
// only shows the learning rate; both metrics; both loss curves), and open the version diff.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, expect, test } from './harness';
import { importGraph, nodeStatus, tinyRunGraph } from './steps';

interface SpecContext {
  page: Page;
  baseUrl: string;
  root: string;
  screenshotDir: string;
}

export function registerCompareSpec({ page, baseUrl, root }: SpecContext) {
  const docsShots = join(root, 'docs', 'screenshots');
  mkdirSync(docsShots, { recursive: true });
  const status = (id: string) => nodeStatus(page, id);
  const dialog = '[data-testid="rerun-dialog"]';
  let graphId = '';
  let firstId = '';

  test('compare: a tiny graph runs to the end', async () => {
    // The default window of the e2e run (1440 × 900): the run panel's header must fit its buttons there.
    await page.setViewportSize({ width: 1440, height: 900 });
    // The run spec's graph with one epoch and its own data sample, so no other spec's cached stages (or this one's, for them) change what runs.
    graphId = await importGraph(page, baseUrl, tinyRunGraph(root, 11), 'compare-lr');
    await page.click('[data-testid="run"]');
    await page.locator('[data-testid="run-panel"]').waitFor();
    await eventually(async () => (await status('eval')) === 'done', 'first run done', 180_000);
  });

  test('compare: rerun with changes from the run panel shows what is cached, then reruns only fine-tune and eval', async () => {
    await page.click('[data-testid="rerun-with-changes"]');
    await page.locator(dialog).waitFor();
    await page.click(`${dialog} [data-testid="rerun-node-fine-tune"]`);
    // A wrong value is refused in plain words before anything starts.
    await page.fill(`${dialog} [data-testid="param-learningRate"]`, '7');
    await eventually(async () => ((await page.locator(`${dialog} [data-testid="param-error-learningRate"]`).textContent()) ?? '').includes('Learning rate must be'), 'plain-word error for a bad learning rate');
    expect(await page.locator(`${dialog} [data-testid="rerun-start"]`).isDisabled(), 'start disabled while a param is wrong');
    await page.fill(`${dialog} [data-testid="param-learningRate"]`, '0.001');
    await eventually(async () => (await page.locator(`${dialog} [data-testid="rerun-stage-fine-tune"]`).getAttribute('data-action')) === 'run', 'fine-tune will run', 15_000);
    await eventually(async () => (await page.locator(`${dialog} [data-testid="rerun-stages"]`).getAttribute('data-for')) === 'current', 'plan follows the edit');
    for (const id of ['emails', 'split', 'pretrained', 'head']) expect((await page.locator(`${dialog} [data-testid="rerun-stage-${id}"]`).getAttribute('data-action')) === 'reuse', `${id} reused from the cache`);
    expect((await page.locator(`${dialog} [data-testid="rerun-stage-eval"]`).getAttribute('data-action')) === 'run', 'eval runs again');
    expect(((await page.locator(`${dialog} [data-testid="rerun-change"]`).textContent()) ?? '').includes('fine-tune.learningRate 5e-3 → 1e-3'), 'the change is listed');
    await eventually(async () => ((await page.locator(`${dialog} [data-testid="rerun-message"]`).textContent()) ?? '').includes('Rerun of run r_'), 'version message shown');
    await page.screenshot({ path: join(docsShots, 'rerun.png') });
    await page.click(`${dialog} [data-testid="rerun-start"]`);
    await page.locator(dialog).waitFor({ state: 'detached' });
    // The editor opens the new version, with the rerun on screen.
    await eventually(async () => ((await page.locator('[data-testid="version-picker"] option').nth(1).textContent()) ?? '').includes('v2'), 'version 2 listed', 20_000);
    await eventually(async () => (await status('eval')) === 'done' && (await status('fine-tune')) === 'done', 'rerun done', 180_000);
    for (const id of ['emails', 'split', 'pretrained', 'head']) expect((await status(id)) === 'cached', `${id} cached in the rerun, got ${await status(id)}`);
  });

  test('compare: the run list shows the parent, and two ticked runs open the comparison', async () => {
    await page.click('[data-testid="open-run-list"]');
    const rows = page.locator('[data-testid="run-list-row"]');
    await eventually(async () => (await rows.count()) === 2, 'two runs listed');
    const rerunId = (await rows.nth(0).getAttribute('data-run-id'))!;
    firstId = (await rows.nth(1).getAttribute('data-run-id'))!;
    expect(((await page.locator(`[data-testid="run-parent-${rerunId}"]`).textContent()) ?? '').includes(`rerun of #${firstId.slice(2, 8)}`), 'parent link shown');
    await page.check(`[data-testid="run-select-${rerunId}"]`);
    await page.check(`[data-testid="run-select-${firstId}"]`);
    const header = await page.locator('[data-testid="run-panel"] header').evaluate((h) => ({ scroll: h.scrollWidth, client: h.clientWidth }));
    expect(header.scroll <= header.client, `run panel header fits (${header.scroll} > ${header.client})`);
    await page.screenshot({ path: join(docsShots, 'run-list.png') });
    await page.click('[data-testid="compare-selected"]');
    await page.waitForURL(new RegExp(`/graphs/${graphId}/compare\\?runs=${firstId},${rerunId}`));
    await page.locator('[data-testid="compare-page"]').waitFor();
    const diffRows = page.locator('[data-testid="param-diff-row"]');
    await eventually(async () => (await diffRows.count()) === 1, 'differences only: one row');
    expect((await diffRows.first().getAttribute('data-node')) === 'fine-tune' && (await diffRows.first().getAttribute('data-param')) === 'learningRate', 'the one difference is fine-tune learningRate');
    expect((await diffRows.first().locator('[data-testid="param-diff-value"]').allTextContents()).join(' ') === '5e-3 1e-3', 'old and new learning rate');
    await page.uncheck('[data-testid="differences-only"]');
    await eventually(async () => (await diffRows.count()) > 10, 'all params shown without the toggle');
    await page.check('[data-testid="differences-only"]');
    const accuracy = page.locator('[data-testid="compare-metrics-eval"] [data-testid="metric-cell"][data-metric="accuracy"]');
    expect((await accuracy.count()) === 2, 'eval accuracy of both runs');
    for (const text of await accuracy.allTextContents()) expect(/\d\.\d{4}/.test(text), `a number in each cell, got ${text}`);
    const curves = page.locator('[data-testid="loss-overlay-fine-tune"] [data-testid="curve-line"]');
    expect((await curves.count()) === 2, 'two loss curves overlaid');
    expect(Number(await curves.nth(0).getAttribute('data-points')) > 1 && Number(await curves.nth(1).getAttribute('data-points')) > 1, 'both curves have points');
    await page.locator('[data-testid="compare-diff-node"]').first().waitFor();
    await page.waitForTimeout(400);
    // The page scrolls inside the app frame: a tall window shows all of it in one picture.
    await page.setViewportSize({ width: 1600, height: 2000 });
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(docsShots, 'compare.png') });
    await page.setViewportSize({ width: 1600, height: 1000 });
  });

  test('compare: the version diff between the two versions opens from the comparison', async () => {
    await page.click('[data-testid="open-version-diff"]');
    await page.waitForURL(/\/diff\?from=1&to=2/);
    await page.locator('[data-testid="diff-param"]').first().waitFor();
    const text = (await page.locator('[data-testid="diff-list"]').textContent()) ?? '';
    expect(text.includes('learningRate') && text.includes('0.005') && text.includes('0.001'), `learning rate change in the version diff, got: ${text.slice(0, 200)}`);
    await page.screenshot({ path: join(docsShots, 'compare-version-diff.png') });
  });

  test('compare: a rerun from the run list, then three runs compared with parallel coordinates', async () => {
    await page.goto(`${baseUrl}/graphs/${graphId}`);
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await page.click('[data-testid="toggle-run-panel"]');
    await page.click('[data-testid="open-run-list"]');
    await page.click(`[data-testid="run-rerun-${firstId}"]`);
    await page.locator(dialog).waitFor();
    await page.click(`${dialog} [data-testid="rerun-node-fine-tune"]`);
    await page.fill(`${dialog} [data-testid="param-learningRate"]`, '0.02');
    await eventually(async () => ((await page.locator(`${dialog} [data-testid="rerun-change"]`).textContent()) ?? '').includes('5e-3 → 0.02'), 'change from the first run listed');
    await eventually(async () => !(await page.locator(`${dialog} [data-testid="rerun-start"]`).isDisabled()), 'start enabled');
    await page.click(`${dialog} [data-testid="rerun-start"]`);
    await page.locator(dialog).waitFor({ state: 'detached' });
    await eventually(async () => ((await page.locator('[data-testid="version-picker"] option').nth(1).textContent()) ?? '').includes('v3'), 'version 3 listed', 20_000);
    await eventually(async () => (await status('eval')) === 'done' && (await status('fine-tune')) === 'done', 'third run done', 180_000);
    await page.click('[data-testid="open-run-list"]');
    const rows = page.locator('[data-testid="run-list-row"]');
    await eventually(async () => (await rows.count()) === 3, 'three runs listed');
    for (const id of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')!))) await page.check(`[data-testid="run-select-${id}"]`);
    await page.click('[data-testid="compare-selected"]');
    await page.locator('[data-testid="parallel-coordinates"]').waitFor();
    const axes = await page.locator('[data-testid="parallel-axis"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-axis')));
    expect(axes[0] === 'fine-tune.learningRate' && axes.includes('eval:accuracy'), `learning rate and accuracy axes, got ${axes.join(', ')}`);
    expect((await page.locator('[data-testid="parallel-line"]').count()) === 3, 'one line per run');
    expect((await page.locator('[data-testid="loss-overlay-fine-tune"] [data-testid="curve-line"]').count()) === 3, 'three loss curves');
    await page.locator('[data-testid="compare-parallel"]').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.locator('[data-testid="compare-parallel"]').screenshot({ path: join(docsShots, 'compare-parallel.png') });
  });

  test('compare: a sweep opens as a comparison with parallel coordinates', async () => {
    // Started through the API as the sweeps dialog does; the comparison page is what is tested here.
    const started = await page.evaluate(async (graphId) => {
      const res = await fetch('/api/trpc/sweeps.start', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: { graphId, nodeId: 'fine-tune', params: [{ name: 'learningRate', values: [0.003, 0.03] }] } }) });
      return { status: res.status, body: await res.json() };
    }, graphId);
    expect(started.status === 200, `sweep started (got ${started.status}: ${JSON.stringify(started.body).slice(0, 200)})`);
    const sweepId = started.body.result.data.json.sweepId as string;
    await page.goto(`${baseUrl}/graphs/${graphId}/compare?sweep=${sweepId}`);
    await page.locator('[data-testid="compare-page"]').waitFor();
    await eventually(async () => (await page.locator('[data-testid="compare-run"] [data-status="done"]').count()) === 2, 'both sweep runs done', 180_000);
    expect(((await page.locator('h1').textContent()) ?? '').includes('Sweep: 2 runs'), 'titled as a sweep');
    await page.locator('[data-testid="parallel-coordinates"]').waitFor();
    expect((await page.locator('[data-testid="parallel-line"]').count()) === 2, 'one line per sweep run');
    expect((await page.locator('[data-testid="param-diff-row"]').count()) === 1, 'only the swept param differs');
    await page.setViewportSize({ width: 1600, height: 2000 });
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(docsShots, 'compare-sweep.png') });
    await page.setViewportSize({ width: 1600, height: 1000 });
  });
}
