import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '@crm/kernel';
import { partnerWebhookDecider, partnerWebhookStream, type PartnerWebhook, type PartnerWebhookCommand } from '@crm/relationship';
import { READ_MODELS, TickLoop, WRITE_STORE, type ReadModelRunners } from '@crm/relationship-api';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { CLOCK, SERVICE_CONFIG, type PartnerPrincipal, type ServiceConfig } from '@crm/service-kit';
import type { EntityManager } from 'typeorm';
import { PartnerScope } from '../portal/partner-scope';
import { partnerSeesEpisodeEvent, DELIVERIES, ensureDeliveries } from './partner-webhooks.projection';
import { WEBHOOK_SECRETS, type WebhookSecrets } from './webhook-secrets';
import { WEBHOOK_SENDER, type WebhookSender } from './webhook-sender';

/** Backoff: 10 s doubled per attempt, at most an hour, with "equal jitter" (half fixed, half random) so retries of many deliveries spread out. */
export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_CAP_MS = 3_600_000;
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const full = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

/** How much longer than the request's timeout a claim holds a delivery. */
const LEASE_SLACK_MS = 30_000;

/** The rows of an `UPDATE … RETURNING` (PostgreSQL's driver answers `[rows, count]`, PGlite the rows). */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (!Array.isArray(result)) return [];
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Record<string, unknown>[];
  return result as Record<string, unknown>[];
}

export interface WebhookDispatchTick {
  delivered: number;
  retried: number;
  dead: number;
  dropped: number;
  /** Heads another instance claimed first. */
  skipped: number;
}

interface DueRow {
  delivery_id: string;
  subscription_id: string;
  partner_id: string;
  event_id: string;
  event_type: string;
  customer_id: string;
  episode_type: string;
  owner_partner_id: string | null;
  source: string;
  event_time: string;
  data: unknown;
  attempts: number;
  next_attempt_at: string | null;
}

