import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import { NotFoundError, partnerWebhookDecider, partnerWebhookStream, type PartnerWebhook, type PartnerWebhookCommand } from '@crm/relationship';
import { READ_MODELS, WRITE_STORE, type CommandOptions, type ReadModelRunners } from '@crm/relationship-api';
import {
  actorFromPrincipal,
  CLOCK,
  partnerActorId,
  HttpProblem,
  ProblemTypes,
  SERVICE_CONFIG,
  type PartnerPrincipal,
  type ServiceConfig,
} from '@crm/service-kit';
import { PartnerScope } from '../portal/partner-scope';
import { PartnerWebhookSubscriptionRow } from './partner-webhooks.projection';
import { assertWebhookUrl, WEBHOOK_SECRETS, type WebhookSecrets } from './webhook-secrets';
import { correlationIdFor } from '@crm/telemetry';

/**
 * A partner's webhook subscriptions (issue 14 §5). Each command loads the subscription once, checks
 * that it is the caller's (another partner's id, an unsubscribed one and an unknown one: the same
 * 404), judges If-Match (412 before any rule), decides (`partnerWebhookDecider`) and appends to the
 * subscription's stream — nothing else. The secret is derived (`WebhookSecrets`), returned to the
 * caller on subscribe and rotate only.
 */
@Injectable()
export class PartnerWebhookCommands {
  private readonly handler: CommandHandler<PartnerWebhook | undefined, PartnerWebhookCommand, never>;

  constructor(
    @Inject(WRITE_STORE) store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(WEBHOOK_SECRETS) private readonly secrets: WebhookSecrets,
    private readonly scope: PartnerScope,
  ) {
    this.handler = new CommandHandler(store, partnerWebhookDecider, { retries: 2 }) as never;
  }

  private get allowHttp(): boolean {
    return this.config.CRM_PARTNER_WEBHOOK_ALLOW_HTTP === 'true';
  }

  async subscribe(principal: PartnerPrincipal, input: { url: string; eventTypes: string[] }, options: CommandOptions = {}) {
    // 401 for a revoked credential; a partner the store does not know (never registered) subscribes nothing
    if (!(await this.scope.partnerOf(principal))) throw new HttpProblem(403, 'no such partner', { type: ProblemTypes.forbidden });
    const url = assertWebhookUrl(input.url, this.allowHttp);
    const subscriptionId = randomUUID();
    const r = await this.handler.handle(
      partnerWebhookStream(subscriptionId),
      {
        type: 'SubscribePartnerWebhook',
        data: { subscriptionId, partnerId: principal.partnerId, url, eventTypes: input.eventTypes, by: partnerActorId(principal) },
        now: this.now(),
      },
      this.metadata(principal, options),
    );
    return { subscriptionId, secret: this.secrets.secretOf(subscriptionId, 1), revision: r.revision };
  }

  /** The caller's subscription (404 for anything else), with its stream revision (the ETag). */
  async get(principal: PartnerPrincipal, subscriptionId: string): Promise<{ state: PartnerWebhook; revision: bigint }> {
    await this.scope.partnerOf(principal);
    const { state, revision } = await this.handler.load(partnerWebhookStream(subscriptionId));
    if (!state || revision === undefined || state.unsubscribedAt || state.partnerId !== principal.partnerId)
      throw new NotFoundError(`webhook subscription ${subscriptionId} not found`);
    return { state, revision };
  }

  /** The caller's subscriptions (the feed's table lists the ids; each is read from its stream). */
  async list(principal: PartnerPrincipal): Promise<PartnerWebhook[]> {
    await this.scope.partnerOf(principal);
    const rows = await this.readModels.dataSource.manager
      .getRepository(PartnerWebhookSubscriptionRow)
      .find({ where: { partnerId: principal.partnerId, active: true }, order: { updatedAt: 'ASC', subscriptionId: 'ASC' }, take: 100 });
    const out: PartnerWebhook[] = [];
    for (const row of rows) {
      const { state } = await this.handler.load(partnerWebhookStream(row.subscriptionId));
      if (state && !state.unsubscribedAt && state.partnerId === principal.partnerId) out.push(state);
    }
    return out;
  }

  async change(principal: PartnerPrincipal, subscriptionId: string, input: { url?: string; eventTypes?: string[] }, options: CommandOptions = {}) {
    const url = input.url === undefined ? undefined : assertWebhookUrl(input.url, this.allowHttp);
    return this.decide(
      principal,
      subscriptionId,
      { type: 'ChangePartnerWebhook', data: { url, eventTypes: input.eventTypes, by: partnerActorId(principal) }, now: this.now() },
      options,
    );
  }

  async rotate(principal: PartnerPrincipal, subscriptionId: string, options: CommandOptions = {}) {
    const r = await this.decide(
      principal,
      subscriptionId,
      { type: 'RotatePartnerWebhookSecret', data: { by: partnerActorId(principal) }, now: this.now() },
      options,
    );
    const { state } = await this.get(principal, subscriptionId);
    return { ...r, secret: this.secrets.secretOf(subscriptionId, state.secretVersion) };
  }

  async unsubscribe(principal: PartnerPrincipal, subscriptionId: string, options: CommandOptions = {}) {
    return this.decide(principal, subscriptionId, { type: 'UnsubscribePartnerWebhook', data: { by: partnerActorId(principal) }, now: this.now() }, options);
  }

  private async decide(principal: PartnerPrincipal, subscriptionId: string, command: PartnerWebhookCommand, options: CommandOptions) {
    await this.scope.partnerOf(principal);
    const r = await this.handler.handle(partnerWebhookStream(subscriptionId), command, this.metadata(principal, options), {
      expectedRevision: options.expectedRevision,
      check: (state) => {
        if (!state || state.unsubscribedAt || state.partnerId !== principal.partnerId)
          throw new NotFoundError(`webhook subscription ${subscriptionId} not found`);
      },
    });
    return { subscriptionId, revision: r.revision };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private metadata(principal: PartnerPrincipal, options: CommandOptions) {
    return {
      correlationId: correlationIdFor(options.correlationId),
      actor: actorFromPrincipal(principal),
      occurredAt: this.now(),
      // The company and this partner only.
      visibility: { departments: '*' as const, partners: [principal.partnerId] },
    };
  }
}
