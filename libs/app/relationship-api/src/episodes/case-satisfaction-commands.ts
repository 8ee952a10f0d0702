import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { caseSatisfactionDecider, DomainRuleViolation, episodeStream, NotFoundError, type CaseSatisfactionState } from '@crm/relationship';
import type { Principal } from '@crm/service-kit';
import type { CommandOptions, CommandResult, CommandSettings } from '../application/command-options';
import { correlationIdFor } from '@crm/telemetry';

/** What a survey is about: the company's resolved case, for its customer. */
export interface CaseSurveySubject {
  episodeId: string;
  customerId: string;
  /** The resolution the survey is for. */
  resolvedAt: string;
  /** The answer already given for this resolution. */
  answered?: { score: number; ratedAt: string };
}

/**
 * The satisfaction survey of a resolved case (issue 12 §6): staff ask for the survey of a case (the
 * service signs the link); the customer, holding the link, answers once. Each loads the case's
 * stream once, judges on that state, and — to answer — decides with the case-satisfaction decider
 * and appends the interaction and `CaseSatisfactionRated` together.
 */
export class CaseSatisfactionCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, caseSatisfactionDecider, { retries: this.settings.retries });

  /** Staff: the company's case, resolved (404 for one that is not there, no case, or a partner's; 422 when not resolved). */
  async surveyOf(principal: Principal, episodeId: string): Promise<CaseSurveySubject> {
    const { state } = await this.handler.load(episodeStream(episodeId));
    if (principal.kind !== 'staff' || !isCompanyCase(state)) throw new NotFoundError(`case ${episodeId} not found`);
    return subjectOf(state, episodeId);
  }

  /** The link's holder: the case as the link names it (404 when it is gone; the resolution may have changed since). */
  async survey(episodeId: string): Promise<CaseSurveySubject & { resolved: boolean }> {
    const { state } = await this.handler.load(episodeStream(episodeId));
    if (!isCompanyCase(state)) throw new NotFoundError(`case ${episodeId} not found`);
    return {
      episodeId,
      customerId: state.episode!.customerId,
      resolvedAt: state.resolvedAt ?? '',
      resolved: state.resolvedAt !== undefined,
      answered: state.rated,
    };
  }

  /** The customer's answer (`customerId` from the signed link), for the resolution the link was issued for. */
  async rate(
    episodeId: string,
    answer: { customerId: string; score: number; comment?: string; resolvedAt: string },
    options: Pick<CommandOptions, 'correlationId'> = {},
  ): Promise<CommandResult> {
    const interactionId = randomUUID();
    const now = this.settings.clock.now().toISOString();
    const r = await this.handler.handle(
      episodeStream(episodeId),
      {
        type: 'RateCaseSatisfaction',
        data: { episodeId, score: answer.score, comment: answer.comment, interactionId, ratedAt: now, resolvedAt: answer.resolvedAt },
      },
      {
        correlationId: correlationIdFor(options.correlationId),
        // The customer answered, through the link the company sent: their own act, seen like the company's case.
        actor: { type: 'customer', id: answer.customerId },
        occurredAt: now,
        visibility: { departments: '*', partners: 'shared' },
      },
      {
        check: (state) => {
          if (!isCompanyCase(state) || state.episode!.customerId !== answer.customerId) throw new NotFoundError(`case ${episodeId} not found`);
        },
      },
    );
    return { id: interactionId, revision: r.revision };
  }
}

function isCompanyCase(state: CaseSatisfactionState): boolean {
  return state.episode?.episodeType === 'case' && state.episode.owner.kind === 'department';
}

function subjectOf(state: CaseSatisfactionState, episodeId: string): CaseSurveySubject {
  if (!state.resolvedAt) throw new DomainRuleViolation('case-not-resolved', `case ${episodeId} is not resolved: the survey follows a resolution`);
  return { episodeId, customerId: state.episode!.customerId, resolvedAt: state.resolvedAt, ...(state.rated && { answered: state.rated }) };
}
