// The dashboard in Chromium against the real platform (see global-setup.ts): sign in, predict, a
// validation error beside its field, a batch job with its downloads, promote and roll back (the dialog
// naming the version that comes back), aliases, tags, the history timeline and package upload, create and
// revoke a key, a refused key sent back to sign-in, screenshots of every view at 1280 and 375 px, and
// no console error anywhere.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

const ctx = inject('e2e');
/** The dashboard build the platform serves (the e2e runs from dashboard/). */
const DASHBOARD_DIST = fileURLToPath(new URL('../dist', import.meta.url));
const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};
const VIEWS = [
  { path: '/', nav: null, heading: 'Overview', name: 'home' },
  { path: '/predict', nav: 'Predict', heading: 'Predict a price', name: 'predict' },
  { path: '/explore', nav: 'Explore', heading: 'Explore predictions against actual prices', name: 'explore' },
  { path: '/batch', nav: 'Batch jobs', heading: 'Batch jobs', name: 'batch' },
  { path: '/models', nav: 'Models', heading: 'Models', name: 'models' },
  { path: '/runs', nav: 'Runs', heading: 'Training runs', name: 'runs' },
  { path: '/monitoring', nav: 'Monitoring', heading: 'Monitoring', name: 'monitoring' },
  { path: '/keys', nav: 'API keys', heading: 'API keys', name: 'keys' },
] as const;
const NAV = VIEWS.flatMap((v) => (v.nav ? [v.nav] : []));

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

async function signIn(p: Page, key: string, remember = false) {
  await p.getByLabel('API key').fill(key);
  if (remember) await p.getByLabel('Remember on this device').check();
  await p.getByRole('button', { name: 'Sign in' }).click();
}

const nav = (p: Page, name: string) =>
  p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

/** Boxes that must show all their content on a laptop (tables, charts, cards). */
const LAPTOP_BOXES = 'main .card, main .table-wrap, main .chart-box, main table';
/** On a phone a wide table scrolls inside its own .table-wrap (by design): the cards and charts must still fit. */
const PHONE_BOXES = 'main .card, main .chart-box';

/** Elements whose content is wider than their box (clipped or hidden behind a scrollbar). */
function clippedBoxes(p: Page, selector = LAPTOP_BOXES): Promise<string[]> {
  return p.evaluate(
    (selector) =>
      [...document.querySelectorAll<HTMLElement>(selector)]
        .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
        .map((el) => {
          const title = el
            .closest('.card')
            ?.querySelector('h2, h3, caption, figcaption')
            ?.textContent?.trim();
          return `${el.tagName.toLowerCase()}.${el.className} (${title ?? 'untitled'}): ${el.scrollWidth} > ${el.clientWidth}`;
        }),
    selector,
  );
}

/** Opens every disclosure of the page (hidden content is not measured while closed). */
async function openAllDetails(p: Page): Promise<number> {
  const opened = await p.evaluate(() => {
    const closed = [...document.querySelectorAll<HTMLDetailsElement>('main details:not([open])')];
    for (const d of closed) d.open = true;
    return closed.length;
  });
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  return opened;
}

/** RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || fields.length > 0) records.push([...fields, field]);
  return records;
}

/** The download a click starts, read as text. */
async function downloadText(p: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([p.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
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
  it('loads the sign-in page and signs in with the admin key', async () => {
    await page.goto(`${ctx.baseUrl}/`);
    await page.getByLabel('API key').waitFor();
    // The page reached its load event (its time is measured by bench/, not asserted in a timed test).
    const loaded = await page.evaluate(() => {
      const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
      return nav !== undefined && nav.loadEventEnd > 0;
    });
    expect(loaded).toBe(true);

    await signIn(page, ctx.adminKey);
    await page.waitForURL(`${ctx.baseUrl}/`);
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents(),
    ).resolves.toEqual(NAV);
  });

  it('lands on an overview: serving model and accuracy, health, recent jobs, keys and /docs', async () => {
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    await expect(page.getByTestId('serving-model').textContent()).resolves.toContain('housets-xgboost v1');
    await expect(page.getByTestId('serving-mape').textContent()).resolves.toMatch(/\d+\.\d{2} %/);
    await page.getByTestId('health').getByText('ready', { exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Recent batch jobs' }).waitFor();
    expect(await page.locator('main a[href="/docs"]').count()).toBe(1);
    expect(await page.locator('header a[href="/docs"]').count()).toBe(1);
    // The key's scopes are one click away in the header.
    await page.locator('.who-menu summary').click();
    await expect(page.getByTestId('key-scopes').textContent()).resolves.toContain('admin');
    await page.locator('.who-menu summary').click();
  });

  it('predicts the price of the example record and names the model version', async () => {
    await nav(page, 'Predict');
    await page.getByRole('button', { name: 'Predict price' }).waitFor();
    // The typical values it is prefilled with are inside the ranges seen in training.
    expect(await page.locator('.warn').count()).toBe(0);
    // Essential fields (where and when) first, then the numbers by theme behind disclosures.
    await expect(page.locator('fieldset.field-group > legend').textContent()).resolves.toBe(
      'Essential fields',
    );
    expect(
      await page.locator('details.field-group').evaluateAll((d) => d.map((e) => e.dataset.group)),
    ).toEqual(['Market', 'Points of interest', 'Census of the zip code']);
    const current = await (await api('/v1/models/current', ctx.adminKey)).json();
    type Field = { name: string; type: string; required: boolean; description?: string };
    const signature = current.signature as Field[];
    const inGroup = (group: string) =>
      page
        .locator(`details.field-group[data-group="${group}"] input`)
        .evaluateAll((i) => i.map((e) => e.getAttribute('name')));
    await expect(inGroup('Points of interest')).resolves.toEqual(
      signature.filter((f) => /^Points of interest/.test(f.description ?? '')).map((f) => f.name),
    );
    await expect(inGroup('Census of the zip code')).resolves.toContain('Median Home Value');
    // Every field of this model is required, and the page says the groups are too, prefilled.
    expect(signature.every((f) => f.required)).toBe(true);
    await expect(page.getByTestId('predict-lead').textContent()).resolves.toContain('requires every field');
    await page.getByRole('button', { name: 'Predict price' }).click();
    const price = page.getByTestId('price');
    await price.waitFor();
    expect(await price.textContent()).toMatch(/^\$\d{1,3}(,\d{3})+$/);
    await expect(page.locator('.result').textContent()).resolves.toContain('housets-xgboost v1');
    // The price comes with its calibrated range and the reasons for it, base price to price.
    expect(await page.getByTestId('price-range').textContent()).toMatch(
      /^90 % range: \$\d{1,3}(,\d{3})+ – \$\d{1,3}(,\d{3})+$/,
    );
    const steps = await page.getByTestId('waterfall-row').allTextContents();
    expect(steps[0]).toContain('Base price');
    expect(steps.length).toBeGreaterThanOrEqual(4);
    expect(steps.at(-1)).toContain('Price');
    // The focus moved to the result (the button disabled itself while predicting).
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('result-title');
    // "Essential fields only" hides the groups; the record still carries their prefilled values.
    await page.getByLabel('Essential fields only').check();
    expect(await page.locator('details.field-group').count()).toBe(0);
    await expect(page.locator('#essential-hint').textContent()).resolves.toMatch(
      /Points of interest \(\d+\)/,
    );
    const [request] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/predictions' && r.method() === 'POST'),
      page.getByRole('button', { name: 'Predict price' }).click(),
    ]);
    expect(Object.keys(request.postDataJSON().record).sort()).toEqual(signature.map((f) => f.name).sort());
    await page.getByLabel('Essential fields only').uncheck();
    expect(await page.locator('details.field-group').count()).toBe(3);
  });

  it('takes dates as YYYY-MM-DD and says so when given another format', async () => {
    const date = page.locator('[name="date"]');
    expect(await date.getAttribute('type')).toBe('text');
    expect(await date.getAttribute('placeholder')).toBe('YYYY-MM-DD');
    await date.fill('30/06/2022');
    await page.getByRole('button', { name: 'Predict price' }).click();
    const error = await field(page, 'date').locator('.field-error').textContent();
    expect(error).toContain('YYYY-MM-DD');
    expect(error).toContain('2022-06-30');
    expect(error).not.toContain('62022');
    await date.fill('2022-06-30');
    await page.getByRole('button', { name: 'Predict price' }).click();
    await page.getByTestId('price').waitFor();
    expect(await field(page, 'date').locator('.field-error').textContent()).toBe('');
  });

  it('shows a validation error beside its field', async () => {
    await page.locator('details.field-group[data-group="Market"] > summary').click();
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
    await nav(page, 'Explore');
    await page.getByTestId('metric-n').waitFor();
    const all = Number((await page.getByTestId('metric-n').textContent())!.replace(/,/g, ''));
    expect(all).toBeGreaterThan(0);
    expect(await page.locator('circle.dot').count()).toBeGreaterThan(0);
    // The scatter says it is a sample, and of how many rows.
    const caption = (await page.locator('figcaption').first().textContent())!;
    const sample = /a sample of ([\d,]+) of ([\d,]+) rows|all ([\d,]+) rows/.exec(caption);
    expect(sample, caption).not.toBeNull();
    expect(Number((sample![2] ?? sample![3])!.replace(/,/g, ''))).toBe(all);
    await page.getByLabel('Year', { exact: true }).selectOption('2022');
    await page.getByLabel('Month', { exact: true }).selectOption('03');
    const some = Number((await page.getByTestId('metric-n').textContent())!.replace(/,/g, ''));
    expect(some).toBeGreaterThan(0);
    expect(some).toBeLessThan(all);
    expect(await page.locator('rect.band').count()).toBe(1);
  });

  it('keeps the Explore filter in the URL: a reload or a shared link shows the same selection', async () => {
    await page.waitForURL(/year=2022/);
    const url = new URL(page.url());
    expect(url.searchParams.get('month')).toBe('03');
    const n = await page.getByTestId('metric-n').textContent();
    await page.reload();
    await page.getByTestId('metric-n').waitFor();
    expect(await page.getByLabel('Year', { exact: true }).inputValue()).toBe('2022');
    expect(await page.getByLabel('Month', { exact: true }).inputValue()).toBe('03');
    expect(await page.getByTestId('metric-n').textContent()).toBe(n);
    // A shared link opened in another browser (signed in there) selects the same.
    const other = await newContext();
    try {
      await other.page.goto(url.toString());
      await signIn(other.page, ctx.adminKey);
      await other.page.getByTestId('metric-n').waitFor();
      expect(await other.page.getByTestId('metric-n').textContent()).toBe(n);
      expect(new URL(other.page.url()).searchParams.get('year')).toBe('2022');
    } finally {
      await other.context.close();
    }
  });

  it('draws honest axes from zero, an error-over-time chart, keyboard tooltips, regions and rows with CSV', async () => {
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await page.waitForURL((u) => !u.searchParams.has('year'));
    // Value axes start at $0 (trend and scatter) and 0 % (error chart).
    const firstTicks = await page.evaluate(() =>
      [...document.querySelectorAll('figure.chart svg')].map((svg) => {
        const ys = [...svg.querySelectorAll('g.grid text.tick')].map((t) => t.textContent!.trim());
        return ys;
      }),
    );
    expect(firstTicks.length).toBe(3);
    for (const ticks of firstTicks) expect(ticks.some((t) => t === '$0' || t === '0 %')).toBe(true);
    await page.getByText(/Error over time: MAPE by month/).waitFor();
    expect(await page.locator('rect.bar').count()).toBeGreaterThan(0);
    // No tick label is cut by its chart's edge.
    const cut = await page.evaluate(() =>
      [...document.querySelectorAll<SVGTextElement>('figure.chart svg text')]
        .filter((t) => {
          const svg = t.ownerSVGElement!.getBoundingClientRect();
          const box = t.getBoundingClientRect();
          return box.left < svg.left - 0.5 || box.right > svg.right + 0.5 || box.top < svg.top - 0.5;
        })
        .map((t) => t.textContent),
    );
    expect(cut).toEqual([]);
    // Tooltips by keyboard: the chart is one tab stop, arrows move between periods.
    const trend = page.getByRole('img', { name: /Average price by month/ });
    await trend.focus();
    await page.keyboard.press('ArrowRight');
    const tip = page.getByRole('tooltip');
    await tip.waitFor();
    await expect(tip.textContent()).resolves.toMatch(/average actual \$[\d,]+, predicted \$[\d,]+/);
    await page.keyboard.press('Escape');
    // Region against region, and the rows of the selection with their CSV.
    expect(await page.getByTestId('regions-table').locator('tbody tr').count()).toBeGreaterThan(1);
    const regions = await downloadText(page, () =>
      page.getByRole('button', { name: 'Download regions (CSV)' }).click(),
    );
    expect(regions.text.split('\r\n')[0]).toBe('region,rows,mae,rmse,mape_pct,bias_pct');
    const shown = await page.getByTestId('rows-table').locator('tbody tr').count();
    expect(shown).toBeGreaterThan(0);
    const rows = await downloadText(page, () =>
      page.getByRole('button', { name: 'Download rows (CSV)' }).click(),
    );
    expect(rows.name).toBe('explore-rows.csv');
    const lines = rows.text.trim().split('\r\n');
    expect(lines[0]).toBe('month,region,actual,predicted,error,error_pct');
    expect(lines.length - 1).toBe(await page.locator('circle.dot').count());
  });

  it('runs a batch job from an uploaded CSV and downloads its result and errors', async () => {
    expect(ctx.workerRunning, 'backend/dist/worker.js does not exist: no worker runs batch jobs').toBe(true);
    await nav(page, 'Batch jobs');
    await page.getByText('No batch jobs yet').waitFor();
    // The input rules: the column list and a template from the model signature.
    const current = await (await api('/v1/models/current', ctx.adminKey)).json();
    const names = current.signature.map((f: { name: string }) => f.name);
    const template = await downloadText(page, () =>
      page.getByRole('button', { name: 'Download a template CSV' }).click(),
    );
    expect(template.name).toBe('housets-xgboost-v1-template.csv');
    const [header, example] = template.text.trim().split('\r\n');
    expect(header!.split(',').map((h) => h.replace(/^"|"$/g, ''))).toEqual(names);
    expect(example!.length).toBeGreaterThan(names.length);
    const columns = page.locator('details.columns-list > summary');
    await expect(columns.textContent()).resolves.toMatch(/Columns of housets-xgboost v1 \(\d+\)/);
    await columns.click();
    expect(await page.getByTestId('batch-columns').locator('tbody tr').count()).toBe(names.length);

    await page.getByLabel('CSV file', { exact: true }).setInputFiles(ctx.csvPath);
    await page.getByRole('button', { name: 'Start the job' }).click();
    const download = page.getByRole('button', { name: 'Download result of tiny.csv' });
    await download.waitFor({ timeout: 60_000 });
    const row = page.locator('tr[data-job]').first();
    await expect(row.textContent()).resolves.toContain('completed');
    // The job id is shown, and the "queued" notice went away when the job ended.
    const id = await row.getAttribute('data-job');
    await expect(row.locator('code').first().textContent()).resolves.toBe(id!.slice(0, 8));
    await expect.poll(() => page.getByText(/queued with/).count(), { timeout: 5000 }).toBe(0);

    const result = await downloadText(page, () => download.click());
    expect(result.name).toBe('tiny-predictions.csv');
    const csv = result.text.trim().split('\n');
    expect(csv[0]).toContain('predicted_price');
    const input = readFileSync(ctx.csvPath, 'utf8').trim().split('\n');
    expect(csv.length).toBeGreaterThan(input.length / 2);

    const errors = await downloadText(page, () =>
      page.getByRole('button', { name: 'Download errors of tiny.csv' }).click(),
    );
    expect(errors.name).toBe('tiny-errors.csv');
    // Each rejected row comes back in the last column: the same fields as that line of the input.
    const [errorHeader, ...rejectedRows] = parseCsv(errors.text);
    expect(errorHeader).toEqual(['line', 'reason', 'row']);
    expect(rejectedRows.length).toBeGreaterThan(0);
    for (const [line, reason, row] of rejectedRows) {
      expect(reason).not.toBe('');
      expect(parseCsv(row!)).toEqual(parseCsv(input[Number(line) - 1]!));
    }
    // The rejected count is itself the way to the reasons.
    const rejected = await (await api(`/v1/batch-jobs/${id}`, ctx.adminKey)).json();
    expect(rejected.rowsFailed).toBeGreaterThan(0);
    const viaCount = await downloadText(page, () =>
      page.getByRole('button', { name: /rejected: download the reasons for tiny.csv/ }).click(),
    );
    expect(viaCount.text).toBe(errors.text);
  });

  it('promotes version 2 and rolls back to version 1, each behind a confirmation that names the version', async () => {
    await nav(page, 'Models');
    await page.getByRole('button', { name: 'Promote housets-xgboost v2' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.textContent()).resolves.toContain('Promote to production?');
    await dialog.getByLabel('Reason (recorded in the history)').fill('e2e promotion');
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await page.getByText('housets-xgboost v2 is now in production (@champion).').waitFor();
    // The API swaps the served model right after the alias change (asynchronously).
    await expect
      .poll(async () => (await (await api('/v1/models/current', ctx.adminKey)).json()).version, {
        timeout: 15_000,
      })
      .toBe(2);

    await page.getByRole('button', { name: 'Roll back production' }).click();
    const target = dialog.getByTestId('rollback-target');
    await target.waitFor();
    await expect(target.textContent()).resolves.toMatch(
      /from housets-xgboost v2\s+back to housets-xgboost v1/,
    );
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page.getByText('Rolled back: housets-xgboost v1 is in production again (was v2).').waitFor();
    const models = await (await api('/v1/models', ctx.adminKey)).json();
    expect(models.find((m: { version: number }) => m.version === 1).stage).toBe('production');
    expect(models.find((m: { version: number }) => m.version === 1).aliases).toEqual(['champion']);
  });

  it('sets and removes an alias with a reason, tags a version, shows the history, and uploads a package', async () => {
    await nav(page, 'Batch jobs');
    await nav(page, 'Models');
    await page.getByRole('button', { name: 'housets-xgboost v2', exact: true }).click();
    const aliases = page.getByTestId('aliases-card');
    await aliases.getByLabel('Alias', { exact: true }).fill('challenger');
    await aliases.getByLabel('Reason', { exact: true }).fill('shadow traffic');
    await aliases.getByRole('button', { name: 'Set alias' }).click();
    await page.getByText('@challenger now points at housets-xgboost v2.').waitFor();
    const listed = await (await api('/v1/models/housets-xgboost/aliases', ctx.adminKey)).json();
    expect(listed.map((a: { alias: string; version: number }) => [a.alias, a.version])).toEqual([
      ['challenger', 2],
      ['champion', 1],
    ]);
    const newest = page.getByTestId('history-timeline').locator('li').first();
    await expect
      .poll(() => newest.textContent())
      .toMatch(/@challenger set on housets-xgboost v2.*shadow traffic/);
    const timeline = await page.getByTestId('history-timeline').textContent();
    expect(timeline).toContain('@champion rolled back from housets-xgboost v2 to housets-xgboost v1');
    expect(timeline).toContain('e2e promotion');

    const details = page.getByTestId('details-card');
    await details.getByLabel('Description').fill('Second fit of the tiny data');
    await details.getByRole('button', { name: 'Add tag' }).click();
    await details.getByLabel('Tag 1 key').fill('team');
    await details.getByLabel('Tag 1 value').fill('pricing');
    await details.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved the description and tags of housets-xgboost v2.').waitFor();
    const v2 = await (await api('/v1/models/housets-xgboost/versions/2', ctx.adminKey)).json();
    expect(v2).toMatchObject({ description: 'Second fit of the tiny data', tags: { team: 'pricing' } });

    await aliases.getByRole('button', { name: 'Remove @challenger from housets-xgboost v2' }).click();
    await page.getByText('@challenger removed from housets-xgboost v2.').waitFor();

    const upload = page.getByTestId('package-upload');
    await upload.locator('input[type="file"]').setInputFiles(join(ctx.tmp, 'model.tar.gz'));
    await upload.getByRole('button', { name: 'Upload package' }).click();
    await page.getByText(/Registered housets-xgboost v3 \(package /).waitFor({ timeout: 60_000 });
    const versions = await (await api('/v1/models', ctx.adminKey)).json();
    expect(versions.map((m: { version: number }) => m.version)).toEqual([3, 2, 1]);
  });

  it('lists the tuning trials: the best one starred, parameters rounded, nothing clipped at 1280 px', async () => {
    await page.goto(`${ctx.baseUrl}/models`);
    await page.getByRole('heading', { name: 'Models', exact: true }).waitFor();
    const { trials } = await (
      await api('/v1/models/housets-xgboost/versions/1/evaluation', ctx.adminKey)
    ).json();
    expect(trials.length).toBe(3);
    const card = page.getByTestId('trials-card');
    await card.locator('tbody tr').first().waitFor();
    expect(await card.locator('tbody tr').count()).toBe(trials.length);
    // The ★ marks exactly one row: the trial with the lowest eval RMSE.
    type Trial = { number: number; eval_rmse: number; params: Record<string, unknown> };
    const best = (trials as Trial[]).reduce((a, b) => (b.eval_rmse < a.eval_rmse ? b : a));
    const starred = card.locator('tr[data-best="true"]');
    expect(await starred.count()).toBe(1);
    await expect(starred.getByRole('img', { name: 'best trial' }).textContent()).resolves.toBe('★');
    await expect(starred.locator('td').first().textContent()).resolves.toContain(String(best.number));
    await expect(card.locator('.hint').textContent()).resolves.toContain(`#${best.number}`);
    // Parameters at 4 significant digits: the raw 16-decimal floats never show.
    const shown = await card.locator('td.params span').allTextContents();
    expect(shown).toHaveLength(trials.length * Object.keys(best.params).length);
    for (const text of shown) {
      // At most 4 significant digits (0.004207, 10, 0.8395), never a raw float's 16.
      const significant = text
        .split('=')[1]!
        .replace(/^[-0.]+/, '')
        .replace('.', '');
      expect(significant.length, text).toBeLessThanOrEqual(4);
    }
    const raw = String(best.params.learning_rate);
    expect(raw.length).toBeGreaterThan(8);
    expect(shown).toContain(`learning_rate=${Number((best.params.learning_rate as number).toPrecision(4))}`);
    expect(await clippedBoxes(page)).toEqual([]);
  });

  it('opens the dataset that trained production from its lineage in one click, with a download of the same bytes', async () => {
    const csv = readFileSync(ctx.csvPath);
    const form = new FormData();
    form.append('spec', 'housets');
    form.append('file', new Blob([csv]), 'tiny.csv');
    const registered = await api('/v1/datasets', ctx.adminKey, { method: 'POST', body: form });
    expect([200, 201]).toContain(registered.status);
    const dataset = await registered.json();
    // The previous test left the Models view open (it looked the dataset up then): open it afresh.
    await nav(page, 'Batch jobs');
    await nav(page, 'Models');
    await page.getByRole('button', { name: /^Open dataset / }).click();
    const card = page.getByTestId('dataset-card');
    await expect(card.textContent()).resolves.toContain(dataset.sha256);
    await expect(card.textContent()).resolves.toContain('housets-xgboost v1');
    await expect(card.getByTestId('column-profile').locator('tbody tr').count()).resolves.toBe(
      dataset.columns.length,
    );
    const saved = await downloadText(page, () => card.getByRole('button', { name: 'Download CSV' }).click());
    expect(saved.text).toBe(csv.toString('utf8'));
  });

  it('explores a monthly batch run with actual prices as a source, beside the holdout', async () => {
    const form = new FormData();
    form.append('spec', 'housets');
    form.append('file', new Blob([readFileSync(ctx.csvPath)]), 'tiny.csv');
    const dataset = await (await api('/v1/datasets', ctx.adminKey, { method: 'POST', body: form })).json();
    const started = await api('/v1/batch-evaluations', ctx.adminKey, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ datasetId: dataset.id }),
    });
    expect(started.status).toBe(202);
    const { id } = await started.json();
    const runOf = async () => (await api(`/v1/batch-evaluations/${id}`, ctx.adminKey)).json();
    await expect
      .poll(async () => (await runOf()).status, { timeout: 60_000, interval: 500 })
      .toBe('completed');
    const run = await runOf();
    expect(run.summary.overall.n).toBeGreaterThan(0);

    await page.goto(`${ctx.baseUrl}/explore`);
    await page
      .getByRole('heading', { name: 'Explore predictions against actual prices', exact: true })
      .waitFor();
    await page.locator('#explore-source').selectOption(`batch:${id}`);
    await expect
      .poll(() => page.locator('h2.section-title').textContent())
      .toMatch(/^Monthly batch run of .*housets-xgboost v1/);
    // The run's own figures, and the source in the URL (a reload or a shared link keeps it).
    await expect(page.getByTestId('metric-n').textContent()).resolves.toBe(
      run.summary.overall.n.toLocaleString('en-US'),
    );
    expect(decodeURIComponent(page.url())).toContain(`source=batch:${id}`);
    expect(await page.getByText('A batch run keeps sums, not sampled rows').count()).toBe(1);
    // A region with a year: the run keeps (month, region) cells like a holdout, so the cross is exact.
    await page.locator('#explore-year').selectOption({ index: 1 });
    await page.locator('#explore-region').selectOption({ index: 1 });
    const year = await page.locator('#explore-year').inputValue();
    const region = await page.locator('#explore-region').inputValue();
    const cells = (run.cells as { month: string; region: string; n: number }[]).filter(
      (c) => c.month.startsWith(year) && c.region === region,
    );
    await expect
      .poll(() => page.getByTestId('metric-n').textContent())
      .toBe(cells.reduce((n, c) => n + c.n, 0).toLocaleString('en-US'));
    expect(await page.locator('p.notice').count()).toBe(0);
    expect(await clippedBoxes(page)).toEqual([]);
  });

  it('explores a batch job with actual prices: its accuracy on the Batch page, its cells as an Explore source', async () => {
    const jobs = await (await api('/v1/batch-jobs?status=completed', ctx.adminKey)).json();
    const job = (jobs.items as { id: string; accuracy: { n: number; mape: number } | null }[]).find(
      (j) => j.accuracy,
    );
    expect(job).toBeDefined();
    await nav(page, 'Batch jobs');
    const accuracy = page.getByTestId('job-accuracy').first();
    await accuracy.waitFor();
    expect(await accuracy.textContent()).toMatch(/MAE \$[\d,]+, RMSE \$[\d,]+, MAPE [\d.]+ %/);
    await accuracy.getByRole('link', { name: 'explore by month and region' }).click();
    await page.waitForURL(/\/explore\?source=job/);
    await expect.poll(() => page.locator('h2.section-title').textContent()).toMatch(/^Batch job /);
    await expect
      .poll(() => page.getByTestId('metric-n').textContent())
      .toBe(job!.accuracy!.n.toLocaleString('en-US'));
    expect(await page.getByText('A batch run keeps sums, not sampled rows').count()).toBe(1);
  });

  it('monitors drift: what was scored against training, the most drifted input first, the window in the URL', async () => {
    // The predictions and the batch job above were counted (flushed every DRIFT_FLUSH_INTERVAL_MS).
    await nav(page, 'Monitoring');
    await page.getByTestId('drift-table').waitFor();
    const rows = Number((await page.getByTestId('drift-rows').textContent())!.replace(/,/g, ''));
    expect(rows).toBeGreaterThan(0);
    const drift = await (await api('/v1/monitoring/drift?hours=24', ctx.adminKey)).json();
    expect(rows).toBe(drift.rows);
    const first = await page.locator('[data-testid="drift-table"] tbody tr th').first().textContent();
    expect(first!.toLowerCase().replace(/ /g, '')).toBe(
      drift.features[0].feature.toLowerCase().replace(/[ _-]/g, ''),
    );
    expect(await page.locator('[data-testid="price-distribution"] tbody tr').count()).toBe(
      drift.price.bins.length,
    );
    await page.getByLabel('Window').selectOption('168');
    await page.waitForURL(/hours=168/);
    await page.reload();
    await page.getByTestId('drift-table').waitFor();
    expect(await page.getByLabel('Window').inputValue()).toBe('168');
  });

  it('creates a key (secret shown once) and revokes it', async () => {
    await nav(page, 'API keys');
    // A day/month/year expiry is refused with the format that is accepted, never read as year 62027.
    await page.getByLabel('Name').fill('e2e-client');
    await page.getByLabel('Expires on').fill('30/06/2027');
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect(page.locator('#key-expires-error').textContent()).resolves.toContain('YYYY-MM-DD');
    expect(await page.locator('#key-expires').getAttribute('placeholder')).toBe('YYYY-MM-DD');
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
      // The page the key may not use stays at its address and names the missing scope.
      await other.page.waitForURL('**/keys');
      await expect(other.page.getByTestId('missing-scope').textContent()).resolves.toMatch(
        /needs the scope admin.*e2e-predict-only.*predict/s,
      );
      const links = await other.page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link')
        .allTextContents();
      expect(links).toEqual(['Predict']);
      await nav(other.page, 'Predict');
      await other.page.getByRole('button', { name: 'Predict price' }).waitFor();

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

  it('remembers the key on this device only when asked, and forgets it on sign-out', async () => {
    const tabOnly = await newContext();
    try {
      await tabOnly.page.goto(`${ctx.baseUrl}/`);
      await signIn(tabOnly.page, ctx.adminKey);
      await tabOnly.page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
      const second = await tabOnly.context.newPage();
      await second.goto(`${ctx.baseUrl}/models`);
      await second.getByLabel('API key').waitFor();
      expect(await second.evaluate(() => localStorage.length)).toBe(0);
    } finally {
      await tabOnly.context.close();
    }

    const remembered = await newContext();
    try {
      await remembered.page.goto(`${ctx.baseUrl}/`);
      await signIn(remembered.page, ctx.adminKey, true);
      await remembered.page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
      const second = await remembered.context.newPage();
      watch(second);
      await second.goto(`${ctx.baseUrl}/models`);
      await second.getByRole('heading', { name: 'Models', exact: true }).waitFor();
      await second.getByRole('button', { name: 'Sign out' }).click();
      await second.getByLabel('API key').waitFor();
      expect(await second.evaluate(() => localStorage.getItem('housing.apiKey'))).toBeNull();
    } finally {
      await remembered.context.close();
    }
  });

  it('forgets a remembered key on the next load once it is revoked (401), and says why', async () => {
    const created = await (
      await api('/v1/keys', ctx.adminKey, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'e2e-remembered', scopes: ['predict'] }),
      })
    ).json();
    const device = await newContext();
    try {
      await device.page.goto(`${ctx.baseUrl}/`);
      await signIn(device.page, created.key, true);
      await device.page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
      expect(await device.page.evaluate(() => localStorage.getItem('housing.apiKey'))).toBe(created.key);
      expect((await api(`/v1/keys/${created.id}`, ctx.adminKey, { method: 'DELETE' })).ok).toBe(true);
      // A new page load on this device: the stored key is checked again, refused, and forgotten.
      await device.page.goto(`${ctx.baseUrl}/predict`);
      await device.page.waitForURL('**/sign-in**');
      await expect(device.page.getByRole('alert').first().textContent()).resolves.toMatch(/revoked/i);
      expect(await device.page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    } finally {
      await device.context.close();
    }
    const fresh = consoleErrors.splice(reported).filter((e) => !/status of 401/.test(e));
    expect(fresh).toEqual([]);
  });

  it('fetches a version evaluation once per session (Explore and Models share it)', async () => {
    const { context: c, page: p } = await newContext();
    try {
      const calls: string[] = [];
      p.on('request', (r) => {
        if (r.url().includes('/evaluation')) calls.push(r.url());
      });
      await p.goto(`${ctx.baseUrl}/explore`);
      await signIn(p, ctx.adminKey);
      await p.getByTestId('metric-n').waitFor();
      await nav(p, 'Models');
      await p.getByRole('heading', { name: 'Feature importance' }).waitFor();
      await nav(p, 'Explore');
      await p.getByTestId('metric-n').waitFor();
      expect(calls).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it('serves assets compressed, hashed ones immutable and index.html revalidated; Swagger UI compressed', async () => {
    const html = await fetch(`${ctx.baseUrl}/`, { headers: { 'accept-encoding': 'br' } });
    expect(html.headers.get('cache-control')).toBe('no-cache');
    // (index.html is under 1 kB: sent as is.)
    const assets = [...(await html.text()).matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map(
      (m) => m[1]!,
    );
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      for (const encoding of ['br', 'gzip']) {
        const r = await fetch(`${ctx.baseUrl}${asset}`, { headers: { 'accept-encoding': encoding } });
        expect(r.status).toBe(200);
        expect(r.headers.get('content-encoding'), asset).toBe(encoding);
        expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(r.headers.get('vary')).toMatch(/accept-encoding/i);
      }
    }
    // Swagger UI's bundle, and the evaluation JSON, go compressed too.
    const bundle = await fetch(`${ctx.baseUrl}/docs/swagger-ui-bundle.js`, {
      headers: { 'accept-encoding': 'br' },
    });
    expect(bundle.headers.get('content-encoding')).toBe('br');
    const evaluation = await api('/v1/models/housets-xgboost/versions/1/evaluation', ctx.adminKey, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(evaluation.headers.get('content-encoding')).toBe('gzip');
  });

  it('documents POST /v1/predictions per status, keys as opaque bearer tokens, predictions first', async () => {
    const doc = await (await fetch(`${ctx.baseUrl}/docs-json`)).json();
    const operation = doc.paths['/v1/predictions'].post;
    const example = (code: string) => operation.responses[code].content['application/problem+json'].example;
    expect(example('400').errors[0].field).toMatch(/^record\./);
    const details = ['400', '401', '403', '429', '503'].map((code) => example(code).status);
    expect(details).toEqual([400, 401, 403, 429, 503]);
    expect(operation.description).toContain('/v1/models/current/schema');
    expect(doc.components.securitySchemes.Bearer.bearerFormat).toBeUndefined();
    expect(doc.tags[0].name).toBe('predictions');
    expect(doc.info.description).toContain('](/)');
    const init = await (await fetch(`${ctx.baseUrl}/docs/swagger-ui-init.js`)).text();
    expect(init).toMatch(/"persistAuthorization":\s*true/);
    // The record's fields, types and ranges, from the served model's signature.
    const schema = await (await api('/v1/models/current/schema', ctx.adminKey)).json();
    const current = await (await api('/v1/models/current', ctx.adminKey)).json();
    expect(Object.keys(schema.properties)).toEqual(current.signature.map((f: { name: string }) => f.name));
    // Its bound of 3 is described, not enforced: past it serving treats the value as missing, with a warning.
    expect(schema.properties.avg_sale_to_list).toMatchObject({
      type: 'number',
      'x-maximum': 3,
      'x-outliers': 'missing',
    });
    expect(schema.required).toEqual(
      current.signature.filter((f: { required: boolean }) => f.required).map((f: { name: string }) => f.name),
    );
    // The document describes the same record, and "Try it out"'s example is priced by the served model.
    const record = doc.components.schemas.PredictionRequestDto.properties.record;
    expect(Object.keys(record.properties)).toEqual(Object.keys(schema.properties));
    expect(record.required).toEqual(schema.required);
    const tried = await api('/v1/predictions', ctx.adminKey, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ record: record.example }),
    });
    expect(tried.status).toBe(200);
  });

  it('starts a training run from the Runs page, watches it train live to completion, and reads its log', async () => {
    expect(
      ctx.trainingWorkerRunning,
      'backend/dist/training-worker.js does not exist: no worker runs training runs',
    ).toBe(true);
    await nav(page, 'Runs');
    await page.getByRole('heading', { name: 'Training runs', exact: true }).waitFor();
    await page.getByText('No training runs yet').waitFor();
    // The API's own refusal shows beside its field: an inline spec that is JSON but not a spec.
    await page.getByLabel('CSV file', { exact: true }).setInputFiles(ctx.csvPath);
    await page.getByLabel('Inline JSON').check();
    await page.getByLabel('Spec (JSON)').fill('{"name": "not-a-spec"}');
    await page.getByRole('button', { name: 'Start the run' }).click();
    await expect
      .poll(() => page.locator('#run-spec-json-error').textContent(), { timeout: 15_000 })
      .toMatch(/\S/);
    await expect(page.locator('.form-error').textContent()).resolves.toContain('The run was not started');
    // That 400 is expected here; the console must hold nothing else.
    expect(consoleErrors.splice(reported).filter((e) => !/status of 400/.test(e))).toEqual([]);

    await page.getByLabel('Default', { exact: true }).check();
    await page.getByText('Options', { exact: true }).click();
    await expect(page.getByLabel('Fast (fixed parameters, no tuning)').isChecked()).resolves.toBe(true);
    await page.getByLabel('Model name').fill('e2e-runs');
    await page.getByRole('button', { name: 'Start the run' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;
    // Live: the first answer is a queued or running run, with its progress line; the cleaning summary
    // arrives while it trains (read, then split and tuned) and stays once it has finished.
    await page.getByTestId('run-progress').waitFor();
    await expect(page.getByTestId('run-status').textContent()).resolves.toMatch(/queued|running/);
    await page.getByTestId('run-cleaning').waitFor({ timeout: 120_000 });
    const cleaning = await page.getByTestId('run-cleaning').textContent();
    expect(cleaning).toMatch(/Rows read\s*[\d,]+/);
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 180_000, interval: 500 })
      .toBe('completed');
    expect(await page.getByTestId('run-progress').count()).toBe(0);
    await expect(page.getByTestId('run-model').textContent()).resolves.toBe('e2e-runs v1');
    await expect(page.getByTestId('run-cleaning').textContent()).resolves.toBe(cleaning);
    await expect(page.getByTestId('run-metrics').textContent()).resolves.toContain('holdout.rmse');
    // The whole log, as GET /v1/training-runs/{id}/logs serves it.
    const log = await (await api(`/v1/training-runs/${id}/logs`, ctx.adminKey)).text();
    expect(log).toMatch(/parity: \d+ records reproduced/);
    await expect
      .poll(() => page.getByTestId('run-log').textContent())
      .toContain(log.trim().split('\n').pop()!.trim());
    await page.getByText('The whole log of the last attempt.').waitFor();
    // Its version is one click away on the Models page.
    await page.getByTestId('run-model').getByRole('link').click();
    await page.getByRole('heading', { name: /e2e-runs v1/ }).waitFor();
  }, 300_000);

  it('compares two runs ticked in the list: metric deltas, differing parameters, error by month, tuning histories', async () => {
    // A second run, tuned (three trials), queued through the API as `curl -F` would.
    const form = new FormData();
    form.append('trials', '3');
    form.append('modelName', 'e2e-runs');
    form.append('file', new Blob([readFileSync(ctx.csvPath)]), 'tiny.csv');
    const queued = await api('/v1/training-runs', ctx.adminKey, { method: 'POST', body: form });
    expect(queued.status).toBe(202);
    const second = (await queued.json()) as { id: string };
    await nav(page, 'Runs');
    const row = page.locator(`tr[data-run="${second.id}"]`);
    await row.waitFor();
    await expect
      .poll(async () => (await row.textContent()) ?? '', { timeout: 180_000, interval: 1000 })
      .toContain('completed');
    const runs = (await (await api('/v1/training-runs?status=completed', ctx.adminKey)).json()) as {
      items: { id: string }[];
    };
    const first = runs.items.find((r) => r.id !== second.id)!;
    await page.getByLabel(`Compare run ${first.id.slice(0, 8)}`).check();
    await page.getByLabel(`Compare run ${second.id.slice(0, 8)}`).check();
    await page.getByRole('button', { name: /Compare selected \(2\)/ }).click();
    await page.waitForURL(/\/runs\/compare\?ids=/);
    await page.getByRole('heading', { name: 'Compare runs' }).waitFor();
    const rmse = page
      .getByTestId('compare-metrics')
      .locator('tbody tr', { has: page.getByText('holdout.rmse', { exact: true }) });
    await expect(rmse.textContent()).resolves.toMatch(/[+−±]/);
    expect(await page.getByTestId('compare-params').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('compare-errors').locator('tbody tr').count()).toBeGreaterThan(0);
    // Tuning: the fast run has none, the tuned one three trials (dots) with its best-so-far line.
    expect(await page.locator('.tuning-chart .trial-dot').count()).toBe(3);
    const chart = page.getByRole('img', { name: /Tuning histories/ });
    await chart.focus();
    await chart.press('ArrowRight');
    await expect(page.getByRole('tooltip').textContent()).resolves.toMatch(
      /^Trial \d+: run [0-9a-f]{8}: [\d.,]+, best so far [\d.,]+$/,
    );

    // The run and compare pages fit a phone and a laptop: nothing overflows, nothing clipped.
    for (const width of [1280, 375]) {
      const { context: c, page: p } = await newContext(width);
      try {
        await p.goto(`${ctx.baseUrl}/sign-in`);
        await signIn(p, ctx.adminKey);
        await p.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
        for (const [path, heading, name] of [
          [`/runs/${second.id}`, `Run ${second.id.slice(0, 8)}`, 'run'],
          [`/runs/compare?ids=${first.id},${second.id}`, 'Compare runs', 'compare'],
        ] as const) {
          await p.goto(`${ctx.baseUrl}${path}`);
          await p.getByRole('heading', { name: heading, exact: true }).waitFor();
          await p.waitForFunction(() => !document.querySelector('.state-loading'));
          await openAllDetails(p);
          await p.screenshot({ path: join(ctx.screenshotDir, `${name}-${width}.png`), fullPage: true });
          const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `${path} at ${width} px is ${overflow} px too wide`).toBeLessThanOrEqual(0);
          const boxes = width === 1280 ? LAPTOP_BOXES : PHONE_BOXES;
          expect(await clippedBoxes(p, boxes), `${path} at ${width} px`).toEqual([]);
        }
      } finally {
        await c.close();
      }
    }
  }, 300_000);

  it('saves a screenshot of every view at 1280 and 375 px, with nothing clipped, disclosures opened too', async () => {
    for (const width of [1280, 375]) {
      const { context: c, page: p } = await newContext(width);
      try {
        await p.goto(`${ctx.baseUrl}/sign-in`);
        await p.getByLabel('API key').waitFor();
        await p.screenshot({ path: join(ctx.screenshotDir, `sign-in-${width}.png`), fullPage: true });
        await signIn(p, ctx.adminKey);
        await p.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
        for (const view of VIEWS) {
          await p.goto(`${ctx.baseUrl}${view.path}`);
          await p.getByRole('heading', { name: view.heading, exact: true }).waitFor();
          await p.waitForLoadState('networkidle');
          await p.waitForFunction(() => !document.querySelector('.state-loading'));
          await p.screenshot({
            path: join(ctx.screenshotDir, `${view.name}-${width}.png`),
            fullPage: true,
          });
          // Nothing may overflow the viewport sideways (wide tables scroll inside their own box).
          const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `${view.path} at ${width} px is ${overflow} px too wide`).toBeLessThanOrEqual(0);
          // On a laptop nothing is clipped or hidden behind a scrollbar either; on a phone only tables scroll.
          const boxes = width === 1280 ? LAPTOP_BOXES : PHONE_BOXES;
          expect(await clippedBoxes(p, boxes), `${view.path} at ${width} px`).toEqual([]);
          // The same with every disclosure open (hyper-parameters, chart tables, column lists, field groups).
          if ((await openAllDetails(p)) > 0) {
            expect(await clippedBoxes(p, boxes), `${view.path} at ${width} px, opened`).toEqual([]);
            const wider = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            expect(wider, `${view.path} at ${width} px, opened`).toBeLessThanOrEqual(0);
          }
        }
      } finally {
        await c.close();
      }
    }
  });

  it('measures first load and time to content per view on a cold cache, and the bytes a session loads', async () => {
    // Median of three cold loads per view (the machine is shared: single runs scatter widely).
    const ROUNDS = 3;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const figures: Record<string, unknown>[] = [];
    // What sign-in leaves in the tab: the key and the server's description of it (GET /v1/keys/me).
    const owner = JSON.stringify(await (await api('/v1/keys/me', ctx.adminKey)).json());
    type ColdLoad = { load: number; content: number; js: number; css: number };
    /** One cold load of a view (a fresh context: empty cache) with `tab` in the tab's sessionStorage. */
    const coldLoad = async (
      path: string,
      heading: string,
      tab: Record<string, string>,
    ): Promise<ColdLoad> => {
      const c = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await c.addInitScript((entries) => {
        for (const [k, v] of Object.entries(entries)) sessionStorage.setItem(k, v);
      }, tab);
      const p = await c.newPage();
      watch(p);
      try {
        const start = Date.now();
        await p.goto(`${ctx.baseUrl}${path}`);
        await p.getByRole('heading', { name: heading, exact: true }).waitFor();
        await p.waitForFunction(() => !document.querySelector('.state-loading'));
        const content = Date.now() - start;
        const timing = await p.evaluate(() => {
          const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
          const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
          const sum = (re: RegExp) =>
            res.filter((r) => re.test(new URL(r.name).pathname)).reduce((n, r) => n + r.encodedBodySize, 0);
          return { load: nav!.loadEventEnd - nav!.startTime, js: sum(/\.js$/), css: sum(/\.css$/) };
        });
        return { ...timing, content };
      } finally {
        await c.close();
      }
    };
    // Two states of the tab, measured alternately (the load of the shared machine drifts): what sign-in
    // leaves (a reload of a signed-in tab), and the key alone (the description is then fetched first).
    const signedInTab = { 'housing.apiKey': ctx.adminKey, 'housing.apiKeyOwner': owner };
    const keyOnlyTab = { 'housing.apiKey': ctx.adminKey };
    for (const view of VIEWS) {
      const runs: ColdLoad[] = [];
      const keyOnly: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const first = round % 2 === 0;
        if (!first) keyOnly.push((await coldLoad(view.path, view.heading, keyOnlyTab)).content);
        runs.push(await coldLoad(view.path, view.heading, signedInTab));
        if (first) keyOnly.push((await coldLoad(view.path, view.heading, keyOnlyTab)).content);
      }
      figures.push({
        view: view.path,
        loadMs: Math.round(median(runs.map((r) => r.load))),
        contentMs: median(runs.map((r) => r.content)),
        contentRunsMs: runs.map((r) => r.content),
        contentKeyOnlyMs: median(keyOnly),
        contentKeyOnlyRunsMs: keyOnly,
        jsBytes: runs[0]!.js,
        cssBytes: runs[0]!.css,
      });
    }

    // One session through every view: the JS and CSS it downloads in total (compressed bytes).
    const { context: c, page: p } = await newContext();
    let session: { js: number; css: number; jsFiles: string[] };
    try {
      await p.goto(`${ctx.baseUrl}/`);
      await signIn(p, ctx.adminKey);
      await p.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
      for (const view of VIEWS.slice(1)) {
        await nav(p, view.nav!);
        await p.getByRole('heading', { name: view.heading, exact: true }).waitFor();
        await p.waitForFunction(() => !document.querySelector('.state-loading'));
      }
      session = await p.evaluate(() => {
        const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const sum = (re: RegExp) =>
          res.filter((r) => re.test(new URL(r.name).pathname)).reduce((n, r) => n + r.encodedBodySize, 0);
        const jsFiles = res.map((r) => new URL(r.name).pathname).filter((f) => /^\/assets\/.*\.js$/.test(f));
        return { js: sum(/\.js$/), css: sum(/\.css$/), jsFiles };
      });
    } finally {
      await c.close();
    }
    // The budget is in gzip bytes (Chromium fetched brotli): the build's .gz of the same files,
    // and of every JS file the build wrote, whether a session loads it or not.
    // (A file too small to be worth compressing has no twin: it is sent as is.)
    const gzipBytes = (file: string) => {
      const twin = join(DASHBOARD_DIST, `${file}.gz`);
      return statSync(existsSync(twin) ? twin : join(DASHBOARD_DIST, file)).size;
    };
    const sessionJsGzip = session.jsFiles.reduce((n, f) => n + gzipBytes(f), 0);
    const allJsGzip = readdirSync(join(DASHBOARD_DIST, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .reduce((n, f) => n + gzipBytes(`/assets/${f}`), 0);

    // Swagger UI on a cold cache: everything it transfers.
    const d = await newContext();
    let swagger: { bytes: number; decoded: number; loadMs: number };
    try {
      await d.page.goto(`${ctx.baseUrl}/docs`);
      await d.page.locator('.opblock').first().waitFor();
      swagger = await d.page.evaluate(() => {
        const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
        const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const all = [nav!, ...res];
        return {
          bytes: all.reduce((n, r) => n + r.encodedBodySize, 0),
          decoded: all.reduce((n, r) => n + r.decodedBodySize, 0),
          loadMs: Math.round(nav!.loadEventEnd - nav!.startTime),
        };
      });
      // The operations are listed predictions first.
      const tags = await d.page.locator('.opblock-tag').allTextContents();
      expect(tags[0]).toMatch(/^predictions/);
    } finally {
      await d.context.close();
    }

    const report = {
      date: new Date().toISOString(),
      loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
      views: figures,
      session: { js: session.js, css: session.css, jsGzip: sessionJsGzip, allJsGzip },
      swagger,
    };
    process.stdout.write(`dashboard figures: ${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(ctx.screenshotDir, 'figures.json'), JSON.stringify(report, null, 2));
    expect(session.js).toBeGreaterThan(0);
    expect(session.js).toBeLessThan(300 * 1024);
    expect(sessionJsGzip).toBeGreaterThan(session.js); // gzip is never smaller than brotli 11 here
    expect(allJsGzip).toBeLessThan(300 * 1000);
    // Swagger UI's transfer budget (SWAGGER_UI_TRANSFER_BUDGET_BYTES in backend/src/openapi/swagger-assets.ts).
    expect(swagger.bytes).toBeLessThanOrEqual(480_000);
  }, 240_000);

  it('shows the promotion evidence of two trained versions and promotes the worse one only with force and a reason', async () => {
    expect(ctx.trainingWorkerRunning, 'backend/dist/training-worker.js must be built').toBe(true);
    const name = 'evidence-e2e';
    // Version 1 learns from the tiny data; version 2 from the same rows with the prices before the
    // holdout date shuffled (it learns nothing, and its holdout keeps true prices).
    const [header, ...rows] = parseCsv(readFileSync(ctx.csvPath, 'utf8')).filter((r) => r.length > 1);
    const [price, date] = [header!.indexOf('price'), header!.indexOf('date')];
    const fitted = rows.filter((r) => r[date]! < '2022-01-01');
    const prices = fitted.map((r) => r[price]!);
    let seed = 7;
    for (let i = prices.length - 1; i > 0; i--) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const j = seed % (i + 1);
      [prices[i], prices[j]] = [prices[j]!, prices[i]!];
    }
    fitted.forEach((r, i) => (r[price] = prices[i]!));
    const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const shuffled = [header!, ...rows].map((r) => r.map(quote).join(',')).join('\n') + '\n';
    const runs: string[] = [];
    for (const csv of [readFileSync(ctx.csvPath, 'utf8'), shuffled]) {
      const form = new FormData();
      form.append('fast', 'true');
      form.append('modelName', name);
      form.append('file', new Blob([csv]), 'input.csv');
      const res = await api('/v1/training-runs', ctx.adminKey, { method: 'POST', body: form });
      expect(res.status).toBe(202);
      runs.push((await res.json()).id);
      // One after the other, so that the good fit is version 1.
      await expect
        .poll(
          async () => (await (await api(`/v1/training-runs/${runs.at(-1)}`, ctx.adminKey)).json()).status,
          {
            timeout: 180_000,
            interval: 1000,
          },
        )
        .toBe('completed');
    }
    const setChampion = (model: string, version: number, reason: string) =>
      api(`/v1/models/${model}/aliases/champion`, ctx.adminKey, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ version, reason }),
      });
    expect((await setChampion(name, 1, 'evidence e2e: the good fit serves')).status).toBe(200);

    const { context: c, page: p } = await newContext();
    try {
      await p.goto(`${ctx.baseUrl}/models`);
      await signIn(p, ctx.adminKey);
      await promoteWithForce(p, name);
    } finally {
      await c.close();
    }
    const history = await (await api(`/v1/models/${name}/history`, ctx.adminKey)).json();
    expect(history.items[0]).toMatchObject({ forced: true, reason: 'e2e: forced on purpose' });

    // The platform serves the model the other tests expect again (it has no run: no evidence needed).
    expect((await setChampion('housets-xgboost', 1, 'evidence e2e done')).status).toBe(200);
  }, 480_000);
});

/** In the Models view: the promote dialog's evidence, then force with a reason, then the history. */
async function promoteWithForce(page: Page, name: string): Promise<void> {
  await nav(page, 'Models');
  await page.getByRole('button', { name: `Promote ${name} v2` }).click();
  const dialog = page.getByRole('dialog');
  const evidence = dialog.getByTestId('promotion-evidence');
  await evidence.waitFor({ timeout: 60_000 });
  await expect(evidence.getAttribute('data-verdict')).resolves.toBe('worse');
  expect(await evidence.locator('table').count()).toBe(2);
  await expect(evidence.locator('table[data-holdout="champion"] caption').textContent()).resolves.toContain(
    `${name} v1`,
  );
  expect(await evidence.locator('td.evidence-delta[data-tone="worse"]').count()).toBeGreaterThan(0);
  await page.screenshot({ path: join(ctx.screenshotDir, 'models-promotion-evidence-1280.png') });

  await dialog.getByRole('button', { name: 'Promote' }).click();
  await dialog.getByText('tick "Promote anyway"').waitFor();
  await dialog.getByTestId('force-promotion').getByRole('checkbox').check();
  await dialog.getByRole('button', { name: 'Promote' }).click();
  await dialog.getByText('the reason is required').waitFor();
  await dialog.locator('input[name="reason"]').fill('e2e: forced on purpose');
  await dialog.getByRole('button', { name: 'Promote' }).click();
  await page.getByText(`${name} v2 is now in production (@champion), forced.`).waitFor();

  await page.getByRole('button', { name: `${name} v2`, exact: true }).click();
  const forced = page.getByTestId('history-timeline').locator('li[data-forced="true"]');
  await expect.poll(() => forced.count()).toBe(1);
  await expect(forced.textContent()).resolves.toContain('e2e: forced on purpose');
}
