// A small sequential test harness for the browser tests: named steps, a closing "N passed, N failed" line.

type TestFn = () => Promise<void>;
const tests: { name: string; fn: TestFn }[] = [];

/** Registers a test; tests run in order and share the browser state the spec sets up. */
export function test(name: string, fn: TestFn) {
  tests.push({ name, fn });
}

/** Runs every registered test; returns the number of failures. */
export async function runTests(onFailure?: (name: string) => Promise<void>): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  for (const t of tests) {
    const started = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`  ✓ ${t.name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed++;
      console.log(`  ✗ ${t.name}\n    ${(err as Error).stack?.split('\n').slice(0, 6).join('\n    ')}`);
      await onFailure?.(t.name).catch(() => {});
    }
  }
  return { passed, failed };
}

/** Throws with `message` unless `cond` holds. */
export function expect(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function eventually<T>(fn: () => Promise<T> | T, message: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${message}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** The owner every e2e run signs up as (a fresh data folder each run, so the first sign-up is the owner set-up). */
export const OWNER = { name: 'Olive Owner', email: 'owner@example.org', password: 'correct horse battery' };

/** Signs up through the login page's form (the owner set-up on a fresh install, else "create an account"). */
export async function signUpInBrowser(page: import('playwright-core').Page, baseUrl: string, who: { name: string; email: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.waitForSelector('[data-testid="login-form"]');
  if (!(await page.locator('[data-testid="login-name"]').count())) await page.click('[data-testid="login-switch"]');
  await page.fill('[data-testid="login-name"]', who.name);
  await page.fill('[data-testid="login-email"]', who.email);
  await page.fill('[data-testid="login-password"]', who.password);
  await page.click('[data-testid="login-submit"]');
  await page.waitForURL(/\/graphs/);
}

/** Signs in through the login page. */
export async function signInInBrowser(page: import('playwright-core').Page, baseUrl: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.waitForSelector('[data-testid="login-form"]');
  if (await page.locator('[data-testid="login-name"]').count()) await page.click('[data-testid="login-switch"]');
  await page.fill('[data-testid="login-email"]', who.email);
  await page.fill('[data-testid="login-password"]', who.password);
  await page.click('[data-testid="login-submit"]');
  await page.waitForURL(/\/graphs/);
}

/** The page signed in as the owner: creates the owner account on first use (owner set-up), signs in after that. */
export async function signInAsOwner(page: import('playwright-core').Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.waitForSelector('[data-testid="login-title"]');
  const setup = (await page.locator('[data-testid="login-title"]').textContent())?.includes('owner account');
  if (setup) await signUpInBrowser(page, baseUrl, OWNER);
  else await signInInBrowser(page, baseUrl, OWNER);
}
