/**
 * npm run demo-data — loads a realistic demo data set through the same commands the services run:
 * several hundred customers (people and organisations), opportunities through the sales process,
 * service cases, a marketing campaign, and two partners with different shares, each with its own
 * episodes. Uses the CRM_* settings `npm start` takes (embedded by default: stop `npm start` first —
 * the data folder belongs to one process, and this one is refused while the CRM holds it;
 * distributed: runs beside the services).
 *
 *   npm run demo-data [-- --customers 300 --seed 7]
 *
 * Then, with the CRM running, the departments' data through its APIs (tools/demo-data/):
 *
 *   npm run demo-data -- --api [http://localhost:3000] [--json]
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { createPlatform, DataDirLockedError } from '@crm/platform';
import { contractCheckedStore, createRelationshipCommands } from '@crm/relationship-api';
import { CHANNELS, SALES_STAGES, type Channel } from '@crm/relationship';
import type { PartnerPrincipal, StaffPrincipal } from '@crm/service-kit';
import { embeddedHostEnv, EmbeddedHostConfig } from './embedded-host-config';
import type { BulkDemoData } from './demo-data/seed-context';
import { seedThroughApi } from './demo-data/seed-through-api';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Small deterministic PRNG, so a seed gives the same data set. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FIRST = ['Sari', 'Budi', 'Dewi', 'Agus', 'Rina', 'Eko', 'Maya', 'Joko', 'Lina', 'Hadi', 'Anna', 'Lukas', 'Marta', 'Jonas', 'Eva'];
const LAST = ['Wijaya', 'Santoso', 'Pratama', 'Kusuma', 'Halim', 'Novak', 'Berger', 'Keller', 'Lindqvist', 'Rossi'];
const ORGS = [
  'Maju Jaya',
  'Sinar Abadi',
  'Nusantara Logistik',
  'Karya Mandiri',
  'Alpen Tech',
  'Nordlicht',
  'Blue Harbor',
  'Delta Foods',
  'Cahaya Medika',
  'Vega Motors',
];
const SUFFIX = ['PT', 'GmbH', 'Ltd', 'CV', 'AB'];

async function main(): Promise<void> {
  const api = process.argv.indexOf('--api');
  if (api >= 0) {
    const url = process.argv[api + 1] && !process.argv[api + 1].startsWith('--') ? process.argv[api + 1] : 'http://localhost:3000';
    const json = process.argv.includes('--json');
    const made = await seedThroughApi(url, loadConfigOrExit(EmbeddedHostConfig, embeddedHostEnv(process.env)).CRM_DATA_DIR, json);
    if (json) console.log(JSON.stringify(made));
    else {
      // The demo partners' users sign in on the console's Partner tab with these (shown once, like any new secret).
      const partners = (made['partners'] ?? {}) as Record<string, { clientId?: string; clientSecret?: string } | undefined>;
      for (const name of ['distributor', 'repairer']) {
        const p = partners[name];
        if (p?.clientId) console.log(`partner ${name}: client id ${p.clientId}, client secret ${p.clientSecret}`);
      }
      console.log('demo data through the APIs: done');
    }
    return;
  }
  // The settings `npm start` takes (its CRM_*_PORT settings included), so one environment serves both.
  const config = loadConfigOrExit(EmbeddedHostConfig, embeddedHostEnv(process.env));
  const count = arg('customers', 300);
  const rnd = prng(arg('seed', 7));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const registry = crmRegistry();
  const platform = await createPlatform(config, { registry, clientId: 'crm-demo-data' });
  const commands = createRelationshipCommands(contractCheckedStore(platform.eventStore, registry));
  const staff = (department: 'sales' | 'service' | 'marketing' | 'management', subject: string): StaffPrincipal => ({
    kind: 'staff',
    subject,
    department,
    roles: ['agent'],
  });
  const sales = staff('sales', 'sari.sales');
  const service = staff('service', 'budi.service');
  const marketing = staff('marketing', 'maya.marketing');
  const management = staff('management', 'admin');
  const day = 86_400_000;
  const now = Date.now();
  const ago = (days: number) => new Date(now - days * day).toISOString();

  try {
    const customers: string[] = [];
    for (let i = 0; i < count; i++) {
      const org = rnd() < 0.4;
      const name = org ? `${pick(SUFFIX)} ${pick(ORGS)} ${i}` : `${pick(FIRST)} ${pick(LAST)}`;
      // The index keeps it unique: two people of the same name are two customers, and an e-mail is one customer's identity.
      const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${i}@example.com`;
      const { id } = await commands.customers.register(sales, {
        kind: org ? 'organisation' : 'person',
        name,
        contacts: org
          ? [
              {
                name: `${pick(FIRST)} ${pick(LAST)}`,
                role: pick(['buyer', 'owner', 'procurement']),
                email: `buyer.${i}@example.com`,
                // A postal address for the mail channel's print list (from the index: the random sequence stays as it was).
                address: { lines: [`Jl. Merdeka ${i + 1}`], postalCode: String(10110 + (i % 90)), locality: 'Jakarta Pusat', country: 'ID' },
              },
            ]
          : [],
        identities: [{ kind: 'email', value: email }],
        journeyStage: pick(['suspect', 'prospect', 'first-time-customer', 'repeat-customer', 'loyal-customer'] as const),
        relationshipPhase: pick(['awareness', 'exploration', 'expansion', 'commitment'] as const),
      });
      customers.push(id);
    }

    for (const customerId of customers) {
      // Sales: most customers have an opportunity somewhere along the sales process.
      if (rnd() < 0.7) {
        const openedDays = 30 + Math.floor(rnd() * 300);
        const opp = await commands.episodes.open(sales, 'opportunity', {
          customerId,
          name: `${pick(['Renewal', 'Expansion', 'New fleet', 'Pilot'])} ${2026}`,
          openedAt: ago(openedDays),
          expectedValue: Math.round(rnd() * 90_000) + 5_000,
          currency: 'EUR',
        });
        await commands.episodes.recordInteraction(sales, opp.id, {
          channel: pick(['phone', 'email', 'face-to-face'] as Channel[]),
          direction: 'outbound',
          action: 'qualification call',
          response: pick(['interested', 'asked for a proposal', 'no budget this quarter']),
          occurredAt: ago(openedDays - 1),
        });
        const stage = SALES_STAGES[1 + Math.floor(rnd() * (SALES_STAGES.length - 1))];
        await commands.episodes.advanceStage(sales, opp.id, stage);
        const r = rnd();
        if (r < 0.35)
          await commands.episodes.close(sales, opp.id, {
            outcome: 'won',
            value: Math.round(rnd() * 80_000) + 2_000,
            currency: 'EUR',
            reason: pick(['best offer', 'delivery time', 'existing relationship']),
            closedAt: ago(Math.floor(openedDays / 2)),
          });
        else if (r < 0.5)
          await commands.episodes.close(sales, opp.id, { outcome: 'lost', reason: 'chose a competitor', closedAt: ago(Math.floor(openedDays / 2)) });
      }
      // Service: cases on every channel.
      if (rnd() < 0.35) {
        const channel = pick(CHANNELS);
        const c = await commands.episodes.open(service, 'case', {
          customerId,
          name: pick(['Delivery late', 'Invoice question', 'Device fault', 'Password reset']),
          channel,
          openedAt: ago(20),
        });
        await commands.episodes.recordInteraction(service, c.id, {
          channel,
          direction: 'inbound',
          actorKind: 'customer',
          actorId: customerId,
          action: 'customer reported the problem',
          occurredAt: ago(20),
        });
        await commands.episodes.recordInteraction(service, c.id, {
          channel,
          direction: 'outbound',
          action: 'agent answered',
          response: 'customer satisfied',
          occurredAt: ago(19),
        });
        if (rnd() < 0.7) await commands.episodes.close(service, c.id, { outcome: pick(['resolved', 'unresolved'] as const), closedAt: ago(18) });
      }
    }

    // Marketing: one campaign touching a third of the customers, by e-mail.
    const campaignId = randomUUID();
    for (const customerId of customers.filter(() => rnd() < 0.33)) {
      const ep = await commands.episodes.open(marketing, 'campaign', {
        customerId,
        name: 'Spring offer 2027',
        channel: 'email',
        campaignId,
        openedAt: ago(10),
      });
      await commands.episodes.recordInteraction(marketing, ep.id, {
        channel: 'email',
        direction: 'outbound',
        action: 'sent the spring offer',
        occurredAt: ago(10),
      });
    }

    // Two partners with different shares, each with its own episodes on what it was given.
    const distributor = await commands.partners.register(management, { name: 'Distributor Nusantara', partnerKind: 'distributor' });
    const repairer = await commands.partners.register(management, { name: 'FixIt Service Partner', partnerKind: 'service-provider' });
    const shares: Record<string, string[]> = { [distributor.id]: customers.slice(0, 40), [repairer.id]: customers.slice(30, 60) };
    for (const [partnerId, shared] of Object.entries(shares)) {
      for (const customerId of shared) await commands.partners.shareCustomer(management, partnerId, customerId);
    }
    const partnerUser = (partnerId: string): PartnerPrincipal => ({ kind: 'partner', subject: `${partnerId}.demo`, partnerId, roles: ['partner'] });
    for (const customerId of shares[distributor.id].slice(0, 15)) {
      const deal = await commands.episodes.open(partnerUser(distributor.id), 'partner-deal', { customerId, name: 'Distributor sale', openedAt: ago(5) });
      await commands.episodes.recordInteraction(partnerUser(distributor.id), deal.id, {
        channel: 'face-to-face',
        direction: 'outbound',
        action: 'demonstrated the product at the store',
        occurredAt: ago(5),
      });
    }
    for (const customerId of shares[repairer.id].slice(0, 10)) {
      const repair = await commands.episodes.open(partnerUser(repairer.id), 'return-repair', { customerId, name: 'Repair of returned unit', openedAt: ago(3) });
      await commands.episodes.recordInteraction(partnerUser(repairer.id), repair.id, {
        channel: 'portal',
        direction: 'inbound',
        action: 'unit received for repair',
        occurredAt: ago(3),
      });
    }
    // Orders: a year and a half of purchase history, what analytics builds its KPIs, RFM and lifetime values from.
    // Their own random sequence (seed + 1), so adding them left every customer, episode and share above as it was.
    const orders = await placeDemoOrders(commands, sales, customers, prng(arg('seed', 7) + 1), ago);
    // Counted, not assumed: with --customers below 60 the shares are smaller.
    const inCommon = shares[distributor.id].filter((id) => shares[repairer.id].includes(id)).length;
    // The ids the API seed (`--api`) builds on.
    const bulk: BulkDemoData = { customers, campaignId, partners: { distributor: distributor.id, repairer: repairer.id }, shares };
    fs.writeFileSync(path.join(config.CRM_DATA_DIR, 'demo-data.json'), JSON.stringify(bulk));
    console.log(
      `demo data: ${customers.length} customers, ${orders} orders, campaign ${campaignId}, partners ${distributor.id} (${shares[distributor.id].length} shared) and ${repairer.id} (${shares[repairer.id].length} shared, ${inCommon} in common)`,
    );
  } finally {
    await platform.close();
  }
}

const PRODUCTS = [
  { productId: 'FLEET-TRACKER', productName: 'Fleet tracker', unitPrice: 24_900 },
  { productId: 'FLEET-SUBSCRIPTION', productName: 'Fleet tracking subscription (year)', unitPrice: 119_000 },
  { productId: 'SENSOR-KIT', productName: 'Temperature sensor kit', unitPrice: 8_900 },
  { productId: 'INSTALL', productName: 'Installation', unitPrice: 15_000 },
  { productId: 'SUPPORT-PLUS', productName: 'Support plus (year)', unitPrice: 49_000 },
  { productId: 'CABLE-SET', productName: 'Cable set', unitPrice: 1_900 },
] as const;

/**
 * Purchase histories for about 60 % of the customers: each buys at its own rate from its first
 * purchase (up to a year and a half ago) until it drops out (some are still buying, some stopped long ago:
 * the lapsed repeat buyers the at-risk lists are for). External ids make a second run on the same
 * data folder place nothing new. Returns how many orders were placed.
 */
