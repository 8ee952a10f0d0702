import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { axeViolations, launchBrowser, newContext, pageErrorsOf, failOnPageErrors, screenshot } from './support/browser';
import { freePort, startCrm, type StartedCrm } from './support/crm-under-test';

/**
 * Staff sign-in through a real identity provider (OpenID Connect, authorisation code with PKCE):
 * its own CRM (not the suite's shared one) whose services verify tokens against the provider's
 * JWKS, and whose console sends people to the provider. The local sign-in does not exist there.
 */
describe('sign-in through the identity provider (OIDC, PKCE)', () => {
  let browser: Browser;
  let idp: ChildProcess;
  let crm: StartedCrm;
  let issuer: string;

  beforeAll(async () => {
    const idpPort = await freePort();
    const consolePort = await freePort();
    const consoleOrigin = `http://127.0.0.1:${consolePort}`;
    idp = spawn(process.execPath, [path.join(__dirname, 'support', 'oidc-idp.mjs'), String(idpPort), consoleOrigin], { stdio: ['ignore', 'pipe', 'inherit'] });
    issuer = await new Promise<string>((resolve, reject) => {
      idp.stdout!.on('data', (c: Buffer) => {
        const m = /issuer (\S+)/.exec(c.toString());
        if (m) resolve(m[1]!);
      });
      idp.once('exit', (code) => reject(new Error(`the identity provider exited ${code}`)));
    });
    crm = await startCrm({
      extraEnv: {
        CRM_CONSOLE_PORT: String(consolePort),
        CRM_JWKS_URL: `${issuer}/jwks`,
        CRM_JWT_ISSUER: issuer,
        CRM_JWT_AUDIENCE: 'crm',
        CRM_OIDC_ISSUER: issuer,
        CRM_OIDC_CLIENT_ID: 'crm-console',
        CRM_OIDC_SCOPE: 'openid profile crm',
      },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await crm?.stop();
    idp?.kill();
    idp?.stdout?.destroy();
  });

  it('offers no local sign-in when an identity provider is configured', async () => {
    const settings = (await (await fetch(`${crm.url}/console/settings.json`)).json()) as { localSignIn: unknown; oidc: { issuer: string } };
    expect(settings.localSignIn).toBeNull();
    expect(settings.oidc.issuer).toBe(issuer);
    const minted = await fetch(`${crm.url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"department":"sales","subject":"x"}',
    });
    expect(minted.status).toBe(404);
  });

  it('signs a service agent in at the provider and back, and the services accept the provider’s token', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    failOnPageErrors(page);
    await page.goto(crm.url);
    await page.getByRole('button', { name: 'Sign in with your company account' }).click();
    // The provider's own login form (oidc-provider's development interactions).
    await page.waitForURL((u) => u.href.startsWith(issuer));
    await page.locator('input[name="login"]').fill('service.budi');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((u) => u.href.startsWith(crm.url));
    await page.getByRole('heading', { name: 'Welcome, service.budi' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'oidc-signed-in');

    // The token the page holds is the provider's: the services verify it against its JWKS.
    const status = await page.evaluate(async () => {
      const g = globalThis as unknown as { sessionStorage: { getItem(k: string): string | null }; fetch: typeof fetch };
      const { token } = JSON.parse(g.sessionStorage.getItem('crm.console.session')!) as { token: string };
      const r = await g.fetch('/api/service/cases?limit=1', { headers: { authorization: `Bearer ${token}` } });
      return r.status;
    });
    expect(status).toBe(200);
    expect(pageErrorsOf(page)).toEqual([]);
    await context.close();
  });
});
