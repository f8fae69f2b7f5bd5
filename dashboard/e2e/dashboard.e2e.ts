// The dashboard in Chromium against the real platform (see global-setup.ts): sign in, predict, a
// validation error beside its field, a batch job with its downloads, promote and roll back, create and
// revoke a key, a refused key sent back to sign-in, screenshots of every view at 1280 and 375 px, and
// no console error anywhere.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

const ctx = inject('e2e');
const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};
const VIEWS = [
  { path: '/predict', nav: 'Predict', heading: 'Predict a price' },
  { path: '/explore', nav: 'Explore', heading: 'Explore predictions against actual prices' },
  { path: '/batch', nav: 'Batch jobs', heading: 'Batch jobs' },
  { path: '/models', nav: 'Models', heading: 'Models' },
  { path: '/keys', nav: 'API keys', heading: 'API keys' },
] as const;

let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
let reported = 0;

function watch(p: Page) {
  p.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${p.url()}: ${m.text()}`);
  });
  p.on('pageerror', (e) => consoleErrors.push(`${p.url()}: uncaught ${e.message}`));
}

async function newContext(width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const c = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const p = await c.newPage();
  watch(p);
  return { context: c, page: p };
}

async function signIn(p: Page, key: string) {
  await p.getByLabel('API key').fill(key);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

async function api(path: string, key: string, init: RequestInit = {}) {
  return fetch(`${ctx.baseUrl}${path}`, { ...init, headers: { 'x-api-key': key, ...init.headers } });
}

const field = (p: Page, name: string) => p.locator('.field').filter({ has: p.locator(`[name="${name}"]`) });

// Set when the platform or the browser did not start: every test then fails with the reason (a
// failing beforeAll would only mark them skipped, and a skipped run must never pass for a green one).
let startError: string | null = ctx.setupError ? `the platform did not start: ${ctx.setupError}` : null;

beforeAll(async () => {
  if (startError) return;
  try {
    mkdirSync(ctx.screenshotDir, { recursive: true });
    browser = await chromium.launch(LAUNCH);
    ({ page } = await newContext());
  } catch (error) {
    startError = `Chromium did not start: ${error instanceof Error ? error.message : String(error)}`;
  }
});

beforeEach(() => {
  if (startError) throw new Error(startError);
});

afterAll(async () => {
  await browser?.close();
});

// Any console error (or uncaught exception) during a test fails that test.
afterEach(() => {
  const fresh = consoleErrors.slice(reported);
  reported = consoleErrors.length;
  expect(fresh, 'console errors').toEqual([]);
});

describe('dashboard in the browser', () => {
  it('loads the sign-in page in under a second and signs in with the admin key', async () => {
    await page.goto(`${ctx.baseUrl}/`);
    await page.getByLabel('API key').waitFor();
    // From the request of the page to its load event (HTML, JS and CSS), as the browser measured it.
    const load = await page.evaluate(() => {
      const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
      return nav ? nav.loadEventEnd - nav.startTime : Number.POSITIVE_INFINITY;
    });
    expect(load).toBeLessThan(1000);

    await signIn(page, ctx.adminKey);
    await page.waitForURL('**/predict');
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents(),
    ).resolves.toEqual(VIEWS.map((v) => v.nav));
  });

  it('predicts the price of the example record and names the model version', async () => {
    await page.getByRole('button', { name: 'Predict price' }).click();
    const price = page.getByTestId('price');
    await price.waitFor();
    expect(await price.textContent()).toMatch(/^\$\d{1,3}(,\d{3})+$/);
    await expect(page.locator('.result').textContent()).resolves.toContain('housets-xgboost v1');
  });

  it('shows a validation error beside its field', async () => {
    await page.locator('[name="avg_sale_to_list"]').fill('5');
    await page.locator('[name="median_list_price"]').fill('a lot');
    await page.getByRole('button', { name: 'Predict price' }).click();
    await expect(field(page, 'avg_sale_to_list').locator('.field-error').textContent()).resolves.toBe(
      'Must be at most 3.',
    );
    await expect(field(page, 'median_list_price').locator('.field-error').textContent()).resolves.toMatch(
      /Enter a number/,
    );
    expect(await page.locator('[name="median_list_price"]').getAttribute('aria-invalid')).toBe('true');
    // The focus goes to the first bad field.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('median_list_price');
    await page.getByRole('button', { name: 'Reset to the example' }).click();
    expect(await page.locator('.field-error:not(:empty)').count()).toBe(0);
  });

  it('explores the holdout: metrics of a filter and the scatter', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explore' }).click();
    await page.getByTestId('metric-n').waitFor();
    const all = Number((await page.getByTestId('metric-n').textContent())!.replace(/,/g, ''));
    expect(all).toBeGreaterThan(0);
    expect(await page.locator('circle.dot').count()).toBeGreaterThan(0);
    await page.getByLabel('Year', { exact: true }).selectOption('2022');
    await page.getByLabel('Month', { exact: true }).selectOption('03');
    const some = Number((await page.getByTestId('metric-n').textContent())!.replace(/,/g, ''));
    expect(some).toBeGreaterThan(0);
    expect(some).toBeLessThan(all);
    expect(await page.locator('rect.band').count()).toBe(1);
  });

  it('runs a batch job from an uploaded CSV and downloads its result and errors', async () => {
    expect(ctx.workerRunning, 'backend/dist/worker.js does not exist: no worker runs batch jobs').toBe(true);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batch jobs' }).click();
    await page.getByText('No batch jobs yet').waitFor();
    await page.getByLabel('CSV file', { exact: true }).setInputFiles(ctx.csvPath);
    await page.getByRole('button', { name: 'Start the job' }).click();
    await page.getByText('queued with housets-xgboost v1').waitFor();
    const download = page.getByRole('button', { name: 'Download result of tiny.csv' });
    await download.waitFor({ timeout: 60_000 });
    const row = page.locator('tbody tr').first();
    await expect(row.textContent()).resolves.toContain('completed');

    const [result] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(result.suggestedFilename()).toBe('tiny-predictions.csv');
    const csv = readFileSync((await result.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toContain('predicted_price');
    const input = readFileSync(ctx.csvPath, 'utf8').trim().split('\n');
    expect(csv.length).toBeGreaterThan(input.length / 2);

    const [errors] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download errors of tiny.csv' }).click(),
    ]);
    expect(errors.suggestedFilename()).toBe('tiny-errors.csv');
    expect(readFileSync((await errors.path())!, 'utf8')).toMatch(/^line,reason/);
  });

  it('promotes version 2 and rolls back to version 1, each behind a confirmation', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page.getByRole('button', { name: 'Promote housets-xgboost v2' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.textContent()).resolves.toContain('Promote to production?');
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await page.getByText('housets-xgboost v2 is now in production.').waitFor();
    // The API swaps the served model right after the stage change (asynchronously).
    await expect
      .poll(async () => (await (await api('/v1/models/current', ctx.adminKey)).json()).version, {
        timeout: 15_000,
      })
      .toBe(2);

    await page.getByRole('button', { name: 'Roll back production' }).click();
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page.getByText('Rolled back: housets-xgboost v1 is in production again.').waitFor();
    const models = await (await api('/v1/models', ctx.adminKey)).json();
    expect(models.find((m: { version: number }) => m.version === 1).stage).toBe('production');
  });

  it('creates a key (secret shown once) and revokes it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('e2e-client');
    await page.getByRole('checkbox', { name: /batch/ }).check();
    const nextYear = `${new Date().getFullYear() + 1}-06-30`;
    await page.getByLabel('Expires on').fill(nextYear);
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByLabel('The new key').inputValue();
    expect(secret.length).toBeGreaterThan(30);
    await page.getByRole('button', { name: 'Copy key' }).waitFor();
    const me = await (await api('/v1/keys/me', secret)).json();
    expect(me).toMatchObject({ name: 'e2e-client', scopes: ['predict', 'batch'] });
    expect(me.expiresAt.slice(0, 4)).toBe(nextYear.slice(0, 4));

    await page.getByRole('button', { name: 'Revoke e2e-client' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('The key “e2e-client” is revoked.').waitFor();
    expect((await api('/v1/keys/me', secret)).status).toBe(401);
  });

  it('sends a user whose key is revoked back to sign-in with the reason, and hides views the key may not use', async () => {
    const created = await (
      await api('/v1/keys', ctx.adminKey, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'e2e-predict-only', scopes: ['predict'] }),
      })
    ).json();
    const other = await newContext();
    try {
      await other.page.goto(`${ctx.baseUrl}/keys`);
      await signIn(other.page, created.key);
      await other.page.waitForURL('**/predict');
      const links = await other.page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link')
        .allTextContents();
      expect(links).toEqual(['Predict']);

      await api(`/v1/keys/${created.id}`, ctx.adminKey, { method: 'DELETE' });
      await other.page.getByRole('button', { name: 'Predict price' }).click();
      await other.page.waitForURL('**/sign-in**');
      await expect(other.page.getByRole('alert').first().textContent()).resolves.toMatch(
        /signed out: .*revoked/i,
      );
      expect(await other.page.evaluate(() => sessionStorage.length)).toBe(0);
    } finally {
      await other.context.close();
    }
    // The 401 answers are expected here; the console must hold nothing else.
    const fresh = consoleErrors.splice(reported).filter((e) => !/status of 401/.test(e));
    expect(fresh).toEqual([]);
  });

  it('is keyboard navigable: skip link first, visible focus, links and buttons reachable', async () => {
    await page.goto(`${ctx.baseUrl}/models`);
    await page.getByRole('heading', { name: 'Models', exact: true }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { text: el.textContent, outline: getComputedStyle(el).outlineStyle };
    });
    expect(focused.text).toBe('Predict');
    expect(focused.outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/predict');
  });

  it('saves a screenshot of every view at 1280 and 375 px', async () => {
    for (const width of [1280, 375]) {
      const { context: c, page: p } = await newContext(width);
      try {
        await p.goto(`${ctx.baseUrl}/sign-in`);
        await p.getByLabel('API key').waitFor();
        await p.screenshot({ path: join(ctx.screenshotDir, `sign-in-${width}.png`), fullPage: true });
        await signIn(p, ctx.adminKey);
        await p.waitForURL('**/predict');
        for (const view of VIEWS) {
          await p.goto(`${ctx.baseUrl}${view.path}`);
          await p.getByRole('heading', { name: view.heading, exact: true }).waitFor();
          await p.waitForLoadState('networkidle');
          await p.waitForFunction(() => !document.querySelector('.state-loading'));
          await p.screenshot({
            path: join(ctx.screenshotDir, `${view.path.slice(1)}-${width}.png`),
            fullPage: true,
          });
          // Nothing may overflow the viewport sideways (wide tables scroll inside their own box).
          const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `${view.path} at ${width} px is ${overflow} px too wide`).toBeLessThanOrEqual(0);
        }
      } finally {
        await c.close();
      }
    }
  });
});
