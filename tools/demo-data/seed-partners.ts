import type { SeedContext } from './seed-context';

/** What the partners seed made for one partner: its first admin user and that user's credential (other specs sign in with it). */
export interface SeededPartner {
  partnerId: string;
  clientId: string;
  clientSecret: string;
  userId: string;
}

const DAY = 86_400_000;
/** A local address nothing listens on (the discard port): every delivery to it fails, so the log shows failures. */
const REFUSING_WEBHOOK = 'https://127.0.0.1:9/crm-webhooks';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The partners part of the API seed: for the bulk's distributor and repairer, a first admin invited
 * by a channel manager, a credential for that user (issued by the partner itself, with an organisation
 * credential the channel manager issued), a deal registration each, leads routed to the distributor
 * (one accepted, one declined, the rest waiting), and a webhook subscription per partner to a local
 * address that refuses, so the delivery log has failures. Recorded in `ctx.out.partners`.
 */
export async function seedPartners(ctx: SeedContext): Promise<void> {
  const channelManager = await ctx.staffToken({ department: 'sales', subject: 'rudi.channel', roles: ['channel-manager'] });
  const salesAgent = await ctx.staffToken({ department: 'sales', subject: 'sari.sales', roles: ['agent'] });
  const { distributor, repairer } = ctx.bulk.partners;
  const people = {
    [distributor]: { name: 'Budi Santoso', email: 'budi.santoso@distributor-nusantara.example' },
    [repairer]: { name: 'Ayu Lestari', email: 'ayu.lestari@fixit-service.example' },
  };

  const out: Record<'distributor' | 'repairer', SeededPartner> = {} as never;
  const tokens: Record<string, string> = {};
  for (const [key, partnerId] of [
    ['distributor', distributor],
    ['repairer', repairer],
  ] as const) {
    const admin = await ctx.call<{ userId: string }>('partner-portal', 'POST', `/partners/${partnerId}/users`, channelManager, people[partnerId]);
    // The organisation's credential lets the partner's software act for it; with it, the partner gives its admin a credential of their own.
    const org = await ctx.call<{ clientId: string; clientSecret: string }>('partner-portal', 'POST', `/partners/${partnerId}/credentials`, channelManager);
    const orgToken = await partnerToken(ctx, org.body.clientId, org.body.clientSecret);
    const mine = await ctx.call<{ clientId: string; clientSecret: string; userId: string }>(
      'partner-portal',
      'POST',
      `/users/${admin.body.userId}/credentials`,
      orgToken,
    );
    out[key] = { partnerId, clientId: mine.body.clientId, clientSecret: mine.body.clientSecret, userId: admin.body.userId };
    tokens[partnerId] = await partnerToken(ctx, mine.body.clientId, mine.body.clientSecret);
  }

  // Deal registrations: the distributor's on a customer shared with it and on a prospect; the repairer's on a shared customer.
  const inDays = (days: number) => new Date(ctx.now() + days * DAY).toISOString().slice(0, 10);
  const distributorShared = ctx.bulk.shares[distributor] ?? [];
  const repairerShared = ctx.bulk.shares[repairer] ?? [];
  const deals: string[] = [];
  const register = async (partnerId: string, body: Record<string, unknown>) =>
    deals.push((await ctx.call<{ registrationId: string }>('partner-portal', 'POST', '/deal-registrations', tokens[partnerId]!, body)).body.registrationId);
  if (distributorShared[20])
    await register(distributor, {
      customerId: distributorShared[20],
      products: ['VAN-L2'],
      estimatedValue: 450_000_000,
      currency: 'IDR',
      expectedCloseDate: inDays(45),
    });
  await register(distributor, {
    prospect: { company: 'CV Sumber Rejeki', contactName: 'Rina Wijaya', contactEmail: 'rina@sumber-rejeki.example' },
    products: ['VAN-L2', 'SERVICE-PLAN'],
    estimatedValue: 780_000_000,
    currency: 'IDR',
    expectedCloseDate: inDays(60),
  });
  if (repairerShared.at(-1))
    await register(repairer, {
      customerId: repairerShared.at(-1),
      products: ['SERVICE-PLAN'],
      estimatedValue: 35_000_000,
      currency: 'IDR',
      expectedCloseDate: inDays(30),
    });

  // Leads: the distributor takes vans in Indonesia; leads captured by sales, distributed by the channel manager.
  await ctx.call('partner-portal', 'PUT', `/partners/${distributor}/routing-profile`, channelManager, {
    territories: [{ country: 'ID' }],
    products: [],
    tier: 'gold',
    capacity: 20,
    active: true,
  });
  const prospects = [
    ['Agus Pratama', 'PT Logistik Cepat', 'java-west'],
    ['Dewi Kartika', 'CV Angkutan Jaya', 'java-east'],
    ['Hendra Gunawan', 'PT Kurir Kilat', 'bali'],
    ['Siti Rahma', 'UD Segar Abadi', 'java-central'],
    ['Yusuf Hakim', 'PT Armada Prima', 'sumatra-north'],
    ['Putri Maharani', 'CV Kirim Aman', 'java-west'],
  ] as const;
  const leadIds: string[] = [];
  for (const [name, company, region] of prospects) {
    const email = `${name.split(' ')[0]!.toLowerCase()}@${company.toLowerCase().replace(/[^a-z]+/g, '-')}.example`;
    const r = await ctx.call<{ leadId: string }>('sales', 'POST', '/leads', salesAgent, { source: 'web-form', name, company, email, country: 'ID', region });
    leadIds.push(r.body.leadId);
  }
  // The routing profile is read by the distribution's read model a moment after it was set: the first lead waits for it.
  const distribute = (leadId: string) =>
    ctx.call<{ status: string; partnerId?: string }>('partner-portal', 'POST', `/leads/${leadId}/distribution`, channelManager, { products: ['VAN-L2'] });
  for (let attempt = 0; ; attempt++) {
    const r = await distribute(leadIds[0]!);
    if (r.body.status === 'offered' && r.body.partnerId === distributor) break;
    if (attempt >= 100) throw new Error(`lead distribution did not offer to the distributor: ${JSON.stringify(r.body)}`);
    await sleep(100);
  }
  for (const leadId of leadIds.slice(1)) await distribute(leadId);
  await ctx.call('partner-portal', 'POST', `/leads/${leadIds[0]}/accept`, tokens[distributor]!);
  await ctx.call('partner-portal', 'POST', `/leads/${leadIds[1]}/decline`, tokens[distributor]!, { reason: 'Outside our delivery area this quarter' });

  // Webhooks to a refusing local address, and a replay of the partner's recent events so deliveries are attempted (and fail).
  const webhooks: string[] = [];
  for (const [partnerId, eventTypes] of [
    [distributor, ['InteractionRecorded', 'EpisodeOpened', 'EpisodeClosed']],
    [repairer, ['InteractionRecorded', 'RepairStatusChanged', 'ReturnRequested']],
  ] as const) {
    const sub = await ctx.call<{ subscriptionId: string }>('partner-portal', 'POST', '/webhooks', tokens[partnerId]!, { url: REFUSING_WEBHOOK, eventTypes });
    webhooks.push(sub.body.subscriptionId);
    await ctx.call('partner-portal', 'POST', `/webhooks/${sub.body.subscriptionId}/replay`, tokens[partnerId]!, { fromPosition: '0/0' });
  }

  ctx.out['partners'] = { ...out, dealRegistrationIds: deals, leadIds, webhookIds: webhooks };
  ctx.log(
    `partners: users and credentials for ${distributor} and ${repairer}, ${deals.length} deal registrations, ${leadIds.length} leads, ${webhooks.length} webhooks`,
  );
}

async function partnerToken(ctx: SeedContext, clientId: string, clientSecret: string): Promise<string> {
  const r = await fetch(`${ctx.url}/api/partner-portal/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  if (!r.ok) throw new Error(`partner token for ${clientId}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}
