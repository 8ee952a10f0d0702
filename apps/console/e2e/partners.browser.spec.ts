import type { Browser, Page } from 'playwright-core';
import { crmUnderTest } from './support/crm-under-test';
import {
  axeViolations,
  failOnPageErrors,
  launchBrowser,
  newContext,
  PHONE,
  pageErrorsOf,
  partnerToken,
  screenshot,
  signedInPage,
  staffToken,
} from './support/browser';

interface SeededPartner {
  partnerId: string;
  clientId: string;
  clientSecret: string;
  userId: string;
}
interface PartnersSeed {
  distributor: SeededPartner;
  repairer: SeededPartner;
  leadIds: string[];
  webhookIds: string[];
}

const seed = () => crmUnderTest().seed['partners'] as PartnersSeed;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

async function api<T>(path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const r = await fetch(`${crmUnderTest().url}/api/partner-portal${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const channelManagerToken = () => staffToken({ department: 'sales', subject: 'rudi.channel', roles: ['channel-manager'] });
const sharedWith = async (partnerId: string) =>
  (await api<{ sharedCustomerIds: string[] }>(`/partners/${partnerId}`, await channelManagerToken())).body.sharedCustomerIds;

/** The customer ids the partner's customers table links to. */
const listedCustomerIds = async (page: Page) =>
  (
    await page
      .getByRole('table', { name: 'Shared customers' })
      .getByRole('link')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))
  )
    .map((href) => href.split('/').pop()!)
    .sort();

/** Polls `check` (a read model catches up a moment after a command), reloading the page between tries. */
async function eventually(page: Page | null, check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
    if (page) await page.reload();
  }
  throw new Error(`never happened: ${what}`);
}

describe('partners: a partner’s own pages and channel managers’ partner administration', () => {
  let browser: Browser;
  let distributorToken = '';
  beforeAll(async () => {
    browser = await launchBrowser();
    distributorToken = await partnerToken(seed().distributor.clientId, seed().distributor.clientSecret);
  });
  afterAll(() => browser?.close());

  it('a partner signs in on the Partner tab and sees exactly the customers shared with it; another partner’s customer is not found', async () => {
    const { distributor, repairer } = seed();
    const context = await newContext(browser);
    const page = await context.newPage();
    failOnPageErrors(page);
    await page.goto(crmUnderTest().url);
    await page.getByRole('tab', { name: 'Partner' }).click();
    await page.getByRole('textbox', { name: 'Client id' }).fill(distributor.clientId);
    await page.getByLabel('Client secret').fill(distributor.clientSecret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The Partners area's navigation offers the partner's pages, not the staff's administration.
    await page.getByRole('heading', { level: 1, name: /^Welcome/ }).waitFor();
    await page.getByRole('navigation').getByText('Partners', { exact: true }).click();
    for (const link of ['Shared customers', 'Deal registrations', 'Leads inbox', 'Webhooks'])
      await page.getByRole('navigation').getByRole('link', { name: link }).waitFor();
    expect(
      await page
        .getByRole('navigation')
        .getByRole('link', { name: /Deal review|Partner companies/ })
        .count(),
    ).toBe(0);
    await page.getByRole('navigation').getByRole('link', { name: 'Shared customers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Shared customers' }).waitFor();

    const shared = (await sharedWith(distributor.partnerId)).sort();
    const repairerOnly = (await sharedWith(repairer.partnerId)).filter((id) => !shared.includes(id));
    expect(shared.length).toBeGreaterThan(0);
    expect(repairerOnly.length).toBeGreaterThan(0);
    await page.getByRole('table', { name: 'Shared customers' }).waitFor();
    expect(await listedCustomerIds(page)).toEqual(shared);
    // Off the navigation link just clicked (the shell's hovered active link is a shade the page itself does not show at rest).
    await page.getByRole('searchbox', { name: 'Search shared customers' }).focus();
    await page.mouse.move(900, 600);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'partners-customers');

    // Another partner's customer, by its address: the CRM's 404, and none of its data.
    await page.goto(`${crmUnderTest().url}/partners/customers/${repairerOnly[0]}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/not found/i);
    expect(await page.getByRole('heading', { level: 2, name: 'Shared history' }).count()).toBe(0);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a partner records an interaction on its own episode of a shared customer and sees it in the scoped history', async () => {
    const { distributor } = seed();
    // The customer with the distributor's own partner deal (the demo data opened one on each of its first shared customers).
    const shared = await sharedWith(distributor.partnerId);
    let customerId = '';
    let episode = '';
    for (const id of shared) {
      const tl = await api<{ episodes: { name: string; owner: { kind: string; partnerId?: string }; closed?: unknown }[] }>(
        `/customers/${id}/timeline`,
        distributorToken,
      );
      const own = tl.body.episodes.find((e) => e.owner.kind === 'partner' && e.owner.partnerId === distributor.partnerId && !e.closed);
      if (own) {
        customerId = id;
        episode = own.name;
        break;
      }
    }
    expect(customerId).toMatch(UUID);
    const { context, page } = await signedInPage(browser, distributorToken, `/partners/customers/${customerId}`, { method: 'partner' });
    await page.getByRole('heading', { level: 2, name: 'Shared history' }).waitFor();
    await page
      .getByRole('button', { name: `Record an interaction on ${episode}` })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'What happened' }).fill('Demonstrated the long-wheelbase van');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Demonstrated the long-wheelbase van').first().waitFor();
    const tl = await api<{ episodes: { interactions: { action: string }[] }[] }>(`/customers/${customerId}/timeline`, distributorToken);
    expect(tl.body.episodes.flatMap((e) => e.interactions.map((i) => i.action))).toContain('Demonstrated the long-wheelbase van');
    expect(await axeViolations(page)).toEqual([]);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a channel manager finds partner companies in the directory, filters them, and registers a new one', async () => {
    const { distributor, repairer } = seed();
    const { context, page } = await signedInPage(browser, await channelManagerToken(), '/partners');
    const table = page.getByRole('table', { name: 'Partner companies' });
    await table.waitFor();
    // Both demo partners, by name, each with the customers shared with it now.
    const row = (name: string) => table.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    await row('Distributor Nusantara').waitFor();
    await row('FixIt Service Partner').waitFor();
    expect(await row('Distributor Nusantara').getByRole('cell').nth(1).textContent()).toBe('Distributor');
    const listed = (await api<{ items: { partnerId: string; sharedCustomers: number }[] }>('/partners?limit=200', await channelManagerToken())).body.items;
    expect(listed.find((p) => p.partnerId === distributor.partnerId)?.sharedCustomers).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'partners-directory');

    // The kind filter: only service providers.
    await page.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await page.getByRole('option', { name: 'Service provider' }).click();
    await row('Distributor Nusantara').waitFor({ state: 'detached' });
    await row('FixIt Service Partner').waitFor();
    // Search by part of the name, any case.
    await page.getByRole('searchbox', { name: 'Search by name or id' }).fill('fixit');
    await row('FixIt Service Partner').getByRole('link').click();
    await page.waitForURL(`**/partners/manage/${repairer.partnerId}`);
    await page.getByRole('heading', { level: 1, name: 'FixIt Service Partner' }).waitFor();

    // Register a partner: its page opens, and the directory lists it.
    await page.getByRole('link', { name: 'Back to partner companies' }).click();
    await page.getByRole('button', { name: 'Register a partner' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Company name' }).fill('PT Browser Test Reseller');
    await dialog.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await page.getByRole('option', { name: 'Reseller' }).click();
    await dialog.getByRole('button', { name: 'Register a partner' }).click();
    await page.getByRole('heading', { level: 1, name: 'PT Browser Test Reseller' }).waitFor();
    const created = page.url().split('/').pop()!;
    expect(created).toMatch(UUID);
    await eventually(
      null,
      async () =>
        (await api<{ items: { partnerId: string }[] }>('/partners?q=browser%20test%20reseller', await channelManagerToken())).body.items.some(
          (p) => p.partnerId === created,
        ),
      'the new partner to join the directory',
    );
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a channel manager revokes a share and the customer disappears from the partner’s list', async () => {
    const { distributor, repairer } = seed();
    const repairerShared = await sharedWith(repairer.partnerId);
    // A customer only the distributor has, with no episode of its own (it keeps the rest of the demo intact).
    const target = (await sharedWith(distributor.partnerId)).filter((id) => !repairerShared.includes(id)).at(-1)!;
    const manager = await signedInPage(browser, await channelManagerToken(), `/partners/manage/${distributor.partnerId}`);
    await manager.page.getByRole('heading', { level: 1, name: 'Distributor Nusantara' }).waitFor();
    const row = manager.page
      .getByRole('table', { name: 'Shared customers' })
      .getByRole('row')
      .filter({ has: manager.page.locator(`a[href="/customers/${target}"]`) });
    await row.getByRole('button', { name: /^Unshare / }).click();
    // Only shares in force are listed: the revoked one leaves the table.
    await row.waitFor({ state: 'detached' });
    expect(await sharedWith(distributor.partnerId)).not.toContain(target);
    expect(await axeViolations(manager.page)).toEqual([]);
    expect(pageErrorsOf(manager.page)).toEqual([]);
    await manager.context.close();

    const { context, page } = await signedInPage(browser, distributorToken, '/partners/customers', { method: 'partner' });
    await eventually(
      page,
      async () => {
        await page.getByRole('table', { name: 'Shared customers' }).waitFor();
        return !(await listedCustomerIds(page)).includes(target);
      },
      'the revoked customer to leave the list',
    );
    await page.goto(`${crmUnderTest().url}/partners/customers/${target}`);
    expect(await page.getByRole('alert').textContent()).toMatch(/not found/i);
    await context.close();
  });

  it('a partner registers a deal, sees it pending, and sees it approved after the channel manager’s review', async () => {
    const { context, page } = await signedInPage(browser, distributorToken, '/partners/deals', { method: 'partner' });
    await page.getByRole('heading', { level: 1, name: 'Deal registrations' }).waitFor();
    await page.getByRole('textbox', { name: 'Prospect company' }).fill('PT Browser Test Logistik');
    await page.getByRole('textbox', { name: 'Prospect contact name' }).fill('Wulan Sari');
    const products = page.getByRole('combobox', { name: 'Products' });
    await products.fill('VAN-L2');
    await products.press('Enter');
    await page.getByRole('textbox', { name: 'Estimated value' }).fill('250000000');
    const date = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const closeDate = page.getByRole('textbox', { name: 'Expected close date' });
    await closeDate.fill(date);
    await closeDate.press('Escape');
    await page.getByRole('button', { name: 'Register deal' }).click();
    const row = page.getByRole('table', { name: 'Your registrations' }).getByRole('row').filter({ hasText: 'PT Browser Test Logistik' });
    await row.getByText('Pending').waitFor();
    // The list leaves prospects out (personal data): the one registration read says whose it is.
    const mine = await api<{ items: { registrationId: string; customerId: string | null; status: string }[] }>(
      '/deal-registrations?limit=100',
      distributorToken,
    );
    let registration = { status: '' };
    for (const d of mine.body.items.filter((i) => i.customerId === null)) {
      const one = await api<{ prospect: { company: string } | null; status: string }>(`/deal-registrations/${d.registrationId}`, distributorToken);
      if (one.body.prospect?.company === 'PT Browser Test Logistik') registration = one.body;
    }
    expect(registration.status).toBe('pending');
    expect(await axeViolations(page)).toEqual([]);

    const manager = await signedInPage(browser, await channelManagerToken(), '/partners/review');
    await manager.page.getByRole('heading', { level: 1, name: 'Deal registration review' }).waitFor();
    await manager.page.getByRole('button', { name: 'Approve PT Browser Test Logistik' }).click();
    await eventually(
      null,
      async () => (await manager.page.getByRole('button', { name: 'Approve PT Browser Test Logistik' }).count()) === 0,
      'the approved one to leave the queue',
    );
    expect(await axeViolations(manager.page)).toEqual([]);
    await manager.context.close();

    await eventually(
      page,
      async () => {
        await row.waitFor();
        return (await row.getByText('Approved').count()) === 1;
      },
      'the partner to see its deal approved',
    );
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a partner accepts and declines leads from its inbox and reports an outcome', async () => {
    const { context, page } = await signedInPage(browser, distributorToken, '/partners/leads', { method: 'partner' });
    await page.getByRole('heading', { level: 1, name: 'Leads inbox' }).waitFor();
    const accept = page.getByRole('button', { name: /^Accept Hendra Gunawan/ });
    await accept.click();
    await page.getByRole('button', { name: /^Report outcome: Hendra Gunawan/ }).waitFor();
    await page.getByRole('button', { name: /^Decline Siti Rahma/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('No van stock for this region until next month');
    await dialog.getByRole('button', { name: 'Decline' }).click();
    await page.getByRole('button', { name: /^Decline Siti Rahma/ }).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: /^Report outcome: Hendra Gunawan/ }).click();
    await page.getByRole('dialog').getByText('Won').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Report outcome' }).click();
    await page.getByRole('button', { name: /^Report outcome: Hendra Gunawan/ }).waitFor({ state: 'detached' });

    // What the CRM stored, as the partner reads it.
    const inbox = (await api<{ items: { leadId: string; status: string; outcome: string | null }[] }>('/leads?limit=100', distributorToken)).body.items;
    // The seed captured them in this order: Agus, Dewi, Hendra, Siti, …
    expect(inbox.find((o) => o.leadId === seed().leadIds[2])).toMatchObject({ status: 'accepted', outcome: 'won' });
    expect(inbox.find((o) => o.leadId === seed().leadIds[3])).toMatchObject({ status: 'declined' });
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'partners-leads');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a partner creates a webhook (its secret shown once) and reads the failed deliveries of its subscription', async () => {
    const { context, page } = await signedInPage(browser, distributorToken, '/partners/webhooks', { method: 'partner' });
    await page.getByRole('heading', { level: 1, name: 'Webhook subscriptions' }).waitFor();
    await page.getByRole('button', { name: 'New subscription' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'URL' }).fill('http://insecure.example/hook');
    await dialog.getByRole('button', { name: 'Save' }).click();
    expect(await dialog.getByRole('alert').textContent()).toMatch(/url/);
    await dialog.getByRole('textbox', { name: 'URL' }).fill('https://127.0.0.1:9/browser-test');
    await dialog.getByRole('button', { name: 'Save' }).click();
    dialog = page.getByRole('dialog', { name: 'Copy the secret now' });
    expect(await dialog.getByRole('textbox', { name: 'Signing secret' }).inputValue()).toMatch(/^whsec_/);
    await dialog.getByRole('button', { name: 'I have stored it' }).click();
    const article = page.getByRole('article', { name: 'https://127.0.0.1:9/browser-test' });
    await eventually(
      page,
      async () => {
        // After a reload: once the page has asked for the list and had its answer.
        await page.waitForLoadState('networkidle');
        return article.isVisible();
      },
      'the new subscription in the list',
    );
    const subs = await api<{ items: { url: string }[] }>('/webhooks', distributorToken);
    expect(subs.body.items.map((s) => s.url)).toContain('https://127.0.0.1:9/browser-test');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'partners-webhooks');

    // The seeded subscription to a refusing address: its log shows failed deliveries (the CRM retries them on its
    // backoff; only a dead one is retried by hand); replaying from a delivery queues its events again.
    await page.getByRole('article', { name: 'https://127.0.0.1:9/crm-webhooks' }).getByRole('link', { name: 'Delivery log' }).click();
    await page.getByRole('heading', { level: 1, name: /Deliveries to https:\/\/127\.0\.0\.1:9\/crm-webhooks/ }).waitFor();
    const log = page.getByRole('table', { name: 'Delivery log' });
    await eventually(
      page,
      async () => {
        await log.waitFor();
        return (await log.getByText('Failed', { exact: true }).count()) > 0;
      },
      'a failed delivery in the log',
    );
    expect(await log.getByText('fetch failed').count()).toBeGreaterThan(0);
    await log.getByRole('button', { name: 'Replay from here' }).first().click();
    await page.getByText(/\d+ events queued again/).waitFor();
    const subscriptionId = seed().webhookIds[0]!;
    const deliveries = await api<{ items: { state: string }[] }>(`/webhooks/${subscriptionId}/deliveries?limit=200`, distributorToken);
    expect(deliveries.body.items.some((d) => d.state === 'failed')).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'partners-webhooks-deliveries');
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a channel manager issues a credential (its secret shown once, and it signs in); a plain sales agent gets the CRM’s 403', async () => {
    const { repairer } = seed();
    const { context, page } = await signedInPage(browser, await channelManagerToken(), `/partners/manage/${repairer.partnerId}`);
    await page.getByRole('heading', { level: 1, name: 'FixIt Service Partner' }).waitFor();
    await page.getByRole('button', { name: 'Issue a credential' }).click();
    const dialog = page.getByRole('dialog', { name: 'Copy the secret now' });
    const clientId = await dialog.getByRole('textbox', { name: 'Client id' }).inputValue();
    const secret = await dialog.getByRole('textbox', { name: 'Client secret' }).inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await expect(partnerToken(clientId, secret)).resolves.toMatch(/\./);
    await dialog.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: `Revoke ${clientId}` }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();

    const agent = await signedInPage(
      browser,
      await staffToken({ department: 'sales', subject: 'sari.sales', roles: ['agent'] }),
      `/partners/manage/${repairer.partnerId}`,
    );
    const alert = agent.page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/channel-manager|forbidden/i);
    expect(await agent.page.getByRole('button', { name: 'Issue a credential' }).count()).toBe(0);
    // The Partners area is not offered to a plain agent.
    expect(await agent.page.getByRole('navigation').getByRole('link', { name: 'Partners' }).count()).toBe(0);
    expect(pageErrorsOf(agent.page)).toEqual([]);
    await agent.context.close();
  });

  it('fits a phone: the leads inbox and the shared customers scroll inside their tables, no page overflow', async () => {
    const { context, page } = await signedInPage(browser, distributorToken, '/partners/leads', { viewport: PHONE, method: 'partner' });
    await page.getByRole('heading', { level: 1, name: 'Leads inbox' }).waitFor();
    await page.getByRole('table', { name: 'Leads inbox' }).waitFor();
    const overflow = () =>
      page.evaluate(() => {
        const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return d.scrollWidth - d.clientWidth;
      });
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'partners-leads-phone');
    await page.goto(`${crmUnderTest().url}/partners/customers`);
    await page.getByRole('table', { name: 'Shared customers' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
