import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit } from '@crm/config';
import { embeddedHostEnv, EmbeddedHostConfig } from '../embedded-host-config';
import { SeedError, type SeedContext } from './seed-context';

/** A deterministic UUID from a name: a second run of the seed defines the same campaign and places the same orders (idempotent routes). */
function uuidOf(name: string): string {
  const h = createHash('sha256').update(`demo-marketing:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const day = 86_400_000;

/** Again after a connection reset or a 502/503/504 (a loaded machine drops a kept-alive socket, a service answers late); every call here is idempotent. */
async function again<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const transient = error instanceof TypeError || (error instanceof SeedError && /: 50[234] /.test(error.message));
      if (!transient || i >= 4) throw error;
      await new Promise((r) => setTimeout(r, 500 * (i + 1)));
    }
  }
}

interface Campaign {
  campaignId: string;
  status: string;
  revision: string;
  counts: { pending: number; deferred: number; sent: number };
}
interface Recipient {
  customerId: string;
  group: 'control' | 'treatment';
  messages: { messageId: string; stepId: string; status: string; variantId?: string }[];
}

/**
 * The key the marketing service signs its open and click links with, when this machine can read it
 * (embedded: `<CRM_DATA_DIR>/keys/tracking-link-secret`, or derived from `CRM_CONSENT_LINK_SECRET`).
 * The seed then plays the recipients' mail clients — loading the pixel, following a link — exactly
 * as the links in the sent e-mails would; without it the campaign has replies and orders only.
 */
function trackingSecret(): Buffer | undefined {
  if (process.env['CRM_CONSENT_LINK_SECRET']) return createHmac('sha256', process.env['CRM_CONSENT_LINK_SECRET']).update('tracking-links').digest();
  try {
    const dir = loadConfigOrExit(EmbeddedHostConfig, embeddedHostEnv(process.env)).CRM_DATA_DIR;
    const file = path.resolve(dir, 'keys', 'tracking-link-secret');
    return fs.existsSync(file) ? Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url') : undefined;
  } catch {
    return undefined;
  }
}

function trackingToken(secret: Buffer, claims: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${payload}.${createHmac('sha256', secret).update(payload, 'utf8').digest('base64url')}`;
}

/**
 * The marketing part of the API seed: consent given and withdrawn over the last months, three
 * segments, and a finished A/B campaign (a control group, replies, opens and clicks, orders in the
 * attribution window) so its statistics have something to say. Records ids in `ctx.out.marketing`.
 */
export async function seedMarketing(context: SeedContext): Promise<void> {
  const ctx: SeedContext = { ...context, call: (...args) => again(() => context.call(...args)) };
  const token = await ctx.staffToken({ department: 'marketing', subject: 'mira.marketing', roles: ['agent'] });
  const salesToken = await ctx.staffToken({ department: 'sales', subject: 'dewi.sales', roles: ['agent'] });
  const customers = ctx.bulk.customers;
  const now = ctx.now();
  const iso = (ms: number) => new Date(ms).toISOString();

  // Consent: e-mail offers for two thirds, SMS offers for every fifth, the newsletter for every fourth; some withdrew since.
  const emailOffers: string[] = [];
  const withdrawn: string[] = [];
  for (const [i, customerId] of customers.entries()) {
    // Statements are recorded in time order: a customer whose consent was recorded already (a second run) is left as it is.
    const recorded = (await ctx.call<{ revision?: string }>('marketing', 'GET', `/customers/${customerId}/consent`, token)).body.revision !== undefined;
    const grants: { channel: string; purpose: string; days: number }[] = [];
    if (i % 3 !== 2) grants.push({ channel: 'email', purpose: 'offers', days: 120 - i });
    if (i % 5 === 0) grants.push({ channel: 'sms', purpose: 'offers', days: 100 - i });
    if (i % 4 === 0) grants.push({ channel: 'email', purpose: 'newsletter', days: 150 - i });
    for (const g of grants) {
      if (recorded) break;
      await ctx.call('marketing', 'POST', `/customers/${customerId}/consent/grants`, token, {
        channel: g.channel,
        purpose: g.purpose,
        source: 'import',
        evidence: { note: 'trade fair sign-up sheet 2026', formId: 'trade-fair-2026' },
        grantedAt: iso(now - g.days * day),
      });
    }
    if (i % 7 === 3 && i % 3 !== 2) {
      if (!recorded)
        await ctx.call('marketing', 'POST', `/customers/${customerId}/consent/withdrawals`, token, {
          channel: 'email',
          purpose: 'offers',
          source: 'import',
          evidence: { note: 'asked by reply to stop the offers' },
          withdrawnAt: iso(now - (20 + (i % 10)) * day),
        });
      withdrawn.push(customerId);
    } else if (i % 3 !== 2) emailOffers.push(customerId);
  }
  ctx.log(`marketing: consent for ${customers.length} customers (${emailOffers.length} may get e-mail offers, ${withdrawn.length} withdrew)`);

  // Segments.
  const segments: Record<string, string> = {};
  const define = async (key: string, name: string, description: string, rule: unknown) => {
    const list = await ctx.call<{ items: { segmentId: string; name: string }[] }>('marketing', 'GET', '/segments?limit=100', token);
    const existing = list.body.items.find((s) => s.name === name);
    segments[key] =
      existing?.segmentId ?? (await ctx.call<{ segmentId: string }>('marketing', 'POST', '/segments', token, { name, description, rule })).body.segmentId;
  };
  await define('regulars', 'Regulars reachable by e-mail', 'Repeat and loyal customers who accept e-mail offers', {
    all: [{ journeyStage: { in: ['first-time-customer', 'repeat-customer', 'loyal-customer'] } }, { consent: { channel: 'email', purpose: 'offers' } }],
  });
  await define('prospects', 'Prospects to nurture', 'Suspects and prospects in the first two phases', {
    all: [{ journeyStage: { in: ['suspect', 'prospect'] } }, { relationshipPhase: { in: ['awareness', 'exploration'] } }],
  });
  await define('sms', 'SMS offers', 'Everyone who accepts offers by SMS', { consent: { channel: 'sms', purpose: 'offers' } });

  // A finished A/B campaign to the customers who accept e-mail offers, with a 20 % control group.
  const campaignId = uuidOf('spring-service-offer');
  const defined = await ctx.call<Campaign>('marketing', 'POST', '/campaigns', token, {
    campaignId,
    name: 'Spring service offer',
    purpose: 'offers',
    audience: { kind: 'list', customerIds: emailOffers },
    steps: [
      {
        stepId: 'mail-1',
        channel: 'email',
        delayMinutes: 0,
        variants: [
          {
            variantId: 'a',
            weight: 1,
            template: {
              subject: 'Your spring service, {{name}}',
              text: 'Hello {{name}}, book your spring service this month. Unsubscribe: {{unsubscribeUrl}}',
            },
          },
          {
            variantId: 'b',
            weight: 1,
            template: {
              subject: '15 % off your spring service, {{name}}',
              text: 'Hello {{name}}, 15 % off your spring service this month. Unsubscribe: {{unsubscribeUrl}}',
            },
          },
        ],
      },
    ],
    controlBasisPoints: 2000,
    throttlePerSecond: 100,
    attributionWindowDays: 30,
    costPerMessage: { amountMinor: 40, currency: 'EUR' },
  });
  let campaign = (await ctx.call<Campaign>('marketing', 'GET', `/campaigns/${campaignId}`, token)).body;
  if (campaign.status === 'draft') {
    campaign = (await ctx.call<Campaign>('marketing', 'POST', `/campaigns/${campaignId}/start`, token, undefined, { 'if-match': `"${defined.body.revision}"` }))
      .body;
  }
  // The dispatcher sends within a few ticks (embedded: e-mail is logged, nothing leaves the machine).
  for (let tries = 0; campaign.status === 'running' && (campaign.counts.pending > 0 || campaign.counts.sent === 0) && tries < 60; tries++) {
    await new Promise((r) => setTimeout(r, 250));
    campaign = (await ctx.call<Campaign>('marketing', 'GET', `/campaigns/${campaignId}`, token)).body;
  }

  if (campaign.status === 'running') {
    const recipients: Recipient[] = [];
    for (let cursor: string | undefined; ;) {
      const page = await ctx.call<{ items: Recipient[]; nextCursor?: string }>(
        'marketing',
        'GET',
        `/campaigns/${campaignId}/messages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      recipients.push(...page.body.items);
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    const secret = trackingSecret();
    let opens = 0;
    let clicks = 0;
    let replies = 0;
    let orders = 0;
    for (const [i, r] of recipients.entries()) {
      const m = r.messages.find((x) => x.status === 'sent');
      // Variant b (the discount) is opened, clicked and bought more often than a; the control group buys a little on its own.
      const b = m?.variantId === 'b';
      if (m && secret) {
        const claims = { v: 1, m: m.messageId, cm: campaignId, c: r.customerId, s: m.stepId, ...(m.variantId && { va: m.variantId }) };
        if (i % 10 < (b ? 8 : 5)) {
          const res = await again(() =>
            fetch(`${ctx.url}/api/marketing/t/o/${trackingToken(secret, { ...claims, k: 'open' })}`, {
              headers: { authorization: `Bearer ${token}` },
            }),
          );
          if (res.ok) opens++;
        }
        if (i % 10 < (b ? 5 : 2)) {
          const url = 'https://example.com/spring-service';
          const res = await again(() =>
            fetch(`${ctx.url}/api/marketing/t/c/${trackingToken(secret, { ...claims, k: 'click', u: url })}`, {
              headers: { authorization: `Bearer ${token}` },
              redirect: 'manual',
            }),
          );
          if (res.status === 302) clicks++;
        }
      }
      if (m && i % 10 < (b ? 3 : 1)) {
        await ctx.call('marketing', 'POST', `/campaigns/${campaignId}/responses`, token, {
          customerId: r.customerId,
          channel: 'email',
          response: b ? 'asked to book the discounted service' : 'asked for the service prices',
          interactionId: uuidOf(`reply-${r.customerId}`),
        });
        replies++;
      }
      const buys = r.group === 'control' ? i % 10 === 0 : i % 10 < (b ? 4 : 2);
      if (buys) {
        await ctx.call('sales', 'POST', '/orders', salesToken, {
          orderId: uuidOf(`order-${r.customerId}`),
          customerId: r.customerId,
          currency: 'EUR',
          lines: [{ productId: 'SERVICE-SPRING', productName: 'Spring service', quantity: 1, unitPrice: b ? 25_500 : 30_000 }],
        });
        orders++;
      }
    }
    campaign = (await ctx.call<Campaign>('marketing', 'GET', `/campaigns/${campaignId}`, token)).body;
    await ctx.call(
      'marketing',
      'POST',
      `/campaigns/${campaignId}/close`,
      token,
      { reason: 'the spring offer ended' },
      { 'if-match': `"${campaign.revision}"` },
    );
    ctx.log(`marketing: campaign ${campaignId}: ${recipients.length} recipients, ${opens} opens, ${clicks} clicks, ${replies} replies, ${orders} orders`);
  }

  // A draft waiting to be started, on the regulars.
  const draftId = uuidOf('summer-newsletter-draft');
  await ctx.call('marketing', 'POST', '/campaigns', token, {
    campaignId: draftId,
    name: 'Summer check-up reminder',
    purpose: 'offers',
    audience: { kind: 'segment', segmentId: segments['regulars'] },
    steps: [
      {
        stepId: 'mail-1',
        channel: 'email',
        delayMinutes: 0,
        variants: [{ variantId: 'a', weight: 1, template: { subject: 'Summer check-up, {{name}}', text: 'Hello {{name}}, time for a summer check-up.' } }],
      },
    ],
    controlBasisPoints: 1000,
    throttlePerSecond: 50,
    attributionWindowDays: 14,
    costPerMessage: { amountMinor: 40, currency: 'EUR' },
  });

  ctx.out['marketing'] = {
    segmentIds: segments,
    finishedCampaignId: campaignId,
    draftCampaignId: draftId,
    consentCustomerIds: { emailOffers: emailOffers.slice(0, 5), withdrawn },
  };
}