async function placeDemoOrders(
  commands: ReturnType<typeof createRelationshipCommands>,
  principal: StaffPrincipal,
  customers: readonly string[],
  rnd: () => number,
  ago: (days: number) => string,
): Promise<number> {
  let placed = 0;
  for (const [i, customerId] of customers.entries()) {
    if (rnd() >= 0.6) continue;
    const firstDay = 30 + Math.floor(rnd() * 520);
    // Mean days between purchases: frequent buyers every few weeks, regular ones every two or three months.
    const gap = rnd() < 0.3 ? 15 + rnd() * 30 : 40 + rnd() * 60;
    // A third stop buying at some point after their first purchase.
    const lastDay = rnd() < 0.35 ? Math.floor(firstDay * rnd() * 0.6) + 1 : 1;
    const spend = 0.5 + rnd() * 2;
    let day = firstDay;
    for (let n = 0; day >= lastDay && n < 20; n++) {
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
        const product = PRODUCTS[Math.floor(rnd() * PRODUCTS.length)];
        return { ...product, unitPrice: Math.round(product.unitPrice * spend), quantity: 1 + Math.floor(rnd() * 4) };
      });
      await commands.orders.place(
        principal,
        { customerId, orderDate: ago(day), currency: 'EUR', lines, externalId: `demo-${i}-${n}`, source: 'import' },
        { customerKnown: true, assumeNew: true },
      );
      placed++;
      day -= Math.max(1, Math.round(gap * (0.3 + rnd() * 1.4)));
    }
  }
  return placed;
}

main().catch((e: unknown) => {
  if (e instanceof DataDirLockedError) {
    console.error(`demo-data: ${e.message}`);
    process.exit(75);
  }
  console.error(e);
  process.exit(1);
});
