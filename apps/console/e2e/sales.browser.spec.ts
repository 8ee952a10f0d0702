import type { Browser, Page } from 'playwright-core';
import { crmUnderTest } from './support/crm-under-test';
import { axeViolations, launchBrowser, pageErrorsOf, PHONE, screenshot, signedInPage, staffToken } from './support/browser';

/** The sales API as a test reads and prepares it (the same routes the pages call). */
async function api<T = unknown>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${crmUnderTest().url}/api/sales${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface Opportunity {
  opportunityId: string;
  customerId: string;
  stage: string;
  status: string;
  stageHistory: { from?: string; to: string; backward?: boolean; reason?: string }[];
  closed: { outcome: string; reason?: string } | null;
}

let customers: string[] = [];
async function customerId(i: number): Promise<string> {
  if (!customers.length) {
    const token = await staffToken({ department: 'sales', subject: 'e2e.reader' });
    customers = (await api<{ items: { customerId: string }[] }>(token, 'GET', '/customers?limit=20&sort=name')).items.map((c) => c.customerId);
  }
  return customers[i % customers.length]!;
}

/** A new opportunity of `owner` (a user of its own, so the board's "Mine" shows only what the test made). */
async function openOpportunity(token: string, name: string, stage: string, i = 0): Promise<string> {
  const customer = await customerId(i);
  const r = await api<{ episodeId: string }>(token, 'POST', '/opportunities', {
    customerId: customer,
    name,
    stage,
    amount: 4_250_000,
    currency: 'EUR',
    expectedCloseDate: '2027-03-31',
  });
  // The pages list opportunities from a read model: wait until it has this one.
  const listed = await eventually(
    () => api<{ items: { opportunityId: string }[] }>(token, 'GET', `/opportunities?customerId=${customer}&limit=200`),
    (page) => page.items.some((o) => o.opportunityId === r.episodeId),
  );
  if (!listed.items.some((o) => o.opportunityId === r.episodeId)) throw new Error(`opportunity ${r.episodeId} never listed`);
  return r.episodeId;
}

const opportunity = (token: string, id: string) => api<Opportunity>(token, 'GET', `/opportunities/${id}`);

/** Polls the CRM until `check` holds (the page's command is asynchronous to the test). */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 100; i++) {
    last = await read();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last!;
}

const column = (page: Page, stage: string) => page.getByRole('region', { name: stage, exact: true });

