import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { crmUnderTest } from './support/crm-under-test';
import { axeViolations, launchBrowser, pageErrorsOf, partnerToken, PHONE, screenshot, signedInPage, staffToken } from './support/browser';

const money = (minor: number) => new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(minor / 100);

async function api<T>(token: string, route: string, init: RequestInit = {}): Promise<T> {
  const r = await fetch(`${crmUnderTest().url}/api/analytics${route}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  if (!r.ok) throw new Error(`${route}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** The window the KPI page asks for: the `months` calendar months up to the current one (UTC, as the browser here runs in UTC). */
function kpiWindow(months: number): { from: string; to: string } {
  const now = new Date();
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return {
    from: new Date(Date.UTC(y, m - (months - 1), 1)).toISOString().slice(0, 10),
    to: new Date(Date.UTC(y, m + 1, 0)).toISOString().slice(0, 10),
  };
}

interface Kpis {
  kpis: { key: string; perspective: string; available: boolean; periods?: { period: string; value: number | null; byCurrency?: Record<string, number> }[] }[];
}
interface RfmItem {
  customerId: string;
  scores: { r: number; f: number; m: number };
  monetary: number;
}
interface RfmList {
  customersScored: number;
  grid: number[][];
  items: RfmItem[];
  nextCursor: string | null;
}
interface Ranked {
  customerId: string;
  clv: number;
  historicValue: number;
}

async function noOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
}

/** The customer ids a table's links point to, in order. */
async function linkedCustomers(page: Page, tableName: string): Promise<string[]> {
  const hrefs = await page
    .getByRole('table', { name: tableName })
    .getByRole('link')
    .evaluateAll((links) => links.map((a) => (a as unknown as { getAttribute(n: string): string | null }).getAttribute('href') ?? ''));
  return hrefs.map((h) => h.replace('/customers/', ''));
}

describe('analytics: KPI scorecard, RFM grid, lifetime value, top and at-risk customers', () => {
  let browser: Browser;
  let token: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    token = await staffToken({ department: 'analytics', subject: 'lina.analytics' });
  });
  afterAll(() => browser?.close());

  it('shows the four perspectives with values and trends as the API answers them, and changes the period', async () => {
    const { context, page } = await signedInPage(browser, token, '/analytics');
    await page.getByRole('heading', { level: 1, name: 'KPI scorecard' }).waitFor();
    for (const perspective of ['Financial', 'Customer', 'Internal process', 'Learning and growth'])
      await page.getByRole('heading', { level: 2, name: perspective }).waitFor();

    const monthly = await api<Kpis>(token, `/kpis?period=month&from=${kpiWindow(12).from}&to=${kpiWindow(12).to}`);
    const revenue = monthly.kpis.find((k) => k.key === 'revenue')!;
    const last = revenue.periods![revenue.periods!.length - 1]!;
    // The demo orders give revenue in the months they span.
    expect(revenue.periods!.filter((p) => (p.byCurrency?.['EUR'] ?? 0) > 0).length).toBeGreaterThan(3);
    const card = page.getByRole('article', { name: 'Revenue net of returns' });
    await expect(card.getByTestId('kpi-value-revenue').textContent()).resolves.toBe(money(last.byCurrency!['EUR']!));
    // The trend's text alternative lists every period.
    await expect(card.getByRole('table').getByRole('row').count()).resolves.toBe(revenue.periods!.length + 1);
    await expect(card.locator('.recharts-surface').count()).resolves.toBe(1);
    // Net sales with the API's forecast: history and the 6 forecast months in the chart's table.
    const forecast = await api<{ forecast: { period: string }[] }>(token, '/forecast/sales?period=month&horizon=6');
    const forecastCard = page.getByRole('article', { name: 'Net sales and forecast (months)' });
    await forecastCard.getByTestId('sales-forecast-chart').locator('.recharts-line').first().waitFor({ state: 'attached' });
    for (const f of forecast.forecast)
      await forecastCard.getByRole('table').getByRole('rowheader', { name: f.period, exact: true }).waitFor({ state: 'attached' });
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-kpis');

    await page.getByLabel('Period').selectOption('quarter');
    await page.waitForURL(/period=quarter/);
    const quarterly = await api<Kpis>(token, `/kpis?period=quarter&from=${kpiWindow(12).from}&to=${kpiWindow(12).to}`);
    const q = quarterly.kpis.find((k) => k.key === 'revenue')!.periods!;
    await page
      .getByRole('article', { name: 'Revenue net of returns' })
      .getByText(`Latest: ${q[q.length - 1]!.period}`)
      .waitFor();
    await expect(card.getByTestId('kpi-value-revenue').textContent()).resolves.toBe(money(q[q.length - 1]!.byCurrency!['EUR']!));
    await expect(page.getByRole('article', { name: 'Revenue net of returns' }).getByRole('table').getByRole('row').count()).resolves.toBe(q.length + 1);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('the RFM grid adds up to the customers the API scored, and a cell lists its customers with links to their page', async () => {
    const rfm = await api<RfmList>(token, '/rfm?limit=500');
    expect(rfm.nextCursor).toBeNull();
    expect(rfm.customersScored).toBeGreaterThan(10);
    const { context, page } = await signedInPage(browser, token, '/analytics/rfm');
    const grid = page.getByRole('table', { name: 'Recency × frequency' });
    await grid.waitFor();
    const cells = grid.getByRole('button');
    await expect(cells.count()).resolves.toBe(25);
    const labels = await cells.evaluateAll((bs) => bs.map((b) => (b as unknown as { textContent: string }).textContent));
    const counts = labels.map((l) => Number(/: (\d+) customers/.exec(l)![1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(rfm.customersScored);

    // The fullest cell: its count and money as the API's customers give them.
    let best = { r: 1, f: 1 };
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) if (rfm.grid[r - 1]![f - 1]! > rfm.grid[best.r - 1]![best.f - 1]!) best = { r, f };
    const inCell = rfm.items.filter((c) => c.scores.r === best.r && c.scores.f === best.f);
    const cellMoney = money(inCell.reduce((a, c) => a + c.monetary, 0));
    const cell = page.getByRole('button', { name: `R ${best.r}, F ${best.f}: ${inCell.length} customers, ${cellMoney}` });
    await cell.click();
    const list = `Customers in R ${best.r}, F ${best.f}`;
    await page.getByRole('heading', { level: 2, name: list }).waitFor();
    await expect(cell.getAttribute('aria-pressed')).resolves.toBe('true');
    expect((await linkedCustomers(page, list)).sort()).toEqual(inCell.map((c) => c.customerId).sort());
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-rfm');

    // Keyboard: another cell (not the one open: the data other specs add can make any cell the fullest) by focus and Enter.
    const [or, of] = best.r === 5 && best.f === 1 ? [1, 5] : [5, 1];
    const other = page.getByRole('button', { name: new RegExp(`^R ${or}, F ${of}:`) });
    await other.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: `Customers in R ${or}, F ${of}` }).waitFor();

    await page.getByRole('heading', { level: 2, name: list }).waitFor({ state: 'detached' });
    await cell.click();
    await page.getByRole('table', { name: list }).getByRole('link').first().click();
    await page.waitForURL(new RegExp(`/customers/(${inCell.map((c) => c.customerId).join('|')})$`));
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('the lifetime value histogram counts every valued customer, by tier', async () => {
    const ranking = await api<{ items: Ranked[]; nextCursor: string | null }>(token, '/customers/ranking?limit=500');
    expect(ranking.nextCursor).toBeNull();
    const { context, page } = await signedInPage(browser, token, '/analytics/clv');
    await page.getByRole('heading', { level: 2, name: 'Distribution of lifetime values' }).waitFor();
    await page.getByTestId('clv-histogram').locator('path.recharts-rectangle').first().waitFor();
    // The chart's text alternative: one row per range, the last column the customers in it.
    const table = page.getByRole('table', { name: /^Data of the chart:/ });
    const totals = await table
      .locator('tbody tr td:last-child')
      .evaluateAll((tds) => tds.map((td) => Number((td as unknown as { textContent: string }).textContent.replace(/,/g, ''))));
    expect(totals.reduce((a, b) => a + b, 0)).toBe(ranking.items.length);
    const tiers = page.getByRole('table', { name: 'Value tiers' });
    await expect(tiers.getByRole('row').count()).resolves.toBe(5);
    await page.getByRole('heading', { level: 2, name: 'Model' }).waitFor();
    await page.getByText(/Fitted on the purchases up to/).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-clv');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('top and at-risk customers match the API; analytics trains the churn model from the page and sees the reasons', async () => {
    const { context, page } = await signedInPage(browser, token, '/analytics/customers');
    const topName = 'Most valuable customers';
    await page.getByRole('table', { name: topName }).waitFor();
    const top = await api<{ items: Ranked[] }>(token, '/customers/ranking?limit=20');
    expect(await linkedCustomers(page, topName)).toEqual(top.items.map((c) => c.customerId));
    // Each row links by the customer's name (asked for in one batch for the whole list).
    const first = await api<{ name: string }>(token, `/customers/${top.items[0]!.customerId}`);
    await page.getByRole('table', { name: topName }).getByRole('link', { name: first.name, exact: true }).first().waitFor();

    await page.getByLabel('Rank by').selectOption('historicValue');
    const byHistory = await api<{ items: Ranked[] }>(token, '/customers/ranking?limit=20&by=historicValue');
    await page
      .getByRole('table', { name: topName })
      .getByRole('row')
      .nth(1)
      .getByText(money(byHistory.items[0]!.historicValue), { exact: true })
      .first()
      .waitFor();
    expect(await linkedCustomers(page, topName)).toEqual(byHistory.items.map((c) => c.customerId));

    const lapsed = await api<{ items: Ranked[] }>(token, '/customers/at-risk?limit=20');
    if (lapsed.items.length) expect(await linkedCustomers(page, 'Valuable customers probably lost')).toEqual(lapsed.items.map((c) => c.customerId));
    else await page.getByText('No customer in this list.').first().waitFor();

    await page.getByRole('button', { name: 'Train the churn model' }).click();
    const churnName = 'At risk of churning';
    // The list, or the error the training answered (shown, so a refusal fails here with its words).
    const refused = page.getByRole('region', { name: churnName }).getByRole('alert').filter({ hasText: 'Something went wrong' });
    await page.getByRole('table', { name: churnName }).or(refused).first().waitFor();
    expect(await refused.allTextContents()).toEqual([]);
    await page
      .getByRole('status')
      .getByText(/^Churn model version \d+ trained: hold-out AUC/)
      .waitFor();
    await page.getByText(/Churn model version \d+, trained/).waitFor();
    const churn = await api<{ items: { customerId: string; reasons: { label: string }[] }[] }>(token, '/models/churn/at-risk?limit=20');
    expect(await linkedCustomers(page, churnName)).toEqual(churn.items.map((c) => c.customerId));
    const firstRow = page.getByRole('table', { name: churnName }).getByRole('row').nth(1);
    // A reason's label may hold regex characters ("… (minor units of the reporting currency)").
    const label = churn.items[0]!.reasons[0]!.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await firstRow.getByText(new RegExp(`^${label}: `)).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-customers');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('fits a phone: the RFM grid and the scorecard scroll inside their containers, not the page', async () => {
    const { context, page } = await signedInPage(browser, token, '/analytics/rfm?r=5&f=1', { viewport: PHONE });
    await page.getByRole('table', { name: 'Recency × frequency' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Customers in R 5, F 1' }).waitFor();
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-rfm-phone');
    await page.goto(`${crmUnderTest().url}/analytics`);
    await page.getByRole('heading', { level: 2, name: 'Learning and growth' }).waitFor();
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'analytics-kpis-phone');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('another department may read analytics but not train the churn model; a partner gets the refusal shown, not a crash', async () => {
    const sales = await staffToken({ department: 'sales', subject: 'dewi.sales' });
    const staff = await signedInPage(browser, sales, '/analytics/customers');
    await staff.page.getByRole('table', { name: 'Most valuable customers' }).waitFor();
    await staff.page.getByRole('heading', { level: 2, name: 'At risk of churning' }).waitFor();
    await expect(staff.page.getByRole('button', { name: 'Train the churn model' }).count()).resolves.toBe(0);
    const refused = await fetch(`${crmUnderTest().url}/api/analytics/models/churn/train`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sales}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    await staff.context.close();

    const bulk = JSON.parse(fs.readFileSync(path.join(crmUnderTest().dataDir, 'demo-data.json'), 'utf8')) as { partners: { distributor: string } };
    const admin = await staffToken({ department: 'management', subject: 'admin', roles: ['admin'] });
    const issued = await fetch(`${crmUnderTest().url}/api/partner-portal/partners/${bulk.partners.distributor}/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(issued.status).toBe(201);
    const { clientId, clientSecret } = (await issued.json()) as { clientId: string; clientSecret: string };
    const partner = await partnerToken(clientId, clientSecret);
    const { context, page } = await signedInPage(browser, partner, '/analytics', { method: 'partner' });
    const alert = page.getByRole('alert');
    await alert.waitFor();
    // The CRM's own reason (problem+json detail of the 403), with a way to try again.
    await expect(alert.textContent()).resolves.toMatch(/this operation is for staff users/);
    await alert.getByRole('button', { name: 'Try again' }).waitFor();
    await expect(page.getByRole('link', { name: 'Analytics' }).count()).resolves.toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
