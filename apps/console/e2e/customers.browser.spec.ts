import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { crmUnderTest } from './support/crm-under-test';
import { axeViolations, launchBrowser, pageErrorsOf, PHONE, screenshot, signedInPage, staffToken } from './support/browser';

type Reply = { status: number; body: Record<string, unknown> };

/** The sales API as the signed-in person's token calls it (through the console's /api forwarding). */
async function api(token: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const r = await fetch(`${crmUnderTest().url}/api/sales${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Until no list or timeline on the page is loading (they say so with aria-busy from the render that starts a request). */
async function settled(page: Page): Promise<void> {
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
}

async function noHorizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
}

describe('customers: list, customer 360, timeline, as-of, duplicates', () => {
  let browser: Browser;
  let token: string;
  const run = randomUUID().slice(0, 6);
  let customerId: string;
  const name = `PT Lintas Waktu ${run}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    token = await staffToken({ department: 'sales', subject: 'cust.tester', roles: ['agent'] });
    // A customer with a known history: registered, two opportunities with interactions, then renamed.
    const registered = await api(token, 'POST', '/customers', { kind: 'organisation', name, tags: ['browser-test'] });
    expect(registered.status).toBe(201);
    customerId = String(registered.body.customerId);
    const open = async (episode: string, interactions: [string, string][]) => {
      const r = await api(token, 'POST', '/opportunities', { customerId, name: episode });
      expect(r.status).toBe(201);
      for (const [channel, action] of interactions)
        expect((await api(token, 'POST', `/opportunities/${String(r.body.episodeId)}/interactions`, { channel, direction: 'outbound', action })).status).toBe(
          201,
        );
    };
    await open('First deal', [
      ['phone', 'called the buyer'],
      ['email', 'sent the offer'],
    ]);
    await open('Second deal', [['phone', 'called about the second deal']]);
    expect((await api(token, 'PATCH', `/customers/${customerId}`, { name: `${name} Renamed` })).status).toBe(200);
    await eventually('the timeline', async () => {
      const r = await api(token, 'GET', `/customers/${customerId}/timeline?limit=50`);
      const episodes = (r.body.episodes ?? []) as { interactions: unknown[] }[];
      return episodes.length === 2 && episodes.reduce((n, e) => n + e.interactions.length, 0) === 3;
    });
    await eventually('the directory', async () => (await api(token, 'GET', `/customers/${customerId}`)).body.name === `${name} Renamed`);
  });
  afterAll(() => browser?.close());

  it('finds a customer with the header search and through the list filters', async () => {
    const { context, page } = await signedInPage(browser, token, '/customers');
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    await page.getByRole('table').getByRole('link').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'customers-list');

    // Header search, from any page.
    await page.getByRole('combobox', { name: 'Search customers' }).fill('Lintas Waktu');
    await page.getByRole('option', { name: `${name} Renamed` }).click();
    await page.waitForURL(new RegExp(`/customers/${customerId}$`));
    await page.getByRole('heading', { level: 1, name: `${name} Renamed` }).waitFor();

    // The list: search words, a filter, a tag.
    await page.goto(`${crmUnderTest().url}/customers`);
    await page.getByRole('searchbox', { name: 'Search' }).fill(run);
    await page.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await page.getByRole('option', { name: 'Organisation' }).click();
    await page.getByRole('textbox', { name: 'Tag' }).fill('browser-test');
    await page.waitForURL(/kind=organisation/);
    const link = page.getByRole('table').getByRole('link', { name: `${name} Renamed` });
    await page.waitForURL(/tag=browser-test/);
    await link.waitFor();
    await eventually('only the one customer listed', async () => (await page.getByRole('table').getByRole('link').count()) === 1);
    // A filter nothing matches says so.
    await page.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await page.getByRole('option', { name: 'Person' }).click();
    await page.getByText('No customer matches these filters.').waitFor();
    await page.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await page.getByRole('option', { name: 'Organisation' }).click();
    await link.click();
    await page.waitForURL(new RegExp(`/customers/${customerId}$`));
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('reads the timeline newest first, filters it, moves the as-of slider back and adds a contact', async () => {
    const { context, page } = await signedInPage(browser, token, `/customers/${customerId}`);
    await page.getByRole('heading', { level: 1, name: `${name} Renamed` }).waitFor();
    const episodes = page.getByRole('heading', { level: 3 });
    await page.getByText('called about the second deal').waitFor();
    expect(await episodes.allTextContents()).toEqual(['Second deal', 'First deal']);
    await page.getByText('called the buyer').waitFor();

    // Filters go to the API: channel, then department.
    await page.getByRole('combobox', { name: 'Channel', exact: true }).click();
    await page.getByRole('option', { name: 'E-mail' }).click();
    await page.getByText('called the buyer').waitFor({ state: 'detached' });
    await page.getByText('sent the offer').waitFor();
    expect(await episodes.allTextContents()).toEqual(['First deal']);
    await page.getByRole('combobox', { name: 'Channel', exact: true }).click();
    await page.getByRole('option', { name: 'E-mail' }).click(); // picking it again clears it
    await page.getByText('called about the second deal').waitFor();
    await page.getByRole('combobox', { name: 'Department', exact: true }).click();
    await page.getByRole('option', { name: 'Service' }).click();
    await page.getByText('No episodes match.').waitFor();
    await page.getByRole('combobox', { name: 'Department', exact: true }).click();
    await page.getByRole('option', { name: 'Sales' }).click();
    await page.getByText('called about the second deal').waitFor();

    // As of: step back with the keyboard until the second deal is not there yet; the first still is.
    const slider = page.getByRole('slider', { name: 'Show the customer and the relationship as they stood on' });
    await slider.focus();
    await page.keyboard.press('End');
    await settled(page);
    for (let i = 0; i < 20 && (await page.getByRole('heading', { level: 3, name: 'Second deal' }).count()) > 0; i++) {
      const before = await slider.getAttribute('aria-valuenow');
      await slider.press('ArrowLeft');
      await eventually(`the slider to move from ${before}`, async () => (await slider.getAttribute('aria-valuenow')) !== before);
      await settled(page);
    }
    await page.getByRole('heading', { level: 3, name: 'First deal' }).waitFor();
    expect(await episodes.allTextContents()).toEqual(['First deal']);
    // …and the profile as it was then: before the rename.
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.getByText(/^As it stood on /).waitFor();
    // Consent, shares, value, RFM and churn risk follow the slider (each keeps or rebuilds its history).
    await page.getByRole('region', { name: 'Consent' }).getByText('Consent as it stood on the chosen date.').waitFor();
    await page.getByRole('region', { name: 'Shared with partners' }).getByText('The partners who could see the customer on the chosen date.').waitFor();
    const valueCard = page.getByRole('region', { name: 'Value' });
    await valueCard
      .getByText(
        'Value, RFM and churn risk as analytics would have scored them on the chosen date, from the history up to then (churn risk by the current model).',
      )
      .waitFor();
    // The very beginning: registered, no episode yet.
    await page.keyboard.press('Home');
    await page.getByText('No episodes match.').waitFor();
    await page.getByRole('button', { name: 'Back to now' }).click();
    await page.getByRole('heading', { level: 1, name: `${name} Renamed` }).waitFor();
    expect(await valueCard.getByText(/^Value, RFM and churn risk as analytics would have scored them/).count()).toBe(0);
    await page.getByRole('heading', { level: 3, name: 'Second deal' }).waitFor();

    // The day field: from the very beginning, today's date shows the end of today, which is now.
    await slider.focus();
    await page.keyboard.press('Home');
    await page.getByText('No episodes match.').waitFor();
    const today = new Date();
    const day = page.getByRole('textbox', { name: 'Or go to a day' });
    await day.fill(`${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`);
    await day.press('Escape');
    await page.getByRole('heading', { level: 3, name: 'Second deal' }).waitFor();
    await page.getByRole('heading', { level: 1, name: `${name} Renamed` }).waitFor();
    expect(await page.getByRole('button', { name: 'Back to now' }).count()).toBe(0);

    // Add a contact.
    const form = page.getByRole('form', { name: 'Add a contact' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Sari Wijaya');
    await form.getByRole('textbox', { name: 'Role' }).fill('head of procurement');
    await form.getByRole('textbox', { name: 'E-mail' }).fill(`sari.${run}@example.com`);
    await form.getByRole('button', { name: 'Add a contact' }).click();
    await page.getByRole('cell', { name: 'Sari Wijaya' }).waitFor();
    const stored = await api(token, 'GET', `/customers/${customerId}`);
    expect(stored.body.contacts).toEqual([expect.objectContaining({ name: 'Sari Wijaya', role: 'head of procurement', email: `sari.${run}@example.com` })]);
    // A bad e-mail: the CRM's 400 names the field.
    await form.getByRole('textbox', { name: 'Name' }).fill('Budi');
    await form.getByRole('textbox', { name: 'E-mail' }).fill('not-an-email');
    await form.evaluate((f) => f.setAttribute('novalidate', ''));
    await form.getByRole('button', { name: 'Add a contact' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/email/);

    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'customer-360');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('merges a duplicate pair from the duplicates page and undoes it on the survivor’s page', async () => {
    // Two records of one person sharing an e-mail: the second registered anyway (force), a recorded suspicion.
    const email = `rina.${run}@example.com`;
    const first = await api(token, 'POST', '/customers', { kind: 'person', name: `Rina Halim ${run}`, identities: [{ kind: 'email', value: email }] });
    expect(first.status).toBe(201);
    const second = await api(token, 'POST', '/customers?force=true', { kind: 'person', name: `Rina H. ${run}`, identities: [{ kind: 'email', value: email }] });
    expect(second.status).toBe(201);
    const ids = [String(first.body.customerId), String(second.body.customerId)];
    await eventually('the pair among the duplicates', async () =>
      ((await api(token, 'GET', '/customers/duplicates?limit=200')).body as unknown as { customerIds: string[] }[]).some((p) =>
        ids.every((id) => p.customerIds.includes(id)),
      ),
    );

    const { context, page } = await signedInPage(browser, token, '/customers/duplicates');
    await page.getByRole('heading', { level: 1, name: 'Possible duplicates' }).waitFor();
    const merge = page.getByRole('button', { name: new RegExp(`^Merge Rina .*${run} into Rina .*${run}$`) });
    await merge.click();
    const dialog = page.getByRole('dialog', { name: 'Merge these customers?' });
    await dialog.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    const survivor = page.url().split('/').pop()!;
    const duplicate = ids.find((id) => id !== survivor)!;
    expect(ids).toContain(survivor);
    // The duplicate now reads as the survivor.
    expect((await api(token, 'GET', `/customers/${duplicate}`)).body.customerId).toBe(survivor);

    const unmerge = page.getByRole('button', { name: /^Unmerge Rina / });
    await unmerge.waitFor();
    await unmerge.click();
    await page.getByRole('dialog', { name: 'Undo this merge?' }).getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('No duplicates are merged into this customer.').waitFor();
    await eventually('the duplicate on its own again', async () => (await api(token, 'GET', `/customers/${duplicate}`)).body.customerId === duplicate);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('shows which partners see a shared customer, by name', async () => {
    const bulk = JSON.parse(fs.readFileSync(path.join(crmUnderTest().dataDir, 'demo-data.json'), 'utf8')) as {
      partners: { distributor: string };
      shares: Record<string, string[]>;
    };
    const shared = bulk.shares[bulk.partners.distributor]![0]!;
    const r = await fetch(`${crmUnderTest().url}/api/partner-portal/customer-shares/${shared}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    const partners = ((await r.json()) as { partners: { name: string }[] }).partners.map((p) => p.name);
    expect(partners.length).toBeGreaterThan(0);
    const { context, page } = await signedInPage(browser, token, `/customers/${shared}`);
    const section = page.getByRole('region', { name: 'Shared with partners' });
    for (const partner of partners) await section.getByText(partner, { exact: true }).waitFor();
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a department that may not change customers sees the CRM’s 403 when it tries, the page stays', async () => {
    const analyst = await staffToken({ department: 'analytics', subject: 'ana.lyst', roles: ['agent'] });
    const { context, page } = await signedInPage(browser, analyst, `/customers/${customerId}`);
    await page.getByRole('heading', { level: 1, name: `${name} Renamed` }).waitFor();
    const form = page.getByRole('form', { name: 'Add a contact' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Not allowed');
    await form.getByRole('button', { name: 'Add a contact' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/./);
    expect((await api(token, 'GET', `/customers/${customerId}`)).body.contacts).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Not allowed' })]),
    );
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('fits a phone: the customer page stacks, nothing scrolls sideways, the slider still works by keyboard', async () => {
    const { context, page } = await signedInPage(browser, token, `/customers/${customerId}`, { viewport: PHONE });
    await page.getByRole('heading', { level: 1, name: `${name} Renamed` }).waitFor();
    await page.getByText('called about the second deal').waitFor();
    expect(await noHorizontalOverflow(page)).toBeLessThanOrEqual(0);
    const slider = page.getByRole('slider', { name: 'Show the customer and the relationship as they stood on' });
    await slider.focus();
    await page.keyboard.press('Home');
    await page.getByText('No episodes match.').waitFor();
    await page.keyboard.press('End');
    await page.getByText('called about the second deal').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'customer-360-phone');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
