import type { Browser, Page } from 'playwright-core';
import { crmUnderTest } from './support/crm-under-test';
import { axeViolations, launchBrowser, pageErrorsOf, PHONE, screenshot, signedInPage, staffToken } from './support/browser';

interface MarketingSeed {
  finishedCampaignId: string;
  segmentIds: Record<string, string>;
  consentCustomerIds: { emailOffers: string[]; withdrawn: string[] };
}

async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${crmUnderTest().url}/api/marketing${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const preview = async (token: string, rule: unknown) => (await api<{ count: number }>(token, 'POST', '/segments/preview', { rule })).body.count;

async function pick(page: Page, label: string, option: string): Promise<void> {
  // A MultiSelect stays open after a pick: click its field only when its list is closed (a click would close it).
  const choice = page.getByRole('option', { name: option, exact: true });
  if (!(await choice.isVisible())) await page.getByRole('combobox', { name: label, exact: true }).click({ force: true });
  await choice.click();
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const noHorizontalScroll = (page: Page) =>
  page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return d.scrollWidth <= d.clientWidth;
  });

describe('marketing: segments, campaigns, statistics and consent', () => {
  let browser: Browser;
  let token: string;
  let seed: MarketingSeed;
  let segmentId: string;
  const segmentName = `Regulars with e-mail offers ${Date.now().toString(36)}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    token = await staffToken({ department: 'marketing', subject: 'mira.browser' });
    seed = crmUnderTest().seed['marketing'] as MarketingSeed;
  });
  afterAll(() => browser?.close());

  it('builds a segment rule by rule, the live count following each change, and saves it', async () => {
    const { context, page } = await signedInPage(browser, token, '/marketing/segments/new');
    await page.getByRole('heading', { level: 1, name: 'New segment' }).waitFor();
    await page.getByLabel('Segment name').fill(segmentName);

    // Rule 1: the journey stage.
    const stages = { journeyStage: { in: ['repeat-customer', 'loyal-customer'] } };
    const one = await preview(token, { all: [stages] });
    await pick(page, 'Values of rule 1', 'Repeat customer');
    await pick(page, 'Values of rule 1', 'Loyal customer');
    await page.keyboard.press('Escape');
    await page
      .getByTestId('segment-count')
      .filter({ hasText: `${one} customers match` })
      .waitFor();

    // Rule 2: consent to e-mail offers narrows it.
    const consent = { consent: { channel: 'email', purpose: 'offers' } };
    const two = await preview(token, { all: [stages, consent] });
    expect(two).toBeLessThan(one);
    await page.getByRole('button', { name: 'Add rule' }).click();
    await pick(page, 'Criterion of rule 2', 'Consent');
    await pick(page, 'Channel of rule 2', 'E-mail');
    await page.getByLabel('Purpose of rule 2').fill('offers');
    await page
      .getByTestId('segment-count')
      .filter({ hasText: `${two} customers match` })
      .waitFor();

    // Rule 3, excluding: nobody with an interaction in the last 7 days; then removed again.
    const recent = { not: { interactions: { window: { lastDays: 7 } } } };
    const three = await preview(token, { all: [stages, consent, recent] });
    await page.getByRole('button', { name: 'Add rule' }).click();
    await pick(page, 'Criterion of rule 3', 'Last interaction');
    await page.getByLabel('In the last days (rule 3)').fill('7');
    await page.getByLabel('Exclude who matches rule 3').check();
    await page
      .getByTestId('segment-count')
      .filter({ hasText: `${three} customers match` })
      .waitFor();
    await page.getByRole('button', { name: 'Remove rule 3' }).click();
    await page
      .getByTestId('segment-count')
      .filter({ hasText: `${two} customers match` })
      .waitFor();

    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'marketing-segment');

    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.waitForURL(/\/marketing\/segments\/[0-9a-f-]{36}$/);
    segmentId = page.url().split('/').pop()!;
    const stored = await api<{ name: string; rule: unknown; segmentRevision: number }>(token, 'GET', `/segments/${segmentId}`);
    expect(stored.body).toMatchObject({ name: segmentName, rule: { all: [stages, consent] }, segmentRevision: 1 });

    // The members list fills once the membership processor evaluated the new segment.
    await until(
      () => api<{ items: unknown[] }>(token, 'GET', `/segments/${segmentId}/members?limit=20`),
      (r) => r.body.items.length === Math.min(two, 20),
      'the members',
    );
    await page.reload();
    const members = page.getByRole('table', { name: 'Members' });
    await members.getByRole('row').nth(1).waitFor();
    expect(await members.getByRole('row').count()).toBe(Math.min(two, 20) + 1);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('sets up an A/B campaign on the segment and starts it: the CRM runs it and sends its messages', async () => {
    const { context, page } = await signedInPage(browser, token, `/marketing/segments/${segmentId}`);
    await page.getByRole('link', { name: 'Create a campaign for this segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'New campaign' }).waitFor();
    const name = `Browser offer ${Date.now().toString(36)}`;
    await page.getByLabel('Campaign name').fill(name);
    // The segment comes preselected from the link once the segment list has loaded.
    await until(
      () => page.getByRole('combobox', { name: 'Target segment' }).inputValue(),
      (v) => v.includes(segmentName),
      'the segment preselected',
    );
    await page.getByLabel('Subject of variant a').fill('Spring offer for {{name}}');
    await page.getByLabel('Message text of variant a').fill('Hello {{name}}, 10 % off. Unsubscribe: {{unsubscribeUrl}}');
    await page.getByRole('button', { name: 'Add a variant' }).click();
    await page.getByLabel('Subject of variant b').fill('{{name}}, your spring gift');
    await page.getByLabel('Message text of variant b').fill('Hello {{name}}, a gift with your next order. Unsubscribe: {{unsubscribeUrl}}');
    await page.getByLabel('Hold-out control group (% of the audience)').fill('20');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create campaign' }).click();

    await page.waitForURL(/\/marketing\/campaigns\/[0-9a-f-]{36}$/);
    const campaignId = page.url().split('/').pop()!;
    await page.getByRole('heading', { level: 1, name: `Campaign: ${name}` }).waitFor();
    await page.getByText('Statistics appear once the campaign starts.').waitFor();
    await page.getByRole('button', { name: 'Start now' }).click();
    await page.getByLabel('Status: Running').waitFor();

    const running = await until(
      () =>
        api<{ status: string; audience: { kind: string; segmentId: string }; steps: { variants: unknown[] }[]; counts: { audience: number; sent: number } }>(
          token,
          'GET',
          `/campaigns/${campaignId}`,
        ),
      (r) => r.body.counts.sent > 0,
      'the first message',
    );
    expect(running.body).toMatchObject({ status: 'running', audience: { kind: 'segment', segmentId } });
    expect(running.body.steps[0]!.variants).toHaveLength(2);
    const messages = await api<{ items: { group: string; messages: { status: string; variantId?: string }[] }[] }>(
      token,
      'GET',
      `/campaigns/${campaignId}/messages?limit=100`,
    );
    expect(messages.body.items.length).toBe(running.body.counts.audience);
    expect(messages.body.items.some((r) => r.messages.some((m) => m.status === 'sent' && ['a', 'b'].includes(m.variantId ?? '')))).toBe(true);

    await page.getByRole('heading', { level: 2, name: 'Statistics' }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'marketing-campaign');

    // Pause, then close for good (the confirmation names it).
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByLabel('Status: Paused').waitFor();
    await page.getByRole('button', { name: 'Close campaign' }).click();
    await page.getByRole('dialog').getByLabel('Reason (optional)').fill('browser test done');
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByLabel('Status: Closed').waitFor();
    expect((await api<{ status: string }>(token, 'GET', `/campaigns/${campaignId}`)).body.status).toBe('closed');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it("shows a finished campaign's funnel and its variants against the control group, with the uplift's interval", async () => {
    const stats = (
      await api<{
        funnel: { sent: number; opened: number; clicked: number; responded: number };
        treated: { converted: { count: number } };
        byStep: { byVariant: { variantId: string; uplift?: { difference: number } }[] }[];
      }>(token, 'GET', `/campaigns/${seed.finishedCampaignId}/statistics`)
    ).body;
    expect(stats.funnel.opened).toBeGreaterThan(0);
    expect(stats.treated.converted.count).toBeGreaterThan(0);

    const { context, page } = await signedInPage(browser, token, '/marketing/campaigns');
    await page.getByRole('link', { name: 'Spring service offer' }).click();
    await page.getByRole('heading', { level: 1, name: 'Campaign: Spring service offer' }).waitFor();
    await page.getByLabel('Status: Closed').waitFor();
    const funnel = page.getByTestId('funnel-table');
    for (const [stage, n] of [
      ['Sent', stats.funnel.sent],
      ['Opened', stats.funnel.opened],
      ['Clicked', stats.funnel.clicked],
      ['Responded', stats.funnel.responded],
      ['Converted', stats.treated.converted.count],
    ] as const)
      await funnel.getByRole('row', { name: `${stage} ${n}`, exact: true }).waitFor();
    await page
      .getByRole('img', { name: /Campaign funnel/ })
      .locator('svg.recharts-surface')
      .first()
      .waitFor();

    const comparison = page.getByRole('table', { name: 'Variant comparison' });
    for (const v of stats.byStep[0]!.byVariant) {
      const row = comparison.getByRole('row', { name: new RegExp(`^${v.variantId} `) });
      await row.waitFor();
      if (v.uplift) await expect(row.textContent()).resolves.toMatch(/[+−-]?\d+(\.\d)?%\s*\[/);
    }
    await comparison.getByRole('row', { name: /^Control / }).waitFor();

    // Another confidence level: the intervals are asked for again.
    // Listen before picking: on a fast machine the answer comes before a later listener would start.
    const asked = page.waitForResponse((r) => r.url().includes('confidence=0.99') && r.ok());
    await pick(page, 'Confidence level', '99%');
    await asked;
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'marketing-statistics');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it("reads a customer's consent history, found by name, and records a withdrawal", async () => {
    const customerId = seed.consentCustomerIds.emailOffers[0]!;
    const customer = (await api<{ name: string }>(token, 'GET', `/customers/${customerId}`)).body;
    const { context, page } = await signedInPage(browser, token, '/marketing/consent');
    await page.getByRole('heading', { level: 1, name: 'Consent' }).waitFor();
    await page.getByRole('combobox', { name: 'Customer name' }).fill(customer.name);
    await page.getByRole('option', { name: customer.name }).first().click();
    await page.waitForURL(new RegExp(`/marketing/consent/${customerId}$`));
    await page.getByRole('heading', { level: 1, name: `Consent of ${customer.name}` }).waitFor();

    const history = page.getByRole('table', { name: 'Consent history' });
    const offers = history.getByRole('row').filter({ hasText: 'E-mail' }).filter({ hasText: 'offers' });
    await offers.filter({ hasText: 'Granted' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await pick(page, 'Channel to withdraw', 'E-mail');
    await page.getByLabel('Purpose to withdraw (empty: the whole channel)').fill('offers');
    await page.getByLabel('What the customer said').fill('asked on the phone to stop the offers');
    await page.getByRole('button', { name: 'Record withdrawal' }).click();
    await offers.filter({ hasText: 'Withdrawn' }).filter({ hasText: 'Staff' }).waitFor();
    // Newest first: the withdrawal just recorded heads the history.
    await expect(history.getByRole('row').nth(1).textContent()).resolves.toMatch(/E-mail.*offers.*Withdrawn.*Staff/);

    const consent = (
      await api<{ permissions: { channel: string; purpose: string; status: string; source: string }[] }>(token, 'GET', `/customers/${customerId}/consent`)
    ).body;
    expect(consent.permissions).toContainEqual(expect.objectContaining({ channel: 'email', purpose: 'offers', status: 'withdrawn', source: 'staff' }));
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('fits a phone: the segment builder and the campaign statistics without sideways scrolling', async () => {
    const { context, page } = await signedInPage(browser, token, `/marketing/segments/${seed.segmentIds['regulars']}`, { viewport: PHONE });
    await page.getByRole('heading', { level: 1, name: /^Segment: / }).waitFor();
    await page
      .getByTestId('segment-count')
      .filter({ hasText: /customers match/ })
      .waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'marketing-segment-phone');

    await page.goto(`${crmUnderTest().url}/marketing/campaigns/${seed.finishedCampaignId}`);
    await page.getByRole('table', { name: 'Variant comparison' }).waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it("a sales agent who opens the segment builder sees the CRM's refusal, not a crash", async () => {
    const sales = await staffToken({ department: 'sales', subject: 'dewi.browser' });
    expect((await api(sales, 'POST', '/segments/preview', { rule: { kind: 'person' } })).status).toBe(403);
    const { context, page } = await signedInPage(browser, sales, '/marketing/segments/new');
    await page.getByRole('heading', { level: 1, name: 'New segment' }).waitFor();
    await pick(page, 'Values of rule 1', 'Prospect');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/Something went wrong.*(marketing|forbidden|403)/i);
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${crmUnderTest().url}/marketing/campaigns`);
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/Something went wrong/);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
