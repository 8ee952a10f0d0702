import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@crm/event-store/testing';
import { allReady, freePorts, waitForProcesses, WorkerProcess } from '@crm/projections/testing';
import { ensureLocalKeys, mintToken, type Principal } from '@crm/service-kit';
import { openEventStreamForTest } from '@crm/service-kit/testing';
import { Client } from 'pg';
import type { Browser } from 'playwright-core';
import { distributedRun } from './distributed-run';

// The web console in distributed mode: its server as its own process in front of the five services
// and the relay, each a separate process on real PostgreSQL and Kafka — as deploy/k8s runs them.
// Everything goes through the console's /api, with a token minted as an identity provider would.
const root = path.resolve(__dirname, '../..');
// The browser suite's Chromium, loaded by its path (the console is an app, not a library).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { launchBrowser, newContext } = require(
  path.join(root, 'apps/console/e2e/support/browser.ts'),
) as typeof import('../../apps/console/e2e/support/browser');
const names = ['sales', 'service', 'marketing', 'partner-portal', 'analytics'] as const;
type Name = (typeof names)[number];
const setting = (n: Name) => `CRM_CONSOLE_${n.toUpperCase().replace(/-/g, '_')}_URL`;

describe('the web console against the five services as separate processes (real PostgreSQL + Kafka)', () => {
  const run = distributedRun('console');
  // The partner portal signs webhooks with a key every instance shares (required in distributed mode); the relay does not take it.
  const webhookKey = { CRM_PARTNER_WEBHOOK_KEY: `infra-partner-webhook-key-${run.run}-0123456789` };
  let processes: WorkerProcess[] = [];
  let consoleUrl = '';
  let signingKeyFile = '';
  let browser: Browser | undefined;
  const token = (principal: Principal) => mintToken(principal, { signingKey: signingKeyFile, issuer: 'crm-embedded', audience: 'crm' });

  const api = async (method: string, url: string, bearer: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await fetch(`${consoleUrl}/api${url}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  /** A command a service accepts once its read models know the customer (it learns of it through Kafka). */
  const once201 = async (method: string, url: string, bearer: string, body: unknown, what: string) => {
    let reply = await api(method, url, bearer, body);
    await waitFor(async () => reply.status === 201 || ((reply = await api(method, url, bearer, body)), reply.status === 201), 60000, what);
    return reply.body;
  };
  /** Until sales' read models (fed from Kafka) know the customer: its reads and its live stream answer 404 before. */
  const knownToSales = (customerId: string, bearer: string) =>
    waitFor(async () => (await api('GET', `/sales/customers/${customerId}`, bearer)).status === 200, 60000, "the customer in sales' read model");

  beforeAll(async () => {
    // The web app the console serves (built only when its sources changed).
    const build = spawnSync(process.execPath, ['tools/console-build.js'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`console build failed: ${build.stderr}`);
    signingKeyFile = (await ensureLocalKeys(run.dataDir)).signingKeyFile;
    const ports = await freePorts(2 + names.length); // relay, the five, the console
    const port = (n: Name) => ports[1 + names.indexOf(n)];
    const consolePort = ports[1 + names.length];
    const log = (what: string) => path.join(run.logDir, `console-${run.run}-${what}.log`);
    processes = [
      new WorkerProcess('tools/relay.ts', { ...run.env, CRM_HTTP_PORT: String(ports[0]) }, log('relay')),
      ...names.map((n) => new WorkerProcess(`services/${n}/src/main.ts`, { ...run.env, ...webhookKey, CRM_HTTP_PORT: String(port(n)) }, log(n))),
      new WorkerProcess(
        'apps/console/server/main.ts',
        {
          CRM_MODE: 'distributed',
          CRM_HTTP_HOST: '127.0.0.1',
          CRM_CONSOLE_PORT: String(consolePort),
          CRM_DATA_DIR: run.dataDir,
          CRM_LOG_LEVEL: 'warn',
          ...Object.fromEntries(names.map((n) => [setting(n), `http://127.0.0.1:${port(n)}`])),
        },
        log('console'),
      ),
    ];
    for (const p of processes) p.start();
    consoleUrl = `http://127.0.0.1:${consolePort}`;
    await waitForProcesses(
      processes,
      () => allReady([...names.map((n) => `http://127.0.0.1:${port(n)}`), consoleUrl]),
      180000,
      'the five services and the console to be ready',
    );
  }, 300000);

  afterAll(async () => {
    await browser?.close();
    for (const p of processes) await p.kill();
    const db = new Client({ connectionString: run.databaseUrl });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${run.schemas.store} CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS ${run.schemas.platform} CASCADE`);
    await db.end();
    fs.rmSync(run.dataDir, { recursive: true, force: true });
  });

  it('through the console: sales registers a customer and records an interaction; the timeline read through the console shows it, live too', async () => {
    const sales = await token({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    const service = await token({ kind: 'staff', subject: 'budi', department: 'service', roles: ['agent'] });
    expect((await api('GET', '/sales/customers', 'not-a-token')).status).toBe(401);

    const reg = await api('POST', '/sales/customers', sales, { kind: 'organisation', name: 'PT Konsol Terdistribusi' });
    expect(reg.status).toBe(201);
    const customerId = String(reg.body.customerId);
    const { episodeId } = await once201('POST', '/sales/opportunities', sales, { customerId, name: 'Console renewal' }, 'sales to accept the opportunity');

    await knownToSales(customerId, sales);
    // The live stream through the console: told once sales' read model (fed from Kafka) has the interaction.
    const stream = await openEventStreamForTest(`${consoleUrl}/api/sales/customers/${customerId}/timeline/live`, sales);
    expect(stream.status).toBe(200);
    await stream.next((e) => e.event === 'ready', 'ready');
    const recorded = await api('POST', `/sales/opportunities/${String(episodeId)}/interactions`, sales, {
      channel: 'phone',
      direction: 'outbound',
      action: 'called from the console',
    });
    expect(recorded.status).toBe(201);
    await stream.next((e) => e.event === 'timeline' && (JSON.parse(e.data) as { kind: string }).kind === 'InteractionRecorded', 'the interaction event');
    const actions = async (svc: Name, bearer: string) => {
      const page = await api('GET', `/${svc}/customers/${customerId}/timeline`, bearer);
      return ((page.body.episodes ?? []) as { interactions: { action: string }[] }[]).flatMap((e) => e.interactions.map((i) => i.action));
    };
    // what the event promised: sales' next read shows it
    expect(await actions('sales', sales)).toContain('called from the console');
    stream.close();
    // and another service, in its own process, shows the same history through the console
    await waitFor(async () => (await actions('service', service)).includes('called from the console'), 60000, 'service to show the interaction');
  });

  it('in Chromium: the console, signed in with a token, shows the customer live view and a new interaction without a reload', async () => {
    const sales = await token({ kind: 'staff', subject: 'dewi', department: 'sales', roles: ['agent'] });
    const reg = await api('POST', '/sales/customers', sales, { kind: 'organisation', name: 'CV Peramban' });
    const customerId = String(reg.body.customerId);
    const { episodeId } = await once201('POST', '/sales/opportunities', sales, { customerId, name: 'Browser deal' }, 'sales to accept the opportunity');

    await knownToSales(customerId, sales);
    browser = await launchBrowser();
    const context = await newContext(browser);
    // The session the sign-in page stores after an identity provider's sign-in (the token in this tab only).
    await context.addInitScript(
      ([t]) => {
        const g = globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } };
        g.sessionStorage.setItem(
          'crm.console.session',
          JSON.stringify({
            token: t,
            principal: { kind: 'staff', subject: 'dewi', department: 'sales', roles: ['agent'] },
            expiresAt: Date.now() + 3600_000,
            method: 'oidc',
          }),
        );
      },
      [sales] as const,
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${consoleUrl}/live/customers/${customerId}`);
    await page.getByRole('heading', { level: 1, name: 'Live timeline' }).waitFor({ timeout: 60000 });
    await page.getByRole('status', { name: 'Live updates: Live' }).waitFor({ timeout: 60000 });
    await page.getByText('The latest interactions with CV Peramban', { exact: false }).waitFor({ timeout: 60000 });
    expect(
      (
        await api('POST', `/sales/opportunities/${String(episodeId)}/interactions`, sales, {
          channel: 'email',
          direction: 'inbound',
          action: 'asked for a demo',
        })
      ).status,
    ).toBe(201);
    await page.getByRole('cell', { name: 'asked for a demo' }).waitFor({ timeout: 60000 });
    expect(errors).toEqual([]);
    await context.close();
  });

  /** A page of the console in this browser, signed in as `principal` (the session the sign-in page stores). */
  const pageAs = async (principal: Principal, bearer: string, method: 'oidc' | 'partner') => {
    browser ??= await launchBrowser();
    const context = await newContext(browser);
    await context.addInitScript(
      ([t, p, m]) => {
        const g = globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } };
        g.sessionStorage.setItem('crm.console.session', JSON.stringify({ token: t, principal: JSON.parse(p), expiresAt: Date.now() + 3600_000, method: m }));
      },
      [bearer, JSON.stringify(principal), method] as const,
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    return { context, page, errors };
  };
  /** Each page shows its heading and settles without an error shown (a refused or failed request). */
  const visitAll = async (page: import('playwright-core').Page, paths: readonly string[]) => {
    const failed: string[] = [];
    for (const p of paths) {
      await page.goto(`${consoleUrl}${p}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 60000 });
      // Settled: no loader left (a page's chunk, its queries).
      await waitFor(async () => (await page.getByRole('status', { name: 'Loading…' }).count()) === 0, 60000, `${p} to load`);
      // The console's error alert (ErrorAlert: a refused or failed request); notices such as a model's warnings are alerts too, and fine.
      const alerts = await page.getByRole('alert').filter({ hasText: 'Something went wrong' }).allTextContents();
      if (alerts.length) failed.push(`${p}: ${alerts.join(' | ')}`);
    }
    return failed;
  };

  it('in Chromium: every staff page of every area loads through the console from the separate services, without an error shown', async () => {
    const principal: Principal = { kind: 'staff', subject: 'maria', department: 'management', roles: ['admin', 'channel-manager'] };
    const bearer = await token(principal);
    const { context, page, errors } = await pageAs(principal, bearer, 'oidc');
    const paths = [
      '/customers',
      '/customers/duplicates',
      '/sales/pipeline',
      '/sales/activities',
      '/sales/quotes/new',
      '/sales/forecast',
      '/service/my-queue',
      '/service/queue',
      '/service/returns',
      '/service/dashboard',
      '/marketing/segments',
      '/marketing/segments/new',
      '/marketing/campaigns',
      '/marketing/campaigns/new',
      '/marketing/consent',
      '/analytics',
      '/analytics/rfm',
      '/analytics/clv',
      '/analytics/customers',
      '/partners',
      '/partners/review',
    ];
    expect(await visitAll(page, paths)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("in Chromium: commands made on the console's pages reach the other services' read models (a partner registered and a customer shared and unshared, an opportunity moved)", async () => {
    const sales = await token({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    const customerId = String((await api('POST', '/sales/customers', sales, { kind: 'organisation', name: 'PT Bersama Terdistribusi' })).body.customerId);
    const { episodeId } = await once201('POST', '/sales/opportunities', sales, { customerId, name: 'Distributed move' }, 'sales to accept the opportunity');
    await knownToSales(customerId, sales);

    // A channel manager registers a partner on the directory page (the partner portal's command), and
    // the directory — a read model the portal keeps from PartnerRegistered on Kafka — lists it.
    const manager: Principal = { kind: 'staff', subject: 'maria', department: 'management', roles: ['admin', 'channel-manager'] };
    const m = await pageAs(manager, await token(manager), 'oidc');
    await m.page.goto(`${consoleUrl}/partners`);
    await m.page.getByRole('button', { name: 'Register a partner' }).click();
    const dialog = m.page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Company name' }).fill('PT Mitra Terdistribusi');
    await dialog.getByRole('combobox', { name: 'Kind', exact: true }).click();
    await m.page.getByRole('option', { name: 'Reseller' }).click();
    await dialog.getByRole('button', { name: 'Register a partner' }).click();
    await m.page.getByRole('heading', { level: 1, name: 'PT Mitra Terdistribusi' }).waitFor({ timeout: 60000 });
    const partnerId = m.page.url().split('/').pop()!;
    await waitFor(
      async () =>
        ((await api('GET', '/partner-portal/partners?q=mitra%20terdistribusi', await token(manager))).body.items as { partnerId: string }[]).some(
          (p) => p.partnerId === partnerId,
        ),
      60000,
      'the partner in the directory',
    );

    // It shares the customer from the partner's page: found by name through sales' directory.
    await m.page.getByRole('combobox', { name: 'Search customers to share' }).fill('Bersama Terdistribusi');
    const option = m.page.getByRole('option', { name: new RegExp(`^PT Bersama Terdistribusi \\(${customerId.slice(0, 8)}\\)$`) });
    await option.waitFor({ timeout: 60000 });
    await option.click();
    await m.page.getByRole('button', { name: 'Share a customer', exact: true }).click();
    const shareRow = m.page
      .getByRole('table', { name: 'Shared customers' })
      .getByRole('row')
      .filter({ has: m.page.locator(`a[href="/customers/${customerId}"]`) });
    await shareRow.waitFor({ timeout: 60000 });
    // The customer's page names the partner: the portal's grants read model, fed from Kafka, then the partner's stream.
    const sharesCard = m.page.getByRole('region', { name: 'Shared with partners' });
    await waitFor(
      async () => {
        await m.page.goto(`${consoleUrl}/customers/${customerId}`);
        await sharesCard
          .getByText(/^(PT Mitra Terdistribusi|Not shared with any partner\.)$/)
          .first()
          .waitFor({ timeout: 30000 });
        return (await sharesCard.getByText('PT Mitra Terdistribusi').count()) > 0;
      },
      90000,
      'the share on the customer page',
    );
    // Unshared from the partner's page: the customer page no longer names it.
    await m.page.goto(`${consoleUrl}/partners/manage/${partnerId}`);
    await shareRow.getByRole('button', { name: /^Unshare / }).click();
    await shareRow.waitFor({ state: 'detached', timeout: 60000 });
    await m.page.goto(`${consoleUrl}/customers/${customerId}`);
    await sharesCard.getByText('Not shared with any partner.').waitFor({ timeout: 60000 });
    expect(m.errors).toEqual([]);
    await m.context.close();

    // A sales agent moves the opportunity on the pipeline board (sales' pipeline read model, fed from Kafka) with the menu.
    const agent: Principal = { kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] };
    const a = await pageAs(agent, sales, 'oidc');
    await a.page.goto(`${consoleUrl}/sales/pipeline`);
    await a.page.getByRole('button', { name: 'Move Distributed move to…' }).click({ timeout: 60000 });
    await a.page.getByRole('menuitem', { name: 'Lead qualification' }).click();
    await a.page.getByRole('region', { name: 'Lead qualification', exact: true }).getByRole('link', { name: 'Distributed move' }).waitFor({ timeout: 60000 });
    await waitFor(
      async () => (await api('GET', `/sales/opportunities/${String(episodeId)}`, sales)).body.stage === 'lead-qualification',
      60000,
      'the move in sales',
    );
    // A new page load reads the board from the read model again: the card stays where it was moved.
    await a.page.reload();
    await a.page.getByRole('region', { name: 'Lead qualification', exact: true }).getByRole('link', { name: 'Distributed move' }).waitFor({ timeout: 60000 });
    expect(a.errors).toEqual([]);
    await a.context.close();
  });

  it("in Chromium: a partner's pages load through the console with the partner's own token", async () => {
    const management = await token({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    const { partnerId } = (await api('POST', '/partner-portal/partners', management, { name: 'PT Distributed Partner', partnerKind: 'distributor' })).body as {
      partnerId: string;
    };
    const credential = (await api('POST', `/partner-portal/partners/${partnerId}/credentials`, management)).body as { clientId: string; clientSecret: string };
    const exchanged = await fetch(`${consoleUrl}/api/partner-portal/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credential),
    });
    expect(exchanged.status).toBe(200);
    const bearer = String(((await exchanged.json()) as { access_token: string }).access_token);
    const principal: Principal = { kind: 'partner', subject: credential.clientId, partnerId, roles: [] };
    const { context, page, errors } = await pageAs(principal, bearer, 'partner');
    expect(await visitAll(page, ['/partners/customers', '/partners/deals', '/partners/leads', '/partners/webhooks'])).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
