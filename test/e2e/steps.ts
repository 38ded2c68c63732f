// Browser steps several specs share: import a graph document, the tiny run graph, a node's run status,
// rerun with a changed learning rate from the run panel, and a sweep of one fine-tune param.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, expect } from './harness';

/** The run spec's tiny graph (tiny-bert, 120 emails) with one epoch and its own data seed, so a spec's cached stages are its own. */
export function tinyRunGraph(root: string, seed: number) {
  const doc = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'graphs', 'e2e-run.json'), 'utf8'));
  doc.nodes.find((n: { id: string }) => n.id === 'fine-tune').params.epochs = 1;
  doc.nodes.find((n: { id: string }) => n.id === 'emails').params.seed = seed;
  return doc;
}

/** Imports `doc` from the graph list as `<name>.json`, opens it and returns its graph id. */
export async function importGraph(page: Page, baseUrl: string, doc: unknown, name: string, waitForNode = 'fine-tune'): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'tunegraph-e2e-import-')), `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  await page.goto(`${baseUrl}/graphs`);
  await page.waitForSelector('[data-testid="import-graph-file"]', { state: 'attached' });
  await page.setInputFiles('[data-testid="import-graph-file"]', file);
  await page.getByText(name, { exact: true }).click();
  await page.waitForSelector(`.react-flow__node[data-id="${waitForNode}"]`);
  return new URL(page.url()).pathname.split('/')[2];
}

/** A node's status on the canvas (data-status), or null while it has none. */
export const nodeStatus = (page: Page, id: string) => page.locator(`[data-testid="node-status-${id}"]`).getAttribute('data-status', { timeout: 1000 }).catch(() => null);

/** Waits until every node of `ids` shows `status` (runs on the tiny graph take well under the 3 minutes). */
export async function waitForStatus(page: Page, ids: string[], status: string, what: string) {
  await eventually(async () => (await Promise.all(ids.map((id) => nodeStatus(page, id)))).every((s) => s === status), what, 180_000);
}

/** Opens the editor's run panel on the latest run. It opens by itself while that run is queued or running
 * (decided with the run id, which enables the toggle), so the toggle is pressed only when it is still closed. */
export async function openRunPanel(page: Page) {
  await eventually(async () => !(await page.locator('[data-testid="toggle-run-panel"]').isDisabled()), 'the graph has a run');
  await page.waitForTimeout(300);
  if (!(await page.locator('[data-testid="run-panel"]').count())) await page.click('[data-testid="toggle-run-panel"]');
  await page.locator('[data-testid="run-panel"]').waitFor();
}

const rerunDialog = '[data-testid="rerun-dialog"]';

/** From the open run panel: Rerun with changes…, fine-tune's learning rate set to `lr`; returns the change line the dialog lists. `shot` is taken before starting. */
export async function rerunWithLearningRate(page: Page, lr: string, shot?: string): Promise<string> {
  await page.click('[data-testid="rerun-with-changes"]');
  await page.locator(rerunDialog).waitFor();
  await page.click(`${rerunDialog} [data-testid="rerun-node-fine-tune"]`);
  await page.fill(`${rerunDialog} [data-testid="param-learningRate"]`, lr);
  await eventually(async () => (await page.locator(`${rerunDialog} [data-testid="rerun-stages"]`).getAttribute('data-for')) === 'current', 'the rerun plan follows the edit', 15_000);
  await eventually(async () => !(await page.locator(`${rerunDialog} [data-testid="rerun-start"]`).isDisabled()), 'rerun start enabled');
  const change = (await page.locator(`${rerunDialog} [data-testid="rerun-change"]`).textContent()) ?? '';
  if (shot) await page.screenshot({ path: shot });
  await page.click(`${rerunDialog} [data-testid="rerun-start"]`);
  await page.locator(rerunDialog).waitFor({ state: 'detached' });
  return change;
}

/** On an open graph: Sweep… on fine-tune over `values` of learningRate; checks the plan's run count, starts, and waits on the results table until every point is done. Returns the sweep id. */
export async function sweepLearningRate(page: Page, values: string[], shot?: { plan?: string; table?: string }): Promise<string> {
  await page.locator('.react-flow__node[data-id="fine-tune"]').click();
  await page.click('[data-testid="sweep-open"]');
  await page.locator('[data-testid="sweep-dialog"]').waitFor();
  await page.selectOption('[data-testid="sweep-param-0"]', 'learningRate');
  await page.fill('[data-testid="sweep-values-0"]', values.join(', '));
  const runs = `${values.length} runs;`;
  await eventually(async () => ((await page.locator('[data-testid="sweep-plan-summary"]').textContent({ timeout: 500 })) ?? '').startsWith(runs), `the plan counts ${runs}`, 20_000);
  if (shot?.plan) await page.screenshot({ path: shot.plan });
  await page.click('[data-testid="sweep-start"]');
  await page.waitForURL(/\/sweeps\/s_/);
  const rows = page.locator('[data-testid="sweep-row"]');
  await eventually(async () => (await rows.count()) === values.length, 'one row per point', 20_000);
  await eventually(async () => (await page.locator('[data-testid="sweep-row"][data-status="done"]').count()) === values.length, 'every sweep run done', 300_000);
  expect((await page.locator('[data-testid="sweep-best"]').count()) >= 1, 'best per metric marked');
  if (shot?.table) await page.screenshot({ path: shot.table });
  return new URL(page.url()).pathname.split('/')[4];
}
