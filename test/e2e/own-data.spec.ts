// Browser test of a first run on the user's own data: upload a CSV train file and a CSV test file,
// pick their columns from the preview, build bundled model → head → fine-tune → eval on the whole
// test file next to a TF-IDF baseline → compare (+ export), run it, and read the results: DONE
// badges, metrics, a Try-it prediction, and the model zip with its files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { eventually, expect, test } from './harness';

export function registerOwnDataSpec({ page, baseUrl, root, screenshotDir }: { page: Page; baseUrl: string; root: string; screenshotDir: string }) {
  const shot = (name: string) => page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  const docShot = (name: string) => page.screenshot({ path: join(root, 'docs', 'screenshots', `${name}.png`) });
  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  const status = (id: string) => page.locator(`[data-testid="node-status-${id}"]`).getAttribute('data-status').catch(() => null);
  const handle = (id: string, port: string, kind: 'source' | 'target') => page.locator(`.react-flow__node[data-id="${id}"] .react-flow__handle.${kind}[data-handleid="${port}"]`);
  const data = (f: string) => join(root, 'test', 'fixtures', 'data', f);

  async function drop(type: string, x: number, y: number): Promise<string> {
    const before = new Set(await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))));
    await page.dragAndDrop(`[data-testid="palette-${type}"]`, '[data-testid="canvas"]', { targetPosition: { x, y } });
    const id = await eventually(async () => (await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).find((x) => x && !before.has(x)) ?? null, `${type} dropped`);
    return id!;
  }

  async function connect(from: string, fromPort: string, to: string, toPort: string) {
    const edges = await page.locator('.react-flow__edge').count();
    const a = await handle(from, fromPort, 'source').boundingBox();
    const b = await handle(to, toPort, 'target').boundingBox();
    if (!a || !b) throw new Error(`handle not visible: ${from}.${fromPort} or ${to}.${toPort}`);
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
    await page.mouse.up();
    await eventually(async () => (await page.locator('.react-flow__edge').count()) === edges + 1, `edge ${from}.${fromPort} → ${to}.${toPort}`);
  }

  async function uploadInto(id: string, file: string, role: 'train' | 'test') {
    await node(id).click();
    await page.setInputFiles('[data-testid="upload-file"]', data(file));
    await page.locator('[data-testid="upload-preview"]').waitFor({ timeout: 20_000 });
    // The preview: row count, columns to pick from, label distribution once the label column is chosen.
    await eventually(async () => (await page.locator('[data-testid="upload-rows"]').textContent()) !== null, 'row count shown');
    const options = await page.locator('[data-testid="upload-text-column"] option').allTextContents();
    expect(options.includes('message') && options.includes('category'), `columns from the file offered, got ${options.join(', ')}`);
    await page.selectOption('[data-testid="upload-text-column"]', 'message');
    await page.selectOption('[data-testid="upload-label-column"]', 'category');
    await eventually(async () => (await page.locator('[data-testid="upload-label"]').count()) === 2, 'label distribution ham/spam shown');
    await page.selectOption('[data-testid="param-role"]', role);
  }

  test('own data: upload train and test CSVs, pick columns, build, run, compare with the baseline, try it and download', async () => {
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(`${baseUrl}/graphs`);
    await page.fill('[data-testid="new-graph-name"]', 'My emails');
    await page.click('[data-testid="create-graph"]');
    await page.waitForURL(/\/graphs\/g_/);
    await page.waitForSelector('[data-testid="canvas"] .react-flow__pane');

    const train = await drop('dataset-upload', 130, 60);
    const test_ = await drop('dataset-upload', 130, 330);
    const model = await drop('pretrained-load', 130, 600);
    const baseline = await drop('baseline-tfidf', 390, 60);
    const head = await drop('head', 390, 600);
    const ft = await drop('fine-tune', 650, 600);
    const evaluate = await drop('eval', 910, 330);
    const compare = await drop('compare', 910, 60);
    const exp = await drop('export', 910, 600);

    await uploadInto(train, 'e2e-emails-train.csv', 'train');
    const trainRows = Number((await page.locator('[data-testid="upload-rows"]').textContent())?.replace(/,/g, ''));
    expect(trainRows === 200, `train file has 200 rows, preview says ${trainRows}`);
    await shot('14-upload-preview');
    await docShot('upload-preview');
    await uploadInto(test_, 'e2e-emails-test.csv', 'test');
    await node(model).click();
    await page.fill('[data-testid="param-modelId"]', 'tiny-bert');

    await connect(model, 'model', head, 'model');
    await connect(train, 'dataset', head, 'dataset');
    await connect(head, 'model', ft, 'model');
    await connect(train, 'dataset', ft, 'dataset');
    await connect(ft, 'model', evaluate, 'model');
    await connect(test_, 'dataset', evaluate, 'dataset');
    await connect(train, 'dataset', baseline, 'dataset');
    await connect(test_, 'dataset', baseline, 'test');
    await connect(evaluate, 'metrics', compare, 'metrics');
    await connect(baseline, 'metrics', compare, 'metrics');
    await connect(ft, 'model', exp, 'model');
    await eventually(async () => Number(await page.locator('[data-testid="issues-count"]').textContent()) === 0, 'graph valid once wired', 15_000);

    // "auto" params show what they resolve to, with the reason.
    await node(ft).click();
    // The server's check answers a moment after the last edit.
    const lr = await eventually(async () => {
      const t = (await page.locator('[data-testid="param-learningRate-resolved"]').textContent()) ?? '';
      return /auto/i.test(t) && /\d/.test(t) ? t : null;
    }, 'resolved learning rate shown', 20_000);
    expect(/auto: .*(model|layer)/.test(lr ?? ''), `the reason speaks of the model, got "${lr}"`);
    await shot('15-auto-params');
    await docShot('auto-params');

    await page.click('[data-testid="save"]');
    await page.click('[data-testid="run"]');
    await page.locator('[data-testid="run-panel"]').waitFor();
    await eventually(async () => (await page.locator('[data-testid="run-status"]').getAttribute('data-status')) === 'done', 'run done', 300_000);
    for (const id of [train, test_, head, ft, evaluate, baseline, compare, exp]) expect((await status(id)) === 'done', `${id} DONE, got ${await status(id)}`);
    // The bundled model's key has no seed: another spec may have loaded it already.
    expect(['done', 'cached'].includes((await status(model)) ?? ''), `${model} DONE or CACHED, got ${await status(model)}`);

    // Eval scored the whole test file (80 rows), next to the baseline in the comparison.
    const evalText = (await page.locator(`[data-testid="metrics-${evaluate}"]`).textContent()) ?? '';
    expect(evalText.includes('macroF1') && evalText.includes('accuracy'), 'eval metrics shown');
    // Every row of the test file scored, by the model and by the baseline: their confusion matrices count 80.
    const scored = (id: string) => page.locator(`[data-testid="metrics-${id}"] [data-testid="confusion-matrix"] td`).evaluateAll((tds) => tds.reduce((n, td) => n + Number(td.textContent), 0));
    expect((await scored(evaluate)) === 80, `eval scored the 80 rows of the test file, got ${await scored(evaluate)}`);
    expect((await scored(baseline)) === 80, `the baseline scored the 80 rows of the test file, got ${await scored(baseline)}`);
    const compareText = (await page.locator(`[data-testid="metrics-${compare}"]`).textContent()) ?? '';
    expect(/TF-IDF/.test(compareText), `the comparison lists the baseline, got "${compareText.slice(0, 200)}"`);

    await node(evaluate).click();
    await page.fill('[data-testid="try-it-text"]', 'URGENT: claim your free gift card now, limited offer, click the link');
    await page.click('[data-testid="try-it-predict"]');
    const label = await eventually(async () => page.locator('[data-testid="try-it-label"]').textContent(), 'prediction shown', 60_000);
    expect(label === 'ham' || label === 'spam', `label is a class of the file, got ${label}`);
    await shot('16-own-data-done');
    await docShot('own-data-run');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid="run-downloads"] [data-testid="download-${exp}"]`).click()]);
    const files = Object.keys(unzipSync(readFileSync((await download.path())!)));
    for (const f of ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer.json']) expect(files.some((x) => x.endsWith(f)), `zip has ${f}: ${files.join(', ')}`);
  });

  test('the Results page charts the report and lists the finished run with its scores and run time', async () => {
    await page.goto(`${baseUrl}/results`);
    await page.locator('[data-testid="score-chart"]').waitFor();
    const bars = await page.locator('[data-testid="score-bar"]').count();
    expect(bars >= 2, `one bar per pipeline plus the baseline, got ${bars}`);
    expect(((await page.locator('[data-testid="results-run-time"]').textContent()) ?? '').includes('took'), 'run time stated');
    await page.locator('[data-testid="results-markdown"]').waitFor();
    expect(((await page.locator('[data-testid="results-markdown"]').textContent()) ?? '').includes('Targets'), 'RESULTS.md rendered in full');
    const row = page.locator('[data-testid="my-run"]', { hasText: 'My emails' }).first();
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    expect(/macroF1 \d\.\d{3}/.test(text) && /TF-IDF/.test(text), `own run listed with its scores, got "${text.slice(0, 200)}"`);
    expect(/\d+(\.\d)? s|min/.test(text), 'run time of the own run shown');
    await shot('17-results');
    await docShot('results');
  });
}
