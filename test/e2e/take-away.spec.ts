// Browser tests of a first run that gives something useful: DONE badges, metrics, a Try-it prediction
// for a typed sentence, the model zip downloaded and opened; a failing stage shows FAILED and its
// reason on the node, in the panel and the logs, and the nodes after it say why they did not run;
// the check refuses a PEFT export of a model without LoRA; a reload mid-run brings the run panel back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { eventually, expect, test } from './harness';

export function registerTakeAwaySpec({ page, baseUrl, root, screenshotDir }: { page: Page; baseUrl: string; root: string; screenshotDir: string }) {
  const status = (id: string) => page.locator(`[data-testid="node-status-${id}"]`).getAttribute('data-status').catch(() => null);
  const shot = (name: string) => page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  // The states a new user meets, kept in docs/screenshots for the README and the issue notes.
  const docShot = (name: string) => page.screenshot({ path: join(root, 'docs', 'screenshots', `${name}.png`) });
  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

  test('a first run ends with DONE badges, metrics, a Try-it prediction and a downloadable model zip', async () => {
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(`${baseUrl}/graphs`);
    await page.waitForSelector('[data-testid="graph-row"]');
    const before = await page.locator('[data-testid="graph-row"]').count();
    await page.setInputFiles('[data-testid="import-graph-file"]', join(root, 'test', 'fixtures', 'graphs', 'e2e-take-away.json'));
    await eventually(async () => (await page.locator('[data-testid="graph-row"]').count()) === before + 1, 'graph imported');
    await page.getByText('e2e-take-away', { exact: true }).click();
    await page.waitForSelector('.react-flow__node[data-id="export"]');
    await page.click('[data-testid="run"]');
    await page.locator('[data-testid="run-panel"]').waitFor();
    // Finished nodes say DONE while later ones still run.
    await eventually(async () => (await status('head')) === 'done' && ['queued', 'running'].includes((await status('eval')) ?? ''), 'head DONE while the run goes on', 120_000);
    await shot('10a-done-while-running');
    await docShot('done-while-running');
    await eventually(async () => (await status('export')) === 'done', 'export done', 180_000);
    // The pretrained model's key has no seed in it: another spec may have loaded it already.
    for (const id of ['emails', 'split', 'head', 'fine-tune', 'eval', 'export']) expect((await status(id)) === 'done', `${id} DONE, got ${await status(id)}`);
    expect(['done', 'cached'].includes((await status('pretrained')) ?? ''), `pretrained DONE or CACHED, got ${await status('pretrained')}`);
    expect((await page.locator('[data-testid^="node-stale-"]').count()) === 0, 'no node claims to be stale after its run');
    await page.locator('[data-testid="metrics-eval"]').waitFor();
    expect(((await page.locator('[data-testid="metrics-eval"]').textContent()) ?? '').includes('macroF1'), 'eval metrics shown');

    // Zoomed far out, cards show their overview face: title, status, and the first warning if any.
    const flagged = (await page.locator('[data-testid="node-flags-eval"]').count()) > 0;
    const pane = (await page.locator('[data-testid="canvas"]').boundingBox())!;
    await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    for (let i = 0; i < 3; i++) {
      await page.mouse.wheel(0, 400);
      await page.waitForTimeout(100);
    }
    const face = page.locator('.react-flow__node[data-id="eval"] [data-testid="node-overview"]');
    await face.waitFor();
    expect(/done/i.test((await face.textContent()) ?? ''), 'the overview face shows the status');
    expect((await face.locator('[data-testid="node-overview-flag"]').count()) === (flagged ? 1 : 0), 'the overview face shows the warning exactly when the card has one');
    await page.click('[data-testid="fit-view"]');
    await eventually(async () => (await page.locator('[data-testid="node-overview"]').count()) === 0, 'Fit brings the full cards back');

    // Try it on the Eval node: the model wired into it answers a typed sentence.
    await node('eval').click();
    await page.fill('[data-testid="try-it-text"]', 'Congratulations, you won a free cruise! Click here to claim your prize.');
    await page.click('[data-testid="try-it-predict"]');
    const label = await eventually(async () => page.locator('[data-testid="try-it-label"]').textContent(), 'prediction shown', 60_000);
    expect(label === 'ham' || label === 'spam', `predicted label is one of the classes, got ${label}`);
    const probs = await page.locator('[data-testid="try-it-class"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-probability'))));
    expect(probs.length === 2 && Math.abs(probs[0] + probs[1] - 1) < 1e-4, `two class probabilities summing to 1, got ${probs}`);
    await shot('10-try-it');
    await docShot('first-run-try-it');

    // The zip: a button on the Export node and in the run summary, with its size; it holds the model folder.
    const button = page.locator('[data-testid="download-export"]').first();
    await button.waitFor();
    expect(/\((\d+(\.\d)? (MB|KB|B))\)/.test((await button.textContent()) ?? ''), 'size shown on the button');
    expect((await page.locator('[data-testid="run-downloads"] [data-testid="download-export"]').count()) === 1, 'download in the run summary');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename() === 'spam-model.zip', `zip name, got ${download.suggestedFilename()}`);
    const files = Object.keys(unzipSync(readFileSync((await download.path())!)));
    for (const f of ['config.json', 'model.safetensors', 'vocab.txt']) expect(files.some((x) => x.endsWith(f)), `zip has ${f}: ${files.join(', ')}`);
    await shot('11-first-run-done');
  });

  test('a PEFT adapter export of a model without LoRA is refused by the check, on the node, before running', async () => {
    await node('export').click();
    await page.click('[data-testid="param-formats"] label:has-text("peft-adapter")');
    await page.click('[data-testid="param-formats"] label:has-text("hf-safetensors")');
    const error = page.locator('[data-testid="param-error-formats"]').first();
    await error.waitFor({ timeout: 15_000 });
    expect(/PEFT adapter export saves LoRA adapters.*no LoRA node/.test((await error.textContent()) ?? ''), 'the reason, in plain words, under the param');
    await eventually(async () => (await page.locator('[data-testid="node-card-export"][data-has-errors="true"]').count()) === 1, 'the Export node marked');
    expect(await page.locator('[data-testid="run"]').isDisabled(), 'Run waits until it is fixed');
    await shot('12a-peft-export-refused');
    await page.click('[data-testid="param-formats"] label:has-text("hf-safetensors")');
    await page.click('[data-testid="param-formats"] label:has-text("peft-adapter")');
    await eventually(async () => Number(await page.locator('[data-testid="issues-count"]').textContent()) === 0, 'valid again');
  });

  test('a failing stage (a diverging fine-tune) shows FAILED and its reason on the node, in the panel header and the logs; the nodes after it say why they did not run', async () => {
    await node('fine-tune').click();
    const set = async (param: string, value: string) => {
      if (await page.locator(`[data-testid="param-${param}-override"]`).count()) await page.click(`[data-testid="param-${param}-override"]`);
      await page.fill(`[data-testid="param-${param}"]`, value);
    };
    const valueOf = async (param: string) => ((await page.locator(`[data-testid="param-${param}"]`).getAttribute('data-auto')) === 'true' ? 'auto' : page.inputValue(`[data-testid="param-${param}"]`));
    const before = { learningRate: await valueOf('learningRate'), warmupRatio: await valueOf('warmupRatio'), maxGradNorm: await valueOf('maxGradNorm') };
    // Learning rate 1 with no warmup and no clipping: the loss climbs far above where it started.
    await set('learningRate', '1');
    await set('warmupRatio', '0');
    await set('maxGradNorm', '0');
    await eventually(async () => Number(await page.locator('[data-testid="issues-count"]').textContent()) === 0, 'still a valid graph');
    await page.click('[data-testid="run"]');
    await eventually(async () => (await status('fine-tune')) === 'failed', 'fine-tune FAILED', 120_000);
    const reason = (await page.locator('[data-testid="node-error-fine-tune"]').textContent()) ?? '';
    expect(/diverged/.test(reason) && /learning rate 1/.test(reason), `the node says it diverged and names the learning rate, got "${reason}"`);
    for (const id of ['eval', 'export']) {
      await eventually(async () => (await status(id)) === 'skipped', `${id} SKIPPED`);
      const why = (await page.locator(`[data-testid="node-skip-reason-${id}"]`).textContent()) ?? '';
      expect(why === 'Not run: upstream node fine-tune failed', `${id} says why it did not run, got "${why}"`);
    }
    await eventually(async () => (await page.locator('[data-testid="run-status"]').getAttribute('data-status')) === 'failed', 'run FAILED');
    const header = (await page.locator('[data-testid="run-error"]').textContent()) ?? '';
    expect(/Fine-tune \(fine-tune\) failed: training diverged/.test(header), `the panel header names the failed node and why, got "${header}"`);
    for (const id of ['emails', 'split', 'head']) expect(['done', 'cached'].includes((await status(id)) ?? ''), `${id} keeps its result, got ${await status(id)}`);
    const logs = (await page.locator('[data-testid="run-logs"]').textContent()) ?? '';
    expect(/failed: training diverged/.test(logs) && /skipped: upstream node "fine-tune" failed/.test(logs), 'the logs have the failure and the skips');
    await shot('12-failed-stage');
    await docShot('failed-stage');

    // The run panel: resized by dragging its top edge, collapsed to its header and opened again.
    const panel = page.locator('[data-testid="run-panel"]');
    const h0 = (await panel.boundingBox())!.height;
    const grip = (await page.locator('[data-testid="run-panel-resize"]').boundingBox())!;
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(grip.x + grip.width / 2, grip.y - 120, { steps: 6 });
    await page.mouse.up();
    const h1 = (await panel.boundingBox())!.height;
    expect(Math.abs(h1 - (h0 + 120)) <= 4, `dragging the edge up 120 px grows the panel from ${h0} to ${h0 + 120}, got ${h1}`);
    await page.click('[data-testid="run-panel-collapse"]');
    await eventually(async () => (await panel.getAttribute('data-collapsed')) === 'true' && (await panel.boundingBox())!.height < 100, 'collapsed to its header (and the failure line)');
    expect((await page.locator('[data-testid="run-logs"]').count()) === 0, 'logs hidden while collapsed');
    expect((await page.locator('[data-testid="run-status"]').getAttribute('data-status')) === 'failed', 'the header still shows the status');
    await page.click('[data-testid="run-panel-collapse"]');
    await eventually(async () => Math.abs((await panel.boundingBox())!.height - h1) <= 4, 'opened again at the chosen height');
    // Back to a useful setting and the panel's usual height for the next test.
    await node('fine-tune').click();
    for (const [param, value] of Object.entries(before)) {
      if (value === 'auto') await page.click(`[data-testid="param-${param}-auto"]`);
      else await page.fill(`[data-testid="param-${param}"]`, value);
    }
    await page.mouse.move(grip.x + grip.width / 2, grip.y - 120 + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2, { steps: 6 });
    await page.mouse.up();
  });

  test('reloading mid-run brings the run panel back, following the same run', async () => {
    await node('fine-tune').click();
    await page.fill('[data-testid="param-epochs"]', '60');
    await page.click('[data-testid="save"]');
    await page.locator('[data-testid="saved-state"]').waitFor();
    await page.click('[data-testid="run"]');
    await eventually(async () => (await status('fine-tune')) === 'running', 'fine-tune running', 120_000);
    const runId = await page.locator('[data-testid="run-panel"] .font-mono').first().textContent();
    await page.reload();
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await page.locator('[data-testid="run-panel"]').waitFor({ timeout: 20_000 });
    expect((await page.locator('[data-testid="run-panel"] .font-mono').first().textContent()) === runId, 'the same run is shown');
    await eventually(async () => (await status('fine-tune')) === 'running' && ['done', 'cached'].includes((await status('head')) ?? ''), 'live badges back after the reload', 20_000);
    await shot('13-reload-mid-run');
    await docShot('reload-mid-run');
    await page.click('[data-testid="cancel-run"]');
    await eventually(async () => (await page.locator('[data-testid="run-status"]').getAttribute('data-status')) === 'cancelled', 'run cancelled', 30_000);
  });
}
