import { createHash } from 'node:crypto';
import { SeedError, type SeedContext, type StaffLogin } from './seed-context';

/**
 * The sales part of the API seed: a catalogue (products, some with configuration rules, and a
 * price book), opportunities with amounts and close dates in every stage of the sales process
 * (the bulk's opportunities carry only an unstated `expectedValue`, so the board and the forecast
 * would show no money without these), a few wins this month, sales targets, activities due today
 * for the demo sales users, and quotes (a sent one, a draft, one awaiting a manager's approval).
 * Ids are derived from names: a second run asks for the same things and changes nothing.
 */

/** The demo sales users (staff of sales) and their manager. */
export const SALES_USERS = ['sari.sales', 'dewi.sales', 'andi.sales'] as const;
export const SALES_MANAGER = 'mira.manager';

const STAGES = [
  'lead-generation',
  'lead-qualification',
  'needs-identification',
  'specification-development',
  'proposal-creation',
  'proposal-presentation',
  'handling-objections',
  'closing',
] as const;
const NAMES = [
  'Fleet renewal',
  'Delivery vans',
  'Cold-chain trucks',
  'Depot expansion',
  'Driver training',
  'Pilot fleet',
  'Replacement vans',
  'Regional rollout',
];
const DAY = 86_400_000;

/** A stable UUID (version-4 shaped) for a demo thing's name. */
function idOf(name: string): string {
  const h = createHash('sha256').update(`crm-demo-sales:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const quarterOf = (d: Date) => `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
const monthOf = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

/** Runs a step that a second run may find already done (a closed opportunity, a sent quote). */
async function once(step: () => Promise<unknown>, done: RegExp): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!(error instanceof SeedError && done.test(error.message))) throw error;
  }
}

