import type { Browser } from 'playwright-core';
import { crmUnderTest } from './support/crm-under-test';
import { axeViolations, newContext, launchBrowser, pageErrorsOf, failOnPageErrors, PHONE, screenshot, signedInPage, staffToken } from './support/browser';

describe('sign-in and the shell', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('a staff member signs in locally for a department, finds a customer from the header search and signs out', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    failOnPageErrors(page);
    await page.goto(crmUnderTest().url);
    await page.getByRole('heading', { name: /sign in/i }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');

    await page.getByRole('textbox', { name: 'User name' }).fill('dewi.sales');
    await page.getByRole('checkbox', { name: 'manager', exact: true }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Welcome, dewi.sales' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The header search asks the sales API for customers as the signed-in person.
    const customers = (await (
      await fetch(`${crmUnderTest().url}/api/sales/customers?limit=1&sort=name`, {
        headers: { authorization: `Bearer ${await staffToken({ department: 'sales', subject: 'x' })}` },
      })
    ).json()) as { items: { customerId: string; name: string }[] };
    const first = customers.items[0]!;
    await page.getByRole('combobox', { name: 'Search customers' }).fill(first.name.slice(0, 6));
    await page.getByRole('option', { name: first.name }).first().click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);

    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: /sign in/i }).waitFor();
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });

  it('a wrong partner secret is refused with the CRM’s reason; the local sign-in names an invalid field', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(crmUnderTest().url);
    await page.getByRole('tab', { name: 'Partner' }).click();
    await page.getByRole('textbox', { name: 'Client id' }).fill('nobody.x');
    await page.getByLabel('Client secret').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/sign-in failed/i);

    await page.getByRole('tab', { name: 'Staff' }).click();
    await page.getByRole('textbox', { name: 'User name' }).fill('not valid!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/subject/);
    await context.close();
  });

  it('a token the CRM refuses ends the session and the sign-in page says why', async () => {
    const token = await staffToken({ department: 'sales', subject: 'expiring' });
    // Same claims, broken signature: the services answer 401.
    const forged = token.slice(0, token.lastIndexOf('.') + 1) + 'AAAA';
    const { context, page } = await signedInPage(browser, forged, '/');
    await page.getByRole('combobox', { name: 'Search customers' }).fill('Wij');
    await page.getByText('Your session ended: sign in again.').waitFor();
    await context.close();
  });

  it('fits a phone: the navigation folds behind a button that keyboard users can reach', async () => {
    const token = await staffToken({ department: 'sales', subject: 'phone.user' });
    const { context, page } = await signedInPage(browser, token, '/', { viewport: PHONE });
    const toggle = page.getByRole('button', { name: 'Open or close the navigation' });
    await toggle.waitFor();
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Customers' }).first().waitFor({ state: 'visible' });
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'home-phone');
    await context.close();
  });

  it('the local sign-in refuses what is not JSON and is not offered to other machines', async () => {
    const r = await fetch(`${crmUnderTest().url}/console/sign-in`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(r.status).toBe(415);
    const deep = await fetch(`${crmUnderTest().url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '['.repeat(2000),
    });
    expect(deep.status).toBe(400);
  });
});
