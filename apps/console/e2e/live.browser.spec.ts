import type { Browser, Page } from 'playwright-core';
import { crmUnderTest } from './support/crm-under-test';
import { axeViolations, launchBrowser, pageErrorsOf, partnerToken, PHONE, screenshot, signedInPage, staffToken } from './support/browser';

// Live updates (issue 16 "Live"): the live timeline view (/live/customers/:id) shows a customer's
// latest interactions and refreshes when the CRM streams a change — an interaction recorded through
// the API while the page is open appears without a reload; for staff and for a partner, who sees only
// customers shared with it.
describe('live timeline', () => {
  let browser: Browser;
  let staff = '';
  let management = '';

  const api = async <T = Record<string, unknown>>(service: string, method: string, url: string, token: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${crmUnderTest().url}/api/${service}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  const customerWithOpportunity = async (name: string) => {
    const { customerId } = await api<{ customerId: string }>('sales', 'POST', '/customers', staff, { kind: 'organisation', name });
    const { episodeId } = await api<{ episodeId: string }>('sales', 'POST', '/opportunities', staff, { customerId, name: `${name} renewal` });
    return { customerId, episodeId };
  };
  const record = (episodeId: string, action: string) =>
    api('sales', 'POST', `/opportunities/${episodeId}/interactions`, staff, { channel: 'phone', direction: 'outbound', action, response: 'call back Friday' });
  /** Marks the document: still there after the row appeared means it came without a reload. */
  const mark = (page: Page) => page.evaluate(() => ((globalThis as unknown as { liveMark: string }).liveMark = 'same document'));
  const marked = (page: Page) => page.evaluate(() => (globalThis as unknown as { liveMark?: string }).liveMark);
  const live = (page: Page) => page.getByRole('status', { name: 'Live updates: Live' }).waitFor();

  beforeAll(async () => {
    browser = await launchBrowser();
    staff = await staffToken({ department: 'sales', subject: 'live.sales' });
    management = await staffToken({ department: 'management', subject: 'live.admin', roles: ['admin'] });
  });
  afterAll(() => browser?.close());

  it('staff: an interaction recorded while the page is open appears without a reload', async () => {
    const { customerId, episodeId } = await customerWithOpportunity('PT Siaran Langsung');
    const { context, page } = await signedInPage(browser, staff, `/live/customers/${customerId}`);
    await page.getByRole('heading', { level: 1, name: 'Live timeline' }).waitFor();
    await live(page);
    await page.getByText('No interactions yet.', { exact: false }).waitFor();
    await mark(page);

    await record(episodeId, 'Asked about the fleet size');
    const table = page.getByRole('table', { name: 'Latest interactions' });
    await table.getByRole('cell', { name: 'Asked about the fleet size' }).waitFor();
    await record(episodeId, 'Sent the price list');
    await table.getByRole('cell', { name: 'Sent the price list' }).waitFor();
    // newest first
    const actions = await table.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(actions).toEqual(['Sent the price list', 'Asked about the fleet size']);
    expect(await marked(page)).toBe('same document');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'live-timeline');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('fits a phone: the live view and its table scroll inside the page', async () => {
    const { customerId, episodeId } = await customerWithOpportunity('CV Ponsel Kecil');
    await record(episodeId, 'Visited the warehouse');
    const { context, page } = await signedInPage(browser, staff, `/live/customers/${customerId}`, { viewport: PHONE });
    await live(page);
    await page.getByRole('cell', { name: 'Visited the warehouse' }).waitFor();
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'live-timeline-phone');
    await context.close();
  });

  it('a partner sees a shared customer live; a customer not shared with it is not found', async () => {
    const shared = await customerWithOpportunity('PT Mitra Berbagi');
    const notShared = await customerWithOpportunity('PT Bukan Milikmu');
    const { partnerId } = await api<{ partnerId: string }>('partner-portal', 'POST', '/partners', management, {
      name: 'Live Distributor',
      partnerKind: 'distributor',
    });
    const credential = await api<{ clientId: string; clientSecret: string }>('partner-portal', 'POST', `/partners/${partnerId}/credentials`, management);
    await api('partner-portal', 'POST', `/partners/${partnerId}/shares`, management, { customerId: shared.customerId });
    const token = await partnerToken(credential.clientId, credential.clientSecret);
    // the share is in the portal's read model
    for (let i = 0; i < 200; i++) {
      const r = await fetch(`${crmUnderTest().url}/api/partner-portal/customers/${shared.customerId}`, { headers: { authorization: `Bearer ${token}` } });
      if (r.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const { context, page } = await signedInPage(browser, token, `/live/customers/${shared.customerId}`, { method: 'partner' });
    await live(page);
    await page.getByText('The latest interactions with PT Mitra Berbagi', { exact: false }).waitFor();
    await mark(page);
    await record(shared.episodeId, 'Agreed the delivery date');
    await page.getByRole('cell', { name: 'Agreed the delivery date' }).waitFor();
    expect(await marked(page)).toBe('same document');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'live-timeline-partner');

    await page.goto(`${crmUnderTest().url}/live/customers/${notShared.customerId}`);
    await page.getByRole('alert').filter({ hasText: 'does not exist or is not shared with you' }).waitFor();
    expect(await page.getByText('PT Bukan Milikmu').count()).toBe(0);
    expect(await page.getByRole('status', { name: 'Live updates: Live' }).count()).toBe(0);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
