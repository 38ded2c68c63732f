// `npm run test:e2e`: starts Tunegraph exactly as `npm start` does (build if needed, then serve) on a
// free port with a throwaway data directory, drives Debian's Chromium through playwright-core,
// and stops everything afterwards. Screenshots land in test/e2e/screenshots/.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { eventually, expect, runTests, signInAsOwner, test } from './harness';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshotDir = join(root, 'test', 'e2e', 'screenshots');

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

async function waitForHealth(url: string, timeoutMs: number, failure: () => string | null) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const failed = failure();
    if (failed) throw new Error(failed);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server did not answer ${url}/api/health within ${timeoutMs / 1000} s`);
}

mkdirSync(screenshotDir, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'tunegraph-e2e-'));
const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'start.ts')], {
  cwd: root,
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', TUNEGRAPH_DATA_DIR: dataDir, DATABASE_URL: '', TUNEGRAPH_BUNDLED_MODELS_DIR: join(root, 'test', 'fixtures') },
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});

// A server that dies (a failed build, a taken port) should end the run now, not after the health timeout.
let serverExit: string | null = null;
server.on('exit', (code, signal) => {
  serverExit = `server exited early (${signal ?? `code ${code}`})`;
});

let exitCode = 1;
let browser: Browser | undefined;
try {
  // Launched inside the try, so a browser that fails to start still lets the server be stopped.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  await waitForHealth(baseUrl, 600_000, () => serverExit);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => console.log(`  [browser error] ${err.message}`));
  // Every page needs a session: the first test does the owner set-up, and every spec after it runs signed in.
  test('a fresh install sends the first visitor to the owner set-up, then signs them in', async () => {
    await page.goto(`${baseUrl}/graphs`);
    await page.waitForURL(/\/login/);
    await eventually(async () => (await page.locator('[data-testid="login-title"]').textContent())?.includes('create the owner account'), 'owner set-up shown');
    mkdirSync(join(root, 'docs', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(root, 'docs', 'screenshots', 'teams-00-owner-setup.png') });
    await signInAsOwner(page, baseUrl);
    expect((await page.locator('[data-testid="signed-in-as"]').textContent()) === 'Olive Owner', 'signed in as the owner');
  });
  // E2E_SPECS=take-away,run runs only those specs (while iterating); all of them by default.
  const specs: Record<string, () => Promise<void>> = {
    editor: async () => (await import('./editor.spec')).registerEditorSpec({ page, baseUrl, root, screenshotDir }),
    run: async () => (await import('./run.spec')).registerRunSpec({ page, baseUrl, root, screenshotDir }),
    'own-data': async () => (await import('./own-data.spec')).registerOwnDataSpec({ page, baseUrl, root, screenshotDir }),
    'take-away': async () => (await import('./take-away.spec')).registerTakeAwaySpec({ page, baseUrl, root, screenshotDir }),
    teams: async () => (await import('./teams.spec')).registerTeamsSpec({ page, baseUrl, root, screenshotDir }),
    sweep: async () => (await import('./sweep.spec')).registerSweepSpec({ page, baseUrl, root, screenshotDir }),
    compare: async () => (await import('./compare.spec')).registerCompareSpec({ page, baseUrl, root, screenshotDir }),
  };
  const wanted = process.env.E2E_SPECS?.split(',').map((s) => s.trim()).filter(Boolean) ?? Object.keys(specs);
  for (const name of wanted) {
    if (!specs[name]) throw new Error(`E2E_SPECS: no spec "${name}" (have ${Object.keys(specs).join(', ')})`);
    await specs[name]();
  }
  console.log(`e2e against ${baseUrl}`);
  const { passed, failed } = await runTests((name) => page.screenshot({ path: join(screenshotDir, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}.png`) }).then(() => {}));
  console.log(`\n${passed} passed, ${failed} failed`);
  exitCode = failed === 0 && passed > 0 ? 0 : 1;
} catch (err) {
  console.error(err);
} finally {
  await browser?.close();
  try {
    process.kill(-server.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