describe('sales pages', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('pipeline board: a card dragged forward with the mouse moves to that stage in the CRM', async () => {
    const token = await staffToken({ department: 'sales', subject: 'board.mouse' });
    const id = await openOpportunity(token, 'Mouse drag fleet', 'needs-identification');
    const { context, page } = await signedInPage(browser, token, '/sales/pipeline');
    await page.getByRole('heading', { level: 1, name: 'Pipeline' }).waitFor();
    await column(page, 'Needs identification').getByRole('link', { name: 'Mouse drag fleet' }).waitFor();
    // The card shows its customer, its value formatted from minor units, and its owner.
    const card = page.getByRole('article', { name: 'Mouse drag fleet' });
    await expect(card.textContent()).resolves.toMatch(/€42,500\.00.*Owner: board\.mouse/);

    const handle = page.getByRole('button', { name: 'Drag Mouse drag fleet to another stage' });
    const from = (await handle.boundingBox())!;
    const to = (await column(page, 'Specification development').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + 30, from.y + 10, { steps: 5 });
    await page.mouse.move(to.x + to.width / 2, to.y + 80, { steps: 15 });
    await page.mouse.up();

    await column(page, 'Specification development').getByRole('link', { name: 'Mouse drag fleet' }).waitFor();
    await page.getByText('Mouse drag fleet moved to Specification development').waitFor();
    const stored = await eventually(
      () => opportunity(token, id),
      (o) => o.stage === 'specification-development',
    );
    expect(stored.stage).toBe('specification-development');
    expect(stored.stageHistory.at(-1)).toMatchObject({ from: 'needs-identification', to: 'specification-development' });

    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sales-pipeline');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('pipeline board: a backward move with the keyboard asks for the reason; "Move to…" is the non-drag alternative; a refusal puts the card back', async () => {
    const token = await staffToken({ department: 'sales', subject: 'board.keys' });
    const id = await openOpportunity(token, 'Keyboard fleet', 'proposal-creation', 1);
    const refused = await openOpportunity(token, 'Closed meanwhile', 'lead-qualification', 2);
    const { context, page } = await signedInPage(browser, token, '/sales/pipeline');
    await column(page, 'Proposal creation').getByRole('link', { name: 'Keyboard fleet' }).waitFor();

    // Closed by someone else after the board was read: the CRM refuses the move (422), the page says so, the card goes back.
    await api(token, 'POST', `/opportunities/${refused}/close`, { outcome: 'lost', reason: 'no budget' });
    await page.getByRole('button', { name: 'Move Closed meanwhile to…' }).click();
    await page.getByRole('menuitem', { name: 'Needs identification' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The CRM refused the move' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/closed/i);
    await column(page, 'Lead qualification').getByRole('link', { name: 'Closed meanwhile' }).waitFor();
    expect((await opportunity(token, refused)).stage).toBe('lead-qualification');

    // Space picks the card up, the left arrow carries it to the previous stage, Space drops it.
    // Picked up: dnd-kit marks the handle pressed while the card is carried.
    const handle = page.getByRole('button', { name: 'Drag Keyboard fleet to another stage' });
    await handle.focus();
    await page.keyboard.press('Space');
    await page.locator('[aria-pressed="true"][aria-roledescription="draggable"]').waitFor();
    await page.keyboard.press('ArrowLeft');
    // Drop only once the card is over the previous stage (dnd-kit announces it), however fast the machine.
    await page.getByText('Keyboard fleet is over stage Specification development.').waitFor({ state: 'attached' });
    await page.keyboard.press('Space');
    const dialog = page.getByRole('dialog', { name: 'Move back to Specification development' });
    await dialog.waitFor();
    const submit = dialog.getByRole('button', { name: 'Move back' });
    expect(await submit.isDisabled()).toBe(true);
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('the buyer asked for a new specification');
    await submit.click();
    await column(page, 'Specification development').getByRole('link', { name: 'Keyboard fleet' }).waitFor();
    const back = await eventually(
      () => opportunity(token, id),
      (o) => o.stage === 'specification-development',
    );
    expect(back.stageHistory.at(-1)).toMatchObject({
      from: 'proposal-creation',
      to: 'specification-development',
      backward: true,
      reason: 'the buyer asked for a new specification',
    });

    // The menu moves it forward without dragging.
    await page.getByRole('button', { name: 'Move Keyboard fleet to…' }).click();
    await page.getByRole('menuitem', { name: 'Closing' }).click();
    await column(page, 'Closing').getByRole('link', { name: 'Keyboard fleet' }).waitFor();
    expect(
      (
        await eventually(
          () => opportunity(token, id),
          (o) => o.stage === 'closing',
        )
      ).stage,
    ).toBe('closing');

    expect(await axeViolations(page)).toEqual([]);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('pipeline board fits a phone: columns stack, the "Move to…" menu works by touch', async () => {
    const token = await staffToken({ department: 'sales', subject: 'board.phone' });
    const id = await openOpportunity(token, 'Phone fleet', 'lead-generation', 3);
    const { context, page } = await signedInPage(browser, token, '/sales/pipeline', { viewport: PHONE });
    await column(page, 'Lead generation').getByRole('link', { name: 'Phone fleet' }).waitFor();
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Move Phone fleet to…' }).click();
    await page.getByRole('menuitem', { name: 'Lead qualification' }).click();
    await column(page, 'Lead qualification').getByRole('link', { name: 'Phone fleet' }).waitFor();
    expect(
      (
        await eventually(
          () => opportunity(token, id),
          (o) => o.stage === 'lead-qualification',
        )
      ).stage,
    ).toBe('lead-qualification');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sales-pipeline-phone');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('opportunity page: details, stage history with the reason of a move back, a link to the customer, closed won with a reason', async () => {
    const token = await staffToken({ department: 'sales', subject: 'opp.page' });
    const id = await openOpportunity(token, 'Depot vans', 'proposal-presentation', 4);
    await api(token, 'POST', `/opportunities/${id}/stage`, { stage: 'proposal-creation', reason: 'a second buyer joined' });
    await api(token, 'POST', `/opportunities/${id}/interactions`, {
      channel: 'phone',
      direction: 'outbound',
      action: 'called the buyer',
      response: 'wants a revised proposal',
    });
    const { context, page } = await signedInPage(browser, token, `/sales/opportunities/${id}`);
    await page.getByRole('heading', { level: 1, name: 'Opportunity Depot vans' }).waitFor();
    await page.getByRole('cell', { name: 'a second buyer joined' }).waitFor();
    await page.getByText('called the buyer').waitFor();
    const customer = (await opportunity(token, id)).customerId;
    expect(await page.getByRole('link', { name: 'Open the customer' }).getAttribute('href')).toBe(`/customers/${customer}`);

    await page.getByRole('button', { name: 'Close as won' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Why' }).fill('best delivery time');
    await dialog.getByRole('button', { name: 'Close as won' }).click();
    await page.getByRole('status').filter({ hasText: 'Closed Won' }).waitFor();
    const stored = await opportunity(token, id);
    expect(stored.status).toBe('won');
    expect(stored.closed).toMatchObject({ outcome: 'won', reason: 'best delivery time' });
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sales-opportunity');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('activities due today: mine, overdue first; completing one records it', async () => {
    const token = await staffToken({ department: 'sales', subject: 'act.user' });
    const opp = await openOpportunity(token, 'Activity fleet', 'needs-identification', 5);
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const late = new Date(Date.now() - 3_600_000).toISOString();
    const { activityId } = await api<{ activityId: string }>(token, 'POST', '/activities', {
      kind: 'call',
      episodeId: opp,
      subject: 'Call about the budget',
      dueAt: soon,
    });
    await api(token, 'POST', '/activities', { kind: 'email', episodeId: opp, subject: 'Send the brochure', dueAt: late });
    await eventually(
      () => api<{ items: unknown[] }>(token, 'GET', '/activities/due'),
      (due) => due.items.length === 2,
    );
    const { context, page } = await signedInPage(browser, token, '/sales/activities');
    await page.getByRole('heading', { level: 1, name: 'Activities due' }).waitFor();
    const rows = page.getByRole('row');
    await rows.filter({ hasText: 'Call about the budget' }).waitFor();
    await expect(rows.filter({ hasText: 'Send the brochure' }).textContent()).resolves.toMatch(/Overdue/);
    expect(await rows.nth(1).textContent()).toMatch(/Send the brochure/);

    await page.getByRole('button', { name: 'Complete Call about the budget' }).click();
    const dialog = page.getByRole('dialog', { name: 'Complete Call about the budget' });
    await dialog.getByRole('textbox', { name: 'What came back (the customer’s response)' }).fill('budget confirmed');
    await dialog.getByRole('button', { name: 'Complete' }).click();
    await rows.filter({ hasText: 'Call about the budget' }).waitFor({ state: 'detached' });
    const done = await api<{ status: string }>(token, 'GET', `/activities/${activityId}`);
    expect(done.status).toBe('completed');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sales-activities');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('quote builder: a configuration error explained at its line, fixed, saved; the PDF preview; sent', async () => {
    const token = await staffToken({ department: 'sales', subject: 'quote.builder' });
    const opp = await openOpportunity(token, 'Quoted vans', 'proposal-creation', 6);
    const { context, page } = await signedInPage(browser, token, `/sales/opportunities/${opp}`);
    await page.getByRole('heading', { level: 1, name: 'Opportunity Quoted vans' }).waitFor();
    await page.getByRole('main').getByRole('link', { name: 'New quote' }).click();
    await page.getByRole('heading', { level: 1, name: 'New quote' }).waitFor();
    // The opportunity it came from is picked, with its customer.
    const picked = page.getByRole('combobox', { name: 'Opportunity' });
    expect(
      await eventually(
        () => picked.inputValue(),
        (v) => v === 'Quoted vans',
      ),
    ).toBe('Quoted vans');

    // The warranty alone breaks its rule: it requires the van.
    await page.getByRole('combobox', { name: 'Product of line 1' }).click();
    await page.getByRole('option', { name: 'WAR-3 — Extended warranty, 3 years' }).click();
    await page.getByRole('button', { name: 'Check the configuration' }).click();
    await page.getByText('The configuration breaks 1 rule(s): see the lines.').waitFor();
    const line1 = page.getByRole('combobox', { name: 'Product of line 1' });
    expect(await line1.getAttribute('aria-invalid')).toBe('true');
    await page.getByText(/WAR-3 requires VAN-1/).waitFor();

    await page.getByRole('button', { name: 'Add a line' }).click();
    await page.getByRole('combobox', { name: 'Product of line 2' }).click();
    await page.getByRole('option', { name: 'VAN-1 — Delivery van 3.5 t' }).click();
    await page.getByRole('textbox', { name: 'Quantity of line 2' }).fill('2');
    await page.getByRole('textbox', { name: 'Discount % of line 2' }).fill('5');
    await page.getByRole('button', { name: 'Check the configuration' }).click();
    await page.getByText('The configuration is valid.').waitFor();
    expect(await line1.getAttribute('aria-invalid')).not.toBe('true');

    const pdf = page.waitForResponse((r) => /\/api\/sales\/quotes\/[0-9a-f-]+\/document/.test(r.url()));
    await page.getByRole('button', { name: 'Save the quote' }).click();
    await page.waitForURL(/\/sales\/quotes\/[0-9a-f-]{36}$/);
    const quoteId = page.url().split('/').pop()!;
    const document = await pdf;
    expect(document.status()).toBe(200);
    expect(document.headers()['content-type']).toMatch(/^application\/pdf/);
    const frame = page.getByTitle(/^Quote [0-9a-f]{8}, version 1, as a PDF$/);
    await frame.waitFor();
    const src = (await frame.getAttribute('src'))!;
    expect(src).toMatch(/^blob:/);
    const loaded = await page.evaluate(async (url) => {
      const blob = await (await fetch(url)).blob();
      const head = new TextDecoder().decode(await blob.slice(0, 5).arrayBuffer());
      return { type: blob.type, size: blob.size, head };
    }, src);
    expect(loaded).toMatchObject({ type: 'application/pdf', head: '%PDF-' });
    expect(loaded.size).toBeGreaterThan(500);
    await page.getByRole('link', { name: 'Download the PDF' }).waitFor();

    const saved = await api<{ status: string; version: { lines: { sku: string; quantity: number; discountBasisPoints: number }[] } }>(
      token,
      'GET',
      `/quotes/${quoteId}`,
    );
    expect(saved.status).toBe('draft');
    expect(saved.version.lines.map((l) => [l.sku, l.quantity, l.discountBasisPoints])).toEqual([
      ['WAR-3', 1, 0],
      ['VAN-1', 2, 500],
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sales-quote');

    await page.getByRole('button', { name: 'Send to the customer' }).click();
    await page.getByText('Quote sent').waitFor();
    expect(
      await eventually(
        () => page.getByTestId('quote-status').textContent(),
        (status) => status === 'Sent',
      ),
    ).toBe('Sent');
    expect((await api<{ status: string }>(token, 'GET', `/quotes/${quoteId}`)).status).toBe('sent');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('forecast: the chart of the categories by period with the targets line, and the attainment', async () => {
    const token = await staffToken({ department: 'sales', subject: 'sari.sales' });
    const { context, page } = await signedInPage(browser, token, '/sales/forecast');
    await page.getByRole('heading', { level: 1, name: 'Forecast' }).waitFor();
    const chart = page.getByRole('img', { name: 'Bar chart of the forecast categories by period, with the sales target as a line' });
    await chart.locator('.recharts-bar-rectangle').first().waitFor();
    // The targets line (flat where every quarter has the same target: zero height, so "attached" rather than visible).
    const line = chart.locator('path.recharts-line-curve').first();
    await line.waitFor({ state: 'attached' });
    expect(await line.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+/);
    for (const legend of ['Pipeline', 'Best case', 'Commit', 'Closed (won)', 'Target']) await chart.getByText(legend, { exact: true }).waitFor();
    // The seeded targets of the quarters (three users) are the line and the table's last column.
    const seeded = (crmUnderTest().seed['sales'] as { targetPeriods: string[] }).targetPeriods;
    const year = new Date().getUTCFullYear();
    expect(seeded).toContain(`${year}-Q1`);
    await page.getByRole('row', { name: new RegExp(`^${year}-Q1 .*€630,000\\.00$`) }).waitFor();
    const attainment = page.getByRole('heading', { name: /^Attainment in / });
    await attainment.waitFor();
    await page.getByRole('cell', { name: /sari\.sales/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sales-forecast');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a marketing staff member opening the pipeline sees the CRM’s refusal, not a crash', async () => {
    const token = await staffToken({ department: 'marketing', subject: 'maya.marketing' });
    const { context, page } = await signedInPage(browser, token, '/sales/pipeline');
    await page.getByRole('heading', { level: 1, name: 'Pipeline' }).waitFor();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/this operation is for staff of sales or management/);
    expect(await page.getByRole('link', { name: 'Sales' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
