// Issue 11's story with two people in two browser contexts: A (the owner, set up by the first test)
// builds a tiny graph, runs it and shares it with a person and a read-only link; B signs up, finds it
// under Shared with me, sees it read-only (Save and Run off, no Share or Move) and forks it; a revoked
// link stops at once; A reruns with an altered learning rate, sweeps it, opens the comparison and the
// version diff, and moves the graph to another workspace. Screenshots: docs/screenshots/teams-*.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, expect, signUpInBrowser, test } from './harness';
import { importGraph, nodeStatus, openRunPanel, rerunWithLearningRate, sweepLearningRate, tinyRunGraph, waitForStatus } from './steps';

interface SpecContext {
  page: Page;
  baseUrl: string;
  root: string;
  screenshotDir: string;
}

export function registerTeamsSpec({ page, baseUrl, root }: SpecContext) {
  const docsShots = join(root, 'docs', 'screenshots');
  mkdirSync(docsShots, { recursive: true });
  const shot = (p: Page, name: string) => p.screenshot({ path: join(docsShots, `teams-${name}.png`) });
  const bob = { name: 'Bob Viewer', email: 'bob@example.org', password: 'bobs long password' };
  const name = 'team-pipeline';
  let graphId = '';
  let linkUrl = '';
  let bobPage: Page;

  test('teams: B signs up; A builds a tiny graph, runs it, and shares it with B and a read-only link', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const bobContext = await page.context().browser()!.newContext({ viewport: { width: 1440, height: 900 } });
    bobPage = await bobContext.newPage();
    bobPage.setDefaultTimeout(15_000);
    await bobPage.goto(`${baseUrl}/login`);
    await bobPage.waitForSelector('[data-testid="login-form"]');
    await eventually(async () => (await bobPage.locator('[data-testid="login-title"]').textContent()) === 'Sign in', 'after the owner set-up a second visitor gets sign-in, not the set-up');
    await signUpInBrowser(bobPage, baseUrl, bob);
    await shot(bobPage, '01-second-person-signed-up');

    graphId = await importGraph(page, baseUrl, tinyRunGraph(root, 23), name);
    await page.click('[data-testid="run"]');
    await page.locator('[data-testid="run-panel"]').waitFor();
    await shot(page, '02-owner-runs-graph');
    await page.goto(`${baseUrl}/graphs/${graphId}/share`);
    await page.fill('[data-testid="share-email"]', bob.email);
    await page.click('[data-testid="share-add"]');
    await eventually(async () => (await page.locator('[data-testid="share-row"]').count()) === 1, 'share listed');
    expect(((await page.locator('[data-testid="share-row"]').textContent()) ?? '').includes('viewer'), 'shared as viewer');
    await page.click('[data-testid="create-link"]');
    await eventually(async () => (await page.locator('[data-testid="link-url"]').count()) === 1, 'link listed');
    linkUrl = (await page.locator('[data-testid="link-url"]').textContent())!.trim();
    expect(linkUrl.includes('/share/'), `a share link URL (got ${linkUrl})`);
    await shot(page, '03-share');
  });

  test('teams: B finds it under Shared with me, sees it read-only (no Save, Run, Share or Move) and forks it', async () => {
    await bobPage.goto(`${baseUrl}/shared`);
    await eventually(async () => (await bobPage.locator('[data-testid="shared-row"]').count()) === 1, 'shared graph listed');
    expect((await bobPage.locator('[data-testid="shared-row"]').textContent())!.includes(name), 'the shared graph by name');
    await shot(bobPage, '04-shared-with-me');
    await bobPage.click('[data-testid="shared-row"] a');
    await bobPage.waitForURL(new RegExp(`/graphs/${graphId}`));
    await bobPage.waitForSelector('[data-testid="read-only-badge"]');
    await bobPage.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    expect(await bobPage.locator('[data-testid="save"]').isDisabled(), 'save is off for a viewer');
    expect(await bobPage.locator('[data-testid="run"]').isDisabled(), 'run is off for a viewer');
    expect((await bobPage.locator('[data-testid="open-share"]').count()) === 0, 'a viewer does not share (nor move: moving lives on the share page)');
    // The viewer watches A's run live: the canvas fills with its stage statuses.
    await eventually(async () => ['running', 'done', 'cached'].includes((await nodeStatus(bobPage, 'emails')) ?? ''), 'the viewer sees the run’s stage statuses', 60_000);
    expect((await bobPage.locator('[data-testid="cancel-run"]').count()) === 0, 'a viewer watching a run has no Cancel');
    await shot(bobPage, '05-read-only');
    await bobPage.click('[data-testid="fork"]');
    await eventually(() => !bobPage.url().includes(graphId) && /\/graphs\/g_/.test(bobPage.url()), 'the fork opens');
    await bobPage.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    expect((await bobPage.locator('[data-testid="read-only-badge"]').count()) === 0, 'the fork is editable');
    expect(!(await bobPage.locator('[data-testid="run"]').isDisabled()), 'B runs the fork');
    await shot(bobPage, '06-fork');
  });

  test('teams: B as a viewer member of A’s workspace lists its graphs but gets no New, Import, Rename or Delete', async () => {
    const added = await page.evaluate(async (email) => {
      const res = await fetch('/api/trpc/workspaces.addMember', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: { email, role: 'viewer' } }) });
      return res.status;
    }, bob.email);
    expect(added === 200, `B added as a viewer (got ${added})`);
    await bobPage.goto(`${baseUrl}/graphs`);
    const switcher = bobPage.locator('[data-testid="workspace-switcher"]');
    await eventually(async () => (await switcher.locator('option').count()) === 2, 'B has two workspaces');
    const teamValue = await switcher.locator('option', { hasText: '(viewer)' }).getAttribute('value');
    await switcher.selectOption(teamValue!);
    await bobPage.waitForSelector('[data-testid="viewer-note"]');
    await bobPage.getByText(name, { exact: true }).waitFor();
    expect((await bobPage.locator('[data-testid="create-graph"]').count()) === 0 && (await bobPage.locator('[data-testid="import-graph-file"]').count()) === 0, 'no New graph or Import for a viewer');
    expect((await bobPage.getByRole('button', { name: 'Delete' }).count()) === 0 && (await bobPage.getByRole('button', { name: 'Rename' }).count()) === 0, 'no Rename or Delete for a viewer');
    await shot(bobPage, '07-viewer-list');
  });

  test('teams: a read-only link opens without an account and stops the moment it is revoked', async () => {
    const strangerContext = await page.context().browser()!.newContext();
    const stranger = await strangerContext.newPage();
    await stranger.goto(linkUrl);
    await stranger.waitForSelector('[data-testid="share-link-name"]');
    expect((await stranger.locator('[data-testid="share-link-name"]').textContent()) === name, 'graph name on the link page');
    await shot(stranger, '08-link');
    // The link gives nothing else: the graph page itself sends the stranger to sign in.
    await stranger.goto(`${baseUrl}/graphs/${graphId}`);
    await stranger.waitForURL(/\/login/);
    await page.click('[data-testid="revoke-link"]');
    await eventually(async () => (await page.locator('[data-testid="revoke-link"]').count()) === 0, 'link revoked');
    await stranger.goto(linkUrl);
    await stranger.waitForSelector('[data-testid="share-link-error"]');
    await strangerContext.close();
    await bobPage.context().close();
  });

  test('teams: A reruns with an altered learning rate; only fine-tune and eval run again', async () => {
    await page.goto(`${baseUrl}/graphs/${graphId}`);
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await openRunPanel(page);
    await waitForStatus(page, ['eval'], 'done', 'the first run done');
    const change = await rerunWithLearningRate(page, '0.001', join(docsShots, 'teams-09-rerun.png'));
    expect(change.includes('fine-tune.learningRate 5e-3 → 1e-3'), `the change is listed (got "${change}")`);
    await eventually(async () => ((await page.locator('[data-testid="version-picker"] option').nth(1).textContent()) ?? '').includes('v2'), 'version 2 listed', 20_000);
    await waitForStatus(page, ['fine-tune', 'eval'], 'done', 'the rerun done');
    await waitForStatus(page, ['emails', 'split', 'pretrained', 'head'], 'cached', 'stages above fine-tune reused');
  });

  test('teams: A sweeps the learning rate; the results table fills', async () => {
    await sweepLearningRate(page, ['0.003', '0.02'], { plan: join(docsShots, 'teams-10-sweep-plan.png'), table: join(docsShots, 'teams-11-sweep.png') });
    await page.click('[data-testid="sweep-compare"]');
    await page.waitForURL(/\/compare\?sweep=s_/);
    await eventually(async () => (await page.locator('[data-testid="compare-run"]').count()) === 2, 'the comparison of the sweep shows its 2 runs', 20_000);
    await page.locator('[data-testid="parallel-coordinates"]').waitFor();
    await shot(page, '12-sweep-compare');
  });

  test('teams: A compares the run with its rerun, then opens the version diff', async () => {
    await page.goto(`${baseUrl}/graphs/${graphId}`);
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await openRunPanel(page);
    await page.click('[data-testid="open-run-list"]');
    const rows = page.locator('[data-testid="run-list-row"]');
    await eventually(async () => (await rows.count()) === 4, 'the run, the rerun and the two sweep runs listed');
    // Newest first: two sweep runs, the rerun, the first run.
    const [rerunId, firstId] = [(await rows.nth(2).getAttribute('data-run-id'))!, (await rows.nth(3).getAttribute('data-run-id'))!];
    await page.check(`[data-testid="run-select-${rerunId}"]`);
    await page.check(`[data-testid="run-select-${firstId}"]`);
    await page.click('[data-testid="compare-selected"]');
    await page.waitForURL(new RegExp(`/graphs/${graphId}/compare\\?runs=`));
    const diffRows = page.locator('[data-testid="param-diff-row"]');
    await eventually(async () => (await diffRows.count()) === 1, 'differences only: one row');
    expect((await diffRows.first().locator('[data-testid="param-diff-value"]').allTextContents()).join(' ') === '5e-3 1e-3', 'old and new learning rate');
    expect((await page.locator('[data-testid="loss-overlay-fine-tune"] [data-testid="curve-line"]').count()) === 2, 'two loss curves overlaid');
    await page.locator('[data-testid="compare-diff-node"]').first().waitFor();
    await page.setViewportSize({ width: 1600, height: 2000 });
    await page.waitForTimeout(400);
    await shot(page, '13-compare');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('[data-testid="open-version-diff"]');
    await page.waitForURL(/\/diff\?from=1&to=2/);
    await page.locator('[data-testid="diff-param"]').first().waitFor();
    const text = (await page.locator('[data-testid="diff-list"]').textContent()) ?? '';
    expect(text.includes('learningRate') && text.includes('0.005') && text.includes('0.001'), `learning rate change in the version diff, got: ${text.slice(0, 200)}`);
    await page.waitForTimeout(300);
    await shot(page, '14-version-diff');
  });

  test('teams: a save on a version someone moved past is refused, with a link to the difference', async () => {
    const other = await page.context().newPage();
    await other.goto(`${baseUrl}/graphs/${graphId}`);
    await other.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await page.goto(`${baseUrl}/graphs/${graphId}`);
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await page.fill('[data-testid="save-message"]', 'saved in the first tab');
    await page.click('[data-testid="save"]');
    await eventually(async () => ((await page.locator('[data-testid="editor-notice"]').textContent({ timeout: 500 })) ?? '').startsWith('Saved version 3'), 'the first tab saves version 3');
    await other.fill('[data-testid="save-message"]', 'saved in the second tab');
    await other.click('[data-testid="save"]');
    const error = other.locator('[data-testid="editor-error"]');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text.startsWith('not saved: Olive Owner saved version 3 after your version 2.'), `the conflict names who saved what (got "${text}")`);
    await shot(other, '15-save-conflict');
    await error.locator('[data-testid="message-link"]').click();
    await other.waitForURL(/\/diff\?from=2&to=3/);
    await other.close();
  });

  test('teams: A moves the graph to another workspace they own; it opens there', async () => {
    const created = await page.evaluate(async () => {
      const res = await fetch('/api/trpc/workspaces.create', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: { name: 'Lab' } }) });
      return { status: res.status, body: await res.json() };
    });
    expect(created.status === 200, `workspace created (got ${created.status})`);
    const labId = created.body.result.data.json.id as string;
    await page.goto(`${baseUrl}/graphs/${graphId}/share#move`);
    await page.locator('[data-testid="move-target"]').waitFor();
    expect((await page.locator('[data-testid="move-target"] option').allTextContents()).join('|') === 'Lab (owner)', 'only workspaces A manages, other than the graph’s own');
    await page.locator('[data-testid="move-graph"]').scrollIntoViewIfNeeded();
    await shot(page, '16-move');
    page.once('dialog', (d) => void d.accept());
    await page.click('[data-testid="move-submit"]');
    await page.waitForURL(new RegExp(`/graphs/${graphId}$`));
    await page.waitForSelector('.react-flow__node[data-id="fine-tune"]');
    await eventually(async () => (await page.locator('[data-testid="workspace-switcher"]').inputValue()) === labId, 'the graph opens in its new workspace');
    await shot(page, '17-moved');
  });
}
