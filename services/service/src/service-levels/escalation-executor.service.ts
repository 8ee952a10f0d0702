import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { NotFoundError, type Clock } from '@crm/kernel';
import { CaseCommands, READ_MODELS, ServiceLevelCommands, type ReadModelRunners } from '@crm/relationship-api';
import type { Platform } from '@crm/platform';
import { CLOCK, PLATFORM, SERVICE_CONFIG, type ServiceConfig, type StaffPrincipal } from '@crm/service-kit';
import { EMAIL_SENDER, type EmailSender } from '../channels/email/email-sender';
import { EscalationExecutor } from './escalation-executor';
import { escalationInbox } from './escalation-inbox.projection';

/** Reads the case as the service department would (the executor acts for it). */
const SERVICE_READER: StaffPrincipal = { kind: 'staff', subject: 'sla-escalation', department: 'service', roles: [] };

/**
 * The SLA escalation executor in the service service: starts with the app, stops (after the tick
 * under way) when it closes. Interval `CRM_ESCALATION_INTERVAL_MS`; user ids notified at
 * `CRM_ESCALATION_NOTIFY_DOMAIN`; mail through the service's `EmailSender` (SMTP with `CRM_SMTP_URL`).
 */
@Injectable()
export class EscalationExecutorService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SlaEscalation');
  readonly executor: EscalationExecutor;

  constructor(
    cases: CaseCommands,
    @Inject(READ_MODELS) readModels: ReadModelRunners,
    @Inject(EMAIL_SENDER) sender: EmailSender,
    @Inject(CLOCK) clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(PLATFORM) platform: Platform,
    // Records each act as `CaseEscalationActed` (the history a rebuilt inbox is settled from).
    serviceLevels: ServiceLevelCommands,
  ) {
    this.executor = new EscalationExecutor(
      escalationInbox(readModels.dataSource.manager, serviceLevels),
      {
        async status(episodeId) {
          try {
            return (await cases.get(SERVICE_READER, episodeId)).status;
          } catch (error) {
            if (error instanceof NotFoundError) return undefined;
            throw error;
          }
        },
        // One command, one append: the team move (CaseDetailsChanged, actor `sla-escalation`) and,
        // if an agent holds the case, its unassignment with the escalation's reason (CaseUnassigned
        // and the move back to `new`), so the case waits in the new team's queue for the router.
        // A case in the team already was moved (an escalation acting again after a crash, by which
        // time an agent of the new team may hold it): nothing. The revision read is expected, so a
        // change between the read and the append fails this attempt and the next tick decides again.
        moveToTeam: async (episodeId, team, reason) => {
          const now = await cases.get(SERVICE_READER, episodeId);
          if (now.team === team) return;
          await cases.unassign({ kind: 'system', id: 'sla-escalation' }, episodeId, { team, reason }, { expectedRevision: BigInt(now.revision) });
          this.logger.log(`case ${episodeId} moved to team ${team}${now.assigneeId ? `, taken from ${now.assigneeId}` : ''}: ${reason}`);
        },
      },
      sender,
      clock,
      {
        intervalMs: config.CRM_ESCALATION_INTERVAL_MS,
        lease: platform.processLease('sla-escalation'),
        from: config.CRM_MAIL_FROM,
        ...(config.CRM_ESCALATION_NOTIFY_DOMAIN && { notifyDomain: config.CRM_ESCALATION_NOTIFY_DOMAIN }),
        logger: { log: (m) => this.logger.log(m), warn: (m) => this.logger.warn(m) },
      },
    );
  }

  onApplicationBootstrap(): void {
    this.executor.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.executor.stop();
    await this.executor.releaseLease();
  }
}
