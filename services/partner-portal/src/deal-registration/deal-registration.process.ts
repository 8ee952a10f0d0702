import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { episodeStream, leadStream, type DealRegistration } from '@crm/relationship';
import { EpisodeCommands, LeadCommands, READ_MODELS, TickLoop, WRITE_STORE, type ReadModelRunners } from '@crm/relationship-api';
import type { EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { DealRegistrationCommands } from './deal-registration-commands';
import { approvalsToFollowUp, dueDealRegistrations } from './deal-registrations.projection';

export interface DealRegistrationTick {
  expired: number;
  episodesOpened: number;
  leadsCaptured: number;
}

/**
 * The deal registrations' clock-driven side (issue 14 §3), on the injected clock: each tick
 * - expires what is due (`DealRegistrationCommands.expire`, which re-judges it on the stream: a
 *   registration reviewed meanwhile is left alone): pending ones past their approval deadline
 *   (`not-reviewed`), approved ones past their protection window (`protection-ended`);
 * - opens the partner-deal episode each recorded approval named, on the partner's behalf (owner and
 *   visibility: that partner), once — an episode already in the store is not opened again;
 * - captures an approved prospect as a lead (source `partner`, under the lead id the registration
 *   sealed its contact with), once: a lead is for the company's sales team, so only an approved claim
 *   becomes one (a rejected or unreviewed prospect stays only on its registration).
 * It keeps no state: what to do is in the `deal_registrations` read model, re-checked on the store.
 */
@Injectable()
export class DealRegistrationProcess implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DealRegistrationProcess');
  private readonly loop: TickLoop<DealRegistrationTick>;

  constructor(
    private readonly registrations: DealRegistrationCommands,
    private readonly episodes: EpisodeCommands,
    private readonly leads: LeadCommands,
    @Inject(WRITE_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.loop = new TickLoop('deal registrations', () => this.tickNow(), {
      intervalMs: config.CRM_DEAL_REGISTRATION_INTERVAL_MS,
      logger: { warn: (m) => this.logger.warn(m) },
    });
  }

  /** One pass (tests call it on a TestClock). */
  tick(): Promise<DealRegistrationTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<DealRegistrationTick> {
    const manager = this.readModels.dataSource.manager;
    let expired = 0;
    for (const id of await dueDealRegistrations(manager, this.clock.now())) {
      const r = await this.registrations.expire(id);
      if (r.revision !== undefined) expired++;
    }
    let episodesOpened = 0;
    let leadsCaptured = 0;
    for (const id of await approvalsToFollowUp(manager)) {
      try {
        const done = await this.followUp(id);
        if (done === 'episode') episodesOpened++;
        if (done === 'lead') leadsCaptured++;
      } catch (error) {
        // e.g. the share was revoked since the approval: the deal stays approved without an episode; logged, tried again.
        this.logger.warn(`deal registration ${id}: its approval's follow-up failed (${(error as Error).message})`);
      }
    }
    return { expired, episodesOpened, leadsCaptured };
  }

  private async followUp(registrationId: string): Promise<'episode' | 'lead' | undefined> {
    const { state } = await this.registrations.get(
      { kind: 'staff', subject: 'deal-registration-process', department: 'management', roles: [] },
      registrationId,
    );
    if (!state.protectionEndsAt) return undefined; // never approved
    if (state.prospect && state.leadId) {
      const existing = await this.store.readStream(leadStream(state.leadId), { maxCount: 1 }).catch(() => []);
      if (existing.length > 0) return undefined;
      // The prospect's contact is already sealed with this lead's key: the lead and the registration are erased together.
      await this.leads.capture(
        { form: `deal-registration/${registrationId}` },
        {
          leadId: state.leadId,
          source: 'partner',
          name: state.prospect.contactName,
          company: state.prospect.company,
          ...(state.prospect.contactEmail !== undefined && { email: state.prospect.contactEmail }),
        },
      );
      return 'lead';
    }
    return (await this.openEpisode(state)) ? 'episode' : undefined;
  }

  private async openEpisode(state: DealRegistration): Promise<boolean> {
    const registrationId = state.registrationId;
    if (state.status !== 'approved' || !state.episodeId || !state.customerId) return false;
    const existing = await this.store.readStream(episodeStream(state.episodeId), { maxCount: 1 }).catch(() => []);
    if (existing.length > 0) return false;
    // The partner's episode, as if the partner opened it: owned by and visible to that partner only.
    await this.episodes.open({ kind: 'partner', partnerId: state.partnerId, subject: `deal-registration:${registrationId}`, roles: [] }, 'partner-deal', {
      episodeId: state.episodeId,
      customerId: state.customerId,
      name: `Registered deal: ${state.products.join(', ')}`.slice(0, 200),
      expectedValue: state.estimatedValue,
      currency: state.currency,
      ...(state.opportunityId !== undefined && { opportunityId: state.opportunityId }),
    });
    return true;
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }
}
