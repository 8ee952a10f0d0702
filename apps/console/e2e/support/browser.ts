/**
 * The browser the suite drives: Debian's Chromium (`/usr/bin/chromium`, installed by
 * deploy/local/system-packages.sh; `CRM_CHROMIUM` to use another) through playwright-core, with the
 * flags this machine's closed network needs. Helpers to sign in, check accessibility with axe-core
 * and write screenshots (`CRM_SCREENSHOT_DIR`, default dist/screenshots).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { crmUnderTest } from './crm-under-test';

/** The few browser globals the page scripts below use (the Node project has no DOM types). */
interface PageGlobals {
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  atob(data: string): string;
  axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> };
  document: unknown;
}

const root = path.resolve(__dirname, '..', '..', '..', '..');
export const SCREENSHOT_DIR = process.env['CRM_SCREENSHOT_DIR'] ?? path.join(root, 'dist', 'screenshots');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CRM_CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface StaffLogin {
  department: 'sales' | 'service' | 'marketing' | 'analytics' | 'management';
  subject: string;
  roles?: string[];
}

/** A staff token from the console's local sign-in (the same request the sign-in page makes). */
export async function staffToken(login: StaffLogin): Promise<string> {
  const r = await fetch(`${crmUnderTest().url}/console/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ roles: ['agent'], ...login }),
  });
  if (!r.ok) throw new Error(`sign-in: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

/** A partner token by client credentials (the partner tab of the sign-in page does the same). */
export async function partnerToken(clientId: string, clientSecret: string): Promise<string> {
  const r = await fetch(`${crmUnderTest().url}/api/partner-portal/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  if (!r.ok) throw new Error(`partner token: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

/** A fresh browser context (no session). CSP is bypassed only so the test can inject axe-core. */
export function newContext(browser: Browser, viewport = DESKTOP): Promise<BrowserContext> {
  return browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC', bypassCSP: true });
}

/**
 * A page already signed in with `token` (the session the sign-in page would store), at `path`.
 * The sign-in page itself is tested through its form in sign-in.browser.spec.ts.
 */
export async function signedInPage(
  browser: Browser,
  token: string,
  urlPath = '/',
  options: { viewport?: { width: number; height: number }; method?: 'local' | 'partner' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, options.viewport ?? DESKTOP);
  const method = options.method ?? 'local';
  await context.addInitScript(
    ([t, m]) => {
      const g = globalThis as unknown as PageGlobals;
      // Frames without storage (the PDF viewer of a blob: iframe) have nothing to sign in.
      if (!g.sessionStorage) return;
      const part = t.split('.')[1]!;
      const claims = JSON.parse(g.atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
      const principal =
        claims['crm_kind'] === 'partner'
          ? { kind: 'partner', subject: claims['sub'], partnerId: claims['partner_id'], roles: claims['roles'], userId: claims['partner_user'] }
          : { kind: 'staff', subject: claims['sub'], department: claims['dept'], roles: claims['roles'] };
      if (!g.sessionStorage.getItem('crm.console.session'))
        g.sessionStorage.setItem('crm.console.session', JSON.stringify({ token: t, principal, expiresAt: (claims['exp'] as number) * 1000, method: m }));
    },
    [token, method] as const,
  );
  const page = await context.newPage();
  failOnPageErrors(page);
  await page.goto(`${crmUnderTest().url}${urlPath}`);
  return { context, page };
}

/** Uncaught errors in the page fail the test that caused them (collected, checked by `expectNoPageErrors`). */
const pageErrors = new WeakMap<Page, string[]>();
export function failOnPageErrors(page: Page): void {
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (e) => errors.push(e.message));
}
export function pageErrorsOf(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it is now: the violations, each with the first few offending elements. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals;
    return g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations.map(
    (v) =>
      `${v.id}: ${v.help} — ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(', ')}`,
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
