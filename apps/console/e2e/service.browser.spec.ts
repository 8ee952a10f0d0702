import type { Browser, Page } from 'playwright-core';
import { crmUnderTest } from './support/crm-under-test';
import { axeViolations, launchBrowser, pageErrorsOf, partnerToken, PHONE, screenshot, signedInPage, staffToken } from './support/browser';

interface ServiceSeed {
  teams: string[];
  queue: Record<'breached' | 'dueSoon' | 'urgentFine' | 'normal' | 'emailBreached' | 'low' | 'repairs', string>;
  held: Record<'ayu' | 'citra', string>;
  resolved: string[];
  returns: Record<string, string>;
  repairerPartnerId: string;
}
const seed = () => crmUnderTest().seed['service'] as ServiceSeed;
const PRIORITY_RANK: Record<string, number> = { urgent: 3, high: 2, normal: 1, low: 0 };

async function api<T>(token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const r = await fetch(`${crmUnderTest().url}/api${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Picks an option of a labelled select (Mantine's combobox) with the keyboard-free path a mouse user takes. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function noHorizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
}

describe('service: queues, cases, returns, contact-centre dashboard', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('an agent works a case from the team queue: ordered by priority with live SLA countdowns, takes it, replies by e-mail, resolves it and it leaves the open queue', async () => {
    const s = seed();
    const token = await staffToken({ department: 'service', subject: 'rina.agent' });
    const { context, page } = await signedInPage(browser, token, '/service/queue');
    await page.getByRole('heading', { level: 1, name: 'Team queue' }).waitFor();
    const rowOf = (id: string) => page.locator(`tr[data-case-id="${id}"]`);
    await rowOf(s.queue.breached)
      .getByText(/breached .* ago/)
      .waitFor();
    await rowOf(s.queue.dueSoon)
      .getByText(/First response: \d+ min \d+ s left/)
      .waitFor();

    // Priority first (urgent … low), then the nearest due time: the breached urgent case before the fresh urgent one.
    const priorities = await page
      .locator('tbody tr[data-case-id]')
      .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { priority: string } }).dataset.priority));
    const ranks = priorities.map((p) => PRIORITY_RANK[p]!);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const ids = await page
      .locator('tbody tr[data-case-id]')
      .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { caseId: string } }).dataset.caseId));
    expect(ids.indexOf(s.queue.breached)).toBeLessThan(ids.indexOf(s.queue.urgentFine));
    expect(await rowOf(s.queue.breached).locator('[data-sla-state="breached"]').count()).toBe(1);

    // The countdown ticks in the page.
    const before = await rowOf(s.queue.dueSoon).locator('time').textContent();
    await page.waitForFunction(
      ([sel, text]) =>
        (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(sel)?.textContent !== text,
      [`tr[data-case-id="${s.queue.dueSoon}"] time`, before] as const,
    );
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'service-queue');

    const name = 'Router drops the connection every hour';
    await page.getByRole('button', { name: `Take case ${name}` }).click();
    await page.getByText(`You took the case “${name}”.`).waitFor();
    await rowOf(s.queue.dueSoon).waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'My queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'My queue' }).waitFor();
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name: `Case: ${name}` }).waitFor();

    const text = `Please restart the router after the firmware update (${Date.now()}).`;
    await page.getByRole('textbox', { name: 'Reply' }).fill(text);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText(/Reply sent to .*@/).waitFor();
    await page.getByRole('region', { name: 'Interactions' }).getByText(text, { exact: false }).waitFor();
    const stored = await api<{ interactions: { channel: string; direction: string; action: string; response?: string }[]; assigneeId: string }>(
      token,
      `/service/cases/${s.queue.dueSoon}`,
    );
    expect(stored.body.assigneeId).toBe('rina.agent');
    expect(stored.body.interactions.some((i) => i.channel === 'email' && i.direction === 'outbound' && `${i.action} ${i.response ?? ''}`.includes(text))).toBe(
      true,
    );
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'service-case');

    await page.getByRole('textbox', { name: 'How it was resolved' }).fill('firmware update fixed it');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('The case is resolved.').waitFor();
    await page.getByText('Resolved', { exact: true }).first().waitFor();

    await page.getByRole('link', { name: 'My queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'My queue' }).waitFor();
    await page.getByText('No case matches these filters.').waitFor();
    const mine = await api<{ items: { caseId: string }[] }>(
      token,
      `/service/cases?assignee=me&status=new,assigned,in-progress,waiting-on-customer,waiting-on-partner,reopened`,
    );
    expect(mine.body.items.map((c) => c.caseId)).not.toContain(s.queue.dueSoon);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('fits a phone: my queue with its countdowns, no page-wide horizontal scrolling', async () => {
    const token = await staffToken({ department: 'service', subject: 'ayu' });
    const { context, page } = await signedInPage(browser, token, '/service/my-queue', { viewport: PHONE });
    await page.getByRole('heading', { level: 1, name: 'My queue' }).waitFor();
    await page
      .locator(`tr[data-case-id="${seed().held.ayu}"]`)
      .getByText(/First response|Resolution/)
      .first()
      .waitFor();
    expect(await noHorizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'service-queue-phone');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('authorises a return, records its arrival and gives the repair to a service provider', async () => {
    const s = seed();
    const id = s.returns['requestedForTest']!;
    const token = await staffToken({ department: 'service', subject: 'rina.agent' });
    const { context, page } = await signedInPage(browser, token, '/service/returns');
    await page.getByRole('heading', { level: 1, name: 'Returns and repairs' }).waitFor();
    const row = page.locator(`tr[data-return-id="${id}"]`);
    await row.getByText('Requested').waitFor();
    expect(await page.locator('tbody tr[data-return-id]').count()).toBeGreaterThanOrEqual(10);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'service-returns');
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Return (not authorised yet)' }).waitFor();

    await choose(page, 'If out of warranty', 'Goodwill');
    await page.getByRole('button', { name: 'Authorise', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /^Return RMA-\d{4}-[0-9A-F]{8}$/ }).waitFor();

    await choose(page, 'Leg', 'To us');
    await choose(page, 'State', 'Delivered');
    await page.getByRole('textbox', { name: 'Carrier' }).fill('JNE');
    await page.getByRole('button', { name: 'Record shipment' }).click();
    await page.getByText('Shipment recorded.').waitFor();
    // The next command carries the return's revision as If-Match: wait until the page shows the recorded leg.
    await page.getByRole('cell', { name: 'JNE' }).first().waitFor();

    await page.getByRole('textbox', { name: 'Service-provider partner id' }).fill(s.repairerPartnerId);
    await page.getByRole('button', { name: 'Record the repair' }).click();
    await page.getByText(`The repair is with partner ${s.repairerPartnerId}.`).waitFor();
    await page.getByText(/With partner .*: Assigned/).waitFor();

    const stored = await api<{ status: string; rmaNumber: string; repair: { partnerId: string; status: string }; legs: Record<string, { state: string }> }>(
      token,
      `/service/returns/${id}`,
    );
    expect(stored.body).toMatchObject({
      status: 'received',
      repair: { partnerId: s.repairerPartnerId, status: 'assigned' },
      legs: { 'to-company': { state: 'delivered' } },
    });
    expect(stored.body.rmaNumber).toMatch(/^RMA-/);
    expect(await axeViolations(page)).toEqual([]);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('the contact-centre dashboard charts first-contact resolution, SLA attainment and the teams’ efficiency frontier', async () => {
    const token = await staffToken({ department: 'management', subject: 'mira.manager', roles: ['manager'] });
    // Analytics reads the service's events through its own projection: wait until it has the seeded teams.
    for (let i = 0; i < 60; i++) {
      const e = await api<{ units?: unknown[] }>(token, '/analytics/contact-centre/efficiency');
      if ((e.body.units?.length ?? 0) >= 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const { context, page } = await signedInPage(browser, token, '/service/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Contact-centre dashboard' }).waitFor();
    for (const chart of ['fcr', 'attainment', 'efficiency']) await page.locator(`[data-chart="${chart}"] .recharts-surface`).first().waitFor();
    expect(await page.locator('[data-chart="efficiency"] .recharts-symbols').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('tr[data-efficient="true"]').count()).toBeGreaterThanOrEqual(1);
    await page.getByRole('cell', { name: 'phones' }).first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'service-dashboard');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a partner is refused the queue, and marketing may read cases but not take one: the CRM’s refusal is shown, the page does not crash', async () => {
    const s = seed();
    const management = await staffToken({ department: 'management', subject: 'mira.manager', roles: ['admin'] });
    const credential = await api<{ clientId: string; clientSecret: string }>(management, `/partner-portal/partners/${s.repairerPartnerId}/credentials`, {
      method: 'POST',
    });
    expect(credential.status).toBe(201);
    const partner = await partnerToken(credential.body.clientId, credential.body.clientSecret);
    const p = await signedInPage(browser, partner, '/service/queue', { method: 'partner' });
    await p.page.getByRole('heading', { level: 1, name: 'Team queue' }).waitFor();
    await p.page.getByRole('alert').filter({ hasText: 'Something went wrong' }).first().waitFor();
    expect(await p.page.locator('tr[data-case-id]').count()).toBe(0);
    expect(pageErrorsOf(p.page)).toEqual([]);
    await p.context.close();

    const marketing = await staffToken({ department: 'marketing', subject: 'maya.marketing' });
    const m = await signedInPage(browser, marketing, '/service/queue');
    await m.page.locator(`tr[data-case-id="${s.queue.urgentFine}"]`).waitFor();
    await m.page.getByRole('alert').filter({ hasText: 'Something went wrong' }).first().waitFor();
    await m.page.getByRole('button', { name: 'Take case Screen flickers on the new tablet' }).click();
    await m.page
      .locator('.mantine-Notification-root')
      .filter({ hasText: /403|may not|forbidden|not allowed|service/i })
      .waitFor();
    const still = await api<{ assigneeId: string | null }>(marketing, `/service/cases/${s.queue.urgentFine}`);
    expect(still.body.assigneeId).toBeNull();
    expect(pageErrorsOf(m.page)).toEqual([]);
    await m.context.close();
  });
});
