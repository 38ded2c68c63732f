// Two people in two browser contexts: the owner shares a graph and a read-only link; a second person
// signs up, finds it under Shared with me, sees it read-only and forks it; a revoked link stops at once.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, expect, signUpInBrowser, test } from './harness';

interface SpecContext {
  page: Page;
  baseUrl: string;
  root: string;
  screenshotDir: string;
}

export function registerTeamsSpec({ page, baseUrl, screenshotDir }: SpecContext) {
  const shot = (p: Page, name: string) => p.screenshot({ path: join(screenshotDir, `${name}.png`) });
  const bob = { name: 'Bob Viewer', email: 'bob@example.org', password: 'bobs long password' };
  let graphId = '';
  let linkUrl = '';
  let bobPage: Page;

  test('the owner creates a graph and shares it with a person and a read-only link', async () => {
    const bobContext = await page.context().browser()!.newContext({ viewport: { width: 1440, height: 900 } });
    bobPage = await bobContext.newPage();
    bobPage.setDefaultTimeout(15_000);
    await signUpInBrowser(bobPage, baseUrl, bob);
    await page.goto(`${baseUrl}/graphs`);
    await page.fill('[data-testid="new-graph-name"]', 'Team pipeline');
    await page.click('[data-testid="create-graph"]');
    await page.waitForURL(/\/graphs\/g_/);
    graphId = new URL(page.url()).pathname.split('/')[2];
    await page.goto(`${baseUrl}/graphs/${graphId}/share`);
    await page.fill('[data-testid="share-email"]', bob.email);
    await page.click('[data-testid="share-add"]');
    await eventually(async () => (await page.locator('[data-testid="share-row"]').count()) === 1, 'share listed');
    await page.click('[data-testid="create-link"]');
    await eventually(async () => (await page.locator('[data-testid="link-url"]').count()) === 1, 'link listed');
    linkUrl = (await page.locator('[data-testid="link-url"]').textContent())!.trim();
    expect(linkUrl.includes('/share/'), `a share link URL (got ${linkUrl})`);
    await shot(page, 'teams-01-share');
  });

  test('the second person finds it under Shared with me, read-only, and forks it', async () => {
    await bobPage.goto(`${baseUrl}/shared`);
    await eventually(async () => (await bobPage.locator('[data-testid="shared-row"]').count()) === 1, 'shared graph listed');
    expect((await bobPage.locator('[data-testid="shared-row"]').textContent())!.includes('Team pipeline'), 'the shared graph by name');
    await shot(bobPage, 'teams-02-shared-with-me');
    await bobPage.click('[data-testid="shared-row"] a');
    await bobPage.waitForURL(new RegExp(`/graphs/${graphId}`));
    await bobPage.waitForSelector('[data-testid="read-only-badge"]');
    expect(await bobPage.locator('[data-testid="save"]').isDisabled(), 'save is off for a viewer');
    expect(await bobPage.locator('[data-testid="run"]').isDisabled(), 'run is off for a viewer');
    await shot(bobPage, 'teams-03-read-only');
    await bobPage.click('[data-testid="fork"]');
    await eventually(() => !bobPage.url().includes(graphId) && /\/graphs\/g_/.test(bobPage.url()), 'the fork opens');
    await bobPage.waitForSelector('[data-testid="save"]');
    expect((await bobPage.locator('[data-testid="read-only-badge"]').count()) === 0, 'the fork is editable');
  });

  test('a read-only link opens without an account and stops the moment it is revoked', async () => {
    const strangerContext = await page.context().browser()!.newContext();
    const stranger = await strangerContext.newPage();
    await stranger.goto(linkUrl);
    await stranger.waitForSelector('[data-testid="share-link-name"]');
    expect((await stranger.locator('[data-testid="share-link-name"]').textContent()) === 'Team pipeline', 'graph name on the link page');
    await shot(stranger, 'teams-04-link');
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
}