/**
 * Sends the pending webhook deliveries (issue 14 §5), a `TickLoop` on the injected clock. Per
 * (subscription, customer) only the earliest pending delivery is looked at, so a later one waits
 * while an earlier one retries (order per customer); a dead or dropped one lets the queue move on.
 *
 * Before each send the share is judged again, now, by `PartnerScope` (the aggregate and the read
 * model): revoked or expired since, or the episode's type no longer in scope → `dropped` with the
 * reason; the subscription unsubscribed → `dropped`. A send is a CloudEvent 1.0 in structured JSON
 * mode signed per Standard Webhooks with the subscription's current secret. 2xx → `delivered`;
 * anything else → retried with backoff, `dead` after CRM_PARTNER_WEBHOOK_MAX_ATTEMPTS.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly loop: TickLoop<WebhookDispatchTick>;
  private readonly subscriptions: CommandHandler<PartnerWebhook | undefined, PartnerWebhookCommand, never>;
  /** Jitter's randomness (tests may fix it). */
  random: () => number = Math.random;

  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(WRITE_STORE) store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(WEBHOOK_SECRETS) private readonly secrets: WebhookSecrets,
    @Inject(WEBHOOK_SENDER) private readonly sender: WebhookSender,
    private readonly scope: PartnerScope,
  ) {
    this.subscriptions = new CommandHandler(store, partnerWebhookDecider) as never;
    this.loop = new TickLoop('partner webhooks', () => this.tickNow(), {
      intervalMs: config.CRM_PARTNER_WEBHOOK_INTERVAL_MS,
      logger: { warn: (m) => this.logger.warn(m) },
    });
  }

  private get manager(): EntityManager {
    return this.readModels.dataSource.manager;
  }

  /** One pass (tests call it on a TestClock). */
  tick(): Promise<WebhookDispatchTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<WebhookDispatchTick> {
    await ensureDeliveries(this.manager);
    const table = DELIVERIES;
    const now = this.clock.now();
    const tick: WebhookDispatchTick = { delivered: 0, retried: 0, dead: 0, dropped: 0, skipped: 0 };
    // Round after round, the head of each (subscription, customer) queue if it is due: a queue whose
    // head was delivered, dropped or dead-lettered moves on within the tick; one whose head failed
    // waits (its head is not due). Bounded, so one tick never runs for ever.
    for (let round = 0; round < 20; round++) {
      const heads = (await this.manager.query(
        `SELECT * FROM (
           SELECT DISTINCT ON (subscription_id, customer_id) * FROM ${table} WHERE state IN ('pending', 'failed')
            ORDER BY subscription_id, customer_id, position_commit, position_prepare) h
          WHERE next_attempt_at IS NULL OR next_attempt_at <= $1 ORDER BY position_commit, position_prepare LIMIT 100`,
        [now.toISOString()],
      )) as DueRow[];
      if (heads.length === 0) break;
      for (const row of heads) tick[await this.dispatch(table, row, now)]++;
    }
    return tick;
  }

  private async dispatch(table: string, row: DueRow, now: Date): Promise<keyof WebhookDispatchTick> {
    const set = (fields: string, params: unknown[]) =>
      this.manager.query(`UPDATE ${table} SET ${fields}, updated_at = $2 WHERE delivery_id = $1`, [row.delivery_id, now.toISOString(), ...params]);
    // Claim it first (a lease past the request's timeout): with several portal instances only one
    // sends it, and its customer's queue waits while it is in flight; after a crash the lease runs out.
    const lease = new Date(now.getTime() + this.config.CRM_PARTNER_WEBHOOK_TIMEOUT_MS + LEASE_SLACK_MS);
    const claimed = rowsOf(
      await this.manager.query(
        `UPDATE ${table} SET next_attempt_at = $2 WHERE delivery_id = $1 AND state IN ('pending', 'failed')
           AND (next_attempt_at IS NULL OR next_attempt_at <= $3) RETURNING delivery_id`,
        [row.delivery_id, lease.toISOString(), now.toISOString()],
      ),
    );
    if (claimed.length === 0) return 'skipped';
    const subscription = await this.subscription(row.subscription_id);
    if (!subscription || subscription.unsubscribedAt) {
      await set(`state = 'dropped', last_error = $3, next_attempt_at = NULL`, ['unsubscribed']);
      return 'dropped';
    }
    const reason = await this.stillVisible(row, now);
    if (reason) {
      await set(`state = 'dropped', last_error = $3, next_attempt_at = NULL`, [reason]);
      return 'dropped';
    }
    const body = JSON.stringify({
      specversion: '1.0',
      id: row.event_id,
      source: row.source,
      type: row.event_type,
      subject: row.customer_id,
      time: new Date(row.event_time).toISOString(),
      datacontenttype: 'application/json',
      data: row.data,
    });
    const secret = this.secrets.secretOf(row.subscription_id, subscription.secretVersion);
    const signature = new Webhook(secret).sign(row.delivery_id, now, body);
    const response = await this.sender.send({
      url: subscription.url,
      body,
      timeoutMs: this.config.CRM_PARTNER_WEBHOOK_TIMEOUT_MS,
      headers: {
        'content-type': 'application/cloudevents+json',
        'webhook-id': row.delivery_id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
    });
    const attempts = row.attempts + 1;
    if (response.status !== undefined && response.status >= 200 && response.status < 300) {
      await set(`state = 'delivered', attempts = $3, last_status = $4, last_error = NULL, next_attempt_at = NULL`, [attempts, response.status]);
      return 'delivered';
    }
    const error = response.error ?? `answered ${response.status}`;
    if (attempts >= this.config.CRM_PARTNER_WEBHOOK_MAX_ATTEMPTS) {
      await set(`state = 'dead', attempts = $3, last_status = $4, last_error = $5, next_attempt_at = NULL`, [
        attempts,
        response.status ?? null,
        `${error} (attempt ${attempts} of ${this.config.CRM_PARTNER_WEBHOOK_MAX_ATTEMPTS}: dead-lettered)`,
      ]);
      return 'dead';
    }
    const next = new Date(now.getTime() + backoffMs(attempts, this.random));
    await set(`state = 'failed', attempts = $3, last_status = $4, last_error = $5, next_attempt_at = $6`, [
      attempts,
      response.status ?? null,
      error,
      next.toISOString(),
    ]);
    return 'retried';
  }

  /** Why the partner may no longer see the delivery's event now (undefined: it may). */
  private async stillVisible(row: DueRow, now: Date): Promise<string | undefined> {
    const principal: PartnerPrincipal = { kind: 'partner', partnerId: row.partner_id, subject: 'partner-webhook-dispatcher', roles: [] };
    const share = await this.scope.shareOf(principal, row.customer_id).catch(() => undefined);
    if (!share) return 'the customer is no longer shared with the partner';
    if (!partnerSeesEpisodeEvent(row.partner_id, share, { episodeType: row.episode_type, ownerPartnerId: row.owner_partner_id }, now))
      return "the episode's type is no longer in the share's scope";
    return undefined;
  }

  private async subscription(subscriptionId: string): Promise<PartnerWebhook | undefined> {
    return (await this.subscriptions.load(partnerWebhookStream(subscriptionId))).state;
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }
}