export async function seedSales(ctx: SeedContext): Promise<void> {
  const now = ctx.now();
  const manager = await ctx.staffToken({ department: 'sales', subject: SALES_MANAGER, roles: ['manager'] } satisfies StaffLogin);
  const tokens = Object.fromEntries(await Promise.all(SALES_USERS.map(async (u) => [u, await ctx.staffToken({ department: 'sales', subject: u })] as const)));
  const customers = ctx.bulk.customers;
  if (customers.length < 8) throw new SeedError('the sales seed needs the bulk demo data (8 customers at least)');

  // The catalogue: a van and a truck with a GPS option, a warranty that requires the van, training sold by two days at least, a bundle.
  const product = async (body: Record<string, unknown>) => {
    try {
      return (await ctx.call<{ productId: string }>('sales', 'POST', '/products', manager, body)).body.productId;
    } catch (error) {
      // Defined by an earlier run (a bundle's definition is not compared): the problem names it.
      const taken = error instanceof SeedError && /"code":"sku-taken".*"productId":"([0-9a-f-]{36})"/.exec(error.message);
      if (taken) return taken[1]!;
      throw error;
    }
  };
  const gps = await product({ sku: 'GPS-1', kind: 'option', name: 'GPS fleet tracker', description: 'Live position and driving data, per vehicle' });
  const van = await product({ sku: 'VAN-1', name: 'Delivery van 3.5 t', description: 'Diesel, 12 m³ load space', options: [gps] });
  const truck = await product({ sku: 'TRK-2', name: 'Box truck 7.5 t', description: 'Diesel, tail lift', options: [gps] });
  const warranty = await product({ sku: 'WAR-3', name: 'Extended warranty, 3 years', description: 'For the delivery van', rules: { requires: [van] } });
  const training = await product({ sku: 'TRN-1', name: 'Driver training day', description: 'Sold by two days at least', rules: { minQuantity: 2 } });
  const bundle = await product({
    sku: 'FLEET-5',
    kind: 'bundle',
    name: 'Starter fleet',
    description: 'Five delivery vans',
    components: [{ productId: van, quantity: 5 }],
  });
  const productIds = { 'GPS-1': gps, 'VAN-1': van, 'TRK-2': truck, 'WAR-3': warranty, 'TRN-1': training, 'FLEET-5': bundle };

  const year = new Date(now).getUTCFullYear();
  const priceBookId = idOf('price-book');
  await ctx.call('sales', 'POST', '/price-books', manager, {
    priceBookId,
    name: `Fleet price list ${year}–${year + 1}`,
    currency: 'EUR',
    validFrom: `${year}-01-01`,
    validTo: `${year + 1}-12-31`,
    prices: [
      { productId: gps, unitPrice: 45_000 },
      { productId: van, unitPrice: 3_450_000 },
      { productId: truck, unitPrice: 5_890_000 },
      { productId: warranty, unitPrice: 180_000 },
      { productId: training, unitPrice: 65_000 },
      { productId: bundle, unitPrice: 16_500_000 },
    ],
  });

  // Opportunities in every stage, three per stage, one per sales user; close dates over the next months.
  const opportunities: { id: string; owner: string; stage: string; customerId: string }[] = [];
  for (let i = 0; i < STAGES.length * 3; i++) {
    const owner = SALES_USERS[i % SALES_USERS.length]!;
    const stage = STAGES[Math.floor(i / 3)]!;
    const customerId = customers[(i * 7 + 3) % customers.length]!;
    const id = idOf(`opportunity-${i}`);
    await once(
      () =>
        ctx.call('sales', 'POST', '/opportunities', tokens[owner]!, {
          episodeId: id,
          customerId,
          name: `${NAMES[i % NAMES.length]} ${year}`,
          stage,
          amount: (12 + ((i * 37) % 140)) * 100_000,
          currency: 'EUR',
          // The later the stage, the sooner it should close.
          expectedCloseDate: day(now + (5 + (STAGES.length - 1 - Math.floor(i / 3)) * 12 + (i % 3) * 4) * DAY),
          nextStep: i % 2 ? 'send the revised quote' : 'call the buyer',
          openedAt: new Date(now - (40 + i) * DAY).toISOString(),
        }),
      /episode-exists/,
    );
    opportunities.push({ id, owner, stage, customerId });
  }
  // Wins this month, for the forecast's closed figures and the targets' attainment.
  const won: string[] = [];
  for (let i = 0; i < 6; i++) {
    const owner = SALES_USERS[i % SALES_USERS.length]!;
    const id = idOf(`won-${i}`);
    await once(
      () =>
        ctx.call('sales', 'POST', '/opportunities', tokens[owner]!, {
          episodeId: id,
          customerId: customers[(i * 11 + 5) % customers.length]!,
          name: `${NAMES[(i + 3) % NAMES.length]} ${year} (won)`,
          stage: 'closing',
          amount: (40 + i * 15) * 100_000,
          currency: 'EUR',
          expectedCloseDate: day(now),
          openedAt: new Date(now - (60 + i) * DAY).toISOString(),
        }),
      /episode-exists/,
    );
    await once(
      () => ctx.call('sales', 'POST', `/opportunities/${id}/close`, tokens[owner]!, { outcome: 'won', reason: 'best delivery time' }),
      /episode-closed|closed/,
    );
    won.push(id);
  }

  // Targets: each user's quarter of this year and the next two, and this month and the next.
  const periods = new Set<string>();
  for (let q = 0; q < 4; q++) periods.add(`${year}-Q${q + 1}`);
  for (const offset of [0, 90, 180]) periods.add(quarterOf(new Date(now + offset * DAY)));
  for (const offset of [0, 31]) periods.add(monthOf(new Date(now + offset * DAY)));
  for (const period of periods) {
    const monthly = !period.includes('Q');
    await ctx.call('sales', 'PUT', '/sales-targets', manager, {
      period,
      currency: 'EUR',
      targets: SALES_USERS.map((owner, i) => ({ owner, amount: (monthly ? 60 + i * 10 : 180 + i * 30) * 100_000 })),
    });
  }

  // Activities due today (and one overdue) for each sales user, on their opportunities.
  const activityIds: string[] = [];
  for (const [u, owner] of SALES_USERS.entries()) {
    const mine = opportunities.filter((o) => o.owner === owner);
    const plans = [
      { kind: 'call', subject: 'Confirm the budget with the buyer', dueAt: now - 2 * 3_600_000, o: mine[1]! },
      { kind: 'call', subject: 'Follow up on the proposal', dueAt: now + (2 + u) * 3_600_000, o: mine[4]! },
      { kind: 'meeting', subject: 'Present the fleet proposal', dueAt: now + (5 + u) * 3_600_000, durationMinutes: 60, o: mine[5]! },
      { kind: 'email', subject: 'Send the delivery schedule', dueAt: now + (8 + u) * 3_600_000, o: mine[6]! },
    ];
    for (const [i, plan] of plans.entries()) {
      // One set per day: a run on a later day plans that day's activities.
      const activityId = idOf(`activity-${owner}-${i}-${day(now)}`);
      await once(
        () =>
          ctx.call('sales', 'POST', '/activities', tokens[owner]!, {
            activityId,
            kind: plan.kind,
            episodeId: plan.o.id,
            subject: plan.subject,
            dueAt: new Date(plan.dueAt).toISOString(),
            ...(plan.durationMinutes && { durationMinutes: plan.durationMinutes }),
            reminderMinutesBefore: 15,
          }),
        /activity-exists/,
      );
      activityIds.push(activityId);
    }
  }

  // Quotes: one sent, one draft, one whose discount awaits a manager.
  const inStage = (stage: string, owner: string) => opportunities.find((o) => o.stage === stage && o.owner === owner)!;
  const quote = async (name: string, owner: string, opportunityId: string, lines: unknown[]) => {
    const quoteId = idOf(`quote-${name}`);
    await once(
      () =>
        ctx.call('sales', 'POST', '/quotes', tokens[owner]!, {
          quoteId,
          opportunityId,
          currency: 'EUR',
          priceBookId,
          lines,
          validUntil: day(now + 30 * DAY),
        }),
      /quote-exists/,
    );
    return quoteId;
  };
  const sent = await quote('sent', 'sari.sales', inStage('proposal-presentation', 'sari.sales').id, [
    { productId: van, quantity: 2, discountBasisPoints: 500, taxRateBasisPoints: 1100 },
    { productId: gps, quantity: 2, taxRateBasisPoints: 1100 },
    { productId: warranty, quantity: 2, taxRateBasisPoints: 1100 },
  ]);
  await once(() => ctx.call('sales', 'POST', `/quotes/${sent}/send`, tokens['sari.sales']!, { channel: 'email' }), /sent|accepted/);
  const draft = await quote('draft', 'dewi.sales', inStage('proposal-creation', 'dewi.sales').id, [
    { productId: truck, quantity: 1, taxRateBasisPoints: 1100 },
    { productId: training, quantity: 3, taxRateBasisPoints: 1100 },
  ]);
  const awaiting = await quote('awaiting-approval', 'andi.sales', inStage('handling-objections', 'andi.sales').id, [
    { productId: bundle, quantity: 1, discountBasisPoints: 1500, taxRateBasisPoints: 1100 },
  ]);

  ctx.out['sales'] = {
    users: [...SALES_USERS],
    manager: SALES_MANAGER,
    productIds,
    priceBookId,
    opportunityIds: opportunities.map((o) => o.id),
    wonOpportunityIds: won,
    activityIds,
    quoteIds: { sent, draft, awaitingApproval: awaiting },
    targetPeriods: [...periods],
  };
  ctx.log(`sales: ${Object.keys(productIds).length} products, ${opportunities.length + won.length} opportunities, ${activityIds.length} activities, 3 quotes`);
}
