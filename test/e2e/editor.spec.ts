// Browser tests of the editor: build a pipeline by drag and drop, see checks live, save, reload, import.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, expect, test } from './harness';

interface SpecContext {
  page: Page;
  baseUrl: string;
  root: string;
  screenshotDir: string;
}

export function registerEditorSpec({ page, baseUrl, root, screenshotDir }: SpecContext) {
  const shot = (name: string) => page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  const handle = (id: string, port: string, kind: 'source' | 'target') => page.locator(`.react-flow__node[data-id="${id}"] .react-flow__handle.${kind}[data-handleid="${port}"]`);
  let graphUrl = '';

  async function dropFromPalette(type: string, x: number, y: number) {
    await page.dragAndDrop(`[data-testid="palette-${type}"]`, '[data-testid="canvas"]', { targetPosition: { x, y } });
  }

  async function connect(from: string, fromPort: string, to: string, toPort: string) {
    const a = await handle(from, fromPort, 'source').boundingBox();
    const b = await handle(to, toPort, 'target').boundingBox();
    if (!a || !b) throw new Error(`handle not visible: ${from}.${fromPort} or ${to}.${toPort}`);
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
    await page.mouse.up();
  }

  const edgeCount = () => page.locator('.react-flow__edge').count();
  const issuesCount = async () => Number(await page.locator('[data-testid="issues-count"]').textContent());

  test('the graph list shows the example graphs', async () => {
    await page.goto(`${baseUrl}/graphs`);
    await eventually(async () => (await page.locator('[data-testid="graph-row"]').count()) >= 4, 'example graphs listed');
    expect(await page.getByText('Spam filter with domain adaptation').isVisible(), 'spam example visible');
    await shot('01-graph-list');
  });

  test('creating a graph opens an empty editor', async () => {
    await page.fill('[data-testid="new-graph-name"]', 'E2E pipeline');
    await page.click('[data-testid="create-graph"]');
    await page.waitForURL(/\/graphs\/g_/);
    graphUrl = page.url();
    await page.waitForSelector('[data-testid="canvas"] .react-flow__pane');
    expect((await page.inputValue('[data-testid="graph-name"]')) === 'E2E pipeline', 'graph name shown');
  });

  test('dragging stages from the palette puts them on the canvas', async () => {
    await dropFromPalette('pretrained-load', 130, 120);
    await dropFromPalette('lora', 380, 120);
    await dropFromPalette('head', 630, 120);
    await dropFromPalette('dataset-bundled', 380, 420);
    await dropFromPalette('fine-tune', 630, 420);
    await eventually(async () => (await page.locator('.react-flow__node').count()) === 5, 'five nodes on the canvas');
    for (const id of ['pretrained-load-1', 'lora-1', 'head-1', 'dataset-bundled-1', 'fine-tune-1']) await node(id).waitFor({ state: 'visible' });
    await eventually(async () => (await issuesCount()) > 0, 'unconnected inputs are reported');
    await shot('02-dropped');
  });

  test('connecting typed handles adds edges', async () => {
    await connect('pretrained-load-1', 'model', 'lora-1', 'model');
    await connect('lora-1', 'model', 'head-1', 'model');
    await connect('head-1', 'model', 'fine-tune-1', 'model');
    await eventually(async () => (await edgeCount()) === 3, 'three edges drawn');
  });

  test('an illegal connection is refused while dragging, with the reason', async () => {
    await connect('dataset-bundled-1', 'dataset', 'lora-1', 'model');
    const refused = page.locator('[data-testid="connection-refused"]');
    await refused.waitFor();
    const text = (await refused.textContent()) ?? '';
    expect(text.includes('Dataset cannot connect to Model'), `refusal names both types, got "${text}"`);
    await shot('03-refused');
    expect((await edgeCount()) === 3, 'no edge added');
    await connect('dataset-bundled-1', 'dataset', 'fine-tune-1', 'dataset');
    await eventually(async () => (await edgeCount()) === 4, 'legal dataset edge added');
    // The head reads its label count from the dataset (numLabels 0), so it needs the dataset too.
    await connect('dataset-bundled-1', 'dataset', 'head-1', 'dataset');
    await eventually(async () => (await edgeCount()) === 5, 'dataset edge into the head added');
    await eventually(async () => (await issuesCount()) === 0, 'graph becomes valid');
  });

  test('editing a param shows a validation error that clears when fixed', async () => {
    await node('lora-1').click();
    await page.waitForSelector('[data-testid="inspector"]');
    await page.fill('[data-testid="param-rank"]', '0');
    const error = page.locator('[data-testid="param-error-rank"]');
    await error.waitFor();
    expect(((await error.textContent()) ?? '').toLowerCase().includes('rank'), 'error names the param');
    expect((await node('lora-1').getAttribute('class'))?.includes('react-flow__node') && (await page.locator('[data-testid="node-card-lora-1"][data-has-errors="true"]').count()) === 1, 'node marked');
    await shot('04-param-error');
    await page.fill('[data-testid="param-rank"]', '4');
    await error.waitFor({ state: 'detached' });
    await eventually(async () => (await page.locator('[data-testid="node-card-lora-1"] [data-testid="card-param-rank"]').textContent()) === '4', 'card shows rank 4');
    await eventually(async () => (await issuesCount()) === 0, 'no issues left');
  });

  test('every param error is in plain words, naming the param and the value (no raw zod text)', async () => {
    await node('fine-tune-1').click();
    await page.waitForSelector('[data-testid="inspector"]');
    await page.click('[data-testid="param-learningRate-override"]');
    const probes: [param: string, typed: string, expected: RegExp][] = [
      ['learningRate', '5', /^Learning rate must be at most 1, got 5$/],
      ['learningRate', 'abc', /^Learning rate must be "auto" or a number, got "abc"$/],
      ['batchSize', '2.5', /^Batch size must be a whole number, got 2\.5$/],
      ['gradientAccumulationSteps', '0', /^Gradient accumulation steps must be at least 1, got 0$/],
      ['maxGradNorm', 'x', /^Max grad norm must be a number, got "x"$/],
    ];
    const zodWords = /expected \w+, received|Invalid input|Too (small|big)|invalid_type|too_small|too_big|invalid_union/i;
    for (const [param, typed, expected] of probes) {
      const before = await page.inputValue(`[data-testid="param-${param}"]`);
      await page.fill(`[data-testid="param-${param}"]`, typed);
      const error = page.locator(`[data-testid="param-error-${param}"]`).first();
      await error.waitFor();
      const text = ((await error.textContent()) ?? '').trim();
      expect(expected.test(text), `${param} = ${typed}: plain message expected, got "${text}"`);
      // The issues bar and its list say the same, never zod's own words.
      const bar = (await page.locator('[data-testid="issues-bar"]').textContent()) ?? '';
      expect(!zodWords.test(bar) && !zodWords.test(text), `no raw zod text for ${param} = ${typed}: "${text}" / "${bar}"`);
      await page.fill(`[data-testid="param-${param}"]`, before);
      await error.waitFor({ state: 'detached' });
    }
    await shot('04b-plain-param-errors');
    await page.click('[data-testid="param-learningRate-auto"]');
    await eventually(async () => (await page.locator('[data-testid="param-learningRate"][data-auto="true"]').count()) === 1, 'learning rate back to auto');
    await eventually(async () => (await issuesCount()) === 0, 'no issues left after the probes');
  });

  test('undo and redo step over one gesture at a time', async () => {
    await page.click('.react-flow__pane', { position: { x: 30, y: 600 } });
    const before = await page.locator('.react-flow__node').count();
    await node('head-1').click();
    await page.keyboard.press('Delete');
    await eventually(async () => (await page.locator('.react-flow__node').count()) === before - 1, 'node deleted');
    await page.keyboard.press('Control+z');
    await eventually(async () => (await page.locator('.react-flow__node').count()) === before && (await edgeCount()) === 5, 'delete undone with its edges');
    await page.keyboard.press('Control+Shift+z');
    await eventually(async () => (await page.locator('.react-flow__node').count()) === before - 1, 'delete redone');
    await page.keyboard.press('Control+z');
    await eventually(async () => (await edgeCount()) === 5, 'back to five edges');
  });

  test('copy and paste duplicates the selection with new ids', async () => {
    await node('lora-1').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await eventually(async () => (await node('lora-2').count()) === 1, 'pasted node lora-2');
    await page.keyboard.press('Control+z');
    await eventually(async () => (await node('lora-2').count()) === 0, 'paste undone in one step');
  });

  test('saving keeps the graph across a page reload', async () => {
    await page.fill('[data-testid="save-message"]', 'first pipeline');
    await page.click('[data-testid="save"]');
    await page.locator('[data-testid="saved-state"]').waitFor();
    await page.reload();
    await page.waitForSelector('.react-flow__node[data-id="fine-tune-1"]');
    expect((await page.locator('.react-flow__node').count()) === 5, 'five nodes after reload');
    expect((await edgeCount()) === 5, 'five edges after reload');
    expect((await page.locator('[data-testid="node-card-lora-1"] [data-testid="card-param-rank"]').textContent()) === '4', 'rank 4 after reload');
    const versions = () => page.locator('[data-testid="version-picker"] option').allTextContents();
    await eventually(async () => (await versions()).some((v) => v.includes('first pipeline')), 'version listed with its message');
    await shot('05-reloaded');
  });

  test('importing a JSON file into the graph replaces it, migrating old nodes', async () => {
    await page.setInputFiles('[data-testid="import-into-graph"]', join(root, 'test', 'fixtures', 'graphs', 'lora-v1.json'));
    await eventually(async () => (await page.locator('.react-flow__node').count()) === 3, 'imported three nodes');
    // React Flow keeps a node hidden until it has measured it, so wait for it to show.
    await node('adapters').waitFor({ state: 'visible' });
    await node('adapters').click();
    const selected = await page.locator('[data-testid="param-targetModules"] label').allTextContents();
    expect(selected.includes('key'), 'migrated target modules shown');
    expect(await page.locator('[data-testid="unsaved"]').isVisible(), 'unsaved marker after import');
    await page.keyboard.press('Control+z');
    await eventually(async () => (await page.locator('.react-flow__node').count()) === 5, 'import undone');
  });

  test('a node drag is one undo step, and so is typing into a field', async () => {
    await page.click('.react-flow__pane', { position: { x: 30, y: 600 } });
    const start = (await node('head-1').boundingBox())!;
    // Grab the card by its title bar (not a handle) and drag it in many small moves.
    await page.mouse.move(start.x + 60, start.y + 12);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(start.x + 60 + i * 15, start.y + 12 + i * 8);
    await page.mouse.up();
    await eventually(async () => ((await node('head-1').boundingBox())!.x - start.x) > 100, 'head-1 dragged');
    await page.keyboard.press('Control+z');
    await eventually(async () => Math.abs((await node('head-1').boundingBox())!.x - start.x) < 2, 'one undo puts the whole drag back');
    await page.locator('[data-testid="saved-state"]').waitFor();

    await node('lora-1').click();
    await page.click('[data-testid="param-rank"]');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('16', { delay: 50 });
    await eventually(async () => (await page.locator('[data-testid="node-card-lora-1"] [data-testid="card-param-rank"]').textContent()) === '16', 'card shows rank 16');
    await page.click('.react-flow__pane', { position: { x: 30, y: 600 } });
    await page.keyboard.press('Control+z');
    await eventually(async () => (await page.locator('[data-testid="node-card-lora-1"] [data-testid="card-param-rank"]').textContent()) === '4', 'one undo takes rank from 16 back to 4, not to 1');
    await page.locator('[data-testid="saved-state"]').waitFor();
  });

  test('Ctrl+S saves a version, and the graph reopens as saved after in-app navigation', async () => {
    await page.dblclick('[data-testid="palette-eval"]');
    await eventually(async () => (await node('eval-1').count()) === 1, 'eval added by double-click');
    await page.locator('[data-testid="unsaved"]').waitFor();
    await page.click('.react-flow__pane', { position: { x: 30, y: 600 } });
    await page.keyboard.press('Control+s');
    await page.locator('[data-testid="saved-state"]').waitFor();
    // Leave through the app's own link (no page load), then come back the same way.
    await page.click('a[href="/graphs"] >> text=Graphs');
    await page.waitForSelector('[data-testid="graph-row"]');
    await page.getByRole('link', { name: 'E2E pipeline', exact: true }).click();
    await page.waitForSelector('.react-flow__node[data-id="fine-tune-1"]');
    await eventually(async () => (await node('eval-1').count()) === 1 && (await page.locator('.react-flow__node').count()) === 6, 'the saved version (six nodes) is shown, not a cached older one');
    expect(await page.locator('[data-testid="saved-state"]').isVisible(), 'shown as saved');
  });

  test('leaving with unsaved edits asks first: an in-app link, browser Back, closing the tab', async () => {
    const here = page.url();
    const nodesSaved = await page.locator('.react-flow__node').count();
    await page.dblclick('[data-testid="palette-split"]');
    await page.locator('[data-testid="unsaved"]').waitFor();
    const edited = await page.locator('.react-flow__node').count();
    const asked: string[] = [];
    const answer = (accept: boolean) => page.once('dialog', (d) => {
      asked.push(d.message());
      void (accept ? d.accept() : d.dismiss());
    });
    const stillEditing = async (what: string) => {
      await page.waitForTimeout(500);
      expect(page.url() === here, `${what}: still on the graph, got ${page.url()}`);
      expect(await page.locator('[data-testid="unsaved"]').isVisible(), `${what}: the edit is still unsaved, not lost`);
      expect((await page.locator('.react-flow__node').count()) === edited, `${what}: the edited graph is still on screen`);
    };

    answer(false);
    await page.click('a[href="/graphs"] >> text=Graphs');
    await eventually(() => asked.length === 1, 'the Graphs link asks first');
    expect(/unsaved changes/.test(asked[0]), `the question names the unsaved changes: "${asked[0]}"`);
    await stillEditing('link, then Stay');

    answer(false);
    await page.evaluate(() => window.history.back());
    await eventually(() => asked.length === 2, 'browser Back asks first');
    await stillEditing('Back, then Stay');

    // Staying cancelled the traversal, so Back asks again; this time leave.
    answer(true);
    await page.evaluate(() => window.history.back());
    await eventually(() => asked.length === 3, 'Back asks again');
    await page.waitForSelector('[data-testid="graph-row"]');
    expect(new URL(page.url()).pathname === '/graphs', `Back then Leave goes to the graph list, got ${page.url()}`);

    // Closing a tab (or reloading it) with unsaved edits asks the browser's own question.
    const tab = await page.context().newPage();
    await tab.goto(here);
    await tab.waitForSelector('.react-flow__node[data-id="fine-tune-1"]');
    await tab.dblclick('[data-testid="palette-split"]');
    await tab.locator('[data-testid="unsaved"]').waitFor();
    const closing = new Promise<string>((ok) => tab.once('dialog', (d) => {
      ok(d.type());
      void d.dismiss();
    }));
    await tab.close({ runBeforeUnload: true });
    expect((await closing) === 'beforeunload', 'closing the tab asks first');
    await page.waitForTimeout(300);
    expect(!tab.isClosed(), 'answering Stay keeps the tab open');
    await tab.close();

    // Nothing unsaved was kept: the graph reopens as saved.
    await page.getByRole('link', { name: 'E2E pipeline', exact: true }).click();
    await page.waitForSelector('.react-flow__node[data-id="fine-tune-1"]');
    await eventually(async () => (await page.locator('.react-flow__node').count()) === nodesSaved, 'the saved graph reopens without the dropped edit');
    expect(await page.locator('[data-testid="saved-state"]').isVisible(), 'shown as saved');
  });

  test('an older version opens with a banner and saving restores it as the newest', async () => {
    await eventually(async () => (await page.locator('[data-testid="version-picker"] option').allTextContents()).some((t) => t.includes('first pipeline')), 'versions listed');
    const options = await page.locator('[data-testid="version-picker"] option').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
    const first = options.find((o) => o.text.includes('first pipeline'));
    expect(first, `a version named "first pipeline" in ${options.map((o) => o.text).join(' | ')}`);
    await page.selectOption('[data-testid="version-picker"]', first.value);
    await page.locator('[data-testid="viewing-banner"]').waitFor();
    await eventually(async () => (await page.locator('.react-flow__node').count()) === 5 && (await node('eval-1').count()) === 0, 'the older version has five nodes');
    await shot('06a-old-version');
    await page.fill('[data-testid="save-message"]', 'restored first pipeline');
    await page.click('[data-testid="save"]');
    await page.locator('[data-testid="viewing-banner"]').waitFor({ state: 'detached' });
    await eventually(async () => (await page.locator('[data-testid="version-picker"] option').count()) === options.length + 1, 'a new version listed');
    await page.reload();
    await page.waitForSelector('.react-flow__node[data-id="fine-tune-1"]');
    expect((await page.locator('.react-flow__node').count()) === 5, 'latest is the restored five-node version');
  });

  test('a bad graph file is refused on the list page and nothing changes', async () => {
    await page.goto(`${baseUrl}/graphs`);
    await eventually(async () => (await page.locator('[data-testid="graph-row"]').count()) >= 5, 'list loaded');
    const before = await page.locator('[data-testid="graph-row"]').count();
    await page.setInputFiles('[data-testid="import-graph-file"]', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"schemaVersion": 1, "nodes": [{"id": "a", "type": "quantum", "typeVersion": 1, "params": {}, "position": {"x": 0, "y": 0}}], "edges": []}') });
    const error = page.locator('[data-testid="list-error"]');
    await error.waitFor();
    expect(((await error.textContent()) ?? '').includes('unknown type "quantum"'), 'error names the node type');
    expect((await page.locator('[data-testid="graph-row"]').count()) === before, 'no graph added');
    await page.setInputFiles('[data-testid="import-graph-file"]', { name: 'good-import.json', mimeType: 'application/json', buffer: readFileSync(join(root, 'test', 'fixtures', 'graphs', 'lora-v1.json')) });
    await eventually(async () => (await page.locator('[data-testid="graph-row"]').count()) === before + 1, 'good file imported as a new graph');
    await shot('06-import');
  });

  test('a graph is renamed and deleted from the list (delete asks first)', async () => {
    const row = () => page.locator('[data-testid="graph-row"]', { hasText: 'good-import' });
    await row().waitFor();
    page.once('dialog', (d) => void d.accept('Imported LoRA'));
    await row().getByRole('button', { name: 'Rename' }).click();
    const renamed = page.locator('[data-testid="graph-row"]', { hasText: 'Imported LoRA' });
    await renamed.waitFor();
    const before = await page.locator('[data-testid="graph-row"]').count();
    page.once('dialog', (d) => void d.dismiss());
    await renamed.getByRole('button', { name: 'Delete' }).click();
    await page.waitForTimeout(500);
    expect((await page.locator('[data-testid="graph-row"]').count()) === before, 'a dismissed confirm deletes nothing');
    page.once('dialog', (d) => void d.accept());
    await renamed.getByRole('button', { name: 'Delete' }).click();
    await eventually(async () => (await page.locator('[data-testid="graph-row"]').count()) === before - 1 && (await renamed.count()) === 0, 'graph deleted after confirming');
  });

  test('the widest example opens whole at 1280×800, titles readable, nothing covering a node', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByText('Spam filter with domain adaptation').click();
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    const zoom = () => page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
    const total = await page.locator('.react-flow__node').count();
    const pane = (await page.locator('[data-testid="canvas"]').boundingBox())!;
    const rects = () => page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return { id: e.getAttribute('data-id'), x: r.left, y: r.top, right: r.right, bottom: r.bottom }; }));
    // Fit: every card wholly inside the canvas.
    const outside = async () => (await rects()).filter((r) => r.x < pane.x - 1 || r.right > pane.x + pane.width + 1 || r.y < pane.y - 1 || r.bottom > pane.y + pane.height + 1);
    await eventually(async () => (await outside()).length === 0, 'all cards inside the canvas after the fit');
    await page.waitForTimeout(300);
    expect((await outside()).length === 0, `whole graph in view, outside: ${(await outside()).map((r) => r.id).join(', ')}`);
    const z = await zoom();
    expect(z < 0.6, `a 13-node graph is shrunk to fit 1280×800, got zoom ${z}`);
    // Cards too small to read show their overview face: the title at a readable size on screen.
    await eventually(async () => (await page.locator('[data-testid="node-overview-title"]').count()) === total, 'every card shows its overview face');
    const titlePx = await page.locator('[data-testid="node-overview-title"]').evaluateAll((els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize)));
    expect(Math.min(...titlePx) * z >= 9.5, `overview titles read at ${titlePx.map((p) => (p * z).toFixed(1)).join(', ')} px on screen`);
    // The toolbar fits the window on one row: Save and Run on screen, level with the graph's name.
    const nameBox = (await page.locator('[data-testid="graph-name"]').boundingBox())!;
    for (const testId of ['save', 'run']) {
      const box = (await page.locator(`[data-testid="${testId}"]`).boundingBox())!;
      expect(box.x >= 0 && box.x + box.width <= 1280, `${testId} button on screen at 1280 px, at x ${box.x}–${box.x + box.width}`);
      expect(Math.abs(box.y + box.height / 2 - (nameBox.y + nameBox.height / 2)) < 4, `${testId} on the toolbar's one row`);
    }
    const fineTuneTitle = (await page.locator('.react-flow__node[data-id="fine-tune"] [data-testid="node-overview-title"]').textContent()) ?? '';
    expect(fineTuneTitle.length > 0, 'the overview face names the node');
    // The minimap and the issues bar sit outside the canvas: no card under them.
    for (const testId of ['overview-map', 'issues-bar']) {
      const box = (await page.locator(`[data-testid="${testId}"]`).boundingBox())!;
      const covered = (await rects()).filter((r) => r.x < box.x + box.width && r.right > box.x && r.y < box.y + box.height && r.bottom > box.y);
      expect(covered.length === 0, `${testId} covers ${covered.map((r) => r.id).join(', ')}`);
    }
    await page.screenshot({ path: join(root, 'docs', 'screenshots', 'example-opened-1280.png') });
    await shot('06b-example-opened');
    // Zoomed in to 100 %, cards show in full again (params, ports).
    // (The −/+ buttons show from 1536 px; the wheel zooms at any width.)
    await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    for (let i = 0; i < 3; i++) {
      await page.mouse.wheel(0, -300);
      await page.waitForTimeout(100);
    }
    await eventually(async () => (await zoom()) >= 0.6 && (await page.locator('[data-testid="node-overview"]').count()) === 0, 'full cards when zoomed in');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('[data-testid="auto-layout"]');
    await eventually(async () => (await issuesCount()) === 0, 'example graph is valid');
    await page.setViewportSize({ width: 1920, height: 1000 });
    await page.click('[data-testid="auto-layout"]');
    await node('fine-tune').click();
    await page.waitForTimeout(600);
    // docs/screenshots/editor.png (README) is taken with the real bundled model, not the e2e fixture.
    await shot('07-example');
    void graphUrl;
  });
}
